"""Run one request end to end on Slack: show progress, ask the core, post the reply, and report any failure."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant, Request
from bot.conversations import Place
from bot.handlers.slack.blocks import Message, context
from bot.handlers.slack.render import render_error, render_reply
from bot.language import detect_language

log = logging.getLogger(__name__)
Deliver = Callable[[list[Message]], Awaitable[None]]
THINKING = "hourglass_flowing_sand"
FAILED = "warning"

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)[^>]*>")


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Slack markup to plain words: drop the bot's own mention, keep links' labels, unescape entities."""
    text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else f"@{m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    return " ".join(html.unescape(text).split())


def slack_place(body: dict[str, Any], channel: str, thread: str | None, user: str) -> Place:
    """The core's ``Place`` for a Slack conversation (workspace = team, or enterprise for org-wide installs)."""
    author = body["user"] if isinstance(body.get("user"), dict) else {}  # org-wide installs: the team is only here
    team = (body.get("team_id") or (body.get("team") or {}).get("id") or author.get("team_id")
            or body.get("enterprise_id") or "")
    return Place("slack", str(team), channel, thread or "", user)


async def post(client: AsyncWebClient, channel: str, thread_ts: str | None, messages: list[Message]) -> None:
    """Post messages in order (in a thread when given)."""
    for message in messages:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=message.text, blocks=message.blocks,
                                      unfurl_links=False, unfurl_media=False)


def poster(client: AsyncWebClient, channel: str, thread_ts: str | None) -> Deliver:
    """A ``Deliver`` that posts to one conversation."""
    async def deliver(messages: list[Message]) -> None:
        await post(client, channel, thread_ts, messages)
    return deliver


def with_fallback(primary: Deliver, fallback: Callable[[list[Message], str], Awaitable[None]]) -> Deliver:
    """Deliver through ``primary``; when Slack refuses (not in channel, archived…), through ``fallback``."""
    async def deliver(messages: list[Message]) -> None:
        try:
            await primary(messages)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "error")) if exc.response is not None else "error"
            log.warning("posting failed (%s); using the fallback", error)
            await fallback(messages, error)
    return deliver


class Streamer(Protocol):
    """Delivers a reply as it is written (``bot.handlers.slack.stream.SlackStreamer``)."""

    async def serve(self, events: Any, command: str, deliver: Deliver) -> None:
        """Consume ``Assistant.stream`` events; ``deliver`` takes whatever is not streamed."""


class Progress(Protocol):
    """Something that shows the user we are working, and whether it worked."""

    async def start(self) -> None:
        """Show progress."""

    async def stop(self, ok: bool) -> None:
        """Clear progress; mark a failure."""


class Reaction:
    """Progress shown as a reaction on the user's message; swapped for ⚠️ when the request failed."""

    def __init__(self, client: AsyncWebClient, channel: str, ts: str) -> None:
        self.client, self.channel, self.ts = client, channel, ts

    async def _call(self, method: str, name: str) -> None:
        try:
            call = self.client.reactions_add if method == "add" else self.client.reactions_remove
            await call(channel=self.channel, timestamp=self.ts, name=name)
        except SlackApiError as exc:
            log.debug("reactions.%s %s failed: %s", method, name, exc)

    async def start(self) -> None:
        """Add the "working on it" reaction."""
        await self._call("add", THINKING)

    async def stop(self, ok: bool) -> None:
        """Remove the progress reaction; mark failures."""
        await self._call("remove", THINKING)
        if not ok:
            await self._call("add", FAILED)


async def report_failure(deliver: Deliver, language: str, error: BaseException) -> None:
    """Log the error with a reference and tell the user; logs when even that is impossible."""
    reference = uuid.uuid4().hex[:8]
    log.error("request failed (ref %s)", reference, exc_info=error)
    try:
        await deliver([render_error(language, reference)])
    except Exception:
        log.exception("could not tell the user about failure %s", reference)


class PendingClaim(str):
    """A claim key whose claim the database had not decided when the event was acknowledged."""

    attempt: asyncio.Future[bool]

    def __new__(cls, key: str, attempt: asyncio.Future[bool]) -> PendingClaim:
        claim = super().__new__(cls, key)
        claim.attempt = attempt
        return claim


async def serve_request(assistant: Assistant, command: str, request: Request, deliver: Deliver,
                        progress: Progress | None = None, claim: str | None = None,
                        streamer: Streamer | None = None) -> None:
    """Run ``request`` through the core and deliver the rendered reply (streamed when a model writes answers and
    a ``streamer`` is given); every failure reaches the user. A pending claim is waited for first: when another
    attempt or replica has the event, nothing happens; when the database fails, the user is told."""
    if isinstance(claim, PendingClaim):
        try:
            if not await assistant.settle_claim(claim, claim.attempt):
                log.info("duplicate delivery ignored after the acknowledgement: %s", claim)
                return
        except Exception as exc:
            await report_failure(deliver, detect_language(request.text), exc)
            return
    ok = False
    try:
        if progress:
            await progress.start()
        if streamer is not None and assistant.streams:
            await streamer.serve(assistant.stream(request), command, deliver)
        else:
            reply = await assistant.reply(request)
            await deliver(render_reply(reply, command))
        ok = True
    except Exception as exc:
        await report_failure(deliver, detect_language(request.text), exc)
    finally:
        if progress:
            await progress.stop(ok)
        if claim:
            try:
                await assistant.finish(claim)
            except Exception:  # the database went away meanwhile: a late retry may answer once more
                log.exception("could not mark %s as answered", claim)


def responder(respond: Any) -> Deliver:
    """A ``Deliver`` through a request's ``response_url`` (ephemeral to the user who asked)."""
    async def deliver(messages: list[Message]) -> None:
        for message in messages:
            response = await respond(text=message.text, blocks=message.blocks, response_type="ephemeral",
                                     replace_original=False)
            if response is not None and response.status_code >= 300:
                raise RuntimeError(f"response_url refused the message: HTTP {response.status_code} {response.body}")
    return deliver


def with_note(deliver: Deliver, note: str) -> Deliver:
    """A ``Deliver`` that first says why the messages arrive here (e.g. the chosen channel refused them)."""
    async def noted(messages: list[Message]) -> None:
        await deliver([Message(note, context(note)), *messages])
    return noted


async def open_view(client: AsyncWebClient, trigger_id: str, view: dict[str, Any], fallback: Deliver,
                    language: str) -> None:
    """Open a modal; if Slack refuses (e.g. an expired trigger), tell the user through ``fallback``."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        await report_failure(fallback, language, exc)
