"""Open-loop traffic: signed Slack ``app_mention`` callbacks and Teams message activities at a fixed rate.

Every event is sent to every target replica (the first copy plain, the others marked as Slack retries), so with two
replicas each event reaches both, as a retry after a slow acknowledgement would. Each HTTP request's time to its
response (Slack's acknowledgement, Teams' turn) is recorded, with its status or error.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.slack.harness import SECRET, mention, sign
from tests.teams.activities import group, personal

QUESTIONS = (
    "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?",
    "Hur länge får ett ramavtal gälla?",
    "Für wie lange darf eine Innovationspartnerschaft laufen?",
    "May we talk to suppliers before the tender is published?",
    "Hvad er en markedsdialog?",
    "Vad gäller för ramavtal som löper längre än fyra år?",
    "Was ist eine Innovationspartnerschaft?",
    "What is a framework agreement?",
)
CHANNELS = 8
RUN = int(time.time())


@dataclass
class Delivery:
    """One HTTP request of the load: to which replica, when, how long until its response, and how it ended."""

    kind: str
    key: str
    replica: str
    sent_at: float
    seconds: float | None = None
    status: int | None = None
    error: str | None = None


@dataclass
class Traffic:
    """Sends events to replicas and remembers every delivery and the first send time of every event."""

    session: aiohttp.ClientSession
    targets: list[tuple[str, str]]  # (replica name, base URL)
    connector_url: str
    offset: int = 0  # numbers events apart from another Traffic's (a warm-up's)
    deliveries: list[Delivery] = field(default_factory=list)
    first_sent: dict[str, float] = field(default_factory=dict)
    lag_s: float = 0.0  # how far the generator itself fell behind its schedule

    def slack_key(self, n: int) -> str:
        """The (channel, thread) key of the n-th mention: answers are posted in its thread."""
        n += self.offset
        return f"C{n % CHANNELS}:{RUN}.{n:07d}"

    async def slack(self, n: int) -> None:
        """The n-th mention, to every target (copies after the first carry ``X-Slack-Retry-Num``)."""
        channel, ts = self.slack_key(n).split(":")
        event = mention(QUESTIONS[n % len(QUESTIONS)], ts, channel=channel, user=f"U{n + self.offset:07d}")
        body = json.dumps({"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                           "event": event, "event_id": f"EvL{RUN}{ts}", "event_time": int(time.time())})
        self.first_sent[self.slack_key(n)] = time.perf_counter()

        async def one(name: str, url: str, retry: int) -> None:
            stamp = int(time.time())
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
                       "X-Slack-Signature": sign(SECRET, body, stamp)}
            if retry:
                headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
            await self._post("slack", self.slack_key(n), name, f"{url}/slack/events", body.encode(), headers)

        await asyncio.gather(*(one(name, url, i) for i, (name, url) in enumerate(self.targets)))

    def teams_key(self, n: int) -> str:
        """The conversation of the n-th Teams message: personal and group chats alternate."""
        n += self.offset
        return f"a:load-{RUN}-{n}" if n % 2 else f"19:load-{RUN}-{n}@thread.v2"

    async def teams(self, n: int) -> None:
        """The n-th Teams message (a personal chat message, or a group chat mention), to every target."""
        text = QUESTIONS[(n + 3) % len(QUESTIONS)]
        activity = (personal if self.teams_key(n).startswith("a:") else group)(self.connector_url, text)
        activity["conversation"]["id"] = self.teams_key(n)
        activity["from"] = {**activity["from"], "aadObjectId": f"00000000-0000-4000-8000-{n + self.offset:012d}"}
        body = json.dumps(activity).encode()
        self.first_sent[self.teams_key(n)] = time.perf_counter()
        await asyncio.gather(*(self._post("teams", self.teams_key(n), name, f"{url}/api/messages", body,
                                          {"Content-Type": "application/json"}) for name, url in self.targets))

    async def _post(self, kind: str, key: str, replica: str, url: str, body: bytes, headers: dict[str, str]) -> None:
        delivery = Delivery(kind, key, replica, time.perf_counter())
        self.deliveries.append(delivery)
        try:
            async with self.session.post(url, data=body, headers=headers) as response:
                await response.read()
                delivery.status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"[:200]
        delivery.seconds = time.perf_counter() - delivery.sent_at


async def at_rate(rate: float, count: int, job: Callable[[int], Awaitable[None]], traffic: Traffic) -> None:
    """Start ``job(n)`` for n < count at ``rate`` per second on a fixed schedule (open loop), then await them all."""
    if count <= 0 or rate <= 0:
        return
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks: list[asyncio.Future[Any]] = []
    for n in range(count):
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        traffic.lag_s = max(traffic.lag_s, loop.time() - due)
        tasks.append(asyncio.ensure_future(job(n)))
    await asyncio.gather(*tasks)
