"""Build the Bolt app: the Web API client (base URL, 429 and server-error retries), credentials or OAuth,
the gate that drops bot messages and duplicate deliveries, and every listener."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import CLAIM_BUDGET_S, Assistant
from bot.config import Settings, SlackSettings
from bot.handlers.slack import actions, broker, commands, events
from bot.handlers.slack.delivery import PendingClaim, clean_text, poster, report_failure
from bot.language import detect_language

log = logging.getLogger(__name__)
USER_SUBTYPES = {None, "file_share", "thread_broadcast"}
SERVER_ERRORS = frozenset({500, 502, 503, 504})
_BACKGROUND: set[asyncio.Task[None]] = set()  # failure notices sent after the acknowledgement


class ServerErrorRetries(AsyncServerErrorRetryHandler):
    """Retries a 500, 502, 503 or 504 with exponential backoff and jitter (slack-sdk's own: 500 and 503 only)."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


def web_client(slack: SlackSettings) -> AsyncWebClient:
    """The Web API client at ``slack.api_url``; honours 429 Retry-After and retries connection and 5xx errors."""
    token = slack.bot_token.get_secret_value() if slack.bot_token and not slack.oauth else None
    retries = [AsyncConnectionErrorRetryHandler(max_retry_count=2),
               AsyncRateLimitErrorRetryHandler(max_retry_count=slack.rate_limit_retries),
               ServerErrorRetries(max_retry_count=2)]
    return AsyncWebClient(token=token, base_url=slack.api_url, retry_handlers=retries)


def build_app(settings: Settings, assistant: Assistant) -> AsyncApp:
    """The Bolt app with our middleware and listeners; OAuth when client id and secret are configured."""
    slack = settings.slack
    options: dict[str, Any] = {
        "client": web_client(slack),
        "signing_secret": slack.signing_secret.get_secret_value() if slack.signing_secret else "",
        "request_verification_enabled": not slack.socket_mode,
        "process_before_response": False,
    }
    if slack.oauth:
        from bot.handlers.slack.oauth import oauth_settings

        options["oauth_settings"] = oauth_settings(slack, assistant.conversations.database.engine)
    app = AsyncApp(**options)
    app.middleware(gate(assistant))
    if slack.oauth:
        app.enable_token_revocation_listeners()
    events.register(app, assistant, settings)
    broker.register(app, assistant, settings)  # before commands: it takes /innobroker push|peers|challenge
    commands.register(app, assistant, settings)
    actions.register(app, assistant, settings)
    app.error(_log_error)
    return app


def claim_key(body: dict[str, Any]) -> str | None:
    """The de-duplication key of an event that starts work: the message itself, else the event id."""
    event = body.get("event") or {}
    team = body.get("team_id") or body.get("enterprise_id") or ""
    if event.get("type") in ("app_mention", "message"):
        return f"slack:msg:{team}:{event.get('channel')}:{event.get('ts')}"
    if event.get("type") == "assistant_thread_started":
        return f"slack:event:{body.get('event_id')}"
    return None


def _ignored(event: dict[str, Any], bot_user_id: str | None) -> bool:
    if event.get("type") not in ("app_mention", "message"):
        return False
    if event.get("type") == "message" and event.get("channel_type") != "im":
        return True
    user = event.get("user")
    return bool(event.get("bot_id")) or event.get("subtype") not in USER_SUBTYPES or not user or user == bot_user_id


def gate(assistant: Assistant) -> Any:
    """Middleware that acks and drops bot messages, edits and duplicate deliveries (claimed in the database)."""
    # A delivery is processed only by the replica whose database claim on the message (or event id) succeeds,
    # so Slack's retries (x-slack-retry-num) and a second replica never answer twice.
    async def drop_duplicates_and_bots(body: dict[str, Any], context: Any, request: AsyncBoltRequest,
                                       next: Any) -> BoltResponse | None:
        if body.get("type") != "event_callback":
            return await next()
        event = body.get("event") or {}
        if _ignored(event, context.bot_user_id):
            return BoltResponse(status=200, body="")
        key = claim_key(body)
        if key is not None:
            attempt = assistant.start_claim(key)
            try:
                claimed = await asyncio.wait_for(asyncio.shield(attempt), CLAIM_BUDGET_S)
            except TimeoutError:  # a slow database: acknowledge now, the listener waits for the claim's verdict
                context["claim"] = PendingClaim(key, attempt)
                return await next()
            except Exception as exc:  # database down: acknowledge now, tell the user in the thread
                _spawn(refuse(context.client, event, context.bot_user_id, exc))
                return BoltResponse(status=200, body="")
            if not claimed:
                retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
                log.info("duplicate delivery ignored: %s (retry %s)", key, retry)
                return BoltResponse(status=200, body="")
            context["claim"] = key
        return await next()

    return drop_duplicates_and_bots


def reply_thread(event: dict[str, Any]) -> tuple[str | None, str | None]:
    """Where a reply to an event that starts work goes: (channel, thread ts), thread None for a top-level DM."""
    if event.get("type") == "assistant_thread_started":
        thread = event.get("assistant_thread") or {}
        return thread.get("channel_id"), thread.get("thread_ts")
    if event.get("type") == "app_mention":
        return event.get("channel"), event.get("thread_ts") or event.get("ts")
    return event.get("channel"), event.get("thread_ts")


async def refuse(client: AsyncWebClient, event: dict[str, Any], bot_user_id: str | None, error: Exception) -> None:
    """Tell the user that an event could not be taken on (nothing was started, nothing stored)."""
    channel, thread = reply_thread(event)
    if channel:
        language = detect_language(clean_text(event.get("text", ""), bot_user_id)) if event.get("text") else "en"
        await report_failure(poster(client, channel, thread), language, error)


def _spawn(job: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(job)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("unhandled error for a %s request", body.get("type"), exc_info=error)
