"""Search by name: Chinese characters, full pinyin, pinyin initials.

``zhangsan``, ``zs`` and ``张三`` all find 张三. A surname with several readings
(曾 zeng/ceng, 单 shan/dan, 仇 qiu/chou …) is indexed under each, so a caller who
types either finds the person.

>>> import tempfile, os
>>> from graph.embedded import EmbeddedStore
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert([{"id": "p1", "labels": ["Person"], "properties": {"name": "张三"}},
...               {"id": "p2", "labels": ["Person"], "properties": {"name": "曾小明"}}])
>>> [h.node.id for h in search(s, "zs")], [h.node.id for h in search(s, "zhangsan")]
(['p1'], ['p1'])
>>> [h.match for h in search(s, "zengxiao")], [h.match for h in search(s, "cengxiaoming")]
(['pinyin_prefix'], ['pinyin'])
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pypinyin import Style, lazy_pinyin, pinyin

from graph.cypher import load_cypher
from graph.errors import InvalidParameter
from graph.formats import normalise_name
from graph.store import CypherStore, GraphReader, runs_cypher
from queries.common import NodeRef, node_ref

CYPHER = load_cypher(Path(__file__).with_suffix(".cypher"))

__all__ = ["search", "SearchHit", "pinyin_keys", "MAX_LIMIT"]

MAX_LIMIT = 100
_HAN = re.compile(r"[\u3400-\u9fff]")


class SearchHit(BaseModel):
    node: NodeRef
    match: str  # name / name_prefix / name_contains / pinyin / pinyin_prefix / initials / ...
    score: int


@dataclass(slots=True)
class _Entry:
    id: str
    name: str
    labels: tuple[str, ...]
    full: tuple[str, ...]  # full pinyin spellings (several for polyphonic surnames)
    initials: tuple[str, ...]


_char_cache: dict[str, tuple[list[str], list[str]]] = {}


def _readings(ch: str, first: bool) -> tuple[list[str], list[str]]:
    """(full pinyin readings, initials) of one character; all readings for a surname."""
    key = ch + ("1" if first else "0")
    hit = _char_cache.get(key)
    if hit is None:
        if not _HAN.match(ch):
            low = ch.lower()
            hit = ([low], [low]) if low.isalnum() else ([""], [""])
        else:
            if first:
                full = list(dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]))
            else:
                full = lazy_pinyin(ch)
            hit = (full, list(dict.fromkeys(r[0] for r in full if r)))
        _char_cache[key] = hit
    return hit


def pinyin_keys(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Full-pinyin and initials spellings of a name (surname readings expanded).

    >>> pinyin_keys("单田芳")
    (('dantianfang', 'chantianfang', 'shantianfang'), ('dtf', 'ctf', 'stf'))
    """
    fulls: list[list[str]] = []
    inits: list[list[str]] = []
    for i, ch in enumerate(name):
        f, s = _readings(ch, i == 0)
        fulls.append(f)
        inits.append(s)
    full = tuple(dict.fromkeys("".join(p) for p in itertools.product(*fulls)))[:8]
    initials = tuple(dict.fromkeys("".join(p) for p in itertools.product(*inits)))[:8]
    return full, initials


Names = list[tuple[str, str, tuple[str, ...]]]


def _names(store: GraphReader) -> Names:
    """(id, name, labels) of every node, by id, through the store contract."""
    seen: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for lab in (lab for lab, d in store.schema.labels.items() if d.extends is None):
        for n in store.nodes(lab):
            seen.setdefault(n.id, (n.id, n.name, n.labels))
    return sorted(seen.values())


def _cypher_names(store: CypherStore) -> Names:
    """The same in one bulk read (the load's timeout), sorted here (the server's ORDER
    BY cost 10 of 25 s at 500,000 residents)."""
    return sorted((r["id"], r["name"] or "", tuple(sorted(x for x in r["labels"]
                                                          if x != "GovNode")))
                  for r in store.read_cypher(CYPHER["names"], bulk=True))


class _Index:
    def __init__(self, store: GraphReader) -> None:
        rows = _cypher_names(store) if runs_cypher(store) else _names(store)
        self.entries = [_Entry(i, name, labels, *pinyin_keys(name)) for i, name, labels in rows]
        # Each kind of key as one newline-joined text: str.find scans it in C, so a
        # search costs its matches, not a Python loop over half a million entries.
        self.names = _Blob([(k, e.name.lower()) for k, e in enumerate(self.entries)])
        # Chinese text "contains": the entries holding each character (the rarest of
        # the query's characters narrows the candidates to a few hundred)
        by_char: dict[str, list[int]] = {}
        for k, e in enumerate(self.entries):
            for ch in set(e.name.lower()):
                if _HAN.match(ch):
                    by_char.setdefault(ch, []).append(k)
        self.by_char = by_char
        self.full = _Blob([(k, f) for k, e in enumerate(self.entries) for f in e.full])
        self.initials = _Blob([(k, s) for k, e in enumerate(self.entries) for s in e.initials])
        #: answers already given (search's cache), oldest first
        self.answers: dict[tuple[Any, ...], tuple[SearchHit, ...]] = {}


class _Blob:
    """Keys (names, pinyin spellings or initials), each belonging to an entry: sorted
    for exact and prefix look-ups by bisection, and joined into one text that
    ``str.find`` scans (in C) for the rarer "contains" matches."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        order = sorted(range(len(lines)), key=lambda i: lines[i][1])
        self.keys = [lines[i][1] for i in order]
        self.key_owner = [lines[i][0] for i in order]
        self.owner = [k for k, _ in lines]
        self.starts: list[int] = []
        pos = 0
        for _, text in lines:
            self.starts.append(pos)
            pos += len(text) + 1
        self.text = "\n".join(t for _, t in lines) + "\n"

    def prefixed(self, needle: str) -> Iterator[tuple[int, bool]]:
        """(entry, whether the key is exactly ``needle``) for keys starting with it."""
        keys, n = self.keys, len(self.keys)
        i = bisect.bisect_left(keys, needle)
        while i < n and keys[i].startswith(needle):
            yield self.key_owner[i], keys[i] == needle
            i += 1

    def containing(self, needle: str) -> Iterator[int]:
        """Entries with a key holding ``needle`` past its start."""
        text, starts = self.text, self.starts
        at = text.find(needle)
        while at >= 0:
            line = bisect.bisect_right(starts, at) - 1
            if at != starts[line]:
                yield self.owner[line]
            at = text.find(needle, at + 1)



_indexes: weakref.WeakKeyDictionary[object, tuple[object, _Index]] = weakref.WeakKeyDictionary()
_refreshing: weakref.WeakSet[object] = weakref.WeakSet()
_flights: weakref.WeakKeyDictionary[object, _Flight] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
#: a stale index smaller than this is rebuilt before answering; a larger one (seconds
#: of work at street scale) keeps answering while a thread rebuilds it
SYNC_REBUILD_MAX = 50_000


def _index(store: GraphReader) -> _Index:
    generation = store.version()  # on a server written by others too: a minute at most
    with _lock:
        hit = _indexes.get(store)
        if hit is not None and hit[0] == generation:
            return hit[1]
        if hit is not None and len(hit[1].entries) >= SYNC_REBUILD_MAX:
            if store not in _refreshing:
                _refreshing.add(store)
                threading.Thread(target=_rebuild, args=(store, generation), daemon=True,
                                 name="search-index").start()
            return hit[1]
        # One build at a time (single flight): the searches that come while it runs
        # wait for it instead of each building its own (eight at once on a cold
        # Neo4j all timed out).
        flight = _flights.get(store)
        mine = flight is None or flight.generation != generation
        if mine:
            flight = _flights[store] = _Flight(generation)
    assert flight is not None
    if not mine:
        return flight.result()
    try:
        index = _Index(store)
    except BaseException as e:
        flight.failed = e
        raise
    else:
        flight.index = index
        with _lock:
            _indexes[store] = (generation, index)
    finally:
        flight.done.set()
        with _lock:
            if _flights.get(store) is flight:
                del _flights[store]
    gc.freeze()  # a large, long-lived index: keep full collections from walking it
    return index


class _Flight:
    """A build of the index under way, which later searches wait for."""

    def __init__(self, generation: object) -> None:
        self.generation = generation
        self.done = threading.Event()
        self.index: _Index | None = None
        self.failed: BaseException | None = None

    def result(self) -> _Index:
        self.done.wait()
        if self.index is None:
            raise self.failed or RuntimeError("the search index build failed")
        return self.index


def _rebuild(store: GraphReader, generation: object) -> None:
    try:
        index = _Index(store)
        with _lock:
            _indexes[store] = (generation, index)
        gc.freeze()
    except Exception:  # noqa: BLE001 - keep the old index; the next search tries again
        pass
    finally:
        with _lock:
            _refreshing.discard(store)


def warm(store: GraphReader) -> None:
    """Build the search index now (on a thread of the caller's): a server store warms
    it at start, so the first searches wait for a build already under way."""
    with contextlib.suppress(Exception):  # a search builds it again and reports it
        _index(store)


#: answers kept per index (each index lives until the store changes)
CACHE_SIZE = 4096


def search(store: GraphReader, q: str, labels: Sequence[str] | None = None,
           limit: int = 20, visible: Callable[[str, list[str]], bool] | None = None,
           scope: object = None) -> list[SearchHit]:
    """Nodes whose name matches ``q``, best first (then by id). ``visible`` (the
    caller's scope) filters before ``limit`` counts: a hidden node never takes a
    place, so the limit tells nothing of it."""
    # as names are stored (graph/formats.py): full-width letters plain, no spaces
    text = "".join(normalise_name(q).split()).lower() if isinstance(q, str) else ""
    if not text:
        raise InvalidParameter("the search text is empty")
    if len(text) > 50:
        raise InvalidParameter("the search text is longer than 50 characters")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(f"limit={limit} must be from 1 to {MAX_LIMIT}")
    want = set(labels) if labels else None
    if want:
        unknown = want - set(store.schema.labels)
        if unknown:
            raise InvalidParameter(f"unknown label(s) {sorted(unknown)}")
    if "\n" in text:
        raise InvalidParameter("the search text has a line break")
    han = bool(_HAN.search(text))
    index = _index(store)
    # The same question of the same index gets the same answer: kept, keyed by the
    # caller's scope (``scope`` names it; a caller with a ``visible`` filter but no
    # scope name is not cached).
    key = (text, tuple(sorted(want)) if want else None, limit, scope)
    cacheable = visible is None or scope is not None
    if cacheable:
        kept = index.answers.get(key)
        if kept is not None:
            return list(kept)
    hits = _search(store, index, text, han, want, limit, visible)
    if cacheable:
        if len(index.answers) >= CACHE_SIZE:
            with contextlib.suppress(StopIteration, RuntimeError):  # another thread's
                index.answers.pop(next(iter(index.answers)), None)
        index.answers[key] = tuple(hits)
    return hits


def _search(store: GraphReader, index: _Index, text: str, han: bool, want: set[str] | None,
            limit: int, visible: Callable[[str, list[str]], bool] | None
            ) -> list[SearchHit]:
    best: dict[int, tuple[int, str]] = {}  # entry -> (score, match)
    taken = [0]  # entries of ``best`` the caller wants

    def wanted(e: _Entry) -> bool:
        return (want is None or not want.isdisjoint(e.labels)) and (
            visible is None or visible(e.id, list(e.labels)))

    def note(k: int, score: int, match: str) -> None:
        old = best.get(k)
        if old is None:
            if wanted(index.entries[k]):
                taken[0] += 1
            best[k] = (score, match)
        elif score > old[0]:
            best[k] = (score, match)

    def enough() -> bool:
        """As many hits as asked for: a lower-scoring kind of match cannot enter."""
        return taken[0] >= limit

    # exact and prefix matches (scores 100-65) by bisection, then "contains" (60, 40)
    # only when those leave room
    kinds = [(index.names, 100, "name", 80, "name_prefix")]
    if not han:
        kinds += [(index.full, 90, "pinyin", 70, "pinyin_prefix"),
                  (index.initials, 85, "initials", 65, "initials_prefix")]
    for blob, s_exact, m_exact, s_prefix, m_prefix in kinds:
        for k, exact in blob.prefixed(text):
            note(k, *((s_exact, m_exact) if exact else (s_prefix, m_prefix)))
    if not enough():
        chars = [ch for ch in text if _HAN.match(ch)]
        rarest = min(chars, key=lambda ch: len(index.by_char.get(ch, ()))) if chars else ""
        few = index.by_char.get(rarest, ()) if chars else None
        # Entries are in id order, and so are the keys of a blob's text: the first
        # "contains" matches found are the ones the ranking (score, then id) keeps,
        # so a scan stops as soon as the limit is reached.
        if few is not None and len(few) <= 3_000:  # few candidates: test each
            for k in few:
                name = index.entries[k].name.lower()
                if text in name and not name.startswith(text):
                    note(k, 60, "name_contains")
                    if enough():
                        break
        else:
            for k in index.names.containing(text):
                note(k, 60, "name_contains")
                if enough():
                    break
        if not han and len(text) >= 3 and not enough():
            for k in index.full.containing(text):
                note(k, 40, "pinyin_contains")
                if enough():
                    break
    hits: list[tuple[int, str, str, _Entry]] = []
    for k, (score, match) in best.items():
        e = index.entries[k]
        if wanted(e):
            hits.append((-score, e.id, match, e))
    hits.sort(key=lambda h: (h[0], h[1]))
    found = store.get_nodes(h[1] for h in hits[:limit])
    return [SearchHit(node=node_ref(store.schema, found[i]), match=m, score=-s)
            for s, i, m, _ in hits[:limit] if i in found]
