"""Card buttons, whether they arrive as ``Action.Execute`` invokes or as ``Action.Submit`` messages: 👍/👎 and
"what was wrong", and the need form here; intro requests, not relevant and the other broker workflow buttons in
``broker.TeamsBroker``. Each returns the confirmation to show and any card to post after it."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.hosting.core import TurnContext

from bot.assistant import Assistant, Request
from bot.config import TeamsSettings
from bot.conversations import Place, Turn
from bot.handlers.teams.broker import VERBS as BROKER_VERBS
from bot.handlers.teams.broker import TeamsBroker
from bot.handlers.teams.cards import CardMessage, feedback_form
from bot.handlers.teams.delivery import Delivery
from bot.handlers.teams.parse import teams_place
from bot.handlers.teams.references import ReferenceStore
from bot.handlers.teams.render import failure
from bot.i18n import t
from bot.intent import Intent
from bot.language import LANGUAGES, detect_language

log = logging.getLogger(__name__)
VERBS = frozenset({"feedback_up", "feedback_down", "feedback_details", "need"}) | BROKER_VERBS


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


class CardActions:
    """Stores what users say about answers and suggestions through the core, and starts matches from the form."""

    def __init__(self, assistant: Assistant, delivery: Delivery, settings: TeamsSettings,
                 references: ReferenceStore, broker: TeamsBroker) -> None:
        self.assistant, self.delivery, self.settings, self.references = assistant, delivery, settings, references
        self.broker = broker

    async def act(self, context: TurnContext, verb: str, data: dict[str, Any]) -> tuple[str, list[CardMessage]]:
        """Carry out one button's action: the text that confirms it (or says what went wrong), and cards to post."""
        if verb == "need":
            return await self._need(context, data), []
        if verb in BROKER_VERBS:
            return await self.broker.act(context, verb, data)
        turn = await self._turn(data, teams_place(context.activity))
        language = turn.language if turn else _language(data)
        if turn is None:
            return t("turn_missing", language), []
        user = teams_place(context.activity).user
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
        except Exception as exc:
            return failure(language, exc).summary, []
        raise ValueError(f"unknown card action {verb!r}")

    async def _turn(self, data: dict[str, Any], within: Place) -> Turn | None:
        """The turn a card names, only in the clicking user's tenant (card data comes from the client)."""
        try:
            return await self.assistant.turn(int(str(data.get("turn"))), within)
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


def _language(data: dict[str, Any]) -> str:
    language = data.get("language")
    return language if isinstance(language, str) and language in LANGUAGES else "en"

