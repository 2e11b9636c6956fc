"""Stream a generated answer into Slack as it is written; only sentences that passed verification are ever sent.

In a thread, Slack's chat streaming methods: ``chat.startStream`` with the first verified sentence,
``chat.appendStream`` for each next one, ``chat.stopStream`` with the sources, notes and feedback buttons as
blocks at the bottom. Outside a thread (a top-level direct message) Slack cannot stream, so the message is posted
with the first sentence and grown with ``chat.update`` at most once per ``UPDATE_EVERY_S``. When the final answer is
not what was streamed (the model failed half-way, or said the sources do not cover the question) the message is
replaced by the final rendering. Replies that are not generated answers are delivered as usual.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import ReplyDone, StreamEvent
from bot.handlers.slack.blocks import Block, feedback_buttons
from bot.handlers.slack.delivery import Deliver, post
from bot.handlers.slack.generated import markdown_links, mrkdwn_links, notes_blocks, sources_blocks
from bot.handlers.slack.render import render_reply, understood
from bot.types import AnswerDelta, AnswerStart, Citation

log = logging.getLogger(__name__)
UPDATE_EVERY_S = 1.0


def tail_blocks(done: ReplyDone) -> list[Block]:
    """What follows a streamed answer: what was understood, the sources, notes, disclaimer and feedback buttons."""
    reply = done.reply
    assert reply.answer is not None
    blocks = [*understood(reply), *sources_blocks(reply.answer), *notes_blocks(reply.answer)]
    if reply.turn_id is not None:
        blocks.append(feedback_buttons(reply.turn_id, reply.language))
    return blocks


class SlackStreamer:
    """Delivers one request's stream of events to a Slack conversation."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None, team: str | None,
                 user: str | None) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.team, self.user = team or None, user or None
        self.ts: str | None = None
        self._citations: list[Citation] = []
        self._text = ""
        self._updated = 0.0
        self._open = False

    @property
    def streaming(self) -> bool:
        """Slack streams only replies in a thread."""
        return self.thread_ts is not None

    async def serve(self, events: AsyncIterator[StreamEvent], command: str, deliver: Deliver) -> None:
        """Consume ``Assistant.stream`` events; ``deliver`` takes replies that were not streamed."""
        done: ReplyDone | None = None
        try:
            async for event in events:
                if isinstance(event, AnswerStart):
                    self._citations = event.citations
                elif isinstance(event, AnswerDelta):
                    await self._append(event.text)
                else:
                    done = event
            assert done is not None, "Assistant.stream always ends with ReplyDone"
            await self._finish(done, command, deliver)
        except BaseException:
            await self._close()
            raise

    async def _finish(self, done: ReplyDone, command: str, deliver: Deliver) -> None:
        if self.ts is None:
            await deliver(render_reply(done.reply, command))
        elif self.streaming and not done.replaces and done.reply.answer is not None:
            await self.client.chat_stopStream(channel=self.channel, ts=self.ts, blocks=tail_blocks(done))
            self._open = False
        else:
            await self._close()
            first, *rest = render_reply(done.reply, command)
            await self.client.chat_update(channel=self.channel, ts=self.ts, text=first.text, blocks=first.blocks)
            await post(self.client, self.channel, self.thread_ts, rest)

    async def _append(self, sentence: str) -> None:
        if self.streaming:
            text = markdown_links(sentence, self._citations)
            if self.ts is None:
                started = await self.client.chat_startStream(
                    channel=self.channel, thread_ts=str(self.thread_ts), markdown_text=text,
                    recipient_team_id=self.team, recipient_user_id=self.user)
                self.ts, self._open = str(started["ts"]), True
            else:
                await self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=text)
            return
        self._text += mrkdwn_links(sentence, self._citations)
        if self.ts is None:
            posted = await self.client.chat_postMessage(channel=self.channel, text=self._text, unfurl_links=False,
                                                        unfurl_media=False)
            self.ts, self._updated = str(posted["ts"]), time.monotonic()
        elif time.monotonic() - self._updated >= UPDATE_EVERY_S:
            await self.client.chat_update(channel=self.channel, ts=self.ts, text=self._text)
            self._updated = time.monotonic()

    async def _close(self) -> None:
        """Stop an open stream (before replacing it, or when the request failed half-way)."""
        if not self._open or self.ts is None:
            return
        self._open = False
        try:
            await self.client.chat_stopStream(channel=self.channel, ts=self.ts)
        except SlackApiError as exc:
            log.warning("could not stop the answer stream %s: %s", self.ts, exc)
