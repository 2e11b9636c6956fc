"""Buttons and modal submissions: 👍/👎 feedback, "what was wrong", intro requests, not relevant, profile."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant
from bot.config import Settings
from bot.conversations import Profile, Turn
from bot.handlers.slack import broker
from bot.handlers.slack.delivery import open_view, poster, report_failure, responder, slack_place
from bot.handlers.slack.events import publish_home
from bot.handlers.slack.render import render_notice
from bot.handlers.slack.views import (
    feedback_modal,
    need_modal,
    notice_modal,
    organisation_options,
    profile_modal,
)
from bot.i18n import t

log = logging.getLogger(__name__)
ACK_BUDGET_S = 2.0


def _name(turn: Turn, kind: str, org: str) -> str:
    listed = turn.result.get("suppliers" if kind == "supplier" else "peers") or []
    return next((s["name"] for s in listed if s.get("id") == org), org)


def _value(values: dict[str, Any], block: str, key: str) -> Any:
    chosen = values.get(block, {}).get(block, {}).get(key)
    return chosen.get("value") if isinstance(chosen, dict) else chosen


def register(app: AsyncApp, assistant: Assistant, settings: Settings) -> None:
    """Listen to the buttons of answers, match cards and App Home, and to the feedback and profile modals."""
    async def turn_of(value: str, body: dict[str, Any]) -> Turn | None:
        """The turn a button names, only when it belongs to the clicking user's workspace."""
        within = slack_place(body, "", None, body["user"]["id"])
        return await assistant.turn(int(value.split("|", 1)[0]), within)

    async def record(body: dict[str, Any], respond: Any, turn: Turn | None, verdict: str, target: str,
                     thanks: str) -> bool:
        deliver = responder(respond)
        language = turn.language if turn else "en"
        try:
            if turn is None:
                await deliver([render_notice(t("turn_missing", language))])
                return False
            await assistant.feedback(turn.id, body["user"]["id"], verdict, target)
            await deliver([render_notice(thanks)])
            return True
        except Exception as exc:
            await report_failure(deliver, language, exc)
            return False

    @app.action("feedback_up")
    async def on_helpful(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        turn = await turn_of(action["value"], body)
        await record(body, respond, turn, "up", "", t("thanks_up", turn.language if turn else "en"))

    @app.action("feedback_down")
    async def on_unhelpful(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                           client: AsyncWebClient) -> None:
        await ack()
        turn = await turn_of(action["value"], body)
        language = turn.language if turn else "en"
        if await record(body, respond, turn, "down", "", t("thanks_down", language)) and turn is not None:
            await open_view(client, body["trigger_id"], feedback_modal(language, turn.id), responder(respond),
                            language)

    @app.view("feedback_modal")
    async def on_feedback_details(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        language = meta.get("language", "en")
        values = view["state"]["values"]
        reason, comment = _value(values, "reason", "selected_option"), _value(values, "comment", "value")
        try:
            await assistant.feedback(int(meta["turn"]), body["user"]["id"], "down", "", reason, comment)
        except Exception:
            log.exception("feedback details not stored")
            await ack(response_action="errors", errors={"comment": t("error", language).format(ref="feedback")})
            return
        await ack(response_action="update",
                  view=notice_modal(language, t("feedback_title", language), t("thanks_details", language)))

    @app.action("intro_request")
    async def on_intro(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                       client: AsyncWebClient) -> None:
        await ack()
        # Recorded as an open intro request; the brokers get a DM (and slack.broker_channel a notice).
        await broker.request_intro(client, assistant, body, action["value"], responder(respond))

    @app.action("not_relevant")
    async def on_not_relevant(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                              client: AsyncWebClient) -> None:
        await ack()
        _, kind, org = action["value"].split("|", 2)
        turn = await turn_of(action["value"], body)
        name = _name(turn, kind, org) if turn else org
        language = turn.language if turn else "en"
        if await record(body, respond, turn, "dismiss", f"{kind}:{org}", t("dismiss_done", language).format(name=name)):
            await broker.ask_dismiss_reason(client, body, action["value"], language, responder(respond))

    @app.action("open_need_modal")
    async def on_open_need(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        profile = await assistant.profile(slack_place(body, user, None, user))
        language = profile.language or "en"
        await open_view(client, body["trigger_id"], need_modal(language, profile), poster(client, user, None),
                        language)

    @app.action("edit_profile")
    async def on_edit_profile(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        place = slack_place(body, user, None, user)
        profile = await assistant.profile(place)
        label = await assistant.organisation_label(profile.organisation)
        language = profile.language or "en"
        member = await broker.member_profile(assistant, place)
        await open_view(client, body["trigger_id"], profile_modal(language, profile, True, label, member),
                        poster(client, user, None), language)

    @app.options("organisation")
    async def on_organisation_options(ack: Any, payload: dict[str, Any]) -> None:
        await ack(options=organisation_options(await assistant.organisations(payload.get("value") or "")))

    @app.view("profile_modal")
    async def on_profile(ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        values = view["state"]["values"]
        user = body["user"]["id"]
        place = slack_place(body, user, None, user)
        profile = Profile(_value(values, "organisation", "selected_option"),
                          _value(values, "country", "selected_option"), _value(values, "language", "selected_option"))
        language = profile.language or meta.get("language", "en")
        saving = asyncio.ensure_future(broker.save_profile(assistant, place, profile, values, language))
        try:
            problem = await asyncio.wait_for(asyncio.shield(saving), ACK_BUDGET_S)
        except TimeoutError:
            await ack()  # validation is slow (directory still loading): close now, report by message
            problem = await saving
            if problem:
                await poster(client, user, None)([render_notice(t("problem", language).format(problem=problem))])
            return
        except Exception:
            log.exception("profile not saved")
            await ack(response_action="errors", errors={"organisation": t("error", language).format(ref="profile")})
            return
        if problem:
            await ack(response_action="errors", errors={"organisation": problem})
            return
        await ack(response_action="update",
                  view=notice_modal(language, t("profile_title", language), t("profile_saved", language)))
        if meta.get("home"):
            await publish_home(client, assistant, settings.slack.command, place)
