"""Hybrid retrieval: dense vectors, BM25 and translated headings, fused by score with language-aware weights.

Dense multilingual embeddings carry cross-lingual questions; BM25 sharpens same-language ones. Plain
reciprocal-rank fusion lets same-word matches in the *wrong* language push out the right provision,
so a keyword hit counts fully only in the asker's language and, through glossary and lexicon
expansion, with a smaller weight in the others. A question about another jurisdiction's law is first
answered from the asker's own-language sources, whose translated headings become keywords in the
law's language (the bridge). The team's everyday-language situations per provision meet questions that
describe a case instead of naming the law's term.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.config import RetrievalSettings
from bot.knowledge.abstracts import provision_of
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.fusion import diversify, reciprocal_rank_fusion
from bot.knowledge.glossary import Glossary
from bot.knowledge.headings import translation_lines, translation_tokens
from bot.knowledge.jurisdiction import JurisdictionGuess, infer_jurisdictions
from bot.knowledge.keyword import KeywordIndex, tokenize
from bot.knowledge.lexicon import Lexicon
from bot.knowledge.store import KnowledgeStore, StoredChunk

FILTER_KEYS = ("jurisdiction", "language", "source")
_JURISDICTION_LANGUAGE = {"DK": "da", "SE": "sv", "DE": "de", "EU": "en"}


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the evidence behind it."""

    chunk: StoredChunk
    score: float
    dense: float
    keyword: float


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits plus the signals used to decide on abstention."""

    hits: list[Hit]
    best_dense: float
    query_tokens: dict[str, list[str]]
    domain_concepts: int = 0
    domain_bonus: float = 0.0
    jurisdictions: JurisdictionGuess | None = None
    cross_language_bonus: float = 0.0

    @property
    def confidence(self) -> float:
        """Best dense similarity, raised when the question uses procurement vocabulary or crosses languages."""
        return self.best_dense + (self.domain_bonus if self.domain_concepts else 0.0) + self.cross_language_bonus


@dataclass(frozen=True)
class _Query:
    """A question prepared once for both passes of a search: its vector and its expanded keyword tokens."""

    vector: np.ndarray
    language: str
    tokens: dict[str, list[str]]
    concepts: int
    guess: JurisdictionGuess | None


class Retriever:
    """Searches one knowledge store; the keyword index is built once and rebuilt on ``refresh``."""

    def __init__(
        self, store: KnowledgeStore, embedder: CachedEmbedder, settings: RetrievalSettings, glossary: Glossary,
        mode: str = "hybrid", lexicon: Lexicon | None = None,
    ) -> None:
        self._store = store
        self._lexicon = lexicon
        self._embedder = embedder
        self.settings = settings
        self._glossary = glossary
        self.mode = mode
        self._lock = threading.Lock()
        self._chunks: list[StoredChunk] = []
        self._by_id: dict[str, int] = {}
        self._index: KeywordIndex | None = None
        self._headings: KeywordIndex | None = None
        self._situations: KeywordIndex | None = None
        self._meta: dict[str, np.ndarray] = {}

    def refresh(self) -> None:
        """Reload chunk texts and rebuild the keyword index from the store."""
        chunks = self._store.all_chunks()
        languages = [str(c.meta.get("language", "en")) for c in chunks]
        index = KeywordIndex([c.context for c in chunks], languages)
        # Heading translations and situations are indexes of their own, each line tokenized in its own language.
        headings, situations = (
            KeywordIndex([], languages, [translation_tokens(str(c.meta.get(key) or "")) for c in chunks])
            for key in ("translations", "situations"))
        meta = {key: np.array([str(c.meta.get(key, "")) for c in chunks]) for key in FILTER_KEYS}
        with self._lock:
            self._chunks, self._index, self._meta = chunks, index, meta
            self._headings, self._situations = headings, situations
            self._by_id = {c.id: i for i, c in enumerate(chunks)}

    @property
    def size(self) -> int:
        """Number of searchable chunks."""
        if self._index is None:
            self.refresh()
        return len(self._chunks)

    def search(self, text: str, language: str, top_k: int, filters: dict[str, str] | None = None) -> SearchResult:
        """Rank chunks for ``text`` asked in ``language``, honouring metadata ``filters``."""
        if self._index is None:
            self.refresh()
        assert self._index is not None
        filters = {k: v for k, v in (filters or {}).items() if v and k in FILTER_KEYS}
        guess = self._jurisdictions(text, language, filters)
        vector = self._embedder.embed_query(text)
        tokens: dict[str, list[str]] = {language: tokenize(text, language)}
        concepts = self._glossary.matches(tokens[language], language)
        expansions = []
        if self.settings.glossary_expansion:
            expansions.append(self._glossary.expand(concepts))
        if self.settings.lexicon_expansion and self._lexicon is not None:
            expansions.append(self._lexicon.translate(tokens[language]))
        for expansion in expansions:
            for lang, extra in expansion.items():
                tokens[lang] = tokens.get(lang, []) + extra
        query = _Query(vector, language, tokens, len(concepts), guess)
        return self._search(query, top_k, filters, self._bridge(query, filters))

    def _bridge(self, query: _Query, filters: dict[str, str]) -> dict[str, list[str]]:
        """Words in the asked-about law's language, from the translated headings of the asker's own-language hits.

        A Danish question about Swedish law shares few words with the Swedish text, but the Danish notes answer
        it well; the Swedish versions of their headings ("Onormalt låga anbud") are good Swedish search words.
        """
        codes = query.guess.codes if query.guess else ()
        targets = {_JURISDICTION_LANGUAGE.get(code, "") for code in codes} - {query.language, ""}
        if not targets or not self.settings.bridge_passages or self.mode != "hybrid":
            return {}
        own = self._search(query, self.settings.bridge_passages, {**filters, "language": query.language}, {})
        words: dict[str, list[str]] = {}
        for hit in own.hits:
            for lang, line in translation_lines(str(hit.chunk.meta.get("translations") or "")):
                if lang in targets:
                    words.setdefault(lang, []).extend(tokenize(line, lang))
        return words

    def _search(self, query: _Query, top_k: int, filters: dict[str, str], bridge: dict[str, list[str]]) -> SearchResult:
        assert self._index is not None
        n, vector, language, tokens, guess = (self.settings.candidates, query.vector, query.language, query.tokens,
                                              query.guess)
        dense_ranked = self._dense(vector, n, filters)
        if guess is not None:
            dense_ranked = self._with_jurisdiction_candidates(vector, n, filters, guess, dense_ranked)
        searched = {lang: tokens.get(lang, []) + bridge.get(lang, []) for lang in {*tokens, *bridge}}
        keyword_scores = self._keyword_scores(searched, filters) if self.mode != "dense" else None
        if self.mode == "hybrid":
            fused, dense_sim = self._fuse_scores(vector, dense_ranked, keyword_scores, tokens, language, filters, guess)
        else:
            fused = reciprocal_rank_fusion(dense_ranked, keyword_scores, self.settings.rrf_k, n)
            dense_sim = dict(dense_ranked)
        metas = {i: self._chunks[i].meta for i in fused}
        keys = {i: (str(m.get("source", "")), provision_of(str(m.get("section", "")))) for i, m in metas.items()}
        ranked = diversify(fused, keys, self.settings.repeat_penalty if self.mode == "hybrid" else 1.0, top_k)
        keyword_value = keyword_scores if keyword_scores is not None else np.zeros(len(self._chunks))
        hits = [Hit(self._chunks[i], score, dense_sim.get(i, 0.0), float(keyword_value[i])) for i, score in ranked]
        best_idx, best = max(dense_ranked[:top_k], key=lambda pair: pair[1], default=(-1, 0.0))
        # Similarities across languages run lower than within one for the same relevance.
        cross = best_idx >= 0 and self._index.languages()[best_idx] != language
        return SearchResult(hits, best, tokens, query.concepts, self.settings.domain_bonus, guess,
                            self.settings.cross_language_bonus if cross else 0.0)

    def _fuse_scores(
        self, vector: np.ndarray, dense_ranked: list[tuple[int, float]], keyword_scores: np.ndarray | None,
        tokens: dict[str, list[str]], language: str, filters: dict[str, str], guess: JurisdictionGuess | None,
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Weighted sum of dense closeness to the best match, language-weighted BM25 and translated headings.

        Scores, not ranks: across languages the similarities of the top hundred chunks lie within a few
        hundredths, so a rank says little, and a strong keyword match must be able to outweigh a small gap.
        """
        assert self._index is not None
        settings, n = self.settings, self.settings.candidates
        target = {language} | {_JURISDICTION_LANGUAGE.get(c, "") for c in (guess.codes if guess else ())}
        languages = self._index.languages()
        language_weight = np.where(
            languages == language, settings.keyword_weight_same_language,
            np.where(np.isin(languages, sorted(target)), settings.keyword_weight_target_language,
                     settings.keyword_weight_other_language))
        keyword = (np.zeros(len(self._chunks)) if keyword_scores is None else keyword_scores) * language_weight
        own = tokens[language]
        headings = self._filtered(self._headings, own, filters) if settings.heading_weight else keyword * 0
        situations = self._filtered(self._situations, own, filters) if settings.situation_weight else keyword * 0
        similarity = dict(dense_ranked)
        extra = [int(i) for scores in (keyword, headings, situations) for i in np.argsort(-scores)[:n] if scores[i] > 0]
        similarity.update(self._similarities(vector, sorted({i for i in extra if i not in similarity})))
        if not similarity:
            return {}, {}
        weight = {i: self._jurisdiction_weight(i, guess) if guess else 1.0 for i in similarity}
        best = max((sim for i, sim in similarity.items() if weight[i] >= 1.0), default=max(similarity.values()))
        top_keyword, top_heading, top_situation = (float(s.max(initial=0.0)) or 1.0
                                                   for s in (keyword, headings, situations))
        fused = {
            i: weight[i] * (max(0.0, 1.0 - (best - sim) / settings.dense_spread)
                            + settings.keyword_weight * float(keyword[i]) / top_keyword
                            + settings.heading_weight * float(headings[i]) / top_heading
                            + settings.situation_weight * float(situations[i]) / top_situation)
            for i, sim in similarity.items()
        }
        return fused, similarity

    def _similarities(self, vector: np.ndarray, indexes: list[int]) -> dict[int, float]:
        """Cosine similarity of chunks that came from keyword search only (their vectors fetched from the store)."""
        if not indexes:
            return {}
        vectors = self._store.embeddings([self._chunks[i].id for i in indexes])
        norm = float(np.linalg.norm(vector)) or 1.0
        out = {}
        for i in indexes:
            found = vectors.get(self._chunks[i].id)
            if found is not None:
                out[i] = float(found @ vector) / ((float(np.linalg.norm(found)) or 1.0) * norm)
        return out

    def _jurisdictions(self, text: str, language: str, filters: dict[str, str]) -> JurisdictionGuess | None:
        if not self.settings.jurisdiction_inference or "jurisdiction" in filters or self.mode != "hybrid":
            return None
        return infer_jurisdictions(text, language)

    def _jurisdiction_weight(self, idx: int, guess: JurisdictionGuess) -> float:
        juris = self._meta["jurisdiction"][idx]
        if juris in guess.codes:
            return 1.0
        if juris == "EU":
            return self.settings.eu_weight_explicit if guess.explicit else self.settings.eu_weight
        return self.settings.other_jurisdiction_weight

    def _with_jurisdiction_candidates(
        self, vector: np.ndarray, n: int, filters: dict[str, str], guess: JurisdictionGuess,
        ranked: list[tuple[int, float]],
    ) -> list[tuple[int, float]]:
        """Add the nearest chunks of the guessed jurisdictions, which a global top-n may have missed."""
        codes = sorted(set(guess.codes) | {"EU"})
        scoped = self._dense(vector, n, {**filters, "jurisdiction": codes})
        best: dict[int, float] = {idx: sim for idx, sim in ranked}
        for idx, sim in scoped:
            best.setdefault(idx, sim)
        return sorted(best.items(), key=lambda pair: -pair[1])

    def _dense(self, vector: np.ndarray, n: int, filters: dict[str, Any]) -> list[tuple[int, float]]:
        clauses = [{k: {"$in": v}} if isinstance(v, list) else {k: v} for k, v in filters.items()]
        where: dict[str, Any] | None = None
        if len(clauses) == 1:
            where = clauses[0]
        elif clauses:
            where = {"$and": clauses}
        # Over-fetch a little: chunks of an interrupted ingest are skipped here.
        found = self._store.query(vector, n + 10, where)
        return [(self._by_id[cid], sim) for cid, sim in found if cid in self._by_id][:n]

    def _filtered(self, index: KeywordIndex | None, tokens: list[str], filters: dict[str, str]) -> np.ndarray:
        """BM25 scores from one index, zero where a chunk fails the metadata ``filters``."""
        assert index is not None
        scores = index.scores(tokens)
        for key, value in filters.items():
            scores = np.where(self._meta[key] == value, scores, 0.0)
        return scores

    def _keyword_scores(self, tokens: dict[str, list[str]], filters: dict[str, str]) -> np.ndarray:
        return self._filtered(self._index, [tok for toks in tokens.values() for tok in toks], filters)
