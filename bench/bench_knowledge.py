"""Knowledge-base benchmark: ingest throughput, re-ingest, warm ask latency at 10k chunks, cold start, RSS.

Usage: python bench/bench_knowledge.py [--shared ../shared/data] [--work DIR] [--queries 100]
Prints one JSON object. Needs the shared law texts (LOU, GWB); exits with a message when absent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.knowledge.evaluate import DEFAULT_DATASETS, load_questions  # noqa: E402
from bot.knowledge.service import KnowledgeService  # noqa: E402
from bot.types import Question  # noqa: E402

TARGET_CHUNKS = 10_000


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values``."""
    return float(np.percentile(np.asarray(values), q))


def rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Run every measurement and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--latency-only", action="store_true",
                        help="reuse the 10k-chunk store left in --work; measure ask latency and cold start")
    args = parser.parse_args()
    laws = [args.shared / "se-lou" / "sfs-2016-1145.md", args.shared / "de-vergaberecht" / "gwb.md"]
    if not all(p.is_file() for p in laws):
        print(json.dumps({"skipped": f"shared law texts not found under {args.shared}"}))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="innobroker-bench-"))
    data_dir = work / "data"
    if data_dir.exists() and not args.latency_only:
        shutil.rmtree(data_dir)
    settings = load_settings(environ={}, overrides={"data_dir": data_dir})
    results: dict[str, object] = {"machine": {"cpus": _cpus(), "load_avg_1m": os.getloadavg()[0]}}

    service = KnowledgeService(settings)
    if args.latency_only:
        results["store_for_latency"] = {"total": service.retriever.size}
        results.update(_latency(service, args.queries, data_dir))
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    started = time.perf_counter()
    report = service.ingest(laws)
    seconds = time.perf_counter() - started
    results["ingest_lou_gwb"] = {"documents": report.added, "chunks": report.chunks, "seconds": round(seconds, 1),
                                 "chunks_per_s": round(report.chunks / seconds, 2), "embedding_cache": "cold"}

    started = time.perf_counter()
    service.ingest([settings.corpus_dir])
    results["ingest_starter_corpus_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    unchanged = service.ingest([*laws, settings.corpus_dir])
    results["reingest_unchanged"] = {"seconds": round(time.perf_counter() - started, 2),
                                     "unchanged": unchanged.unchanged}

    results["store_for_latency"] = _grow_to(service, TARGET_CHUNKS)
    results.update(_latency(service, args.queries, data_dir))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


def _latency(service: KnowledgeService, queries: int, data_dir: Path) -> dict[str, object]:
    """Warm ``ask`` latency over dev-set questions, peak RSS, and cold CLI start."""
    results: dict[str, object] = {}
    questions = [q.q for q in load_questions(list(DEFAULT_DATASETS))][:queries] or ["Vad är ett ramavtal?"]
    service.ask(Question(questions[0]))  # warm the model and caches
    latencies = []
    for text in questions:
        started = time.perf_counter()
        service.ask(Question(text))
        latencies.append((time.perf_counter() - started) * 1000)
    results["ask_warm_ms"] = {"queries": len(latencies), "p50": round(percentile(latencies, 50), 1),
                              "p95": round(percentile(latencies, 95), 1), "max": round(max(latencies), 1)}
    results["peak_rss_mb_in_process"] = round(rss_mb(), 1)
    results["cli_cold_ask"] = _cold_cli(data_dir)
    return results


def _grow_to(service: KnowledgeService, target: int) -> dict[str, object]:
    """Pad the store to ``target`` chunks with jittered copies of real chunks (no re-embedding)."""
    real = service.store.all_chunks()
    ids = [c.id for c in real]
    vectors = service.store.embeddings(ids)
    rng = np.random.default_rng(7)
    copies = target - len(real)
    by_source: dict[str, list] = {}
    for n in range(max(copies, 0)):
        chunk = real[n % len(real)]
        vector = vectors[chunk.id] + rng.normal(0, 0.02, size=vectors[chunk.id].shape).astype(np.float32)
        vector /= np.linalg.norm(vector)
        source = f"bench-copy-{n // 500}.md"
        by_source.setdefault(source, []).append((chunk, vector, n))
    from bot.knowledge.store import StoredChunk

    for source, items in by_source.items():
        doc_hash = f"copy{source}"
        chunks = [StoredChunk(f"{doc_hash}:{n}", c.text, c.context,
                              {**c.meta, "source": source, "doc_hash": doc_hash}) for c, _, n in items]
        service.store.commit_document(source, doc_hash, {"language": "xx"}, chunks,
                                      np.vstack([v for _, v, _ in items]), None)
    service.retriever.refresh()
    return {"real_chunks": len(real), "jittered_copies": max(copies, 0), "total": service.retriever.size}


def _cold_cli(data_dir: Path) -> dict[str, object]:
    """Wall time of a fresh ``innobroker ask --json`` process on the populated store."""
    times = []
    peak = 0.0
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "--data-dir", str(data_dir), "ask", "Vad är ett ramavtal?",
                        "--json"], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return {"runs": len(times), "median_s": round(statistics.median(times), 2), "peak_rss_mb": round(peak, 1)}


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
