"""Load run: a fixed-rate burst of signed Slack mentions and Teams messages against real ``innobroker serve`` processes.

Usage: python -m bench.load.run [--rate 50] [--seconds 60] [--teams-rate 5] [--replicas 1|2] [--workers N]

One replica: SQLite and embedded Chroma in its data directory. Two replicas: one PostgreSQL schema (127.0.0.1:5432,
trust auth, database ``test``) and one ``chroma run`` server shared by both, and every event delivered to both
replicas (the second copy marked as a Slack retry). The Slack Web API and the Bot Connector are fakes in this process.
Prints one JSON object: acknowledgement latency, answers delivered, duplicates, lost events, errors and memory per
replica, and verdicts. Everything stays on 127.0.0.1 and every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.load.cluster import (
    Replica,
    copy_data,
    environment,
    postgres_available,
    postgres_schema,
    prepare_knowledge,
    start_replica,
    stop,
    wait_ready,
)
from bench.load.outcome import answered, summarize
from bench.load.traffic import Traffic, at_rate
from tests.servers import chroma_server
from tests.slack.fake_slack import FakeSlack
from tests.teams.fake_connector import FakeConnector

WARM_UP = 4  # events per platform and replica before measuring (first-request costs)


@dataclass
class Options:
    """What to run."""

    rate: float = 50.0
    seconds: float = 60.0
    teams_rate: float = 5.0
    replicas: int = 1
    workers: int | None = None  # answer threads per replica (chat.workers); default: the cores shared out
    drain_s: float = 300.0
    startup_s: float = 180.0
    work: Path | None = None
    prepared: Path | None = None  # a data directory with the knowledge already ingested (one replica only)


def note(text: str) -> None:
    """Progress on stderr (the JSON result goes to stdout)."""
    print(f"[load] {text}", file=sys.stderr, flush=True)


async def drain(traffic: Traffic, fake: FakeSlack, connector: FakeConnector, limit_s: float,
                settle_s: float = 2.0) -> float:
    """Wait until every event has an answer (or ``limit_s`` passed), then ``settle_s`` longer for late duplicates."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        done, total = answered(traffic, fake, connector)
        if done >= total:
            break
        await asyncio.sleep(0.5)
    waited = time.perf_counter() - started
    await asyncio.sleep(settle_s)
    return waited


async def sample_memory(replicas: list[Replica], peaks: dict[str, float]) -> None:
    """Keep each replica's highest resident memory, once a second."""
    while True:
        for replica in replicas:
            rss = replica.rss_mb()
            if rss is not None:
                peaks[replica.name] = max(peaks.get(replica.name, 0.0), rss)
        await asyncio.sleep(1.0)


async def measure(options: Options, replicas: list[Replica], fake: FakeSlack,
                  connector: FakeConnector) -> dict[str, Any]:
    """Warm up, then the burst, the drain and the summary."""
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        for number, replica in enumerate(replicas):
            warm = Traffic(session, [(replica.name, replica.url)], connector.url, offset=2_000_000 + 1000 * number)
            await asyncio.gather(*(warm.slack(n) for n in range(WARM_UP)), *(warm.teams(n) for n in range(WARM_UP)))
            await drain(warm, fake, connector, options.startup_s, settle_s=0.0)
        before = {r.name: r.rss_mb() for r in replicas}
        cpu_before = {r.name: r.cpu_s() or 0.0 for r in replicas}
        own_cpu = time.process_time()
        peaks: dict[str, float] = {}
        sampler = asyncio.ensure_future(sample_memory(replicas, peaks))
        traffic = Traffic(session, [(r.name, r.url) for r in replicas], connector.url)
        slack_count, teams_count = round(options.rate * options.seconds), round(options.teams_rate * options.seconds)
        note(f"sending {slack_count} Slack mentions and {teams_count} Teams messages over {options.seconds:g} s")
        started = time.perf_counter()
        await asyncio.gather(at_rate(options.rate, slack_count, traffic.slack, traffic),
                             at_rate(options.teams_rate, teams_count, traffic.teams, traffic))
        sent_s = time.perf_counter() - started
        note(f"all sent and acknowledged after {sent_s:.1f} s; waiting for the answers")
        drained_s = await drain(traffic, fake, connector, options.drain_s)
        sampler.cancel()
    result = summarize(traffic, fake, connector)
    total_s = sent_s + drained_s
    answers = result["slack"]["answered"] + result["teams"]["answered"]
    cpu = {r.name: round((r.cpu_s() or 0.0) - cpu_before[r.name], 1) for r in replicas}
    result["throughput"] = {"sent_and_responded_s": round(sent_s, 1), "all_answered_after_s": round(total_s, 1),
                            "answers_per_s": round(answers / total_s, 1) if total_s else None,
                            "server_cpu_ms_per_answer": round(sum(cpu.values()) * 1000 / answers, 1) if answers
                            else None, "generator_cpu_s": round(time.process_time() - own_cpu, 1)}
    tokens = {f"xoxb-load-{i}": r.name for i, r in enumerate(replicas)}
    posts = [c for c in fake.to("chat.postMessage") if c.at >= started]
    result["replicas"] = [{"name": r.name, "rss_mb_before": before[r.name], "rss_mb_peak": peaks.get(r.name),
                           "rss_mb_after": r.rss_mb(), "cpu_s": cpu[r.name],
                           "slack_posts": sum(1 for c in posts if tokens.get(c.token or "") == r.name)}
                          for r in replicas]
    return result


async def run_load(options: Options) -> dict[str, Any]:
    """Start the fakes and the replicas, measure, stop everything; the result as a dict."""
    work = options.work or Path(tempfile.mkdtemp(prefix="innobroker-load-"))
    workers = options.workers or max(1, (os.cpu_count() or 2) // options.replicas)
    work.mkdir(parents=True, exist_ok=True)
    fake, connector = await FakeSlack().start(), await FakeConnector().start()
    replicas: list[Replica] = []
    try:
        with ExitStack() as stack:
            database_url = chroma_url = None
            if options.replicas > 1:
                if not postgres_available():
                    raise RuntimeError("--replicas 2 needs PostgreSQL at 127.0.0.1:5432 (trust auth, database test)")
                database_url = stack.enter_context(postgres_schema())
                chroma_url = stack.enter_context(chroma_server(work / "chroma"))
            prepared = options.prepared
            if prepared is None or chroma_url:
                note("ingesting the knowledge notes")
                prepared = await prepare_knowledge(work / "prepared", chroma_url)
            for number in range(options.replicas):
                data = copy_data(prepared, work / f"replica{number}")
                env = environment(data, fake.url, database_url, chroma_url, workers)
                env["SLACK_BOT_TOKEN"] = f"xoxb-load-{number}"  # which replica posted an answer
                replicas.append(await start_replica(f"replica{number}", data, env, work))
            started = await asyncio.gather(*(wait_ready(r, options.startup_s) for r in replicas))
            note(f"{len(replicas)} replica(s) ready after {max(started):.1f} s")
            result = await measure(options, replicas, fake, connector)
            result["setup"] = {"replicas": options.replicas, "workers": workers, "cpus": os.cpu_count(),
                               "rate": options.rate, "teams_rate": options.teams_rate, "seconds": options.seconds,
                               "database": "postgresql" if database_url else "sqlite",
                               "chroma": "server" if chroma_url else "embedded",
                               "ready_s": round(max(started), 1), "work": str(work)}
            return result
    finally:
        await asyncio.gather(*(stop(r) for r in replicas))
        await fake.close()
        await connector.close()


def main() -> int:
    """Parse options, run, print the JSON; exit 1 when a verdict failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="Slack mentions per second (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send (default 60)")
    parser.add_argument("--teams-rate", type=float, default=5.0, help="Teams messages per second (default 5)")
    parser.add_argument("--replicas", type=int, choices=[1, 2], default=1)
    parser.add_argument("--workers", type=int, help="answer threads per replica (chat.workers); default: the "
                        "machine's cores divided among the replicas, as on one host they must be")
    parser.add_argument("--drain", type=float, default=300.0, help="longest wait for queued answers, seconds")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    args = parser.parse_args()
    options = Options(args.rate, args.seconds, args.teams_rate, args.replicas, args.workers, args.drain,
                      work=args.work)
    result = asyncio.run(run_load(options))
    print(json.dumps(result, ensure_ascii=False))
    return 0 if all(result["verdict"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
