"""CPV 2008 codes: normalisation, the hierarchy (division, group, class, category) and labels in four languages."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.matching.models import CpvCode

DIVISIONS_FILE = PROJECT_ROOT / "corpus" / "cpv" / "divisions.csv"
LANGUAGES = ("en", "da", "sv", "de")
_CODE = re.compile(r"^\s*(\d{8})(?:-\d)?\b")
_LEVEL_WEIGHT = {2: 0.4, 3: 0.6, 4: 0.8}
DIVISIONS = frozenset("03 09 14 15 16 18 19 22 24 30 31 32 33 34 35 37 38 39 41 42 43 44 45 48 50 51 55 60 63 64 65 "
                      "66 70 71 72 73 75 76 77 79 80 85 90 92 98".split())


def normalize_code(raw: object) -> str | None:
    """``"90500000-2"``, ``"90500000 Refuse…"`` or ``90500000`` → ``"90500000"``; None when not a CPV 2008 code."""
    text = str(raw).strip()
    if re.fullmatch(r"\d{7}(-\d)?", text):  # a spreadsheet dropped the leading zero
        text = "0" + text
    match = _CODE.match(text)
    return match.group(1) if match and match.group(1)[:2] in DIVISIONS else None


def level(code: str) -> int:
    """Significant digits of a code: 2 = division, 3 = group, 4 = class, 5 = category, up to 8."""
    return max(2, len(code.rstrip("0")))


def prefix(code: str, digits: int) -> str:
    """The ancestor of ``code`` at ``digits`` significant digits, e.g. prefix("90511000", 3) == "90500000"."""
    return code[:digits].ljust(8, "0")


def division(code: str) -> str:
    """The two-digit division of a code, e.g. ``"90"``."""
    return code[:2]


def ancestors(code: str) -> list[str]:
    """The code and its ancestors up to the division, most specific first."""
    return [prefix(code, n) for n in range(level(code), 1, -1)]


def similarity(a: str, b: str) -> float:
    """Closeness along the hierarchy: 1 for the same branch, 0.8 same class, 0.6 group, 0.4 division, else 0."""
    shared = 0
    while shared < 8 and a[shared] == b[shared]:
        shared += 1
    la, lb = level(a), level(b)
    if shared >= min(la, lb):  # one is the other or an ancestor of it
        return 1.0 if min(la, lb) >= 3 else 0.7
    return _LEVEL_WEIGHT.get(min(shared, 4), 0.0) if shared >= 2 else 0.0


@dataclass
class CpvCatalog:
    """Labels per code and language, plus search keywords of the shipped divisions."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    keywords: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session | None = None, divisions_file: Path = DIVISIONS_FILE) -> CpvCatalog:
        """The shipped divisions overlaid with every code in the database."""
        catalog = cls()
        with divisions_file.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = normalize_code(row["CODE"])
                if code:
                    catalog.labels[code] = {lang: row[lang.upper()] for lang in LANGUAGES if row.get(lang.upper())}
                    catalog.keywords[code] = row.get("KEYWORDS", "")
        if session is not None:
            for stored in session.execute(sa.select(CpvCode)).scalars():
                entry = catalog.labels.setdefault(stored.code, {})
                entry.update({lang: getattr(stored, lang) for lang in LANGUAGES if getattr(stored, lang)})
        return catalog

    def label(self, code: str, language: str = "en") -> str:
        """The code's label in ``language`` (else English, else any), or its nearest labelled ancestor's."""
        for candidate in ancestors(code):
            entry = self.labels.get(candidate)
            if entry:
                return entry.get(language) or entry.get("en") or next(iter(entry.values()))
        return ""

    def describe(self, code: str, language: str = "en") -> str:
        """``"90500000 Refuse and waste related services"``, or the nearest labelled ancestor's code and label."""
        for candidate in ancestors(code):
            entry = self.labels.get(candidate)
            if entry:
                return f"{candidate} {entry.get(language) or entry.get('en') or next(iter(entry.values()))}"
        return code
