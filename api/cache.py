"""Answers of whole-street queries kept until the store changes.

An answer is kept per :meth:`~graph.store.GraphReader.version` of its store (on a store
others write to, that already changes at least once a minute).

>>> class S:
...     v = 1
...     def version(self): return self.v
>>> s, calls = S(), []
>>> cached(s, ("k",), lambda: calls.append(1) or len(calls)), cached(s, ("k",), lambda: 99)
(1, 1)
>>> s.v = 2
>>> cached(s, ("k",), lambda: 7)
7
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from graph.store import GraphReader

__all__ = ["cached"]

T = TypeVar("T")
_MAX = 256
_lock = threading.Lock()
_store: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def cached(store: GraphReader, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``key`` on this store, computed once per version."""
    full = (id(store), store.version(), *key)
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
