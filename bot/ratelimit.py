"""A per-user rate limit for the chat core: one token bucket per platform, workspace and user.

Each user may send ``burst`` requests at once and then ``per_minute`` more per minute; a request beyond that is
refused with the time to wait, which the core turns into a friendly, localized reply. The buckets live in the
process, so with several replicas behind a load balancer a user may get up to one bucket per replica.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 50_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets keyed by (platform, workspace, user); ``per_minute <= 0`` switches the limit off."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.rate = max(per_minute, 0.0) / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether requests are limited at all."""
        return self.rate > 0

    def acquire(self, platform: str, workspace: str, user: str) -> float:
        """Take one token: 0.0 when the request may go ahead, else the seconds until it may."""
        if not self.enabled:
            return 0.0
        key = (platform, workspace, user)
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled (they behave exactly like new ones); the oldest half if none has."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].at)[: self.max_keys // 2]
            for key in oldest:
                del self._buckets[key]


def wait_seconds(delay: float) -> int:
    """A wait to tell a user: whole seconds, at least one."""
    return max(1, math.ceil(delay))
