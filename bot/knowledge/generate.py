"""Generated answers: numbered sources in a versioned prompt, the model's reply verified, repaired or replaced.

Retrieval and abstention are the extractive answerer's. The retrieved provisions go into the prompt as numbered,
delimited data; sentences that read like instructions to a model are removed from them first. The reply is
checked sentence by sentence (``verify.py``): rejected sentences are dropped, and when too much was rejected,
when the model fails or says the sources do not cover the question, the extractive answer (or the abstention)
is served instead, and the reason is logged. Streaming shows each sentence once it has passed the same checks.
Follow-ups in a thread are rewritten into standalone questions (``rewrite_followup``); a rewrite that fails or looks
wrong gives None, and the caller keeps its rule-based combination of the previous question and the follow-up.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bot.config import LLMSettings
from bot.i18n import t
from bot.knowledge.answer import ExtractiveAnswerer, best_quote, cite
from bot.knowledge.glossary import Glossary
from bot.knowledge.inert import REMOVED, sanitize  # noqa: F401  (REMOVED: part of this module's API)
from bot.knowledge.llm import ChatMessage, ChatModel, LLMError, estimate_tokens
from bot.knowledge.prompting import language_name, load_prompt
from bot.knowledge.retrieval import SearchResult
from bot.knowledge.sentences import SentenceSplitter
from bot.knowledge.verify import NOT_COVERED, PARTLY_COVERED, Evidence, Verdict, Verifier, verify
from bot.types import Answer, AnswerDelta, AnswerDone, AnswerStart, Citation, Question

log = logging.getLogger(__name__)
T = TypeVar("T")
Compute = Callable[..., Awaitable[Any]]
MAX_DROPPED_SHARE = 0.5
UNVERIFIABLE = frozenset({"malformed", "unverified", "empty"})  # the model answered, but unusably
HISTORY_CHARS = 1200
MAX_QUESTION_CHARS = 500


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(". "), head.rfind("\n"))
    return (head[: stop + 1] if stop > limit // 2 else head.rsplit(" ", 1)[0]) + " …"


def _attr(value: str) -> str:
    return value.replace('"', "'").replace("<", "‹").replace(">", "›")


@dataclass(frozen=True)
class Source:
    """One numbered source: the sanitized text the model sees and the citation users see."""

    n: int
    text: str
    language: str
    citation: Citation

    def block(self) -> str:
        """The source as delimited prompt data."""
        c = self.citation
        return (f'<source id="{self.n}" provision="{_attr(c.label)}" title="{_attr(c.title)}" '
                f'language="{self.language}">\n{self.text}\n</source>')


@dataclass(frozen=True)
class Generation:
    """One generated answer: the answer served, the model's raw reply, its verdict and how long it took."""

    answer: Answer
    raw: str
    verdict: Verdict | None
    seconds: float


class GroundedAnswerer:
    """Writes answers with a chat model from retrieved provisions, and never serves an unverified sentence."""

    def __init__(self, extractive: ExtractiveAnswerer, model: ChatModel, settings: LLMSettings,
                 glossary: Glossary) -> None:
        self.extractive = extractive
        self.model = model
        self.settings = settings
        self.glossary = glossary
        self.prompt = load_prompt("answer")

    def sources(self, question: Question, language: str, result: SearchResult) -> list[Source]:
        """Number the hits and fit their sanitized texts into the prompt's context budget."""
        fixed = estimate_tokens(self.prompt.system.template) + estimate_tokens(question.text) + 50 * len(result.hits)
        remaining = max(self.settings.context_tokens - fixed, 200) * 4
        sources = []
        for n, hit in enumerate(result.hits, start=1):
            clean, removed = sanitize(hit.chunk.text)
            if removed:
                log.warning("removed %d instruction-like sentence(s) from %s %s", removed,
                            hit.chunk.meta.get("source"), hit.chunk.meta.get("section"))
            text = _cut(clean, remaining // (len(result.hits) - n + 1))
            remaining -= len(text)
            chunk_language = str(hit.chunk.meta.get("language") or language)
            quote = best_quote(clean, result.query_tokens, chunk_language)
            sources.append(Source(n, text, chunk_language, cite(hit, n, quote, language)))
        return sources

    def messages(self, question: Question, language: str, sources: list[Source]) -> list[ChatMessage]:
        """The filled-in answer prompt."""
        return self.prompt.messages(sources="\n\n".join(s.block() for s in sources), question=question.text,
                                    language_name=language_name(language))

    def verifier(self, sources: list[Source], language: str) -> Verifier:
        """A verifier over exactly what the model was shown (plus each source's provision and title)."""
        evidence = [Evidence(s.n, f"{s.citation.label} {s.citation.title}\n{s.text}", s.language) for s in sources]
        return Verifier(evidence, language, self.glossary)

    def generate(self, question: Question) -> Generation:
        """Retrieve, generate, verify (blocking); the extractive answer when the model fails."""
        started = time.perf_counter()
        language, result = self.extractive.search(question)
        if self.extractive.abstains(result):
            return Generation(self._mark(self.extractive.compose(question, language, result)), "", None, 0.0)
        sources = self.sources(question, language, result)
        try:
            raw = self.model.complete(self.messages(question, language, sources))
        except LLMError as exc:
            answer = self.fallback(question, language, result, exc.kind, [str(exc)])
            return Generation(answer, "", None, time.perf_counter() - started)
        verdict = verify(raw, self.verifier(sources, language))
        answer = self.finish(question, language, result, sources, verdict)
        return Generation(answer, raw, verdict, time.perf_counter() - started)

    def answer(self, question: Question) -> Answer:
        """The verified generated answer, or the extractive one."""
        return self.generate(question).answer

    async def stream(self, question: Question, compute: Compute | None = None
                     ) -> AsyncIterator[AnswerStart | AnswerDelta | AnswerDone]:
        """Yield AnswerStart, then each verified sentence as it is written, then AnswerDone."""
        run: Compute = compute or asyncio.to_thread
        language, result = await run(self.extractive.search, question)
        if self.extractive.abstains(result):
            yield AnswerDone(self._mark(self.extractive.compose(question, language, result)), False)
            return
        sources = await run(self.sources, question, language, result)
        verifier = await run(self.verifier, sources, language)
        yield AnswerStart(language, [s.citation for s in sources])
        splitter, raw, shown, closed = SentenceSplitter(), [], [], False
        try:
            async for piece in self.model.stream(self.messages(question, language, sources)):
                raw.append(piece)
                for sentence in splitter.feed(piece):
                    check = verifier.check(sentence)
                    closed = closed or check.kind == NOT_COVERED
                    if check.keep and not closed:
                        shown.append(sentence)
                        yield AnswerDelta(sentence)
        except LLMError as exc:
            yield AnswerDone(self.fallback(question, language, result, exc.kind, [str(exc)]), bool(shown))
            return
        for sentence in splitter.flush():
            check = verifier.check(sentence)
            if check.keep and not closed and check.kind != NOT_COVERED:
                shown.append(sentence)
                yield AnswerDelta(sentence)
        answer = self.finish(question, language, result, sources, verify("".join(raw), verifier))
        streamed = "".join(shown).strip()
        yield AnswerDone(answer, bool(streamed) and (answer.abstained or answer.body != streamed))

    def finish(self, question: Question, language: str, result: SearchResult, sources: list[Source],
               verdict: Verdict) -> Answer:
        """Serve the verified reply, repaired when needed; abstain on NOT_COVERED; else fall back."""
        disclaimer = t("disclaimer", language)
        base = Answer(question.text, language, "", False, [], disclaimer, generated=True, model=self.model.name,
                      prompt_version=self.prompt.version, problems=tuple(verdict.problems))
        if verdict.kinds(NOT_COVERED):
            return replace(base, answer=t("abstain", language), abstained=True)
        if not verdict.usable(MAX_DROPPED_SHARE):
            reason = "empty" if not verdict.checks else "unverified"
            return self.fallback(question, language, result, reason, verdict.problems)
        notes = []
        if verdict.problems:
            log.warning("generated answer repaired, %d sentence(s) dropped: %s", len(verdict.problems),
                        "; ".join(verdict.problems))
            notes.append(t("generated_repaired", language))
        if verdict.kinds(PARTLY_COVERED):
            notes.append(t("generated_partly", language))
        cited = sorted({n for check in verdict.checks if check.keep for n in check.cited})
        body = verdict.text
        return replace(base, answer="\n\n".join([body, *notes, disclaimer]), body=body, notes=tuple(notes),
                       citations=[sources[n - 1].citation for n in cited])

    def fallback(self, question: Question, language: str, result: SearchResult, reason: str,
                 problems: list[str]) -> Answer:
        """The extractive answer in place of a generated one, with the reason logged and recorded."""
        log.warning("generated answer replaced by the extractive answer (%s): %s", reason,
                    "; ".join(problems) or "no detail")  # never the user's question: logs hold no message texts
        log.debug("the question of that answer: %r", question.text[:200])
        answer = self.extractive.compose(question, language, result)
        note = t("generated_replaced" if reason in UNVERIFIABLE else "generated_unavailable", language)
        return replace(self._mark(answer), fallback_reason=reason, problems=tuple(problems), notes=(note,))

    def _mark(self, answer: Answer) -> Answer:
        return replace(answer, model=self.model.name, prompt_version=self.prompt.version)


def rewrite_followup(model: ChatModel, history: Sequence[tuple[str, str]], followup: str,
                     language: str) -> str | None:
    """A standalone question for ``followup`` given the thread's (role, text) ``history``; None when it fails."""
    prompt = load_prompt("rewrite")
    lines = [f"{'Assistant' if role == 'assistant' else 'User'}: {' '.join(text.split())[:HISTORY_CHARS]}"
             for role, text in history]
    messages = prompt.messages(history="\n".join(lines), followup=followup.strip(),
                               language_name=language_name(language))
    try:
        reply = model.complete(messages)
    except LLMError as exc:
        log.warning("follow-up not rewritten (%s): %s", exc.kind, exc)
        return None
    question = re.sub(r"^(question|spørgsmål|fråga|frage)\s*:\s*", "", reply.strip().strip('"“”'), flags=re.I)
    if not question or "\n" in question or len(question) > max(MAX_QUESTION_CHARS, 3 * len(followup)):
        log.warning("follow-up rewrite rejected: %r", reply[:200])
        return None
    return question
