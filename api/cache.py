"""Answers of whole-street queries kept until the store changes.

The embedded store counts its writes (``generation``); a Neo4j store may be written by
other processes, so there an answer is also kept at most :data:`TTL_SECONDS`.

>>> class S: generation = 1; backend = "embedded"
>>> s, calls = S(), []
>>> cached(s, ("k",), lambda: calls.append(1) or len(calls)), cached(s, ("k",), lambda: 99)
(1, 1)
>>> s.generation = 2
>>> cached(s, ("k",), lambda: 7)
7
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["cached", "TTL_SECONDS"]

T = TypeVar("T")
TTL_SECONDS = 60
_MAX = 256
_lock = threading.Lock()
_store: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def cached(store: Any, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``key`` on this store, computed once per version."""
    version: Any = getattr(store, "generation", None)
    if getattr(store, "backend", "") != "embedded":
        version = (version, int(time.monotonic() // TTL_SECONDS))
    full = (id(store), version, *key)
    with _lock:
        if full in _store:
            _store.move_to_end(full)
            return _store[full]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _store[full] = value
        while len(_store) > _MAX:
            _store.popitem(last=False)
    return value
