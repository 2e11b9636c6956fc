"""Evaluation as code: score retrieval and abstention on the committed dev set.

The evaluation store lives in ``<data_dir>/eval`` and holds the starter corpus plus the shared LOU,
GWB and VgV texts. Every retrieval variant is scored in the same run over the same questions, next
to a plain baseline (fixed-size chunks, dense only) built from the same documents.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, RetrievalSettings, Settings
from bot.knowledge.abstracts import canonical, cited_provision
from bot.knowledge.eval_store import EvalStores, build_eval_stores, shared_documents
from bot.knowledge.retrieval import Retriever, SearchResult

DEFAULT_DATASETS = sorted((PROJECT_ROOT / "eval" / "rules").glob("*.jsonl"))
DEFAULT_BASELINE = PROJECT_ROOT / "eval" / "rules_baseline.json"
VARIANTS = ("hybrid", "hybrid_no_diversity", "hybrid_no_situations", "hybrid_no_bridge", "hybrid_no_lexicon",
            "hybrid_no_headings", "hybrid_no_jurisdiction", "hybrid_no_glossary", "rrf", "dense", "plain_baseline")


@dataclass(frozen=True)
class EvalQuestion:
    """One dev-set question with the provisions that answer it (none: out of scope)."""

    id: str
    q: str
    lang: str
    expected: list[dict[str, str]]

    @property
    def in_scope(self) -> bool:
        """Whether the sources are expected to answer it."""
        return bool(self.expected)


def load_questions(paths: list[Path]) -> list[EvalQuestion]:
    """Read JSONL question files; a malformed line is an error naming file and line."""
    questions = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                questions.append(EvalQuestion(item["id"], item["q"], item["lang"], list(item.get("expected", []))))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: invalid question line ({exc})") from exc
    return questions


def section_matches(found: str, expected: str) -> bool:
    """``§ 119 Abs. 7`` answers ``§ 119``; ``§ 11`` does not answer ``§ 119``."""
    found, expected = " ".join(found.split()).lower(), " ".join(expected.split()).lower()
    return found == expected or found.startswith(expected + " ") or found.startswith(expected + ",")


def provision(act: str, section: str) -> tuple[str, str]:
    """A citation as (act, provision), whichever document it comes from: ``("lou", "5 kap. 3 §")``."""
    return canonical(*cited_provision(act, section))


def is_relevant(meta: dict[str, Any], expected: list[dict[str, str]], act_of: dict[str, str] | None = None) -> bool:
    """Whether a retrieved chunk cites one of the expected provisions.

    Strict (``act_of`` None): the expected file and section. By provision: the same act and section in any
    document, so a guideline note quoting "LOU 5 kap. 3 §" answers a question that expects the law text.
    """
    name = Path(str(meta.get("source", ""))).name
    sections = str(meta.get("sections") or meta.get("section") or "").split("|")
    for exp in expected:
        if name == exp["source"] and (not exp.get("section")
                                      or any(section_matches(s, exp["section"]) for s in sections)):
            return True
        if act_of is not None and exp.get("section"):
            want = provision(act_of.get(exp["source"], ""), exp["section"])
            found = [provision(str(meta.get("law") or ""), s) for s in sections]
            if want[0] and any(act == want[0] and section_matches(sec, want[1]) for act, sec in found):
                return True
    return False


def score_variant(
    retriever: Retriever, questions: list[EvalQuestion], language_of: dict[str, str], threshold: float,
    act_of: dict[str, str],
) -> dict[str, Any]:
    """recall@1/5/10, MRR, abstention figures overall, per language and cross-lingual."""
    rows = []
    started = time.perf_counter()
    for question in questions:
        result: SearchResult = retriever.search(question.q, question.lang, 10)
        relevant = [is_relevant(hit.chunk.meta, question.expected, act_of) for hit in result.hits]
        strict = [is_relevant(hit.chunk.meta, question.expected) for hit in result.hits]
        rank = relevant.index(True) + 1 if True in relevant else None
        source_languages = {language_of.get(e["source"], "") for e in question.expected}
        rows.append({
            "lang": question.lang, "in_scope": question.in_scope, "rank": rank,
            "strict_rank": strict.index(True) + 1 if True in strict else None,
            "cross": question.in_scope and question.lang not in source_languages,
            "abstained": result.confidence < threshold, "best": result.best_dense,
            "confidence": result.confidence,
        })
    elapsed = time.perf_counter() - started
    figures = _aggregate(rows)
    figures["by_language"] = {
        lang: _aggregate([r for r in rows if r["lang"] == lang]) for lang in ("da", "sv", "de", "en")
    }
    figures["cross_lingual"] = _aggregate([r for r in rows if r["cross"]])
    figures["same_language"] = _aggregate([r for r in rows if r["in_scope"] and not r["cross"]])
    figures["ms_per_query"] = round(1000 * elapsed / max(len(questions), 1), 1)
    return figures


def _aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scope = [r for r in rows if r["in_scope"]]
    out = [r for r in rows if not r["in_scope"]]
    n = len(scope)
    figures: dict[str, Any] = {"questions": n}
    if n:
        for k in (1, 5, 10):
            figures[f"recall@{k}"] = round(sum(1 for r in scope if r["rank"] and r["rank"] <= k) / n, 3)
        figures["mrr"] = round(sum(1 / r["rank"] for r in scope if r["rank"]) / n, 3)
        figures["strict_recall@5"] = round(sum(1 for r in scope if r["strict_rank"] and r["strict_rank"] <= 5) / n, 3)
        figures["false_abstention"] = round(sum(1 for r in scope if r["abstained"]) / n, 3)
    if out:
        figures["out_of_scope"] = len(out)
        figures["abstention"] = round(sum(1 for r in out if r["abstained"]) / len(out), 3)
    return figures


def evaluate(
    settings: Settings, questions: list[EvalQuestion], shared: Path | None, with_baseline: bool = True,
    progress: Any = None,
) -> dict[str, Any]:
    """Build (or reuse) the evaluation stores and score every variant."""
    stores: EvalStores = build_eval_stores(settings, shared, with_baseline, progress)
    threshold = settings.retrieval.abstain_below
    results: dict[str, Any] = {"dataset": {"questions": len(questions),
                                           "in_scope": sum(q.in_scope for q in questions),
                                           "documents": stores.documents, "chunks": stores.chunks}}
    for variant in VARIANTS:
        if variant == "plain_baseline" and not with_baseline:
            continue
        retriever = stores.retriever(variant)
        results[variant] = score_variant(retriever, questions, stores.language_of, threshold, stores.act_of)
    results["settings"] = {"abstain_below": threshold, **_retrieval_summary(settings.retrieval)}
    return results


def _retrieval_summary(retrieval: RetrievalSettings) -> dict[str, Any]:
    return {"keyword_weight_same_language": retrieval.keyword_weight_same_language,
            "keyword_weight_other_language": retrieval.keyword_weight_other_language,
            "candidates": retrieval.candidates, "rrf_k": retrieval.rrf_k}


def run_evaluation(args: argparse.Namespace, settings: Settings) -> int:
    """CLI entry of ``innobroker eval``: print figures, compare with and optionally write a baseline."""
    from bot.progress import TerminalProgress

    datasets = args.dataset or DEFAULT_DATASETS
    try:
        questions = load_questions(list(datasets))
    except (OSError, ValueError) as exc:
        print(f"innobroker eval: {exc}", file=sys.stderr)
        return 2
    shared = args.shared or (PROJECT_ROOT.parent / "shared" / "data")
    if not shared_documents(shared):
        print(f"innobroker eval: shared law texts not found under {shared}; scoring the starter corpus only",
              file=sys.stderr)
        shared = None
    with TerminalProgress(enabled=not args.json) as progress:
        results = evaluate(settings, questions, shared, not args.no_baseline, progress)
    # The committed baseline belongs to the dev set; another question set is compared only when asked to.
    compare = args.compare or (DEFAULT_BASELINE if DEFAULT_BASELINE.is_file() and not args.dataset else None)
    if compare and compare.is_file():
        results["baseline_file"] = str(compare)
        results["delta_vs_baseline"] = _delta(json.loads(compare.read_text(encoding="utf-8")), results)
    if args.write_baseline:
        args.write_baseline.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        _print_table(results)
    return 0


def _delta(baseline: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    keys = ("recall@1", "recall@5", "recall@10", "mrr", "abstention", "false_abstention")
    delta: dict[str, Any] = defaultdict(dict)
    for variant in VARIANTS:
        for key in keys:
            old, new = baseline.get(variant, {}).get(key), current.get(variant, {}).get(key)
            if isinstance(old, int | float) and isinstance(new, int | float):
                delta[variant][key] = round(new - old, 3)
    return dict(delta)


def _print_table(results: dict[str, Any]) -> None:
    header = f"{'variant':<24}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{'xR@5':>7}{'abst':>7}{'falseA':>8}{'ms/q':>8}"
    print(f"{results['dataset']['questions']} questions, {results['dataset']['chunks']} chunks")
    print(header)
    for variant in VARIANTS:
        row = results.get(variant)
        if not row:
            continue
        cross = row["cross_lingual"].get("recall@5", 0)
        print(f"{variant:<24}{row['recall@1']:>7.3f}{row['recall@5']:>7.3f}{row['recall@10']:>7.3f}"
              f"{row['mrr']:>7.3f}{cross:>7.3f}{row.get('abstention', 0):>7.3f}"
              f"{row.get('false_abstention', 0):>8.3f}{row['ms_per_query']:>8.1f}")
    hybrid = results.get("hybrid", {})
    for lang, figures in hybrid.get("by_language", {}).items():
        print(f"  hybrid {lang}: R@5 {figures.get('recall@5', 0):.3f}  abstention {figures.get('abstention', 0):.3f}")
