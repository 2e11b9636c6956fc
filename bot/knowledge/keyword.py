"""BM25 keyword search with language-aware stemming and stopwords (da, sv, de, en)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

import bm25s
import numpy as np
import snowballstemmer
from bm25s import stopwords as bm25_stopwords

_STEMMERS = {"da": "danish", "sv": "swedish", "de": "german", "en": "english"}
_STOPWORDS = {
    "da": set(bm25_stopwords.STOPWORDS_DANISH),
    "sv": set(bm25_stopwords.STOPWORDS_SWEDISH),
    "de": set(bm25_stopwords.STOPWORDS_GERMAN),
    "en": set(bm25_stopwords.STOPWORDS_EN),
}
_TOKEN = re.compile(r"[0-9a-zæøåäöüßéè]+")


_LOCAL = threading.local()


def _stemmer(language: str) -> snowballstemmer.stemmer:
    """This thread's stemmer: a snowball stemmer keeps its word in itself while stemming, so threads (the answer
    workers, the match index build) sharing one corrupt each other's stems or crash with an IndexError."""
    stemmers: dict[str, snowballstemmer.stemmer] = _LOCAL.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_STEMMERS.get(language, "english"))
    return stemmers[language]


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    return f"{language}:{_stemmer(language).stemWord(word)}"


def tokenize(text: str, language: str) -> list[str]:
    """Lower-case, drop stopwords, stem; tokens carry their language so stems never collide."""
    stop = _STOPWORDS.get(language, _STOPWORDS["en"])
    return [_stem(language, w) for w in _TOKEN.findall(text.lower()) if w not in stop and len(w) > 1]


class KeywordIndex:
    """An in-memory BM25 index over chunk texts, each tokenized in its own language."""

    def __init__(
        self, texts: Sequence[str], languages: Sequence[str], tokens: Sequence[list[str]] | None = None,
    ) -> None:
        """Index ``texts`` tokenized in their ``languages``, or the ready ``tokens`` (which may mix languages)."""
        self.size = len(texts) if tokens is None else len(tokens)
        self._languages = np.array(list(languages))
        corpus = tokens if tokens is not None else [tokenize(t, lang) for t, lang in zip(texts, languages, strict=True)]
        self._vocab: dict[str, int] = {}
        ids = [[self._vocab.setdefault(tok, len(self._vocab)) for tok in doc] or [0] for doc in corpus]
        self._bm25 = bm25s.BM25()
        if self.size and self._vocab:  # bm25s cannot index a corpus without a single token
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=self._vocab), show_progress=False)

    def scores(self, tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every chunk for the given (already tokenized) query."""
        known = [self._vocab[tok] for tok in set(tokens) if tok in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def languages(self) -> np.ndarray:
        """Language code of every indexed chunk, aligned with ``scores``."""
        return self._languages
