"""How fast and how much a caller may ask: the rate per token (and per client address
for refusals without a valid token), and the costly requests in flight.

Shared by the token check (:func:`api.policy.get_caller`) and the guard
(:mod:`api.guard`): one bucket per key, whichever of them takes from it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

from api.deps import API_PREFIX

__all__ = ["Buckets", "buckets", "Slots", "slots", "costly"]


class Buckets:
    """Token buckets per token id: ``rate`` requests per second, bursts of ``burst``."""

    def __init__(self) -> None:
        self._b: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float, burst: int) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._b.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens >= 1:
                self._b[key] = (tokens - 1, now)
                return 0.0
            self._b[key] = (tokens, now)
            return (1 - tokens) / rate


#: the buckets of every token (by token id) and client address (``ip:…``)
buckets = Buckets()


class Slots:
    """Costly requests in flight, per token and in all (a rate counts requests, not what
    they cost: ten pairing workbooks at once held the server for 36 s)."""

    def __init__(self) -> None:
        self._per: dict[str, int] = {}
        self._total = 0
        self._lock = threading.Lock()

    def take(self, key: str, per_token: int, total: int) -> bool:
        with self._lock:
            if self._per.get(key, 0) >= per_token or self._total >= total:
                return False
            self._per[key] = self._per.get(key, 0) + 1
            self._total += 1
            return True

    def give(self, key: str) -> None:
        with self._lock:
            self._total -= 1
            left = self._per.pop(key) - 1
            if left:
                self._per[key] = left


#: the costly requests in flight, by token id
slots = Slots()


def costly(path: str, query: bytes) -> bool:
    """The requests whose cost is far above a look-up's."""
    if path.endswith(".xlsx") or path in (f"{API_PREFIX}/pairings/proposals",
                                          f"{API_PREFIX}/overview",
                                          "/explorer/export.html"):
        return True
    return path.endswith("/neighbors") and "3" in parse_qs(query.decode("latin-1")).get(
        "depth", ())
