"""Platform-neutral request and result types of the matcher and of directory imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Need:
    """What a buyer is looking for, in any of da/sv/de/en."""

    text: str
    buyer_id: str | None = None
    country: str | None = None
    top: int = 10
    language: str | None = None


@dataclass(frozen=True)
class CpvGuess:
    """A CPV code inferred for a need, with its label in the need's language and a 0–1 score."""

    code: str
    label: str
    score: float


@dataclass(frozen=True)
class ContactPerson:
    """A contact person who consented to being shown."""

    name: str
    email: str | None


@dataclass(frozen=True)
class Suggestion:
    """A suggested supplier or peer buyer with human-readable reasons."""

    id: str
    name: str
    score: float
    reasons: list[str]
    country: str | None = None
    contact: ContactPerson | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"id","name","score","reasons"}`` (contacts stay out of the JSON contract)."""
        return {"id": self.id, "name": self.name, "score": self.score, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class MatchResult:
    """The matcher's answer to a need."""

    need: str
    language: str
    cpv: list[CpvGuess] = field(default_factory=list)
    suppliers: list[Suggestion] = field(default_factory=list)
    peers: list[Suggestion] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of ``match --json``."""
        return {
            "need": self.need,
            "cpv": [{"code": c.code, "label": c.label, "score": c.score} for c in self.cpv],
            "suppliers": [s.to_json() for s in self.suppliers],
            "peers": [p.to_json() for p in self.peers],
        }


@dataclass
class FileReport:
    """What happened to one imported file."""

    file: str
    format: str = "unknown"
    status: str = "imported"
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form of the file report."""
        return {"file": self.file, "format": self.format, "status": self.status, "accepted": self.accepted,
                "rejected": len(self.rejected), "rejections": self.rejected, "warnings": self.warnings,
                "counts": self.counts, "error": self.error}


@dataclass
class ImportReport:
    """The report of ``directory import`` over several files."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows accepted in files that were imported."""
        return sum(f.accepted for f in self.files if f.status == "imported")

    @property
    def rejected(self) -> int:
        """Rows rejected, over all files."""
        return sum(len(f.rejected) for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        """Files that were not imported at all."""
        return [f for f in self.files if f.status != "imported"]

    def to_json(self) -> dict[str, Any]:
        """JSON form of the whole report."""
        return {"accepted": self.accepted, "rejected": self.rejected, "failed_files": len(self.failed),
                "files": [f.to_json() for f in self.files]}
