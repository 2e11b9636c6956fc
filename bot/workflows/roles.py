"""Roles from ``app.yaml`` (``workflows.admins``, ``.brokers``, ``.members``), checked before every broker action.

Entries are platform user ids (Slack ``U…``/``W…``, Teams AAD object ids) or e-mail addresses. Admins may do
everything brokers may; an empty members list makes everybody a member.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import IntEnum

from bot.config import WorkflowSettings
from bot.i18n import t
from bot.workflows.types import Actor, Refusal

Mention = Callable[[str], str | None]


class Role(IntEnum):
    """What someone may do; a higher role includes the lower ones."""

    NONE = 0
    MEMBER = 1
    BROKER = 2
    ADMIN = 3


def _keys(actor: Actor) -> set[str]:
    keys = {actor.user.casefold(), *(alias.casefold() for alias in actor.aliases)}
    if actor.email:
        keys.add(actor.email.strip().casefold())
    return keys


def _listed(entries: Iterable[str], actor: Actor) -> bool:
    keys = _keys(actor)
    return any(entry.strip().casefold() in keys for entry in entries)


def role_of(settings: WorkflowSettings, actor: Actor) -> Role:
    """The actor's role under ``settings``."""
    if _listed(settings.admins, actor):
        return Role.ADMIN
    if _listed(settings.brokers, actor):
        return Role.BROKER
    if not settings.members or _listed(settings.members, actor):
        return Role.MEMBER
    return Role.NONE


def holders(settings: WorkflowSettings, role: Role) -> list[str]:
    """Who can act with ``role``: brokers then admins for broker actions, admins for admin actions."""
    if role is Role.ADMIN:
        return list(dict.fromkeys(settings.admins))
    return list(dict.fromkeys([*settings.brokers, *settings.admins]))


def needs_email(settings: WorkflowSettings) -> bool:
    """Whether any role is given by e-mail address (handlers then look the actor's address up)."""
    return any("@" in entry for entry in (*settings.admins, *settings.brokers, *settings.members))


def neutral_mention(identifier: str) -> str | None:
    """The default way to name a person in a message: the configured identifier itself."""
    return identifier


def people(identifiers: Iterable[str], mention: Mention) -> str:
    """Identifiers rendered for one platform, joined by commas; ids of other platforms are left out."""
    shown = [text for text in (mention(identifier) for identifier in identifiers) if text]
    return ", ".join(dict.fromkeys(shown))


def refusal(settings: WorkflowSettings, actor: Actor, needed: Role, action: str, language: str,
            mention: Mention = neutral_mention) -> Refusal | None:
    """None when the actor may do ``action`` (an i18n key such as ``act_push``); else a refusal naming who can."""
    if role_of(settings, actor) >= needed:
        return None
    who = people(holders(settings, needed if needed is Role.ADMIN else Role.BROKER), mention)
    key = {Role.ADMIN: "role_admin_only", Role.BROKER: "role_broker_only"}.get(needed, "role_member_only")
    message = t(key, language).format(action=t(action, language))
    message += " " + (t("role_ask", language).format(who=who) if who else t("role_nobody", language))
    return Refusal("role", message)
