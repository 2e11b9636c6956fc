"""Slack surface benchmark: ack latency and answers/s under a burst of concurrent signed mentions, on loopback.

Usage: python bench/bench_slack.py [--mentions 200] [--concurrency 50] [--retries-every 10] [--work DIR]
Starts the real ``innobroker serve`` in a child process on 127.0.0.1 (knowledge base = the starter corpus,
SQLite database) with SLACK_API_URL pointing at a fake Slack Web API in this process, then sends signed
``app_mention`` events. Prints one JSON object. Nothing leaves loopback; every phase is bounded by --timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack.fake_slack import FakeSlack  # noqa: E402
from tests.slack.harness import SECRET, mention, sign  # noqa: E402

QUESTIONS = [
    "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?",
    "Hvornår skal en kontrakt udbydes i EU?",
    "Hur länge får ett ramavtal gälla?",
    "Vad är ett innovationspartnerskap?",
    "Dürfen wir vor der Ausschreibung mit Unternehmen sprechen?",
    "Was ist eine Innovationspartnerschaft?",
    "What are the time limits in the open procedure?",
    "May a contract be modified after award without a new procedure?",
]
RUN = int(time.time()) * 10  # message timestamps unique to this run: a reused database dedupes old ones


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered) * 1000, 1), "p99": round(p99 * 1000, 1),
            "max": round(ordered[-1] * 1000, 1)}


async def send(session: aiohttp.ClientSession, url: str, event: dict[str, Any], event_id: str,
               retry: bool) -> float:
    """POST one signed event callback; returns the time to Slack's acknowledgement."""
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event": event,
                       "event_id": event_id, "event_time": int(time.time())})
    stamp = int(time.time())
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
               "X-Slack-Signature": sign(SECRET, body, stamp)}
    if retry:
        headers["X-Slack-Retry-Num"] = "1"
    start = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - start


async def start_server(work: Path, fake: FakeSlack, port: int, workers: int, timeout: float) -> Any:
    """Run ``python -m bot serve`` with Slack secrets in its environment; wait until /healthz answers."""
    environ = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": fake.url, "INNOBROKER_DATA_DIR": str(work / "data"),
               "INNOBROKER_CHAT__WORKERS": str(workers), "INNOBROKER_LOG_LEVEL": "WARNING",
               "INNOBROKER_CHAT__RATE_PER_MINUTE": "0"}  # one user sends the whole burst: measure capacity
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        environ.pop(name, None)
    with (work / "serve.log").open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), cwd=ROOT, env=environ,
            stdout=log, stderr=log)
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"innobroker serve exited; see {work / 'serve.log'}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.5)
    process.terminate()
    raise TimeoutError(f"innobroker serve did not start within {timeout} s")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the fake and the server, measure idle acks, then the burst."""
    work = args.work or Path(tempfile.mkdtemp(prefix="innobroker-bench-slack-"))
    work.mkdir(parents=True, exist_ok=True)
    fake = await FakeSlack().start()
    port = free_port()
    started = time.perf_counter()
    process = await start_server(work, fake, port, args.workers, args.startup_timeout)
    url = f"http://127.0.0.1:{port}/slack/events"
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}, "startup_s": round(time.perf_counter() - started, 1),
                              "workers": args.workers}
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as session:
            acks, answers = [], []
            for n in range(args.idle):
                ts = f"{RUN}.{n:06d}"
                sent = time.perf_counter()
                acks.append(await send(session, url, mention(QUESTIONS[n % len(QUESTIONS)], ts), f"EvI{ts}", False))
                answers.append((await fake.wait_for("chat.postMessage", n + 1, args.timeout))[n].at - sent)
            result["idle"] = {"mentions": args.idle, "ack_ms": percentiles(acks), "answer_ms": percentiles(answers)}
            result.update(await burst(session, url, fake, args))
    finally:
        process.terminate()
        await process.wait()
        await fake.close()
    return result


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def burst(session: aiohttp.ClientSession, url: str, fake: FakeSlack,
                args: argparse.Namespace) -> dict[str, Any]:
    """Fire ``mentions`` distinct mentions (plus retries of some) at once, bounded by ``concurrency``."""
    before = len(fake.to("chat.postMessage"))
    gate = asyncio.Semaphore(args.concurrency)
    sent_at: dict[str, float] = {}

    async def one(n: int, retry: bool) -> float:
        ts = f"{RUN + 1}.{n:06d}"
        async with gate:
            sent_at.setdefault(ts, time.perf_counter())
            return await send(session, url, mention(QUESTIONS[n % len(QUESTIONS)], ts), f"EvB{ts}", retry)

    jobs = [one(n, False) for n in range(args.mentions)]
    jobs += [one(n, True) for n in range(0, args.mentions, args.retries_every)] if args.retries_every else []
    start = time.perf_counter()
    acks = await asyncio.wait_for(asyncio.gather(*jobs), args.timeout)
    acked = time.perf_counter() - start
    posts = await fake.wait_for("chat.postMessage", before + args.mentions, args.timeout)
    done = time.perf_counter() - start
    await asyncio.sleep(1.0)  # late duplicates would show up here
    answered = {p.params["thread_ts"] for p in fake.to("chat.postMessage")[before:]}
    latency = [p.at - sent_at[p.params["thread_ts"]] for p in posts[before:]]
    return {"burst": {
        "mentions": args.mentions, "retries_sent": len(jobs) - args.mentions, "concurrency": args.concurrency,
        "ack_ms": percentiles(acks), "all_acked_s": round(acked, 2), "all_answered_s": round(done, 2),
        "answers_per_s": round(args.mentions / done, 1), "answer_latency_ms": percentiles(latency),
        "answers_posted": len(fake.to("chat.postMessage")) - before, "distinct_threads_answered": len(answered),
    }}


def main() -> int:
    """Parse options, run, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--retries-every", type=int, default=10, help="also resend every Nth event as a retry")
    parser.add_argument("--workers", type=int, default=2, help="threads answering (chat.workers)")
    parser.add_argument("--idle", type=int, default=20, help="sequential mentions measured before the burst")
    parser.add_argument("--timeout", type=float, default=300.0, help="upper bound of each phase in seconds")
    parser.add_argument("--startup-timeout", type=float, default=900.0,
                        help="first run ingests the starter corpus and embeds the directory (minutes on 2 cores)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (reuse it to skip ingestion)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
