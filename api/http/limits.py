"""A rate limit for the public routes: a token bucket per client address, refilled continuously. One process's
own count (several server processes each allow the rate)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`per_minute` requests a minute for each address, with bursts up to that many."""

    _KEPT = 10_000  # addresses remembered; the least recently seen are forgotten first

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, address: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self._clock()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, then = self._buckets.pop(address, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            self._buckets[address] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self._KEPT:
                self._buckets.popitem(last=False)
        return wait
