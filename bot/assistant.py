"""The platform-neutral chat core: understand a message, keep the thread's context, dispatch, remember.

Every surface (Slack today, Teams next) turns its events into a ``Request`` and renders the ``Reply``.
CPU-bound service calls run on a small dedicated thread pool, so database work (event claims that gate
the 3-second acknowledgement) never queues behind answers.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config import Settings
from bot.conversations import ConversationStore, Place, Profile, Turn
from bot.conversations.store import utcnow
from bot.db import Database
from bot.i18n import t
from bot.intent import Intent, Understanding, detect_intent, is_followup
from bot.language import LANGUAGES, detect_language
from bot.matching.cpv import normalize_code
from bot.matching.service import MatchingError, MatchService
from bot.matching.types import MatchResult, Need, Suggestion
from bot.ratelimit import RateLimiter, wait_seconds
from bot.types import Answer, AnswerDelta, AnswerDone, AnswerStart, Question

if TYPE_CHECKING:
    from bot.knowledge.service import KnowledgeService

log = logging.getLogger(__name__)
T = TypeVar("T")
ROOT_WORDS = 60
LOOKUP_BUDGET_S = 1.5
UNLIMITED = frozenset({"console"})  # the terminal chat has one local user: no per-user rate limit
CLAIM_BUDGET_S = 1.0  # how long a claim may hold up Slack's 3-second acknowledgement (then it is decided later)
CLAIM_GIVE_UP_S = 30.0  # after that, the database is taken to be down and the user is told
CLAIM_THREADS = 8  # claims mostly wait on the database: more of them in flight, not more CPU


@dataclass(frozen=True)
class Request:
    """A user's message on any surface; ``intent`` is set when a command already says what is wanted."""

    text: str
    place: Place
    intent: Intent | None = None
    country: str | None = None
    cpv: str | None = None
    use_history: bool = True


@dataclass(frozen=True)
class Reply:
    """What the core made of a request; ``problem`` is a refusal to show the user (e.g. an empty need)."""

    turn_id: int | None
    intent: Intent
    language: str
    text: str
    query: str
    followup_of: str | None = None
    answer: Answer | None = None
    match: MatchResult | None = None
    peers: list[Suggestion] = field(default_factory=list)
    problem: str | None = None


@dataclass(frozen=True)
class ReplyDone:
    """The end of a streamed reply; ``replaces`` when the streamed answer text must be replaced by ``reply``'s."""

    reply: Reply
    replaces: bool = False


StreamEvent = AnswerStart | AnswerDelta | ReplyDone
Sink = Callable[[AnswerStart | AnswerDelta | AnswerDone], Awaitable[None]]
_END = object()


class Assistant:
    """Dispatches requests to the knowledge and matching services and persists the conversation."""

    def __init__(self, settings: Settings, conversations: ConversationStore, knowledge: KnowledgeService,
                 matcher: MatchService) -> None:
        self.settings = settings
        self.conversations = conversations
        self.knowledge = knowledge
        self.matcher = matcher
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.chat.workers), thread_name_prefix="innobroker")
        # Claims gate the acknowledgement: their own threads, never queued behind other database work.
        self._claims = ThreadPoolExecutor(max_workers=CLAIM_THREADS, thread_name_prefix="innobroker-claim")
        self._active: set[asyncio.Task[Any]] = set()
        self.limiter = RateLimiter(settings.chat.rate_per_minute, settings.chat.rate_burst)

    @classmethod
    def open(cls, settings: Settings, quiet: bool = True) -> Assistant:
        """Open every service from settings (ingesting the starter corpus on first use)."""
        from bot.knowledge.commands import open_service

        database = Database(settings.resolved_database_url)
        knowledge = open_service(settings, quiet)
        matcher = MatchService(settings, database, embedder=knowledge.embedder)
        return cls(settings, ConversationStore(database), knowledge, matcher)

    async def _compute(self, function: Callable[..., T], *args: Any) -> T:
        context = contextvars.copy_context()  # the request id reaches log lines written on the pool
        return await asyncio.get_running_loop().run_in_executor(self._pool, context.run, function, *args)

    async def _lookup(self, fallback: T, function: Callable[..., T], *args: Any) -> T:
        """A quick directory lookup off the answer pool, bounded so interactive acks and trigger ids stay valid."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(function, *args), LOOKUP_BUDGET_S)
        except TimeoutError:
            log.warning("directory lookup %s took longer than %s s", getattr(function, "__name__", function),
                        LOOKUP_BUDGET_S)
            return fallback

    async def warm(self) -> None:
        """Build the match index now rather than on the first request."""
        await self._compute(self.matcher.index)

    @property
    def streams(self) -> bool:
        """Whether rule answers are written by a model and streamed (surfaces then prefer ``stream``)."""
        return self.knowledge.generates and self.settings.llm.stream

    async def stream(self, request: Request) -> AsyncIterator[StreamEvent]:
        """The reply as it is written: for a generated answer AnswerStart and verified AnswerDelta sentences, then
        always ReplyDone with the stored reply. Errors propagate as from ``reply``."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        replaces = False
        task = asyncio.ensure_future(self.reply(request, queue.put))
        task.add_done_callback(lambda _: queue.put_nowait(_END))
        try:
            while (event := await queue.get()) is not _END:
                if isinstance(event, AnswerDone):
                    replaces = event.replaces
                else:
                    yield event
            yield ReplyDone(await task, replaces)
        finally:
            task.cancel()

    async def reply(self, request: Request, sink: Sink | None = None) -> Reply:
        """Understand, combine with the thread's previous request when it is a follow-up, dispatch and store.

        With a ``sink``, a generated answer's events are sent to it as they are written (see ``stream``)."""
        task = asyncio.current_task()
        if task is not None:
            self._active.add(task)
            task.add_done_callback(self._active.discard)
        started = time.perf_counter()
        understood = (Understanding(request.intent, request.text.strip(), True) if request.intent
                      else detect_intent(request.text))
        place = request.place
        if understood.intent is not Intent.HELP and understood.text and place.platform not in UNLIMITED:
            wait = self.limiter.acquire(place.platform, place.workspace, place.user)
            if wait:
                return self._limited(understood, wait)
        profile = await asyncio.to_thread(self.conversations.profile, place)
        previous = await self._previous(request) if request.use_history else None
        default = (previous.language if previous else None) or profile.language or "en"
        language = detect_language(understood.text, default=default) if understood.text else default
        if understood.intent is Intent.HELP or not understood.text:
            return Reply(None, Intent.HELP, language, understood.text, understood.text)
        intent: Intent = understood.intent
        query, followup_of = understood.text, None
        if previous is not None and is_followup(understood.text, understood.confident, bool(place.thread)):
            intent = understood.intent if understood.confident else Intent(previous.intent)
            query = f"{' '.join(previous.query.split()[:ROOT_WORDS])} {understood.text}"
            if intent is Intent.ASK and self.knowledge.generates:
                rewritten: str | None = await self._compute(self.knowledge.rewrite_followup, _history(previous),
                                                            understood.text, language)
                query = rewritten or query
            followup_of = previous.text
        reply = await self._dispatch(intent, query, language, request, profile, previous, sink)
        turn = await asyncio.to_thread(self.conversations.add_turn, place, intent.value, understood.text,
                                       reply.query, language, _result_json(reply))
        log.info("replied: %s in %s, turn %s, %.0f ms", intent.value, language, turn.id,
                 (time.perf_counter() - started) * 1000)
        return replace(reply, turn_id=turn.id, text=understood.text, followup_of=followup_of)

    @staticmethod
    def _limited(understood: Understanding, wait: float) -> Reply:
        """The friendly refusal of a request over the user's rate limit (nothing is computed or stored)."""
        language = detect_language(understood.text, default="en")
        log.info("rate limit: request refused, next one allowed in %.1f s", wait)
        problem = t("rate_limited", language).format(seconds=wait_seconds(wait))
        return Reply(None, understood.intent, language, understood.text, understood.text, problem=problem)

    async def _previous(self, request: Request) -> Turn | None:
        window = None if request.place.thread else utcnow() - timedelta(seconds=self.settings.chat.followup_window_s)
        return await asyncio.to_thread(self.conversations.last_in_thread, request.place, window)

    async def _dispatch(self, intent: Intent, query: str, language: str, request: Request, profile: Profile,
                        previous: Turn | None, sink: Sink | None = None) -> Reply:
        base = Reply(None, intent, language, request.text, query)
        if intent is Intent.ASK:
            history = (previous.text,) if previous else ()
            question = Question(query, language, history=history)
            if sink is not None and self.streams:
                return _with(base, answer=await self._streamed_answer(question, sink))
            answer = await self._compute(self.knowledge.ask, question)
            return _with(base, answer=answer)
        country = (request.country or profile.country or "").upper() or None
        top = self.settings.chat.match_top
        try:
            if intent is Intent.MATCH:
                text = await self._with_cpv(query, request.cpv, language)
                need = Need(text, profile.organisation, country, top, language)
                return _with(base, query=text, match=await self._compute(self._match, need))
            peers = await self._compute(self._peers, query, profile.organisation, country, top)
            return _with(base, peers=peers)
        except MatchingError as exc:
            return _with(base, problem=str(exc))

    async def _streamed_answer(self, question: Question, sink: Sink) -> Answer:
        answer: Answer | None = None
        async for event in self.knowledge.ask_stream(question, self._compute):
            await sink(event)
            if isinstance(event, AnswerDone):
                answer = event.answer
        assert answer is not None, "ask_stream always ends with AnswerDone"
        return answer

    def _match(self, need: Need) -> MatchResult:
        try:
            return self.matcher.match(need)
        except MatchingError:
            if need.buyer_id is None:
                raise
            log.warning("profile organisation %r is not in the directory; matching without it", need.buyer_id)
            return self.matcher.match(Need(need.text, None, need.country, need.top, need.language))

    def _peers(self, topic: str, buyer: str | None, country: str | None, top: int) -> list[Suggestion]:
        try:
            return self.matcher.peers(topic, buyer, country, top)
        except MatchingError:
            if buyer is None:
                raise
            return self.matcher.peers(topic, None, country, top)

    async def _with_cpv(self, text: str, cpv: str | None, language: str) -> str:
        if not cpv:
            return text
        index = await self._compute(self.matcher.index)
        return f"{text}\nCPV {cpv} {index.catalog.label(cpv, language)}".strip()

    @staticmethod
    def cpv_code(raw: str) -> str | None:
        """A CPV 2008 code from user input (``38000000``, ``38000000-0``); None when it is not one."""
        return normalize_code(raw)

    def start_claim(self, key: str) -> asyncio.Future[bool]:
        """Begin claiming a platform event id on the claim threads (a claim queued past ``CLAIM_GIVE_UP_S`` is
        abandoned rather than made); the future says False when another attempt or replica has the event."""
        deadline = time.monotonic() + CLAIM_GIVE_UP_S

        def attempt() -> bool:
            if time.monotonic() > deadline:
                raise TimeoutError(f"claim of {key} abandoned: queued for more than {CLAIM_GIVE_UP_S} s")
            return self.conversations.claim(key, self.settings.chat.retry_takeover_s)

        return asyncio.get_running_loop().run_in_executor(self._claims, contextvars.copy_context().run, attempt)

    async def settle_claim(self, key: str, attempt: asyncio.Future[bool], within: float | None = None) -> bool:
        """The claim's verdict. Raises what the database raised, or TimeoutError when it has not answered within
        ``within`` (default ``CLAIM_GIVE_UP_S``) seconds, locked or unreachable; a claim landing later is withdrawn."""
        within = CLAIM_GIVE_UP_S if within is None else within
        try:
            return await asyncio.wait_for(asyncio.shield(attempt), within)
        except TimeoutError:
            log.error("the database did not answer the claim of %s within %s s", key, within)
            attempt.add_done_callback(lambda done: self._withdraw(key, done))
            raise

    async def claim(self, key: str, within: float | None = None) -> bool:
        """Claim a platform event id; False when another attempt or replica has it; raises as ``settle_claim``
        (by default after ``CLAIM_BUDGET_S``)."""
        return await self.settle_claim(key, self.start_claim(key), CLAIM_BUDGET_S if within is None else within)

    def _withdraw(self, key: str, attempt: asyncio.Future[bool]) -> None:
        """Release a claim that landed after its request was given up, so a redelivery can be answered."""
        if not attempt.cancelled() and attempt.exception() is None and attempt.result():
            task = asyncio.ensure_future(asyncio.to_thread(self.conversations.release, key))
            self._active.add(task)
            task.add_done_callback(self._active.discard)

    async def finish(self, key: str) -> None:
        """Mark a claimed event as handled."""
        await asyncio.to_thread(self.conversations.finish, key)

    async def turn(self, turn_id: int, within: Place | None = None) -> Turn | None:
        """A stored turn; with ``within``, only when it belongs to that place's platform and workspace (a button
        from one Slack workspace or Teams tenant never reaches another's turns)."""
        found = await asyncio.to_thread(self.conversations.turn, turn_id)
        if found is not None and within is not None and (found.place.platform, found.place.workspace) != (
                within.platform, within.workspace):
            log.warning("a %s request from workspace %s named turn %s of another workspace", within.platform,
                        within.workspace, turn_id)
            return None
        return found

    async def feedback(self, turn_id: int, user: str, verdict: str, target: str = "", reason: str | None = None,
                       comment: str | None = None) -> None:
        """Store a verdict (up, down, intro, dismiss) on a turn or one of its suggestions."""
        await asyncio.to_thread(self.conversations.feedback, turn_id, user, verdict, target, reason, comment)

    async def profile(self, place: Place) -> Profile:
        """The user's profile."""
        return await asyncio.to_thread(self.conversations.profile, place)

    async def save_profile(self, place: Place, profile: Profile) -> str | None:
        """Validate and store a profile; returns a problem message when the organisation is unknown."""
        if profile.organisation:
            try:
                await asyncio.to_thread(self.matcher.resolve, profile.organisation)
            except MatchingError as exc:
                return str(exc)
        language = profile.language if profile.language in LANGUAGES else None
        country = (profile.country or "").upper()[:2] or None
        await asyncio.to_thread(self.conversations.save_profile, place,
                                Profile(profile.organisation or None, country, language))
        return None

    async def organisations(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """Directory organisations whose name or id contains ``query``: (id, "Name (CC)"), buyers first."""
        return await self._lookup([], self._organisations, query.casefold().strip(), limit)

    def _organisations(self, query: str, limit: int) -> list[tuple[str, str]]:
        orgs = self.matcher.index().orgs
        hits = [i for i, (oid, name) in enumerate(zip(orgs.ids, orgs.names, strict=True))
                if query in name.casefold() or query in oid.casefold()]
        hits.sort(key=lambda i: (orgs.kinds[i] != "buyer", not orgs.names[i].casefold().startswith(query),
                                 orgs.names[i]))
        return [(orgs.ids[i], _label(orgs.names[i], orgs.countries[i])) for i in hits[:limit]]

    async def organisation_label(self, reference: str | None) -> str | None:
        """How to show a stored organisation reference: "Name (CC)", or the reference itself when unknown."""
        if not reference:
            return None
        return await self._lookup(reference, self._organisation_label, reference)

    def _organisation_label(self, reference: str) -> str:
        try:
            position = self.matcher.resolve(reference)
        except MatchingError:
            return reference
        orgs = self.matcher.index().orgs
        return _label(orgs.names[position], orgs.countries[position])

    async def recent(self, place: Place, limit: int = 5) -> tuple[list[Turn], list[Turn]]:
        """The user's latest rule questions and latest matches/peer searches."""
        questions = await asyncio.to_thread(self.conversations.recent, place, (Intent.ASK.value,), limit)
        matches = await asyncio.to_thread(self.conversations.recent, place, (Intent.MATCH.value, Intent.PEERS.value),
                                          limit)
        return questions, matches

    async def drain(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) for requests in progress to be answered, e.g. before shutdown."""
        pending = [task for task in self._active if not task.done() and task is not asyncio.current_task()]
        if pending:
            log.info("waiting for %d request(s) in progress", len(pending))
            await asyncio.wait(pending, timeout=timeout)

    def close(self) -> None:
        """Stop the worker threads and release database connections."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._claims.shutdown(wait=False, cancel_futures=True)
        self.conversations.database.dispose()


def _label(name: str, country: str | None) -> str:
    return f"{name} ({country})" if country else name


def _history(previous: Turn) -> list[tuple[str, str]]:
    """The thread so far for a follow-up rewrite: the previous (standalone) question and the answer given."""
    answer = str(previous.result.get("answer") or "")
    return [("user", previous.query), *([("assistant", answer)] if answer else [])]


def _with(base: Reply, **changes: Any) -> Reply:
    return replace(base, **changes)


def _result_json(reply: Reply) -> dict[str, Any]:
    if reply.problem:
        return {"problem": reply.problem}
    if reply.answer is not None:
        return reply.answer.to_json()
    if reply.match is not None:
        return reply.match.to_json()
    return {"peers": [p.to_json() for p in reply.peers]}
