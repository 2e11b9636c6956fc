"""Block Kit for generated answers: text with each ``[n]`` linked to its provision, sources, notes, disclaimer."""

from __future__ import annotations

from pathlib import PurePath

from bot.handlers.slack.blocks import Block, context, escape, link, sections
from bot.i18n import t
from bot.knowledge.sentences import render_citations, strip_citations
from bot.types import Answer, Citation

QUOTE_CHARS = 300


def mrkdwn_links(text: str, citations: list[Citation]) -> str:
    """Escaped mrkdwn with every ``[n]`` a link to the provision (plain ``[n]`` when it has no URL)."""
    rendered = {c.n: link(c.url, f"[{c.n}]") for c in citations if c.url}
    return render_citations(escape(text), rendered)


def markdown_links(text: str, citations: list[Citation]) -> str:
    """Markdown (for Slack's streaming methods) with every ``[n]`` a link to the provision."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    rendered = {c.n: f"[\\[{c.n}\\]]({c.url.replace(')', '%29')})" for c in citations if c.url}
    return render_citations(safe, rendered)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1] + "…"


def sources_blocks(answer: Answer) -> list[Block]:
    """The cited provisions: number, linked label, title and file, and a short quote."""
    if not answer.citations:
        return []
    lines = [f"*{escape(t('sources', answer.language))}*"]
    for c in answer.citations:
        label = link(c.url, c.label) if c.url else escape(c.label)
        title = f" — {escape(c.title)}" if c.title and c.title != c.label else ""
        source = f" · {escape(PurePath(c.source).name)}" if c.source else ""
        lines.append(f"*[{c.n}]* {label}{title}{source}\n> {escape(_quote(c.text))}")
    return sections("\n".join(lines))


def notes_blocks(answer: Answer) -> list[Block]:
    """Repair and coverage notes, then the not-legal-advice disclaimer."""
    return context(*(escape(note) for note in answer.notes), escape(answer.disclaimer))


def generated_blocks(answer: Answer) -> list[Block]:
    """A whole generated answer as blocks."""
    return [*sections(mrkdwn_links(answer.body, answer.citations)), *sources_blocks(answer), *notes_blocks(answer)]


def summary(answer: Answer) -> str:
    """Notification text of a generated answer: the text without markers."""
    return strip_citations(answer.body)
