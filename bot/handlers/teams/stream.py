"""Stream a generated answer into a personal chat as it is written (Teams streams only in personal chats).

Only sentences that passed verification are sent. Their ``[n]`` markers become Teams citations (hover cards with
the provision and its link); the final message carries the card with what was understood, the sources, notes and
👍/👎. When the final answer is not what was streamed (the model failed half-way, or said the sources do not cover
the question), the streamed message is replaced by the final rendering.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from microsoft_agents.activity import Attachment, EntityTypes
from microsoft_agents.hosting.core import StreamingResponse, TurnContext
from microsoft_agents.hosting.core.app.streaming import Citation as TeamsCitation

from bot.assistant import ReplyDone, StreamEvent
from bot.handlers.teams.cards import CARD_TYPE, CardMessage
from bot.handlers.teams.render import failure, message_activity, render_reply, send_all, tail_messages
from bot.i18n import t
from bot.knowledge.sentences import render_citations
from bot.types import AnswerDelta, AnswerStart, Citation


def teams_citations(citations: list[Citation]) -> list[TeamsCitation]:
    """Citations for Teams, whose positions must equal our ``[n]`` numbers (1, 2, … without gaps)."""
    ordered = sorted(citations, key=lambda c: c.n)
    if [c.n for c in ordered] != list(range(1, len(ordered) + 1)):
        return []
    return [TeamsCitation(content=c.text, title=c.label, url=c.url) for c in ordered]


class TeamsStreamer:
    """Delivers one request's stream of events to a personal chat."""

    def __init__(self, context: TurnContext, language: str) -> None:
        self.context, self.language = context, language
        self.stream = StreamingResponse(context)
        self.stream_ids: list[str] = []
        context.on_send_activities(self._remember_stream_id)

    async def _remember_stream_id(self, _context: TurnContext, activities: list[Any], next_send: Any) -> Any:
        responses = await next_send()
        for activity, response in zip(activities, responses or [], strict=False):
            streamed = any(getattr(e, "type", None) == EntityTypes.STREAM_INFO.value for e in activity.entities or [])
            if streamed and response is not None and response.id:
                self.stream_ids.append(response.id)
        return responses

    async def serve(self, events: AsyncIterator[StreamEvent]) -> None:
        """Consume ``Assistant.stream`` events; a reply that is not a streamed answer ends the stream as a card."""
        self.stream.queue_informative_update(t("teams_working", self.language))
        numbers: dict[int, str] = {}
        streamed, done = False, None
        try:
            async for event in events:
                if isinstance(event, AnswerStart):
                    numbers = {c.n: f"[{c.n}]" for c in event.citations}
                    self.stream.set_citations(teams_citations(event.citations))
                elif isinstance(event, AnswerDelta):
                    self.stream.queue_text_chunk(render_citations(event.text, numbers))  # "[1, 2]" → "[1][2]"
                    streamed = True
                else:
                    done = event
        except Exception as exc:
            await self._end(failure(self.language, exc))
            return
        assert isinstance(done, ReplyDone), "Assistant.stream always ends with ReplyDone"
        answer = done.reply.answer
        if streamed and not done.replaces and answer is not None:
            first, *rest = tail_messages(done.reply)
            self.stream.set_generated_by_ai_label(answer.generated)
            self.stream.set_attachments([Attachment(content_type=CARD_TYPE, content=first.card)])
            await self.stream.end_stream()
            await send_all(self.context, rest)
            return
        first, *rest = render_reply(done.reply)
        if not streamed:
            await self._end(first)
        else:
            await self.stream.end_stream()
            replacement = message_activity(first)
            replacement.id = self.stream_ids[0] if self.stream_ids else None
            if replacement.id:
                await self.context.update_activity(replacement)
            else:
                await send_all(self.context, [first])
        await send_all(self.context, rest)

    async def _end(self, message: CardMessage) -> None:
        """End the stream with a whole message: its summary as the text, its card attached."""
        self.stream.queue_text_chunk(message.summary)
        self.stream.set_attachments([Attachment(content_type=CARD_TYPE, content=message.card)])
        await self.stream.end_stream()
