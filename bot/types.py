"""Platform-neutral request and result types shared by the core and every handler."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Question:
    """A rule question as asked by a user on any surface."""

    text: str
    language: str | None = None
    jurisdiction: str | None = None
    top_k: int | None = None
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citation:
    """One quoted provision that supports an answer."""

    n: int
    source: str
    title: str
    section: str
    text: str
    score: float
    url: str | None
    law: str = ""
    jurisdiction: str = ""
    language: str = ""

    @property
    def label(self) -> str:
        """Human-readable citation, e.g. ``LOU 6 kap. 30 §`` or ``GWB § 119``."""
        if self.law and not self.section.startswith(self.law):
            return f"{self.law} {self.section}".strip()
        return self.section or self.title


@dataclass(frozen=True)
class Answer:
    """The bot's answer to a question, with its citations and whether it abstained."""

    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    disclaimer: str = ""

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of ``ask --json``."""
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [
                {k: v for k, v in asdict(c).items() if k in _CITATION_FIELDS} | {"label": c.label}
                for c in self.citations
            ],
        }


_CITATION_FIELDS = ("n", "source", "title", "section", "text", "score", "url")
