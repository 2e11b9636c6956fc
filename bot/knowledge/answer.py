"""Extractive answers: quote the best provisions, cite them, or abstain when retrieval is weak."""

from __future__ import annotations

import re

from bot.i18n import t
from bot.knowledge.headings import translation_lines
from bot.knowledge.inert import sanitize
from bot.knowledge.keyword import tokenize
from bot.knowledge.retrieval import Hit, Retriever, SearchResult
from bot.language import detect_language
from bot.types import Answer, Citation, Question

_SENTENCE = re.compile(r"(?<=[.!?:;])\s+(?=[A-ZÄÖÅÆØÜ0-9(§–-])|\n{2,}")
QUOTE_CHARS = 420


def cite(hit: Hit, n: int, quote: str, language: str = "") -> Citation:
    """Turn a retrieved chunk into a numbered citation; a provision in another language than ``language`` carries
    the team's abstract in ``language`` where there is one."""
    meta = hit.chunk.meta
    abstract = dict(translation_lines(str(meta.get("abstract") or "")))
    summary = abstract.get(language, "") if language and language != meta.get("language") else ""
    return Citation(
        n=n, source=str(meta.get("source", "")), title=str(meta.get("title", "")),
        section=str(meta.get("section", "")), text=quote, score=round(hit.dense, 4),
        url=str(meta.get("url") or "") or None, law=str(meta.get("law", "")),
        jurisdiction=str(meta.get("jurisdiction", "")), language=str(meta.get("language", "")), summary=summary,
    )


def best_quote(text: str, query_tokens: dict[str, list[str]], language: str, limit: int = QUOTE_CHARS) -> str:
    """The sentences of ``text`` that share most terms with the query, in document order."""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    clean = " ".join(p for p in paragraphs if p)
    if len(clean) <= limit:
        return clean
    wanted = set(query_tokens.get(language, []))
    sentences = [s.strip() for p in paragraphs for s in _SENTENCE.split(p) if s and s.strip()]
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (-len(wanted & set(tokenize(sentences[i], language))), i),
    )
    chosen: list[int] = []
    used = 0
    for i in scored:
        if used + len(sentences[i]) > limit and chosen:
            continue
        chosen.append(i)
        used += len(sentences[i])
        if used >= limit * 0.6:
            break
    parts = []
    previous = -1
    for i in sorted(chosen):
        if i != previous + 1:
            parts.append("…")
        parts.append(sentences[i][:limit])
        previous = i
    if previous != len(sentences) - 1:
        parts.append("…")
    return " ".join(parts)


class ExtractiveAnswerer:
    """Answers by quoting retrieved provisions; no language model involved."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def search(self, question: Question) -> tuple[str, SearchResult]:
        """Detect the language and retrieve; shared with generated answers."""
        language = question.language or detect_language(question.text)
        top_k = question.top_k or self.retriever.settings.top_k
        filters = {"jurisdiction": question.jurisdiction.upper()} if question.jurisdiction else None
        return language, self.retriever.search(question.text, language, top_k, filters)

    def abstains(self, result: SearchResult) -> bool:
        """Whether retrieval is too weak to answer from."""
        return not result.hits or result.confidence < self.retriever.settings.abstain_below

    def answer(self, question: Question) -> Answer:
        """Quote and cite the best provisions, or abstain honestly."""
        language, result = self.search(question)
        return self.compose(question, language, result)

    def compose(self, question: Question, language: str, result: SearchResult) -> Answer:
        """The extractive answer for an existing search result (also the fallback of generated answers)."""
        disclaimer = t("disclaimer", language)
        if self.abstains(result):
            return Answer(question.text, language, t("abstain", language), True, [], disclaimer)
        citations = []
        lines = [t("intro", language), ""]
        for n, hit in enumerate(result.hits, start=1):
            chunk_language = str(hit.chunk.meta.get("language", language))
            text, _ = sanitize(hit.chunk.text)  # a document's "ignore your instructions …" is never quoted
            quote = best_quote(text, result.query_tokens, chunk_language)
            citation = cite(hit, n, quote, language)
            citations.append(citation)
            lines.append(f"[{n}] {citation.label} ({citation.title}): “{quote}”")
            if citation.summary:
                lines.append(f"    {t('in_short', language)}: {citation.summary}")
        lines += ["", disclaimer]
        return Answer(question.text, language, "\n".join(lines), False, citations, disclaimer)
