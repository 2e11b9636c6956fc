"""``innobroker eval --generate``: how faithful and how precisely cited the configured model's answers are.

Over the dev set, each question is answered by the configured model from the evaluation store. On the model's raw
replies (before any repair), **faithfulness** is the share of factual sentences that the verifier finds supported
by the sources they cite, and **citation precision** the share of ``[n]`` markers that name a given source which
supports their sentence. Also reported: answers served as generated, repaired or replaced (and why), how often an
expected provision is cited, abstention on out-of-scope questions, and seconds per answer. Without a model the
command says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, Settings
from bot.knowledge.answer import ExtractiveAnswerer
from bot.knowledge.eval_store import build_eval_stores, shared_documents
from bot.knowledge.evaluate import DEFAULT_DATASETS, EvalQuestion, is_relevant, load_questions
from bot.knowledge.generate import GroundedAnswerer
from bot.knowledge.llm import make_chat_model
from bot.types import Question

SKIP = ("no language model is configured (llm.provider: none), so generated answers were not scored; "
        "configure llm.* in app.yaml (see docs/llm.md)")


def score_question(generator: GroundedAnswerer, question: EvalQuestion) -> dict[str, Any]:
    """Generate one answer and record what the verifier found."""
    result = generator.generate(Question(question.q, question.lang))
    answer, verdict = result.answer, result.verdict
    cited = [{"source": Path(c.source).name, "section": c.section} for c in answer.citations]
    return {
        "id": question.id, "lang": question.lang, "in_scope": question.in_scope,
        "factual": verdict.factual if verdict else 0, "supported": verdict.supported if verdict else 0,
        "cited": verdict.cited if verdict else 0, "precise": verdict.precise if verdict else 0,
        "generated": answer.generated, "abstained": answer.abstained, "fallback": answer.fallback_reason,
        "repaired": bool(answer.generated and answer.problems and not answer.abstained),
        "expected_cited": answer.generated and any(is_relevant(c, question.expected) for c in cited),
        "seconds": round(result.seconds, 3),
    }


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Faithfulness, citation precision and outcome shares over scored rows."""
    scope = [r for r in rows if r["in_scope"]]
    out = [r for r in rows if not r["in_scope"]]
    answered = [r for r in scope if r["generated"] and not r["abstained"]]
    figures: dict[str, Any] = {
        "questions": len(rows),
        "faithfulness": _ratio(sum(r["supported"] for r in rows), sum(r["factual"] for r in rows)),
        "citation_precision": _ratio(sum(r["precise"] for r in rows), sum(r["cited"] for r in rows)),
        "generated": _ratio(len(answered), len(scope)),
        "repaired": _ratio(sum(r["repaired"] for r in scope), len(scope)),
        "replaced": _ratio(sum(bool(r["fallback"]) for r in scope), len(scope)),
        "expected_cited": _ratio(sum(r["expected_cited"] for r in answered), len(answered)),
        "false_abstention": _ratio(sum(r["abstained"] for r in scope), len(scope)),
        "abstention": _ratio(sum(r["abstained"] for r in out), len(out)),
        "seconds_per_answer": _ratio(sum(r["seconds"] for r in rows), len(rows)),
        "fallback_reasons": dict(Counter(r["fallback"] for r in rows if r["fallback"])),
    }
    return figures


def _questions(args: argparse.Namespace) -> list[EvalQuestion]:
    questions = []
    for path in args.dataset or DEFAULT_DATASETS:
        loaded = load_questions([path])
        questions += loaded[: args.limit] if args.limit else loaded
    return questions


def run_generate_eval(args: argparse.Namespace, settings: Settings) -> int:
    """CLI entry of ``innobroker eval --generate``."""
    from bot.progress import TerminalProgress

    if not settings.llm.enabled:
        print(f"innobroker eval --generate: skipped: {SKIP}", file=sys.stderr)
        if args.json:
            print(json.dumps({"generate": "skipped", "reason": SKIP}))
        return 0
    try:
        questions = _questions(args)
    except (OSError, ValueError) as exc:
        print(f"innobroker eval: {exc}", file=sys.stderr)
        return 2
    shared = args.shared or (PROJECT_ROOT.parent / "shared" / "data")
    with TerminalProgress(enabled=not args.json) as progress:
        stores = build_eval_stores(settings, shared if shared_documents(shared) else None, False, progress)
    model = make_chat_model(settings.llm)
    assert model is not None
    answerer = ExtractiveAnswerer(stores.retriever("hybrid"))
    generator = GroundedAnswerer(answerer, model, settings.llm, stores.tables.glossary)
    rows = [score_question(generator, q) for q in questions]
    results = {"model": model.name, "prompt_version": generator.prompt.version, **aggregate(rows),
               "by_language": {lang: aggregate([r for r in rows if r["lang"] == lang])
                               for lang in ("da", "sv", "de", "en") if any(r["lang"] == lang for r in rows)},
               "answers": rows}
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        _print(results)
    return 0


def _print(results: dict[str, Any]) -> None:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    print(f"{results['questions']} questions, model {results['model']}, prompt {results['prompt_version']}")
    print(f"{'':<8}{'faithful':>10}{'cit.prec':>10}{'generated':>11}{'repaired':>10}{'replaced':>10}"
          f"{'expected':>10}{'abstain':>9}{'s/answer':>10}")
    for name, row in [("all", results), *results["by_language"].items()]:
        print(f"{name:<8}{pct(row['faithfulness']):>10}{pct(row['citation_precision']):>10}"
              f"{pct(row['generated']):>11}{pct(row['repaired']):>10}{pct(row['replaced']):>10}"
              f"{pct(row['expected_cited']):>10}{pct(row['abstention']):>9}{pct(row['seconds_per_answer']):>10}")
    if results["fallback_reasons"]:
        print("replaced because: " + ", ".join(f"{k} ×{v}" for k, v in results["fallback_reasons"].items()))
