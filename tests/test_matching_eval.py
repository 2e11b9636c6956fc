"""The matching evaluation on the Swedish statistics (small, embed-free sample to keep the suite fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_eval_reports_figures_beside_the_baseline(
    shared_data: Path, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "baseline.json"
    args = build_parser().parse_args(["eval", "matching", "--shared", str(shared_data), "--sample", "40",
                                      "--no-embeddings", "--write-baseline", str(out), "--json"])
    assert args.run(args, settings) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads(out.read_text(encoding="utf-8"))
    assert report["split"]["sample"] == 40 and report["split"]["eligible_queries"] > 500
    assert set(report["matcher"]) == {"winner_in_top10", "mrr_at_10", "cpv_division_in_top3", "peer_precision_at_5"}
    assert set(report["bm25_baseline"]) == {"winner_in_top10", "mrr_at_10"}
    assert report["semantic"] == {"query_embeddings": False, "title_embeddings": False}


def test_committed_baseline_meets_the_targets() -> None:
    report = json.loads((ROOT / "eval" / "matching_baseline.json").read_text(encoding="utf-8"))
    assert all(report["targets"].values()), report["targets"]
    assert report["split"]["sample"] == 300
