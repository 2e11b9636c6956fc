"""Validated, format-neutral records that every importer produces and the directory writer stores."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.matching.cpv import normalize_code

KINDS = ("buyer", "supplier")
SIZES = ("micro", "small", "medium", "large")
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


class RowError(ValueError):
    """A row that cannot be imported; the message is the reason shown in the report."""


def name_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key used to recognise the same organisation across sources."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", folded).strip()


def slug(text: str) -> str:
    """A short id fragment: ``"Göteborgs kommun"`` → ``"goteborgs-kommun"``."""
    return name_key(text).replace(" ", "-")[:120] or "x"


def clean(text: object) -> str:
    """Collapse whitespace of a text value (None → "")."""
    return _SPACE.sub(" ", str(text)).strip() if text is not None else ""


def cpv_list(values: object) -> list[str]:
    """Normalise a list (or ``;``-separated string) of CPV codes; raise RowError on an invalid one."""
    if values is None or values == "":
        return []
    items = values.split(";") if isinstance(values, str) else values
    if not isinstance(items, list):
        raise RowError(f"cpv must be a list of codes, not {type(values).__name__}")
    codes: list[str] = []
    for item in items:
        if str(item).strip() == "":
            continue
        code = normalize_code(item)
        if code is None:
            raise RowError(f"invalid CPV code {str(item)!r}")
        if code not in codes:
            codes.append(code)
    return codes


def text_list(values: object) -> list[str]:
    """A list (or ``;``-separated string) of non-empty strings."""
    if values is None or values == "":
        return []
    items = values.split(";") if isinstance(values, str) else values
    if not isinstance(items, list):
        raise RowError(f"expected a list, not {type(values).__name__}")
    return [clean(v) for v in items if clean(v)]


@dataclass
class OrgRecord:
    """An organisation; ``id`` None means "resolve by national id or name" (notices, statistics)."""

    name: str
    kind: str
    id: str | None = None
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    description: str = ""
    cpv: list[str] = field(default_factory=list)
    size: str | None = None
    website: str | None = None
    languages: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    contact_name: str | None = None
    contact_email: str | None = None
    contact_consent: bool = False
    national_id: str | None = None

    def validate(self) -> OrgRecord:
        """Check required fields and vocabularies; raise RowError with the reason."""
        self.name = clean(self.name)[:500]
        if not self.name:
            raise RowError("organisation without a name")
        self.national_id = clean(self.national_id)[:60] or None
        self.region = clean(self.region)[:160] or None
        self.sector = clean(self.sector)[:60] or None
        self.website = clean(self.website)[:500] or None
        if self.id is not None and len(self.id) > 160:
            raise RowError("id longer than 160 characters")
        if self.kind not in KINDS:
            raise RowError(f"kind must be buyer or supplier, not {self.kind!r}")
        if self.country is not None:
            self.country = clean(self.country).upper() or None
            if self.country is not None and not re.fullmatch(r"[A-Z]{2}", self.country):
                raise RowError(f"country must be a two-letter ISO code, not {self.country!r}")
        if self.size is not None and self.size not in SIZES:
            raise RowError(f"size must be one of {', '.join(SIZES)}, not {self.size!r}")
        if self.contact_email and "@" not in self.contact_email:
            raise RowError(f"invalid contact email {self.contact_email!r}")
        return self


@dataclass
class ProcurementRecord:
    """A past procurement; ``buyer`` and ``suppliers`` are ids (native) or OrgRecords (notices)."""

    id: str
    buyer: str | OrgRecord
    title: str
    description: str = ""
    cpv: list[str] = field(default_factory=list)
    year: int | None = None
    published: str | None = None
    procedure: str | None = None
    innovation: bool = False
    suppliers: list[str | OrgRecord] = field(default_factory=list)
    language: str | None = None
    row: int = 0

    def validate(self) -> ProcurementRecord:
        """Check required fields; raise RowError with the reason."""
        self.title = clean(self.title)
        self.procedure = clean(self.procedure)[:200] or None
        if not clean(self.id):
            raise RowError("procurement without an id")
        if len(self.id) > 200:
            raise RowError("id longer than 200 characters")
        if not self.buyer:
            raise RowError("procurement without a buyer")
        if not self.title:
            raise RowError("procurement without a title")
        if self.year is not None and not 1990 <= self.year <= 2100:
            raise RowError(f"implausible year {self.year}")
        if self.year is None and self.published:
            self.year = int(self.published[:4])
        return self


@dataclass
class SolutionRecord:
    """A supplier's solution or offer."""

    id: str
    supplier: str
    title: str
    description: str = ""
    cpv: list[str] = field(default_factory=list)
    row: int = 0


@dataclass
class NeedRecord:
    """An open need or challenge of a buyer."""

    id: str
    buyer: str
    title: str
    description: str = ""
    cpv: list[str] = field(default_factory=list)
    status: str = "open"
    row: int = 0


@dataclass
class Rejection:
    """A row that was not imported, and why."""

    row: int
    reason: str


@dataclass
class ParsedFile:
    """What an importer read from one file: records plus per-row rejections and warnings."""

    format: str
    organizations: list[OrgRecord] = field(default_factory=list)
    procurements: list[ProcurementRecord] = field(default_factory=list)
    solutions: list[SolutionRecord] = field(default_factory=list)
    needs: list[NeedRecord] = field(default_factory=list)
    rows: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cpv_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def reject(self, row: int, reason: str) -> None:
        """Record a rejected row."""
        self.rejected.append(Rejection(row, reason))

    @property
    def accepted(self) -> int:
        """Rows read minus rows rejected."""
        return self.rows - len(self.rejected)
