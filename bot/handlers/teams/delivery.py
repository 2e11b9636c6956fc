"""Run one request end to end on Teams: a typing indicator at once, a stream while the work goes on (personal
chats), the reply in the same conversation or thread, and a proactive follow-up when the work outlasts the time
Teams waits for a turn (15 s)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment, ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, ClaimsIdentity, StreamingResponse, TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.assistant import Assistant, Reply, Request
from bot.config import TeamsSettings
from bot.handlers.teams.cards import CARD_TYPE, CardMessage, notice
from bot.handlers.teams.references import StoredConversation
from bot.handlers.teams.render import failure, render_reply, send_all
from bot.handlers.teams.stream import TeamsStreamer
from bot.i18n import t
from bot.language import detect_language

log = logging.getLogger(__name__)


class Later:
    """A conversation to write to after its turn has ended (a proactive message through the Bot Connector)."""

    def __init__(self, adapter: ChannelServiceAdapter, reference: ConversationReference,
                 identity: ClaimsIdentity) -> None:
        self.adapter, self.reference, self.identity = adapter, reference, identity

    @classmethod
    def from_turn(cls, context: TurnContext) -> Later:
        """The turn's own conversation or thread, authenticated the way the turn was."""
        return cls(context.adapter, context.activity.get_conversation_reference(),
                   context.identity or ClaimsIdentity())

    @classmethod
    def from_stored(cls, adapter: ChannelServiceAdapter, stored: StoredConversation) -> Later:
        """A conversation stored when the app was installed or addressed there."""
        return cls(adapter, ConversationReference.model_validate(stored.reference),
                   Conversation.identity_from_claims(stored.claims))

    async def send(self, messages: list[CardMessage]) -> None:
        """Post the messages in order."""
        async def post(context: TurnContext) -> None:
            await send_all(context, messages)

        await self.adapter.continue_conversation_with_claims(
            self.identity, self.reference.get_continuation_activity(), post)


class Delivery:
    """Answers requests within a turn when the core is quick enough, and follows up proactively when it is not."""

    def __init__(self, assistant: Assistant, settings: TeamsSettings) -> None:
        self.assistant, self.settings = assistant, settings
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self, context: TurnContext, request: Request, claim: str | None = None,
                    spent_s: float = 0.0) -> None:
        """Typing at once; the reply in the turn, or a short note now and the reply as a follow-up. A personal chat
        sees a model's answer as it is written (a stream needs no follow-up: it shows progress from the start).
        ``spent_s``: how much of the turn already went (e.g. on a slow claim), taken off the reply budget."""
        language = detect_language(request.text) if request.text else "en"
        streaming = self.assistant.streams and _personal(context)
        work = None if streaming else asyncio.ensure_future(self.assistant.reply(request))
        later = Later.from_turn(context)
        followed_up = False
        try:
            await context.send_activity(Activity(type=ActivityTypes.typing))
            if work is None:
                await TeamsStreamer(context, language).serve(self.assistant.stream(request))
                return
            stream = await self._wait(context, work, language, spent_s)
            if not work.done():
                await self._deliver(context, [notice(t("teams_still_working", language))], stream)
                self.spawn(self._follow_up(work, later, language, claim))
                followed_up = True
                return
            await self._deliver(context, self._rendered(work, language), stream)
        finally:
            if claim and not followed_up:
                await self.assistant.finish(claim)

    def later(self, context: TurnContext, request: Request) -> None:
        """Work on ``request`` after the turn (e.g. a card's button, which must be acknowledged at once)."""
        language = detect_language(request.text) if request.text else "en"
        self.spawn(self._follow_up(asyncio.ensure_future(self.assistant.reply(request)), Later.from_turn(context),
                                   language, None))

    async def _wait(self, context: TurnContext, work: asyncio.Future[Reply], language: str, spent_s: float = 0.0
                    ) -> StreamingResponse | None:
        """Wait for the reply within the turn's budget, renewing the typing indicator; personal chats get a
        stream with a progress line once the wait is noticeable (Teams streams only in personal chats)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        budget, every = max(0.0, self.settings.reply_budget_s - spent_s), max(0.5, self.settings.typing_every_s)
        stream_at = self.settings.stream_after_s if _personal(context) else budget
        stream: StreamingResponse | None = None
        next_typing = every
        while not work.done() and loop.time() - start < budget:
            if stream is None and loop.time() - start >= stream_at:
                stream = StreamingResponse(context)
                stream.queue_informative_update(t("teams_working", language))
            # A stream shows progress itself: no more typing indicators, so wake only at the budget (waking for a
            # typing time long past would spin the event loop until the answer comes).
            wake = budget if stream is not None else min(budget, next_typing, stream_at)
            await asyncio.wait({work}, timeout=max(0.0, wake - (loop.time() - start)))
            if not work.done() and stream is None and loop.time() - start >= next_typing:
                await context.send_activity(Activity(type=ActivityTypes.typing))
                next_typing += every
        return stream

    @staticmethod
    async def _deliver(context: TurnContext, messages: list[CardMessage], stream: StreamingResponse | None) -> None:
        if stream is not None and messages:
            first, *messages = messages
            stream.queue_text_chunk(first.summary)
            stream.set_attachments([Attachment(content_type=CARD_TYPE, content=first.card)])
            await stream.end_stream()
        await send_all(context, messages)

    @staticmethod
    def _rendered(work: asyncio.Future[Reply], language: str) -> list[CardMessage]:
        try:
            return render_reply(work.result())
        except Exception as exc:
            return [failure(language, exc)]

    async def _follow_up(self, work: asyncio.Future[Reply], later: Later, language: str, claim: str | None) -> None:
        try:
            await asyncio.wait({work})
            await later.send(self._rendered(work, language))
        except Exception:
            log.exception("a follow-up could not be delivered to Teams conversation %s",
                          later.reference.conversation.id)
        finally:
            if claim:
                await self.assistant.finish(claim)

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        """Run ``job`` after the turn, keeping a reference until it is done."""
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) for follow-ups in progress, e.g. before shutdown."""
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            log.info("waiting for %d Teams follow-up(s)", len(pending))
            await asyncio.wait(pending, timeout=timeout)


def _personal(context: TurnContext) -> bool:
    return context.activity.conversation.conversation_type in ("personal", None)
