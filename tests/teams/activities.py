"""Bot Framework activities as Teams sends them to ``/api/messages`` (personal, group, channel, cards, installs)."""

from __future__ import annotations

import itertools
from typing import Any

BOT = {"id": "28:bot-app-id", "name": "innobroker"}
TENANT = "72f988bf-0000-4000-8000-000000000001"
TEAM = "19:team-general@thread.tacv2"
CHANNEL = "19:channel-procurement@thread.tacv2"
PERSONAL = "a:personal-chat-1"
GROUP = "19:group-chat-1@thread.v2"
USER = {"id": "29:user-1", "name": "Mette Hansen", "aadObjectId": "00000000-0000-4000-8000-00000000aaaa"}
_ids = itertools.count(1000)


def _base(service_url: str, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity = {"channelId": "msteams", "serviceUrl": service_url, "id": str(next(_ids)),
                "timestamp": "2026-11-24T10:00:00.000Z", "from": USER, "recipient": BOT,
                "conversation": {"tenantId": TENANT, **conversation}, "locale": "da-DK",
                "channelData": {"tenant": {"id": TENANT}}}
    activity.update(extra)
    return activity


def _mention(text: str) -> dict[str, Any]:
    return {"text": f"<at>innobroker</at> {text}", "textFormat": "plain",
            "entities": [{"type": "mention", "text": "<at>innobroker</at>", "mentioned": BOT}]}


def personal(service_url: str, text: str, **extra: Any) -> dict[str, Any]:
    """A message in the user's personal chat with the bot."""
    return _base(service_url, {"id": PERSONAL, "conversationType": "personal"}, type="message", text=text,
                 textFormat="plain", **extra)


def group(service_url: str, text: str, **extra: Any) -> dict[str, Any]:
    """A group chat message that @mentions the bot."""
    return _base(service_url, {"id": GROUP, "conversationType": "groupChat", "isGroup": True}, type="message",
                 **_mention(text), **extra)


def channel(service_url: str, text: str, root: str | None = None, **extra: Any) -> dict[str, Any]:
    """A channel post (or, with ``root``, a reply in that post's thread) that @mentions the bot."""
    activity = _base(service_url, {"id": "", "conversationType": "channel", "isGroup": True}, type="message",
                     **_mention(text), **extra)
    activity["conversation"]["id"] = f"{CHANNEL};messageid={root or activity['id']}"
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM, "name": "Indkøb"},
                               "channel": {"id": CHANNEL, "name": "Udbud"}}
    return activity


def execute(service_url: str, verb: str, data: dict[str, Any], conversation: str = PERSONAL) -> dict[str, Any]:
    """An ``Action.Execute`` click: an ``adaptiveCard/action`` invoke."""
    kind = "personal" if conversation == PERSONAL else "groupChat"
    return _base(service_url, {"id": conversation, "conversationType": kind}, type="invoke",
                 name="adaptiveCard/action", replyToId="card-1",
                 value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"})


def submit(service_url: str, data: dict[str, Any], conversation: str = PERSONAL) -> dict[str, Any]:
    """An ``Action.Submit`` click: a message whose value is the action's data (plus the form's inputs)."""
    kind = "personal" if conversation == PERSONAL else "groupChat"
    return _base(service_url, {"id": conversation, "conversationType": kind}, type="message", value=data,
                 replyToId="card-1")


def installation(service_url: str, action: str, scope: str = "team") -> dict[str, Any]:
    """``installationUpdate``: the app added to (or removed from) a team or a personal chat."""
    if scope == "team":
        activity = _base(service_url, {"id": TEAM, "conversationType": "channel", "isGroup": True},
                         type="installationUpdate", action=action)
        activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM, "name": "Indkøb"},
                                   "channel": {"id": TEAM, "name": "General"}, "source": {"name": "message"}}
        return activity
    return _base(service_url, {"id": PERSONAL, "conversationType": "personal"}, type="installationUpdate",
                 action=action, locale="sv-SE")
