"""Verify a generated answer against its numbered sources, sentence by sentence.

Every ``[n]`` must name a source that was given. Every factual sentence (not a heading, a one-word lead-in or a
disclaimer) must cite a source, and the cited sources must support it: every number it states must occur in them,
and enough of its content words must too. Words are compared as snowball stems in the answer's language and the
source's language (compound words match by containment), widened across languages through the procurement
glossary. A same-language sentence needs half of its words in its sources; a sentence checked against sources in
another language needs two shared terms and a fifth of its words, which is weaker evidence (see docs/llm.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from bot.knowledge.glossary import Glossary
from bot.knowledge.keyword import tokenize
from bot.knowledge.sentences import citations, split_sentences, strip_citations

SUPPORT = 0.5
CROSS_LINGUAL_SUPPORT = 0.2
CROSS_LINGUAL_TERMS = 2
NOT_COVERED, PARTLY_COVERED = "NOT_COVERED", "PARTLY_COVERED"
_NUMBER_WORDS = {
    "en": "two three four five six seven eight nine ten eleven twelve",
    "da": "to tre fire fem seks syv otte ni ti elleve tolv",
    "sv": "två tre fyra fem sex sju åtta nio tio elva tolv",
    "de": "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
}
NUMBER_WORDS = {
    lang: {w: str(i) for i, w in enumerate(words.split(), start=2)} for lang, words in _NUMBER_WORDS.items()
}
_LEGAL_ADVICE = re.compile(r"legal advice|juridisk rådgivning|rechtsberatung|rechtliche beratung", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d)[.,\s\u00a0](?=\d{3}\b)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[a-zæøåäöüßéè]+")
_MARKUP = re.compile(r"^[\s>*_#•\-–]+|[*_`]+")


def numbers(text: str, language: str) -> set[str]:
    """The numbers a text states, digits or number words (``fire år`` and ``4 år`` both give ``4``)."""
    plain = _THOUSANDS.sub("", text)
    found = {n.replace(",", ".") for n in _NUMBER.findall(plain)}
    words = NUMBER_WORDS.get(language, {})
    return found | {words[w] for w in _WORD.findall(plain.lower()) if w in words}


def _content(tokens: list[str]) -> set[str]:
    return {t for t in tokens if not t.split(":", 1)[1].isdigit()}


@dataclass(frozen=True)
class Evidence:
    """One numbered source as the model saw it."""

    n: int
    text: str
    language: str


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence of the answer and what the verifier found (``problem`` empty when it may be shown)."""

    text: str
    kind: str
    cited: tuple[int, ...] = ()
    problem: str = ""
    precise: int = 0

    @property
    def keep(self) -> bool:
        """Whether the sentence stays in the answer."""
        return not self.problem and self.kind in ("factual", "heading", "filler")

    @property
    def supported(self) -> bool:
        """A factual sentence that passed every check."""
        return self.kind == "factual" and not self.problem


@dataclass(frozen=True)
class Verdict:
    """The checks of a whole answer and the figures derived from them."""

    checks: tuple[SentenceCheck, ...]

    @cached_property
    def factual(self) -> int:
        """Number of factual sentences."""
        return sum(c.kind == "factual" for c in self.checks)

    @cached_property
    def supported(self) -> int:
        """Number of factual sentences supported by the sources they cite."""
        return sum(c.supported for c in self.checks)

    @cached_property
    def cited(self) -> int:
        """Number of citation markers in the answer."""
        return sum(len(c.cited) for c in self.checks)

    @cached_property
    def precise(self) -> int:
        """Citation markers that name a given source which supports the sentence they are attached to."""
        return sum(c.precise for c in self.checks)

    @property
    def text(self) -> str:
        """The answer with every rejected sentence removed."""
        return "".join(c.text for c in self.checks if c.keep).strip()

    @property
    def problems(self) -> list[str]:
        """Why sentences were rejected, in order."""
        return [f"{c.problem}: {strip_citations(c.text)[:120]!r}" for c in self.checks if c.problem]

    def kinds(self, kind: str) -> bool:
        """Whether any sentence is of ``kind`` (e.g. NOT_COVERED)."""
        return any(c.kind == kind for c in self.checks)

    def usable(self, max_dropped_share: float = 0.5) -> bool:
        """At least one supported factual sentence, and at most ``max_dropped_share`` of them rejected."""
        return self.supported > 0 and (self.factual - self.supported) <= max_dropped_share * self.factual


class Verifier:
    """Checks sentences written in ``language`` against numbered ``evidence``."""

    def __init__(self, evidence: list[Evidence], language: str, glossary: Glossary) -> None:
        self.language = language
        self._evidence = {e.n: e for e in evidence}
        self._tokens = {e.n: self._evidence_tokens(e, glossary) for e in evidence}
        self._numbers = {e.n: numbers(e.text, e.language) | numbers(e.text, language) for e in evidence}

    def _evidence_tokens(self, evidence: Evidence, glossary: Glossary) -> set[str]:
        own = tokenize(evidence.text, evidence.language)
        tokens = set(own) | set(tokenize(evidence.text, self.language))
        expansion = glossary.expand(glossary.matches(own, evidence.language))
        return tokens | set(expansion.get(self.language, []))

    def check(self, sentence: str) -> SentenceCheck:
        """Classify one sentence and check its citations and support."""
        cited = tuple(citations(sentence))
        sentinel = re.sub(r"[^A-Z_]", "", strip_citations(sentence))
        if sentinel in (NOT_COVERED, PARTLY_COVERED):
            return SentenceCheck(sentence, sentinel)
        plain = _MARKUP.sub("", strip_citations(sentence)).strip()
        unknown = [n for n in cited if n not in self._evidence]
        content = _content(tokenize(plain, self.language))
        stated = numbers(plain, self.language)
        if _LEGAL_ADVICE.search(plain):
            kind = "meta"
        elif sentence.lstrip().startswith("#") or (plain.endswith(":") and not cited):
            kind = "heading"
        elif len(content) < 2 and not stated:
            kind = "filler"
        else:
            kind = "factual"
        if unknown:
            listed = ", ".join(f"[{n}]" for n in unknown)
            return SentenceCheck(sentence, kind, cited, f"cites {listed}, not one of the {len(self._evidence)} sources")
        if kind != "factual":
            return SentenceCheck(sentence, kind, cited)
        if not cited:
            return SentenceCheck(sentence, kind, cited, "states a fact without citing a source")
        problem = self._unsupported(content, stated, set(cited), SUPPORT)
        precise = sum(not self._unsupported(content, stated, {n}, SUPPORT / 2) for n in cited)
        return SentenceCheck(sentence, kind, cited, problem, 0 if problem else precise)

    def _unsupported(self, content: set[str], stated: set[str], cited: set[int], threshold: float) -> str:
        """Why the cited sources do not support the sentence, or an empty string."""
        labels = "".join(f"[{n}]" for n in sorted(cited))
        known = set().union(*(self._numbers[n] for n in cited))
        missing = sorted(stated - known)
        if missing:
            return f"states {', '.join(missing)}, which {labels} does not"
        evidence = set().union(*(self._tokens[n] for n in cited))
        matched = sum(1 for t in content if t in evidence or _compound(t, evidence))
        coverage = matched / len(content) if content else 1.0
        same_language = any(self._evidence[n].language == self.language for n in cited)
        if coverage >= threshold:
            return ""
        cross_threshold = threshold * CROSS_LINGUAL_SUPPORT / SUPPORT
        if not same_language and matched >= CROSS_LINGUAL_TERMS and coverage >= cross_threshold:
            return ""
        return f"not supported by {labels} ({matched} of {len(content)} words found)"


def _compound(token: str, evidence: set[str]) -> bool:
    """``da:dialog`` is found in ``da:markedsdialog`` (and the reverse) for stems of five letters or more."""
    language, stem = token.split(":", 1)
    if len(stem) < 5:
        return False
    prefix = f"{language}:"
    stems = (e[len(prefix):] for e in evidence if e.startswith(prefix))
    return any(len(other) >= 5 and (stem in other or other in stem) for other in stems)


def verify(text: str, verifier: Verifier) -> Verdict:
    """Check every sentence of a whole answer, split exactly as a stream of it would be."""
    return Verdict(tuple(verifier.check(s) for s in split_sentences(text)))
