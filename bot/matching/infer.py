"""From a need's text to similar past procurements and likely CPV codes (lexical + semantic evidence)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from bot.knowledge.keyword import tokenize
from bot.language import LANGUAGES
from bot.matching.cpv import ancestors, division, level
from bot.matching.index import MatchIndex
from bot.matching.types import CpvGuess

MIN_NEIGHBOUR_WEIGHT = 0.05
LABEL_HITS = 20
MAX_GUESSES = 5


@dataclass
class Evidence:
    """What the need's text retrieved: weighted neighbour procurements and a CPV vote table."""

    text: str
    tokens: list[str]
    vector: np.ndarray | None
    neighbours: dict[int, float]
    title_similarity: np.ndarray | None
    votes: dict[str, float]


def query_tokens(text: str, language: str) -> list[str]:
    """Tokens of the need in its language first, then in the other three (tokens carry their language)."""
    tokens = tokenize(text, language)
    for other in LANGUAGES:
        if other != language:
            tokens += tokenize(text, other)
    return tokens


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest positive scores, best first."""
    if not len(scores):
        return np.zeros(0, np.int64)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[scores[top] > 0]
    return top[np.argsort(-scores[top], kind="stable")]


def closeness(similarity: np.ndarray) -> np.ndarray:
    """Cosines → 0–1 weights that fall off exponentially below the best, on a scale set by their spread.

    Embedding models compress cosines into a narrow band (e5: 0.78–0.90), so the absolute value means little;
    the temperature is a quarter of the gap between the best and the median similarity.
    """
    if not len(similarity):
        return similarity
    best = float(similarity.max())
    temperature = max(1e-3, (best - float(np.median(similarity))) / 4)
    return np.exp((similarity - best) / temperature)


def gather(index: MatchIndex, text: str, language: str, vector: np.ndarray | None, k: int) -> Evidence:
    """Rank past procurements by fused BM25 and title similarity, and collect CPV votes."""
    tokens = query_tokens(text, language)
    lexical = index.proc_keyword.scores(tokens)
    weight = lexical / float(lexical.max()) if len(lexical) and lexical.max() > 0 else np.zeros(len(lexical))
    title_similarity = None
    if vector is not None and index.title_vectors is not None and len(index.title_vectors):
        title_similarity = (index.title_vectors @ vector)[index.title_row]
        weight = 0.5 * weight + 0.5 * closeness(title_similarity)
    picked = top_positions(weight, k)
    picked = picked[weight[picked] >= MIN_NEIGHBOUR_WEIGHT]
    best = float(weight[picked[0]]) if len(picked) else 1.0
    neighbours = {int(p): float(weight[p]) / best for p in picked}
    return Evidence(text, tokens, vector, neighbours, title_similarity, _votes(index, tokens, vector, neighbours))


def _votes(index: MatchIndex, tokens: list[str], vector: np.ndarray | None, neighbours: dict[int, float]) \
        -> dict[str, float]:
    votes: dict[str, float] = defaultdict(float)

    def vote(code: str, weight: float) -> None:
        for node in ancestors(code):
            votes[node] += weight

    for proc, weight in neighbours.items():
        for n, code in enumerate(index.procs.cpv[proc][:3]):
            vote(code, weight * (1.0 if n == 0 else 0.3))
    mass = sum(neighbours.values()) or 1.0
    label_scores = index.cpv_keyword.scores(tokens)
    hits = top_positions(label_scores, LABEL_HITS)
    if len(hits):
        top = float(label_scores[hits[0]])
        for pos in hits:
            vote(index.cpv_docs[pos], 0.25 * mass * float(label_scores[pos]) / top / len(hits) * 4)
    if vector is not None and index.division_vectors is not None and len(index.division_vectors):
        similarity = index.division_vectors @ vector
        best: dict[str, float] = {}
        for code, value in zip(index.division_codes, similarity, strict=True):
            best[code] = max(best.get(code, -1.0), float(value))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:3]
        for rank, (code, _) in enumerate(ranked):
            vote(code, 0.3 * mass / (1 + rank))
    return votes


def guesses(index: MatchIndex, votes: dict[str, float], language: str) -> list[CpvGuess]:
    """One code per likely division (most likely first), then narrower codes within the top division."""
    divisions = sorted(((c, v) for c, v in votes.items() if level(c) == 2), key=lambda kv: -kv[1])
    total = sum(v for _, v in divisions) or 1.0
    if not divisions:
        return []
    picked: list[tuple[str, float]] = []
    for code, mass in divisions[:3]:
        if mass < 0.05 * total:
            break
        picked.append((_consensus(votes, code, mass), mass / total))
    top_division, top_mass = divisions[0]
    children = sorted(((c, v) for c, v in votes.items() if division(c) == division(top_division) and level(c) > 2
                       and c not in {p for p, _ in picked}), key=lambda kv: (-kv[1], kv[0]))
    for code, mass in children:
        if len(picked) >= MAX_GUESSES or mass < 0.3 * top_mass:
            break
        picked.append((code, mass / total))
    return [CpvGuess(code, index.catalog.label(code, language), round(score, 3)) for code, score in picked]


def _consensus(votes: dict[str, float], division_code: str, mass: float) -> str:
    """The most specific code that still holds at least half of its division's votes."""
    best = division_code
    for code, value in votes.items():
        if division(code) == division(division_code) and value >= 0.5 * mass and level(code) > level(best):
            best = code
    return best
