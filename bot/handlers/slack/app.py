"""Build the Bolt app: the Web API client (base URL, 429 and server-error retries), credentials or OAuth,
the gate that drops bot messages and duplicate deliveries, and every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant
from bot.config import Settings, SlackSettings
from bot.handlers.slack import actions, broker, commands, events

log = logging.getLogger(__name__)
USER_SUBTYPES = {None, "file_share", "thread_broadcast"}


def web_client(slack: SlackSettings) -> AsyncWebClient:
    """The Web API client at ``slack.api_url``; honours 429 Retry-After and retries connection and 5xx errors."""
    token = slack.bot_token.get_secret_value() if slack.bot_token and not slack.oauth else None
    retries = [AsyncConnectionErrorRetryHandler(max_retry_count=2),
               AsyncRateLimitErrorRetryHandler(max_retry_count=slack.rate_limit_retries),
               AsyncServerErrorRetryHandler(max_retry_count=1)]
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
            if not await assistant.claim(key):
                retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
                log.info("duplicate delivery ignored: %s (retry %s)", key, retry)
                return BoltResponse(status=200, body="")
            context["claim"] = key
        return await next()

    return drop_duplicates_and_bots


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("unhandled error for a %s request", body.get("type"), exc_info=error)
