"""Rank-level helpers: reciprocal-rank fusion and the provision-diverse top list."""

from __future__ import annotations

import numpy as np

from bot.knowledge.fusion import diversify, reciprocal_rank_fusion


def test_a_second_subparagraph_of_a_provision_yields_to_a_close_neighbour() -> None:
    scores = {0: 2.00, 1: 1.95, 2: 1.90, 3: 1.80}
    keys = {0: ("gwb.md", "§ 123"), 1: ("gwb.md", "§ 123"), 2: ("gwb.md", "§ 123"), 3: ("gwb.md", "§ 126")}
    ranked = diversify(scores, keys, 0.9, 3)
    assert [i for i, _ in ranked] == [0, 3, 1]
    assert ranked[0][1] == 2.00 and abs(ranked[2][1] - 1.95 * 0.9) < 1e-9


def test_a_far_better_repeat_keeps_its_place_and_no_penalty_keeps_the_order() -> None:
    scores = {0: 2.0, 1: 1.9, 2: 1.0}
    keys = {0: "a", 1: "a", 2: "b"}
    assert [i for i, _ in diversify(scores, keys, 0.9, 3)] == [0, 1, 2]
    assert diversify(scores, keys, 1.0, 2) == [(0, 2.0), (1, 1.9)]
    assert diversify({}, {}, 0.9, 5) == []


def test_reciprocal_rank_fusion_adds_keyword_ranks_to_dense_ranks() -> None:
    fused = reciprocal_rank_fusion([(5, 0.9), (7, 0.8)], np.array([0, 0, 0, 0, 0, 0, 0, 3.0, 0.0]), 60, 10)
    assert fused[7] > fused[5] and set(fused) == {5, 7}
    assert reciprocal_rank_fusion([(1, 0.5)], None, 60, 10) == {1: 1.0 / 61}
