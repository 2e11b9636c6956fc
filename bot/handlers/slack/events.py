"""Events: mentions in channels and threads, direct messages, Slack's AI assistant threads, and App Home."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.set_status.async_set_status import AsyncSetStatus
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant, Request
from bot.config import Settings
from bot.conversations import Place
from bot.handlers.slack.broker_slack import broker_home
from bot.handlers.slack.delivery import Reaction, clean_text, poster, serve_request, slack_place
from bot.handlers.slack.stream import SlackStreamer
from bot.handlers.slack.views import home_view
from bot.i18n import t
from bot.language import detect_language

log = logging.getLogger(__name__)
PROMPTS = ("ask", "match", "peers")


def register(app: AsyncApp, assistant: Assistant, settings: Settings) -> None:
    """Listen to mentions, direct messages and (when enabled) assistant threads."""
    command = settings.slack.command

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any], context: Any, client: AsyncWebClient) -> None:
        channel, thread = event["channel"], event.get("thread_ts") or event["ts"]
        request = Request(clean_text(event.get("text", ""), context.bot_user_id),
                          slack_place(body, channel, thread, event["user"]))
        await serve_request(assistant, command, request, poster(client, channel, thread),
                            Reaction(client, channel, event["ts"]), context.get("claim"),
                            SlackStreamer(client, channel, thread, request.place.workspace, event["user"]))

    @app.event("message")
    async def on_direct_message(event: dict[str, Any], body: dict[str, Any], context: Any,
                                client: AsyncWebClient) -> None:
        if "claim" not in context:
            return
        channel, thread = event["channel"], event.get("thread_ts")
        request = Request(clean_text(event.get("text", ""), context.bot_user_id),
                          slack_place(body, channel, thread, event["user"]))
        await serve_request(assistant, command, request, poster(client, channel, thread),
                            Reaction(client, channel, event["ts"]), context.get("claim"),
                            SlackStreamer(client, channel, thread, request.place.workspace, event["user"]))

    if settings.slack.assistant:
        app.assistant(assistant_threads(assistant, settings))
    else:

        @app.event("assistant_thread_started")
        async def on_thread_started(context: Any) -> None:
            """Assistant threads are switched off (``slack.assistant``): messages there are answered as DMs."""
            if context.get("claim"):
                await assistant.finish(context["claim"])

    @app.event("assistant_thread_context_changed")
    async def on_context_changed() -> None:
        """Outside assistant mode there is nothing to keep; inside, the assistant middleware handles it."""

    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home":
            await publish_home(client, assistant, command, slack_place(body, event.get("channel", ""), None,
                                                                       event["user"]))

    async def on_uninstalled(body: dict[str, Any]) -> None:
        log.warning("Slack reports the app uninstalled or its tokens revoked (team %s)", body.get("team_id"))

    if not settings.slack.oauth:  # with OAuth, Bolt's token revocation listeners delete the installation
        for name in ("tokens_revoked", "app_uninstalled"):
            app.event(name)(on_uninstalled)


async def publish_home(client: AsyncWebClient, assistant: Assistant, command: str, place: Place) -> None:
    """Render and publish the user's App Home: capabilities, profile, recent questions and matches."""
    profile = await assistant.profile(place)
    questions, matches = await assistant.recent(place)
    latest = max([*questions, *matches], key=lambda turn: turn.created_at, default=None)
    language = profile.language or (latest.language if latest else "en")
    label = await assistant.organisation_label(profile.organisation)
    view = home_view(language, profile, questions, matches, command, label)
    view["blocks"] += await broker_home(client, assistant, place, language)  # brokers only: intros, outcomes…
    await client.views_publish(user_id=place.user, view=view)


class AssistantStatus:
    """Progress in an assistant thread: the "is thinking…" status, cleared when done."""

    def __init__(self, set_status: AsyncSetStatus, text: str) -> None:
        self.set_status, self.text = set_status, text

    async def _set(self, status: str) -> None:
        try:
            await self.set_status(status)
        except SlackApiError as exc:
            log.debug("assistant status not set: %s", exc)

    async def start(self) -> None:
        """Show the thinking status."""
        await self._set(self.text)

    async def stop(self, ok: bool) -> None:
        """Clear the status (a posted reply clears it too)."""
        await self._set("")


def assistant_threads(assistant: Assistant, settings: Settings) -> AsyncAssistant:
    """Slack's AI assistant surface: greeting and suggested prompts, status while thinking, answers in the thread."""
    surface = AsyncAssistant()
    command = settings.slack.command

    @surface.thread_started
    async def started(payload: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: Any,
                      set_suggested_prompts: Any) -> None:
        thread = payload["assistant_thread"]
        place = slack_place(body, thread["channel_id"], thread["thread_ts"], thread["user_id"])
        try:
            language = (await assistant.profile(place)).language or "en"
            await client.chat_postMessage(channel=place.channel, thread_ts=place.thread,
                                          text=t("assistant_greeting", language))
            await set_suggested_prompts(prompts=[
                {"title": t(f"prompt_{kind}_title", language), "message": t(f"prompt_{kind}", language)}
                for kind in PROMPTS
            ])
        except SlackApiError as exc:
            log.warning("assistant greeting failed: %s", exc)
        finally:
            if context.get("claim"):
                await assistant.finish(context["claim"])

    @surface.thread_context_changed
    async def context_changed() -> None:
        """We keep no per-thread channel context, so there is nothing to save."""

    @surface.user_message
    async def user_message(payload: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: Any,
                           set_status: AsyncSetStatus) -> None:
        channel, thread = payload["channel"], payload["thread_ts"]
        text = clean_text(payload.get("text", ""), context.bot_user_id)
        status = AssistantStatus(set_status, t("thinking", detect_language(text)))
        place = slack_place(body, channel, thread, payload["user"])
        await serve_request(assistant, command, Request(text, place), poster(client, channel, thread), status,
                            context.get("claim"), SlackStreamer(client, channel, thread, place.workspace, place.user))

    return surface
