"""The slash command, the message shortcut and the "Describe a need" global shortcut with its modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant, Request
from bot.config import Settings
from bot.handlers.slack import broker
from bot.handlers.slack.blocks import Message
from bot.handlers.slack.delivery import (
    Reaction,
    clean_text,
    open_view,
    poster,
    responder,
    serve_request,
    slack_place,
    with_fallback,
    with_note,
)
from bot.handlers.slack.render import render_help, render_notice
from bot.handlers.slack.views import need_modal, profile_modal
from bot.i18n import t
from bot.intent import Intent, detect_intent
from bot.language import detect_language

SUBCOMMANDS = {"ask": Intent.ASK, "match": Intent.MATCH, "peers": Intent.PEERS}


def _selected(values: dict[str, Any], block: str, key: str = "selected_option") -> Any:
    chosen = values.get(block, {}).get(block, {}).get(key)
    return chosen.get("value") if isinstance(chosen, dict) else chosen


def register(app: AsyncApp, assistant: Assistant, settings: Settings) -> None:
    """Listen to ``/innobroker``, the message shortcut, the global shortcut and the need modal."""
    name = settings.slack.command

    @app.command(name)
    async def on_command(ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        text = " ".join((body.get("text") or "").split())
        sub, _, rest = text.partition(" ")
        place = slack_place(body, body["channel_id"], None, body["user_id"])
        profile = await assistant.profile(place)
        language = detect_language(text, default=profile.language or "en") if text else profile.language or "en"
        if sub.lower() in ("", "help"):
            message = render_help(language, name)[0]
            await ack(text=message.text, blocks=message.blocks)
            return
        if sub.lower() == "profile":
            await ack()
            label = await assistant.organisation_label(profile.organisation)
            member = await broker.member_profile(assistant, place)
            await open_view(client, body["trigger_id"], profile_modal(language, profile, False, label, member),
                            responder(respond), language)
            return
        intent = SUBCOMMANDS.get(sub.lower())
        query = rest if intent else text
        if not query:
            await ack(text=t("usage", language).format(command=name))
            return
        understood = intent or detect_intent(query).intent
        await ack(text=t("working", language).format(what=t(f"understood_{understood.value}", language)))
        request = Request(query, place, intent=intent, use_history=False)
        await serve_request(assistant, name, request, responder(respond))

    @app.shortcut("ask_about_message")
    async def on_message_shortcut(ack: Any, shortcut: dict[str, Any], client: AsyncWebClient, context: Any,
                                  respond: Any) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel, ts = shortcut["channel"]["id"], message.get("ts")
        thread = message.get("thread_ts") or ts
        text = clean_text(message.get("text") or "", context.bot_user_id)
        place = slack_place(shortcut, channel, thread, shortcut["user"]["id"])
        language = detect_language(text) if text else (await assistant.profile(place)).language or "en"
        private = responder(respond)
        if not text:
            await private([render_notice(t("shortcut_empty", language))])
            return

        async def privately(messages: list[Message], error: str) -> None:
            note = t("post_failed", language).format(channel=f"<#{channel}>", error=error)
            await with_note(private, note)(messages)

        deliver = with_fallback(poster(client, channel, thread), privately)
        await serve_request(assistant, name, Request(text, place), deliver,
                            Reaction(client, channel, ts) if ts else None)

    @app.shortcut("describe_need")
    async def on_describe_need(ack: Any, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = shortcut["user"]["id"]
        profile = await assistant.profile(slack_place(shortcut, user, None, user))
        language = profile.language or "en"
        await open_view(client, shortcut["trigger_id"], need_modal(language, profile), poster(client, user, None),
                        language)

    @app.view("need_modal")
    async def on_need(ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        values = view["state"]["values"]
        language = json.loads(view.get("private_metadata") or "{}").get("language", "en")
        need = (_selected(values, "need", "value") or "").strip()
        raw_cpv = (_selected(values, "cpv", "value") or "").strip()
        cpv = assistant.cpv_code(raw_cpv) if raw_cpv else None
        if raw_cpv and cpv is None:
            await ack(response_action="errors", errors={"cpv": t("cpv_invalid", language)})
            return
        await ack()
        user = body["user"]["id"]
        destination = _selected(values, "destination", "selected_conversation")
        language = detect_language(need, default=language)
        direct = poster(client, user, None)
        deliver = direct
        if destination:
            note = t("post_failed", language)

            async def to_user(messages: list[Message], error: str) -> None:
                await with_note(direct, note.format(channel=f"<#{destination}>", error=error))(messages)

            deliver = with_fallback(poster(client, destination, None), to_user)
        request = Request(need, slack_place(body, destination or user, None, user), Intent.MATCH,
                          _selected(values, "country"), cpv, use_history=False)
        await serve_request(assistant, name, request, deliver)
