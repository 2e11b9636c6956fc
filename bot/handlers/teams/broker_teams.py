"""Teams plumbing of the broker workflows: actors (with e-mail when roles use addresses), people's names, the
channels the app is installed in, a push's target channel, personal chats, proactive posts with their message
ids, and ``BrokerBase``, what the command and button handlers share."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponseError
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ChannelServiceAdapter, ConnectorClientBase, TurnContext

from bot.assistant import Assistant
from bot.config import Settings
from bot.handlers.teams.cards import CardMessage, notice
from bot.handlers.teams.delivery import Later
from bot.handlers.teams.parse import locale_language, split_conversation, teams_place
from bot.handlers.teams.references import ReferenceStore, StoredConversation
from bot.handlers.teams.render import message_activity
from bot.i18n import t
from bot.matching.service import MatchingError
from bot.workflows.roles import needs_email
from bot.workflows.service import Workflows
from bot.workflows.types import Actor

log = logging.getLogger(__name__)
PERSON = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|29:\S+")
TARGET_KINDS = ("channel", "groupChat")
ID_CHARS = 64  # the conversation layer's channel column; longer ids (meeting chats) cannot be push targets
HERE = frozenset({"here", "her", "hit", "hier"})
EMAIL_TTL_S = 600.0
SEEN_NAMES = 5000
_emails: dict[tuple[str, str], tuple[float, str | None]] = {}
_seen: dict[str, str] = {}  # Entra object id or Teams id (casefolded) → display name, from activities seen here


class People:
    """How Teams cards name people: display names where known, e-mail addresses as they are, else the AAD object
    id (what an admin configured); ids of other platforms (Slack ``U…``) are left out."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def mention(self, identifier: str) -> str | None:
        """The person as a Teams card shows them, or None for another platform's id."""
        name = self.names.get(identifier.casefold())
        if name:
            return name
        return identifier if "@" in identifier or PERSON.fullmatch(identifier) else None


def learn(activity: Activity) -> None:
    """Remember the author's display name (in this process; personal chats keep it in the database)."""
    author = activity.from_property
    if author is None or not author.name:
        return
    for key in (author.aad_object_id, author.id):
        if key:
            if len(_seen) >= SEEN_NAMES:
                _seen.pop(next(iter(_seen)))
            _seen[key.casefold()] = author.name


async def people(references: ReferenceStore, identifiers: Iterable[str | None]) -> People:
    """Names of these people, from their personal chats' references and the activities seen."""
    ids = [i for i in dict.fromkeys(identifiers) if i]
    names = {key: _seen[key] for key in (i.casefold() for i in ids) if key in _seen}
    return People(names | await asyncio.to_thread(references.names, ids))


async def _email(context: TurnContext, tenant: str) -> str | None:
    author = context.activity.from_property
    if author is None or not author.id:
        return None
    cached = _emails.get((tenant, author.id))
    if cached and time.monotonic() - cached[0] < EMAIL_TTL_S:
        return cached[1]
    email = None
    try:
        connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if connector is None:
            raise RuntimeError("no connector client in this turn")
        conversation, _ = split_conversation(context.activity.conversation.id)
        member = await connector.conversations.get_conversation_member(conversation, author.id)
        extra = member.model_extra or {}
        email = str(extra.get("email") or extra.get("userPrincipalName") or "") or None
    except Exception as exc:  # the roster is unreachable: roles given by e-mail cannot match this time
        log.warning("Teams member lookup failed for %s (%s): roles given by e-mail cannot match", author.id, exc)
    _emails[(tenant, author.id)] = (time.monotonic(), email)
    return email


async def teams_actor(context: TurnContext, settings: Settings) -> Actor:
    """The neutral actor of an activity: the AAD object id as user, the ``29:`` id as alias; the e-mail address is
    looked up in the conversation's roster only when a role list uses addresses."""
    place = teams_place(context.activity)
    author = context.activity.from_property
    email = await _email(context, place.workspace) if needs_email(settings.workflows) else None
    aliases = tuple(a for a in (author.id if author else None,) if a and a != place.user)
    return Actor("teams", place.workspace, place.user, email, author.name if author else None, aliases)


def targets(references: ReferenceStore, tenant: str) -> list[StoredConversation]:
    """The team channels and group chats of a tenant the app is installed in, newest first."""
    return [c for c in references.installed(tenant_id=tenant)
            if c.kind in TARGET_KINDS and len(c.conversation_id) <= ID_CHARS]


@dataclass(frozen=True)
class Target:
    """Where a push goes as written: the conversation id when it could be told, the words naming it, the need."""

    id: str | None
    written: str
    need: str


def _mentioned(activity: Activity) -> tuple[str, str] | None:
    for entity in activity.entities or []:
        data = entity.model_dump(by_alias=True, exclude_none=True)
        mentioned = data.get("mentioned") or {}
        ident = str(mentioned.get("id") or "")
        if data.get("type") == "mention" and ident.startswith("19:"):
            text = re.sub(r"</?at>", "", str(data.get("text") or mentioned.get("name") or ""))
            return ident, text.strip()
    return None


def target(activity: Activity, rest: str, known: list[StoredConversation]) -> Target:
    """A push's channel: an @mentioned channel, ``here`` (this channel), a ``19:…`` id, or ``#name`` among the
    channels the app is installed in (the longest name that fits, so names may contain spaces)."""
    mentioned = _mentioned(activity)
    if mentioned:
        ident, name = mentioned
        need = rest[len(name):] if name and rest.casefold().startswith(name.casefold()) else rest
        return Target(ident, name or ident, need.strip())
    first, _, need = rest.partition(" ")
    if first.casefold() in HERE and activity.conversation.conversation_type in TARGET_KINDS:
        return Target(split_conversation(activity.conversation.id)[0], first, need.strip())
    if first.startswith("19:"):
        return Target(split_conversation(first)[0], first, need.strip())
    if not first.startswith("#") or len(first) < 2:
        return Target(None, "", rest)
    wanted = rest[1:].casefold()
    for stored in sorted(known, key=lambda c: -len(c.name or "")):
        name = (stored.name or "").casefold()
        if name and wanted.startswith(name) and wanted[len(name):len(name) + 1] in ("", " "):
            return Target(stored.conversation_id, f"#{stored.name}", rest[1 + len(name):].strip())
    return Target(None, first, need.strip())


async def post(adapter: ChannelServiceAdapter, stored: StoredConversation, messages: list[CardMessage]) -> str:
    """Post messages into a stored conversation as new posts (not replies); ``conversation:activity`` of the first.
    Raises what the connector answered (the adapter's turn-error handler would only log it)."""
    later = Later.from_stored(adapter, stored)
    continuation = later.reference.get_continuation_activity()
    continuation.id = None  # otherwise every message would be a reply to this made-up activity
    ids: list[str] = []
    failed: list[BaseException] = []

    async def send(context: TurnContext) -> None:
        try:
            for message in messages:
                response = await context.send_activity(message_activity(message))
                ids.append(str(getattr(response, "id", "") or ""))
        except Exception as exc:
            failed.append(exc)

    await adapter.continue_conversation_with_claims(later.identity, continuation, send)
    if failed:
        raise failed[0]
    return f"{stored.conversation_id}:{ids[0] if ids else ''}"[:200]


def post_error(exc: BaseException) -> tuple[str, bool]:
    """What went wrong posting, and whether it says the app is no longer in the conversation (403/404)."""
    if isinstance(exc, ClientResponseError):
        return f"HTTP {exc.status}", exc.status in (403, 404)
    return type(exc).__name__, False


def data_text(data: dict[str, Any], key: str) -> str:
    """A card input or action datum as stripped text ("" when absent)."""
    value = data.get(key)
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int | bool) else ""


class BrokerBase:
    """What the Teams broker handlers share: the core per request, people's names, the installed channels and
    personal chats, and how a failed post is reported."""

    def __init__(self, assistant: Assistant, settings: Settings, references: ReferenceStore) -> None:
        self.assistant, self.settings, self.references = assistant, settings, references

    async def _begin(self, context: TurnContext) -> tuple[Actor, str, Workflows]:
        """The actor, their preferred language (profile, else the Teams client's) and the core naming people."""
        learn(context.activity)
        actor = await teams_actor(context, self.settings)
        profile = await self.assistant.profile(actor.place())
        named = await self._people([*self.settings.workflows.brokers, *self.settings.workflows.admins, actor.user])
        core = Workflows.of(self.assistant, named.mention)
        return actor, profile.language or locale_language(context.activity.locale), core

    async def _people(self, identifiers: list[str | None]) -> People:
        """Names of these people for cards."""
        return await people(self.references, identifiers)

    async def _failed(self, record: Callable[[int, str], Awaitable[None]], record_id: int, stored: StoredConversation,
                      exc: BaseException, language: str) -> str:
        """Record a failed post (``push_failed``/``challenge_failed``) and say what went wrong; a conversation
        that answers 403/404 no longer has the app and is marked so."""
        error, gone = post_error(exc)
        log.warning("posting to Teams conversation %s failed: %s", stored.conversation_id, error)
        await record(record_id, error)
        label = stored.name or stored.conversation_id
        if gone:
            await asyncio.to_thread(self.references.uninstall, stored.conversation_id)
            return t("teams_not_installed", language).format(channel=label)
        return t("refusal_post_failed", language).format(channel=label, error=error)

    async def _target(self, actor: Actor, conversation_id: str) -> StoredConversation | None:
        """The stored conversation when the app is installed there, in the actor's tenant, as a channel or group."""
        known = await asyncio.to_thread(targets, self.references, actor.workspace)
        return next((c for c in known if c.conversation_id == split_conversation(conversation_id)[0]), None)

    async def _privately(self, context: TurnContext, actor: Actor, messages: list[CardMessage], command: str,
                         language: str) -> list[CardMessage]:
        """Messages for the actor alone: in this turn in a personal chat, else in their personal chat if known."""
        if personal(context):
            return messages
        if await self._to_personal_chat(context, actor, messages):
            return [notice(t("teams_private_sent", language))]
        return [notice(t("teams_private_missing", language).format(command=command))]

    async def _to_personal_chat(self, context: TurnContext, actor: Actor, messages: list[CardMessage]) -> bool:
        """Post into the actor's personal chat with the app; False when there is none."""
        chats = await asyncio.to_thread(self.references.personal, actor.workspace, [actor.user])
        if actor.user not in chats:
            return False
        await post(context.adapter, chats[actor.user], messages)
        return True

    def _organisation(self, reference: str | None, as_id: bool) -> str | None:
        """A directory organisation's id (``as_id``) or name, from an id or exact name; the text when unknown."""
        if not reference:
            return None
        try:
            position = self.assistant.matcher.resolve(reference)
        except MatchingError:
            return reference
        orgs = self.assistant.matcher.index().orgs
        return orgs.ids[position] if as_id else orgs.names[position]

    async def _channel_names(self, ids: list[str]) -> dict[str, str]:
        """Display names of the team channels and group chats among these conversation ids."""
        found = {}
        for conversation_id in dict.fromkeys(ids):
            stored = await asyncio.to_thread(self.references.get, conversation_id)
            if stored is not None and stored.kind != "personal" and stored.name:
                found[conversation_id] = stored.name
        return found


def personal(context: TurnContext) -> bool:
    """Whether the turn is in a personal chat with the app."""
    return context.activity.conversation.conversation_type in ("personal", None)
