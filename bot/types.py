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
    summary: str = ""  # the team's one-sentence abstract in the asker's language, for a provision in another

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
    generated: bool = False
    model: str = ""
    prompt_version: str = ""
    fallback_reason: str = ""
    problems: tuple[str, ...] = ()
    body: str = ""
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of ``ask --json``; ``generation`` is added only when a model is configured."""
        payload: dict[str, Any] = {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [
                {k: v for k, v in asdict(c).items() if k in _CITATION_FIELDS} | {"label": c.label}
                for c in self.citations
            ],
        }
        if self.model:
            payload["generation"] = {"generated": self.generated, "model": self.model,
                                     "prompt_version": self.prompt_version, "fallback_reason": self.fallback_reason,
                                     "problems": list(self.problems)}
        return payload


_CITATION_FIELDS = ("n", "source", "title", "section", "text", "score", "url", "summary")


@dataclass(frozen=True)
class AnswerStart:
    """A generated answer begins: its language and the numbered sources the model was given."""

    language: str
    citations: list[Citation]


@dataclass(frozen=True)
class AnswerDelta:
    """Verified text of a generated answer, whole sentences with their ``[n]`` markers, in order."""

    text: str


@dataclass(frozen=True)
class AnswerDone:
    """The final answer; ``replaces`` when it is not what was streamed so far (fallback or abstention)."""

    answer: Answer
    replaces: bool
