"""Translated headings: a multilingual table of contents for the acts and notes in the knowledge base.

A Swedish paragraph sits under "Tröskelvärden och beräkning av värdet av en upphandling"; an English
question about "EU value limits" shares no word with it, and the small multilingual embedding model
matches across languages only loosely. The team's translations of every heading (``corpus/headings``)
are stored with each chunk ("Thresholds and calculation of the value of a procurement"), searched in
the asker's language, lent to cross-lingual questions by the retriever's own-language bridge, and
used as parallel text for the word lexicon (``lexicon.py``). They are not embedded: added to the
embedded text they crowded out the paragraph (README, "Evaluation").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.knowledge.keyword import tokenize
from bot.knowledge.tables import read_entries
from bot.language import LANGUAGES

_RENDERED_LINE = re.compile(r"^\[(da|sv|de|en)\] (.*)$", re.MULTILINE)

# Numbering in front of a heading's words: "5 kap.", "§ 97", "Teil 4 -", "LOU 4 kap. 13 § –", "Article 40 –".
_NUMBERING = re.compile(
    r"^(?:(?:LOU|LUF|LUK|GWB|VgV|UVgO|SektVO|BHO|KonzVgV|Udbudsloven|Tilbudsloven|(?:Directive|Direktiv|Richtlinie)\s+\d{4}/\d+/EU)\s+)?"
    r"(?:\d+\s?[a-z]?\s?kap\.(?:\s+\d+\s?[a-z]?\s?§§?)?|§§?\s*\d+[a-z]?(?:\s+(?:Abs\.|stk\.)\s*\d+[a-z]?)?,?"
    r"(?:\s+(?:Abs\.|stk\.)\s*\d+[a-z]?)?|(?:Teil|Kapitel|Abschnitt|Unterabschnitt|Chapter|Part|Afsnit|Avdelning)\s+\w+"
    r"|(?:Article|Artikel|art\.|Art\.)\s*\d+[a-z]?(?:\(\d+\))?)"
    r"\s*[-–—:.]?\s*",
    re.IGNORECASE,
)


def descriptive(heading: str) -> str:
    """A heading's words without its numbering: "§ 97 Grundsätze der Vergabe" -> "Grundsätze der Vergabe"."""
    text = " ".join(heading.replace("#", " ").split())
    previous = None
    while previous != text:
        previous, text = text, _NUMBERING.sub("", text, count=1).strip()
    return text


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class HeadingTranslations:
    """Translations of headings into da, sv, de and en, looked up by a heading's words in any language."""

    def __init__(self, entries: Iterable[dict[str, str]]) -> None:
        self._by_text: dict[str, dict[str, str]] = {}
        entries = list(entries)
        self.entries: list[dict[str, str]] = []
        # Part of every document's hash: a changed table re-chunks documents (unchanged texts stay cached).
        self.version = hashlib.sha256(repr(entries).encode()).hexdigest()[:12] if entries else ""
        for entry in entries:
            clean = {lang: " ".join(str(entry[lang]).split()) for lang in LANGUAGES if entry.get(lang)}
            self.entries.append(clean)
            for text in clean.values():
                self._by_text.setdefault(_key(text), clean)

    @classmethod
    def load(cls, folder: Path) -> HeadingTranslations:
        """Read every ``*.yaml`` list in ``folder``; a missing folder gives no translations."""
        return cls(read_entries(folder))

    def translate(self, headings: Sequence[str], language: str, nearest: int = 2) -> dict[str, list[str]]:
        """The other languages' versions of the ``nearest`` translated headings of a path, per language, in order.

        Only the innermost headings name a provision's topic; the act's title and its parts would dilute them.
        """
        entries = [e for e in (self._by_text.get(_key(descriptive(h))) for h in headings) if e]
        out: dict[str, list[str]] = {}
        for entry in entries[-nearest:] if nearest else []:
            for lang, text in entry.items():
                if lang != language and text not in out.setdefault(lang, []):
                    out[lang].append(text)
        return {lang: texts for lang, texts in out.items() if texts}

    def token_entries(self) -> list[dict[str, list[str]]]:
        """Every entry as keyword tokens per language: parallel text for the lexicon."""
        return [{lang: tokenize(text, lang) for lang, text in entry.items()} for entry in self.entries]

    @staticmethod
    def render(translations: dict[str, list[str]]) -> str:
        """One line per language, as stored in a chunk's metadata: "[en] Thresholds … · Definitions"."""
        return "\n".join(f"[{lang}] " + " · ".join(texts) for lang, texts in sorted(translations.items()))


def translation_lines(rendered: str) -> list[tuple[str, str]]:
    """(language, text) of each line of rendered translations."""
    return [(lang, text) for lang, text in _RENDERED_LINE.findall(rendered)]


def translation_tokens(rendered: str) -> list[str]:
    """Keyword tokens of rendered translations, each line tokenized in its own language."""
    return [tok for lang, text in translation_lines(rendered) for tok in tokenize(text, lang)]
