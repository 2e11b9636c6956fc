"""Matching evaluation on the Swedish 2021 statistics: earlier 80 % of procurements form the directory, later
procurements whose winners are already in it are the queries. Reports winner-in-top-10, MRR@10, CPV
division-in-top-3 and peer precision@5 beside a BM25 baseline over supplier profiles, computed in the same run."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import PROJECT_ROOT, Settings
from bot.db import Database
from bot.knowledge.embeddings import make_embedder
from bot.matching.importers import se_stats
from bot.matching.infer import query_tokens, top_positions
from bot.matching.records import OrgRecord, ParsedFile, ProcurementRecord, name_key
from bot.matching.store import DirectoryWriter

DATASET = Path("se-procurement-2021") / "awards_with_suppliers.csv"
TARGETS = {"winner_ratio_vs_bm25": 1.5, "peer_precision_at_5": 0.5, "cpv_division_in_top3": 0.7}


def split(parsed: ParsedFile, share: float = 0.8) -> tuple[list[ProcurementRecord], list[ProcurementRecord]]:
    """Procurements ordered by publication date (then id): the first ``share`` and the rest."""
    ordered = sorted(parsed.procurements, key=lambda p: (p.published or "", p.id))
    cut = int(len(ordered) * share)
    return ordered[:cut], ordered[cut:]


def run_matching_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Build the split directory in a scratch database, run the sampled queries, print (and maybe write) JSON."""
    from bot.matching.service import MatchService
    from bot.matching.types import Need

    shared = args.shared or PROJECT_ROOT.parent / "shared" / "data"
    source = shared / DATASET
    if not source.is_file():
        print(json.dumps({"skipped": f"{source} not found (shared data is only in the development workspace)"}))
        return 0
    started = time.perf_counter()
    parsed = se_stats.parse(source.read_text(encoding="utf-8"))
    directory, later = split(parsed)
    scratch = Path(tempfile.mkdtemp(prefix="innobroker-eval-matching-"))
    eval_settings = settings.model_copy(deep=True)
    eval_settings.data_dir = scratch
    eval_settings.matching.directory_dir = scratch / "no-sample"
    if args.no_embeddings:
        eval_settings.matching.embed_limit = 0
    database = Database(f"sqlite:///{scratch / 'eval.sqlite'}")
    with database.transaction() as session:
        DirectoryWriter(session, "se-procurement-stats").write(ParsedFile("eval", procurements=directory))
    embedder = None if args.no_embeddings else make_embedder(settings.embeddings, settings.cache_dir)
    service = MatchService(eval_settings, database=database, embedder=embedder)
    index = service.index()
    by_name = {key: pos for pos, key in enumerate(index.orgs.keys) if index.is_supplier[pos]}
    queries = []
    for record in later:
        winners = {by_name[name_key(s.name)] for s in record.suppliers
                   if isinstance(s, OrgRecord) and name_key(s.name) in by_name}
        if winners and record.cpv:
            queries.append((record, winners))
    sample = random.Random(args.seed).sample(queries, min(args.sample, len(queries)))
    group_buyers = _buyers_by_group(index)
    matcher, baseline = _Scores(), _Scores()
    for record, winners in sample:
        assert isinstance(record.buyer, OrgRecord)
        buyer = f"se-{record.buyer.national_id}"
        result = service.match(Need(record.title, buyer if buyer in index.orgs.position else None, "SE", 10, "sv"))
        ranked = [index.orgs.position[s.id] for s in result.suppliers]
        matcher.add_suppliers(ranked, winners)
        matcher.cpv.append(record.cpv[0][:2] in {c.code[:2] for c in result.cpv[:3]})
        peers = [index.orgs.position[p.id] for p in result.peers[:5]]
        correct = group_buyers.get(record.cpv[0][:3], set())
        matcher.peers.append(sum(p in correct for p in peers) / 5)
        scores = index.org_keyword.scores(query_tokens(record.title, "sv")) * index.is_supplier
        baseline.add_suppliers([int(s) for s in top_positions(scores, 10)], winners)
    report = _report(args, service, directory, later, queries, sample, matcher, baseline, started)
    if args.write_baseline:
        args.write_baseline.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False) if args.json else json.dumps(report, indent=2, ensure_ascii=False))
    database.dispose()
    return 0


def _buyers_by_group(index: Any) -> dict[str, set[int]]:
    """CPV group (first three digits) → buyers with a procurement in it, from the directory part only."""
    groups: dict[str, set[int]] = {}
    for proc, codes in enumerate(index.procs.cpv):
        for code in codes[:1]:
            groups.setdefault(code[:3], set()).add(int(index.procs.buyer[proc]))
    return groups


class _Scores:
    def __init__(self) -> None:
        self.hit: list[bool] = []
        self.reciprocal: list[float] = []
        self.cpv: list[bool] = []
        self.peers: list[float] = []

    def add_suppliers(self, ranked: list[int], winners: set[int]) -> None:
        """Record whether (and where) a true winner appears in the top 10."""
        rank = next((n for n, s in enumerate(ranked[:10], start=1) if s in winners), None)
        self.hit.append(rank is not None)
        self.reciprocal.append(1.0 / rank if rank else 0.0)

    def figures(self) -> dict[str, float]:
        """Mean of each metric over the queries."""
        out = {"winner_in_top10": _mean(self.hit), "mrr_at_10": _mean(self.reciprocal)}
        if self.cpv:
            out["cpv_division_in_top3"] = _mean(self.cpv)
        if self.peers:
            out["peer_precision_at_5"] = _mean(self.peers)
        return out


def _mean(values: list[Any]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def _report(args: argparse.Namespace, service: Any, directory: list[Any], later: list[Any], queries: list[Any],
            sample: list[Any], matcher: _Scores, baseline: _Scores, started: float) -> dict[str, Any]:
    ours, base = matcher.figures(), baseline.figures()
    ratio = round(ours["winner_in_top10"] / base["winner_in_top10"], 3) if base["winner_in_top10"] else None
    return {
        "dataset": str(DATASET),
        "split": {"directory_procurements": len(directory), "later_procurements": len(later),
                  "eligible_queries": len(queries), "sample": len(sample), "seed": args.seed,
                  "rule": "by publication date: directory = earlier 80 %, queries = later procurements whose "
                          "winners are already in the directory"},
        "matcher": ours,
        "bm25_baseline": base,
        "winner_ratio_vs_bm25": ratio,
        "targets": {"winner_ratio_vs_bm25": ratio is not None and ratio >= TARGETS["winner_ratio_vs_bm25"],
                    "peer_precision_at_5": ours["peer_precision_at_5"] >= TARGETS["peer_precision_at_5"],
                    "cpv_division_in_top3": ours["cpv_division_in_top3"] >= TARGETS["cpv_division_in_top3"]},
        "semantic": {"query_embeddings": service.semantic, "title_embeddings": service.semantic_titles},
        "seconds": round(time.perf_counter() - started, 1),
    }
