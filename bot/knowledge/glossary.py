"""A multilingual glossary of procurement terms for cross-lingual keyword expansion."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.keyword import tokenize
from bot.knowledge.tables import read_entries
from bot.language import LANGUAGES


class Glossary:
    """Concepts with their terms per language; expands a query into the other languages."""

    def __init__(self, concepts: list[dict[str, list[str]]]) -> None:
        self._concepts = [
            {lang: [tuple(tokenize(term, lang)) for term in concept.get(lang, [])] for lang in LANGUAGES}
            for concept in concepts
        ]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read the YAML glossary; a missing file gives an empty glossary."""
        return cls(read_entries(path))

    def token_entries(self) -> list[dict[str, list[str]]]:
        """Every concept as the keyword tokens of all its terms, per language: parallel text for the lexicon."""
        return [{lang: [tok for term in terms for tok in term] for lang, terms in concept.items()}
                for concept in self._concepts]

    def matches(self, query_tokens: list[str], language: str) -> list[int]:
        """Indexes of the concepts one of whose terms occurs in the query."""
        present = set(query_tokens)
        return [i for i, concept in enumerate(self._concepts)
                if any(term and set(term) <= present for term in concept.get(language, []))]

    def expand(self, concepts: list[int]) -> dict[str, list[str]]:
        """Tokens per language of the given concepts' terms."""
        expansion: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        for index in concepts:
            for lang, terms in self._concepts[index].items():
                for term in terms:
                    expansion[lang].extend(term)
        return {lang: tokens for lang, tokens in expansion.items() if tokens}
