"""Rank-level helpers of retrieval: plain reciprocal-rank fusion and a provision-diverse top list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping

import numpy as np


def reciprocal_rank_fusion(
    dense_ranked: list[tuple[int, float]], keyword_scores: np.ndarray | None, k: int, candidates: int,
) -> dict[int, float]:
    """Plain RRF of the dense ranking and the best ``candidates`` keyword matches (``rrf`` and ``dense`` variants)."""
    fused = {idx: 1.0 / (k + rank + 1) for rank, (idx, _) in enumerate(dense_ranked)}
    if keyword_scores is not None:
        for rank, idx in enumerate(int(i) for i in np.argsort(-keyword_scores)[:candidates]):
            if keyword_scores[idx] <= 0:
                break
            fused[idx] = fused.get(idx, 0.0) + 1.0 / (k + rank + 1)
    return fused


def diversify(
    scores: Mapping[int, float], keys: Mapping[int, Hashable], penalty: float, top_k: int,
) -> list[tuple[int, float]]:
    """The ``top_k`` best items, each further item sharing a key with listed ones scaled by ``penalty`` once more.

    Three sub-paragraphs of one provision would otherwise fill the list on the strength of one match, pushing
    out the neighbouring provision that answers the question.
    """
    seen: Counter[Hashable] = Counter()
    left = dict(scores)
    ranked: list[tuple[int, float]] = []
    while left and len(ranked) < top_k:
        best, score = max(((i, s * penalty ** seen[keys[i]]) for i, s in left.items()), key=lambda pair: pair[1])
        ranked.append((best, score))
        seen[keys[best]] += 1
        del left[best]
    return ranked
