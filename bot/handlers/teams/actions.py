"""Card buttons, whether they arrive as ``Action.Execute`` invokes or as ``Action.Submit`` messages: 👍/👎 and
"what was wrong", intro requests, not relevant, and the need form. Each returns the confirmation to show and
any card to post after it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_agents.hosting.core import TurnContext

from bot.assistant import Assistant, Request
from bot.config import TeamsSettings
from bot.conversations import Turn
from bot.handlers.teams.cards import CardMessage, feedback_form, notice
from bot.handlers.teams.delivery import Delivery, Later
from bot.handlers.teams.parse import teams_place
from bot.handlers.teams.references import ReferenceStore
from bot.handlers.teams.render import failure
from bot.i18n import t
from bot.intent import Intent
from bot.language import LANGUAGES, detect_language

log = logging.getLogger(__name__)
VERBS = frozenset({"feedback_up", "feedback_down", "feedback_details", "intro_request", "not_relevant", "need"})


def _name(turn: Turn, kind: str, org: str) -> str:
    listed = turn.result.get("suppliers" if kind == "supplier" else "peers") or []
    return next((s["name"] for s in listed if s.get("id") == org), org)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


class CardActions:
    """Stores what users say about answers and suggestions through the core, and starts matches from the form."""

    def __init__(self, assistant: Assistant, delivery: Delivery, settings: TeamsSettings,
                 references: ReferenceStore) -> None:
        self.assistant, self.delivery, self.settings, self.references = assistant, delivery, settings, references

    async def act(self, context: TurnContext, verb: str, data: dict[str, Any]) -> tuple[str, list[CardMessage]]:
        """Carry out one button's action: the text that confirms it (or says what went wrong), and cards to post."""
        if verb == "need":
            return await self._need(context, data), []
        turn = await self._turn(data)
        language = turn.language if turn else _language(data)
        if turn is None:
            return t("turn_missing", language), []
        user = teams_place(context.activity).user
        kind, org = _text(data, "kind"), _text(data, "org")
        try:
            if verb == "feedback_up":
                await self.assistant.feedback(turn.id, user, "up")
                return t("thanks_up", language), []
            if verb == "feedback_down":
                await self.assistant.feedback(turn.id, user, "down")
                return t("thanks_down", language), [feedback_form(language, turn.id)]
            if verb == "feedback_details":
                reason, comment = _text(data, "reason") or None, _text(data, "comment") or None
                await self.assistant.feedback(turn.id, user, "down", "", reason, comment)
                return t("thanks_details", language), []
            if verb == "intro_request":
                await self.assistant.feedback(turn.id, user, "intro", f"{kind}:{org}")
                await self._tell_brokers(context, turn, _name(turn, kind, org))
                return t("intro_done", language).format(name=_name(turn, kind, org)), []
            if verb == "not_relevant":
                await self.assistant.feedback(turn.id, user, "dismiss", f"{kind}:{org}")
                return t("dismiss_done", language).format(name=_name(turn, kind, org)), []
        except Exception as exc:
            return failure(language, exc).summary, []
        raise ValueError(f"unknown card action {verb!r}")

    async def _turn(self, data: dict[str, Any]) -> Turn | None:
        try:
            return await self.assistant.turn(int(str(data.get("turn"))))
        except ValueError:
            return None

    async def _need(self, context: TurnContext, data: dict[str, Any]) -> str:
        """The need form: validate, acknowledge at once, post the match card when ready."""
        need, raw_cpv = _text(data, "need"), _text(data, "cpv")
        language = detect_language(need, default=_language(data)) if need else _language(data)
        if not need:
            return t("teams_need_empty", language)
        cpv = self.assistant.cpv_code(raw_cpv) if raw_cpv else None
        if raw_cpv and cpv is None:
            return t("cpv_invalid", language)
        country = _text(data, "country") or None
        request = Request(need, teams_place(context.activity), Intent.MATCH, country, cpv, use_history=False)
        self.delivery.later(context, request)
        return t("working", language).format(what=t("understood_match", language))

    async def _tell_brokers(self, context: TurnContext, turn: Turn, name: str) -> None:
        """Post an intro request into ``teams.broker_channel`` (a channel where the app is installed)."""
        channel = self.settings.broker_channel
        if not channel:
            return
        stored = await asyncio.to_thread(self.references.get, channel)
        if stored is None or not stored.installed:
            log.warning("teams.broker_channel %s is not a conversation where the app is installed", channel)
            return
        author = context.activity.from_property
        who = (author.name if author else None) or teams_place(context.activity).user
        text = t("intro_notice", turn.language).format(user=who, name=name, need=turn.text)
        try:
            await Later.from_stored(context.adapter, stored).send([notice(text)])
        except Exception:
            log.exception("broker channel %s not notified of an intro request", channel)


def _language(data: dict[str, Any]) -> str:
    language = data.get("language")
    return language if isinstance(language, str) and language in LANGUAGES else "en"

