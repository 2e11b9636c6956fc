"""Team-written texts per provision in da, sv, de and en: a multilingual index of the acts' paragraphs.

Headings name a group of paragraphs ("Tröskelvärden"); the paragraph that answers a question is one of
several under it. Two tables, keyed by act and provision, let a question in any language reach the
paragraph by its words: the abstracts (``corpus/abstracts``) say what each provision of the LOU, GWB and VgV
rules, and the situations (``corpus/situations``) describe, in everyday words, cases in which a procurement
provision is the answer ("one bid is far cheaper than the others"), because askers describe their case
rather than name the law's term. Both are stored with a chunk and searched by keywords; neither is embedded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from bot.knowledge.keyword import tokenize
from bot.knowledge.tables import read_entries
from bot.language import LANGUAGES

_SUBPARAGRAPH = re.compile(r"(?:,\s*stk\.\s*\d+[a-z]?|\s+Abs\.\s*\d+[a-z]?|\(\d+[a-z]?\))$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^(?:direktiv|richtlinie)\b")
_ARTICLE = re.compile(r"^(?:article|artikel|art\.)\s*")


# A note's section label names its act ("LOU 5 kap. 3 §"); a law text's chunks carry the act in ``law``.
_CITED_ACT = re.compile(
    r"^(?P<act>LOU|LUF|GWB|VgV|UVgO|SektVO|Udbudsloven|Tilbudsloven|(?:Directive|Direktiv|Richtlinie) 2014/2[345]/EU)"
    r"\s+(?P<rest>.+)$", re.IGNORECASE,
)


def cited_provision(act: str, section: str) -> tuple[str, str]:
    """The act and section a chunk is about: its document's act, or the one its label cites ("LOU", "5 kap. 3 §")."""
    match = _CITED_ACT.match(" ".join(section.split()))
    return (match["act"], match["rest"]) if match else (act, section)


def provision_of(section: str) -> str:
    """The provision a chunk's section belongs to: "§ 97 Abs. 4" -> "§ 97", "§ 39, stk. 2" -> "§ 39"."""
    return _SUBPARAGRAPH.sub("", " ".join(section.split()))


def canonical(act: str, section: str) -> tuple[str, str]:
    """One lower-case spelling of a citation: ("Direktiv 2014/24/EU", "art. 74") -> ("directive …", "article 74")."""
    section = " ".join(section.split()).lower()
    return _DIRECTIVE.sub("directive", act.lower()), _ARTICLE.sub("article ", section).strip()


def _key(act: str, section: str) -> tuple[str, str]:
    """The table key of the provision a section belongs to, however its act and article are spelled."""
    return canonical(act, provision_of(section))


class ProvisionTable:
    """Per-language texts looked up by act and provision ("LOU", "6 kap. 15 §")."""

    def __init__(self, entries: Iterable[dict[str, str]]) -> None:
        entries = list(entries)
        self.version = hashlib.sha256(repr(entries).encode()).hexdigest()[:12] if entries else ""
        self._by_provision: dict[tuple[str, str], dict[str, str]] = {}
        for entry in entries:
            texts = {lang: " ".join(str(entry[lang]).split()) for lang in LANGUAGES if entry.get(lang)}
            key = _key(str(entry.get("act", "")), str(entry.get("section", "")))
            if key[0] and key[1] and texts:
                self._by_provision[key] = texts

    @classmethod
    def load(cls, folder: Path) -> ProvisionTable:
        """Read every ``*.yaml`` list in ``folder``; a missing folder gives an empty table."""
        return cls(read_entries(folder))

    def lookup(self, act: str, section: str) -> dict[str, str]:
        """The texts of the provision a chunk belongs to, per language; empty when there are none."""
        return self._by_provision.get(_key(act, section), {})

    def token_entries(self) -> list[dict[str, list[str]]]:
        """Every entry as keyword tokens per language: parallel text for the lexicon."""
        return [{lang: tokenize(text, lang) for lang, text in texts.items()} for texts in self._by_provision.values()]
