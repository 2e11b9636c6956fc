"""Teams activities to the core's terms: where a message lives (``Place``), its plain text, commands, references."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ClaimsIdentity
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.conversations import Place
from bot.handlers.teams.references import StoredConversation
from bot.intent import Intent
from bot.language import LANGUAGES

PLATFORM = "teams"
THREAD_MARK = ";messageid="
KEY_CHARS = 64
COMMANDS = {"ask": Intent.ASK, "match": Intent.MATCH, "peers": Intent.PEERS}
FORM_WORDS = frozenset({"need", "form", "behov", "formular", "formulär", "bedarf"})
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div)\s*/?>", re.IGNORECASE)


def fit(value: str, limit: int = KEY_CHARS) -> str:
    """``value`` itself when it fits a key column, else a stable digest (personal chat ids run past 100 chars)."""
    if len(value) <= limit:
        return value
    return "h:" + hashlib.sha256(value.encode()).hexdigest()[: limit - 2]


def split_conversation(conversation_id: str) -> tuple[str, str]:
    """A channel thread's id is ``<channel>;messageid=<root post>``: return (channel, root) or (id, "")."""
    base, _, root = conversation_id.partition(THREAD_MARK)
    return base, root


def channel_data(activity: Activity) -> dict[str, Any]:
    """Teams' ``channelData`` as a dict (empty when absent)."""
    data = activity.channel_data
    if isinstance(data, dict):
        return data
    dump = getattr(data, "model_dump", None)
    return dump(by_alias=True, exclude_none=True) if callable(dump) else {}


def tenant_of(activity: Activity) -> str:
    """The Microsoft 365 tenant a conversation belongs to."""
    tenant = activity.conversation.tenant_id if activity.conversation else None
    return str(tenant or (channel_data(activity).get("tenant") or {}).get("id") or "")


def user_of(activity: Activity) -> str:
    """The author's Entra object id (stable across chats), else their Teams id."""
    author = activity.from_property
    if author is None:
        return ""
    return str(author.aad_object_id or author.id or "")


def teams_place(activity: Activity) -> Place:
    """The core's ``Place``: tenant, conversation (channel), thread root (channels only) and author."""
    base, root = split_conversation(activity.conversation.id if activity.conversation else "")
    return Place(PLATFORM, fit(tenant_of(activity)), fit(base), fit(root), fit(user_of(activity)))


def locale_language(locale: str | None) -> str:
    """The Teams client's language when we speak it (``de-DE`` → ``de``), else English."""
    language = (locale or "").split("-", 1)[0].lower()
    return language if language in LANGUAGES else "en"


def clean_text(text: str | None) -> str:
    """Plain words from a message whose bot mention the SDK already removed (tags dropped, entities decoded)."""
    text = _TAG.sub(" ", _BREAK.sub("\n", text or ""))
    return " ".join(html.unescape(text).split())


def command(text: str) -> tuple[Intent | None, str, bool]:
    """(forced intent, text, wants the need form) for the manifest's commands: ``ask …``, ``match …``, ``need``."""
    word, _, rest = text.partition(" ")
    lowered = word.lower().rstrip(":")
    if lowered in FORM_WORDS and not rest.strip():
        return None, "", True
    if lowered in COMMANDS and not word.endswith(":"):
        return COMMANDS[lowered], rest.strip(), False
    return None, text, False


def claim_key(activity: Activity) -> str:
    """The de-duplication key of a delivered message (the Bot Connector may deliver one twice)."""
    conversation = activity.conversation.id if activity.conversation else ""
    digest = hashlib.sha256(f"{conversation}\n{activity.id}".encode()).hexdigest()[:40]
    return f"teams:msg:{digest}"


def stored_conversation(activity: Activity, identity: ClaimsIdentity | None) -> StoredConversation:
    """The reference to keep for proactive messages to this activity's chat or channel."""
    base, _ = split_conversation(activity.conversation.id)
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    reference.conversation = reference.conversation.model_copy(update={"id": base})
    data = channel_data(activity)
    team, channel = data.get("team") or {}, data.get("channel") or {}
    kind = activity.conversation.conversation_type or ("channel" if team else "personal")
    name = channel.get("name") or team.get("name") or activity.conversation.name
    return StoredConversation(
        conversation_id=base, kind=str(kind), tenant_id=tenant_of(activity), team_id=team.get("id"),
        user_id=user_of(activity) if kind == "personal" else None, name=name,
        service_url=str(activity.service_url or ""),
        reference=reference.model_dump(mode="json", by_alias=True, exclude_none=True),
        claims=Conversation.claims_from_identity(identity) if identity else {},
    )
