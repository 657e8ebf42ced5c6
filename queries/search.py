"""Search that finds what people type: names, short names, substrings, pinyin, initials
and small typos, ranked the same way on every backend.

The store finds candidates with a real index — SQLite FTS5 (trigram) in the embedded
store (:mod:`graph.embedded_search`), a Neo4j full-text index (CJK analyzer) there —
and hands them over in (rank, id) order (:meth:`graph.store.GraphStore.search_names`);
this module decides which match and how well, by **one ranking function** for both:

1. *match kind* (band): the exact name > an exact short name (:mod:`graph.names`:
   上星党委) > a name or short name starting with or holding the text > pinyin or
   initials (full, start or inside) > a typo (one edit or a swap of two neighbours,
   in 3 Chinese characters or 5 letters and up; looked for when nothing else matched);
2. within a kind, organisations and places > people > buildings > the rest
   (activities, cases);
3. organisations and places with the nearer name first (the shorter key that matched:
   上星党委 before 上星第一支部 for 上星), then by id.

What a text of 1 or 2 characters finds (a trigram index needs 3): its exact name and
short name; with 2, names and pinyin that start with it; and any name or pinyin start
of an organisation or place that holds it (上星 finds the community and its committee,
党委 the committees). A visible-to filter (``visible``: the caller's scope) is applied
before anything is counted: a hidden node never takes a place and changes no count.

>>> import tempfile, os
>>> from graph.embedded import EmbeddedStore
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert([{"id": "p1", "labels": ["Person"], "properties": {"name": "张三"}},
...               {"id": "p2", "labels": ["Person"], "properties": {"name": "曾小明"}},
...               {"id": "c1", "labels": ["Committee"],
...                "properties": {"name": "中共新桥街道上星社区委员会"}}])
>>> [h.node.id for h in search(s, "zs")], [h.node.id for h in search(s, "zhangsan")]
(['p1'], ['p1'])
>>> [(h.node.id, h.match) for h in search(s, "cengxiaoming")]
[('p2', 'pinyin')]
>>> [(h.node.id, h.match) for h in search(s, "上星党委")], search(s, "上星党季")[0].match
([('c1', 'short_name')], 'typo')
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from rapidfuzz.distance import OSA

from graph.errors import InvalidParameter
from graph.names import (
    PLACES,
    RANKS,
    Candidate,
    SearchField,
    has_han,
    pinyin_keys,
    rank_of,
    search_keys,
    search_text,
    typo_parts,
)
from graph.store import GraphReader
from queries.common import NodeRef, node_ref

__all__ = ["search", "search_grouped", "SearchHit", "SearchGroup", "SearchGroups",
           "pinyin_keys", "rank", "MAX_LIMIT", "BANDS", "TYPO_SCAN", "COUNT_MAX", "warm"]

MAX_LIMIT = 100
#: the match kinds in order, each with the store field that finds its candidates
BANDS: tuple[tuple[str, SearchField], ...] = (
    ("name", "name"), ("short_name", "short"), ("name_contains", "contains"),
    ("pinyin", "spell"), ("typo", "typo"))
NAME, SHORT, CONTAINS, SPELL, TYPO = range(5)
#: candidates (holding a part a typo keeps) a typo search reads at most: the places
#: first, then people and the rest by id (a person's typo past them is not found)
TYPO_SCAN = 200
#: matches counted at most for the groups (past it the counts say "at least")
COUNT_MAX = 1_000


class SearchHit(BaseModel):
    node: NodeRef
    #: what matched: name, short_name, name_prefix, name_contains, short_name_prefix,
    #: short_name_contains, pinyin, pinyin_prefix, pinyin_contains, initials,
    #: initials_prefix, initials_contains, typo
    match: str
    #: higher is better: 100 − 20 × kind − 5 × rank (the order of the list)
    score: int


class SearchGroup(BaseModel):
    """The hits of one type (a root label: Community, PartyOrg, Person, Building …)."""

    group: str
    group_zh: str
    #: matches the caller may see (at least this many when ``complete`` is false)
    count: int
    hits: list[SearchHit]


class SearchGroups(BaseModel):
    q: str
    total: int
    #: false when more matched than :data:`COUNT_MAX`: the counts are then lower bounds
    complete: bool
    groups: list[SearchGroup]


# ------------------------------------------------------------------ the ranking
def rank(text: str, c: Candidate, band: int) -> str | None:
    """Whether candidate ``c`` matches ``text`` in match kind ``band`` (the one rule
    both backends' candidates go through), and how: the match's name, else None.

    >>> from graph.names import Candidate
    >>> c = Candidate("cc", ("Committee", "PartyOrg"), "中共新桥街道上星社区委员会",
    ...               ("上星社区党委", "上星党委"), ("shangxingdangwei", "sxdw"), 0)
    >>> rank("上星党委", c, SHORT), rank("党委", c, CONTAINS), rank("sx", c, SPELL)
    ('short_name', 'short_name_contains', 'initials_prefix')
    >>> rank("上星社区党季", c, TYPO), rank("上星社区党季", c, CONTAINS)
    ('typo', None)
    """
    m = match(text, c, band)
    return m[0] if m else None


def match(text: str, c: Candidate, band: int) -> tuple[str, int] | None:
    """:func:`rank`'s answer with the length of the key that matched (the shortest:
    among organisations and places, the nearer name comes first)."""
    n = len(text)
    if band == NAME:
        return ("name", n) if c.name == text else None
    if band == SHORT:
        return ("short_name", n) if text in c.short else None
    if band == CONTAINS:
        best: tuple[int, int, str] | None = None
        for order, (key, what) in enumerate(
                ((c.name, "name"), *((s, "short_name") for s in c.short))):
            if key.startswith(text) and (n >= 2 or c.rank == PLACES):
                how = f"{what}_prefix"
            elif text in key and (n >= 3 or c.rank == PLACES):
                how = f"{what}_contains"
            else:
                continue
            if best is None or (len(key), order) < best[:2]:
                best = (len(key), order, how)
        return (best[2], best[0]) if best else None
    if band == SPELL:
        if has_han(text) or (n == 1 and c.rank != PLACES):
            return None
        found: tuple[int, int, str] | None = None
        for key in c.spell:
            if key == text:
                how, order = "", 0
            elif key.startswith(text):
                how, order = "_prefix", 1
            elif n >= 3 and text in key:
                how, order = "_contains", 2
            else:
                continue
            if found is None or (order, len(key)) < (found[1], found[0]):
                found = (len(key), order, ("initials" if _is_initials(key, c) else "pinyin")
                         + how)
        return (found[2], found[0]) if found else None
    if band == TYPO:
        if not _typo_length(text):
            return None
        near = [len(k) for k in (c.name, *c.short, *c.spell) if _typo(text, k)]
        return ("typo", min(near)) if near else None
    return None


def _typo_length(text: str) -> bool:
    """Typos are looked for in 3 Chinese characters and up, or 5 letters (shorter
    pinyin and initials are one letter from too many others)."""
    return len(text) >= (3 if has_han(text) else 5)


def _is_initials(key: str, c: Candidate) -> bool:
    """Whether a spelling of ``c`` is initials (else full pinyin)."""
    for name in (c.name, *c.short):
        full, initials = pinyin_keys(name)
        if key in initials and key not in full:
            return True
    return False


def _typo_candidate(text: str, key: str) -> bool:
    """A key that holds a part one typo keeps (graph.names.typo_parts), starting with
    the first or holding the second: what a typo search reads, at most TYPO_SCAN nodes
    (in rank, then id order; the same on every backend)."""
    left, right = typo_parts(text)
    return key.startswith(left) or (right is not None and right in key)


def _typo(text: str, key: str) -> bool:
    return (abs(len(key) - len(text)) <= 1 and key != text and _typo_candidate(text, key)
            and OSA.distance(text, key, score_cutoff=1) <= 1)


def score(band: int, node_rank: int) -> int:
    return 100 - 20 * band - 5 * node_rank


# ------------------------------------------------------------------ candidates
def _candidates(store: GraphReader, text: str, field: SearchField, ranks: Sequence[int]
                ) -> Iterator[Candidate]:
    """The store's candidates; a reader without an index (a subgraph): every node."""
    find = getattr(store, "search_names", None)
    if find is not None:
        found: Iterator[Candidate] = find(text, field, ranks)
        return found
    return iter(_everything(store, ranks))


def _everything(store: GraphReader, ranks: Sequence[int]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for lab in (lab for lab, d in store.schema.labels.items() if d.extends is None):
        for n in store.nodes(lab):
            if n.id not in seen:
                k = search_keys(n.name, n.labels, n.properties.get("short_name"))
                if k.rank in ranks:
                    seen[n.id] = Candidate(n.id, n.labels, k.name, k.short, k.spell, k.rank)
    return sorted(seen.values(), key=lambda c: (c.rank, c.id))


@dataclass(frozen=True)
class _Found:
    band: int
    match: str
    candidate: Candidate
    length: int  # of the key that matched


Admit = Callable[[Candidate], bool]


def _ranked(store: GraphReader, text: str, ranks: Sequence[int], admit: Admit
            ) -> Iterator[_Found]:
    """Every match the caller may see, best first, found lazily: a kind's candidates
    are read only once the kinds before it are used up (the exact name and short name
    together: they are few). Organisations and places (read whole: there are few) come
    nearest name first, then by id; the rest by id, as the store gives them. Typos are
    looked for only when nothing else matched."""
    seen: set[str] = set()
    shown = 0
    exact: list[list[_Found]] = [[], []]
    for c in _candidates(store, text, "exact", ranks):
        for band in (NAME, SHORT):
            m = match(text, c, band)
            if m is not None and admit(c):
                exact[band].append(_Found(band, m[0], c, m[1]))
                seen.add(c.id)
                break
    for found in exact:
        shown += len(found)
        yield from found
    for band, (_, field) in list(enumerate(BANDS))[CONTAINS:]:
        if (band == SPELL and has_han(text)) or (band == TYPO and (
                shown or not _typo_length(text))):
            continue
        scanned = 0
        places: list[_Found] = []
        for c in _candidates(store, text, field, ranks):
            if c.id in seen:
                continue
            if c.rank != PLACES and places:
                shown += len(places)
                yield from sorted(places, key=lambda f: (f.length, f.candidate.id))
                places = []
            if band == TYPO:
                # the caller's scope first: a set look-up, where the part test is not
                if not admit(c) or not any(
                        _typo_candidate(text, k) for k in (c.name, *c.short, *c.spell)):
                    continue
                scanned += 1
                if scanned > TYPO_SCAN:
                    break
            m = match(text, c, band)
            if m is None or (band != TYPO and not admit(c)):
                continue
            seen.add(c.id)
            f = _Found(band, m[0], c, m[1])
            if c.rank == PLACES:
                places.append(f)
            else:
                shown += 1
                yield f
        shown += len(places)
        yield from sorted(places, key=lambda f: (f.length, f.candidate.id))


def _search_text(q: object) -> str:
    text = search_text(q) if isinstance(q, str) else ""
    if not text:
        raise InvalidParameter("the search text is empty")
    if len(text) > 50:
        raise InvalidParameter("the search text is longer than 50 characters")
    return text


def _admit(store: GraphReader, labels: Sequence[str] | None,
           visible: Callable[[str, list[str]], bool] | None, people: bool
           ) -> tuple[Admit, list[int]]:
    """Who may be shown (wanted labels, the caller's scope) and the ranks to read."""
    want = set(labels) if labels else None
    if want:
        unknown = want - set(store.schema.labels)
        if unknown:
            raise InvalidParameter(f"unknown label(s) {sorted(unknown)}")
    ranks = [r for r in RANKS if people or r != rank_of(["Person"])]
    if want:
        ranks = sorted({rank_of(store.schema.closure([lab])) for lab in want} & set(ranks))

    def admit(c: Candidate) -> bool:
        return (want is None or not want.isdisjoint(c.labels)) and (
            visible is None or visible(c.id, list(c.labels)))

    return admit, ranks


def _hits(store: GraphReader, found: Sequence[_Found]) -> list[SearchHit]:
    nodes = store.get_nodes(f.candidate.id for f in found)
    return [SearchHit(node=node_ref(store.schema, nodes[f.candidate.id]), match=f.match,
                      score=score(f.band, f.candidate.rank))
            for f in found if f.candidate.id in nodes]


# ------------------------------------------------------------------ kept answers
_kept: weakref.WeakKeyDictionary[object, tuple[object, dict[tuple[Any, ...], Any]]] = (
    weakref.WeakKeyDictionary())
_kept_lock = threading.Lock()
#: answers kept per store (until it changes)
CACHE_SIZE = 4096


def _cached(store: GraphReader, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """The answer kept for ``key`` while the store has not changed, else ``make()``."""
    version = store.version()
    with _kept_lock:
        hit = _kept.get(store)
        if hit is None or hit[0] != version:
            hit = _kept[store] = (version, {})
        answers = hit[1]
        if key in answers:
            return answers[key]
    value = make()
    with _kept_lock:
        if len(answers) >= CACHE_SIZE:
            answers.pop(next(iter(answers)), None)
        answers[key] = value
    return value


# ------------------------------------------------------------------ the queries
def search(store: GraphReader, q: str, labels: Sequence[str] | None = None,
           limit: int = 20, visible: Callable[[str, list[str]], bool] | None = None,
           scope: object = None, people: bool = True) -> list[SearchHit]:
    """Nodes matching ``q``, best first (see the module's ranking). ``visible`` (the
    caller's scope, named by ``scope`` for the answers kept) filters before ``limit``
    counts; ``people=False`` leaves people out (a role that may see none)."""
    text = _search_text(q)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(f"limit={limit} must be from 1 to {MAX_LIMIT}")
    admit, ranks = _admit(store, labels, visible, people)

    def make() -> tuple[SearchHit, ...]:
        found = []
        for f in _ranked(store, text, ranks, admit):
            found.append(f)
            if len(found) >= limit:
                break
        return tuple(_hits(store, found))

    if visible is not None and scope is None:  # a filter without a name: not kept
        return list(make())
    key = ("flat", text, tuple(sorted(labels or ())), limit, scope, people)
    return list(_cached(store, key, make))


def search_grouped(store: GraphReader, q: str, labels: Sequence[str] | None = None,
                   per_group: int = 5,
                   visible: Callable[[str, list[str]], bool] | None = None,
                   scope: object = None, people: bool = True) -> SearchGroups:
    """The matches grouped by type (root label), each group with its count and its best
    ``per_group`` hits; groups in the order of their best hit. Counts are of what the
    caller may see, up to :data:`COUNT_MAX` matches in all (``complete`` says)."""
    text = _search_text(q)
    if not 1 <= per_group <= MAX_LIMIT:
        raise InvalidParameter(f"per_group={per_group} must be from 1 to {MAX_LIMIT}")
    admit, ranks = _admit(store, labels, visible, people)
    schema = store.schema

    def group_of(c: Candidate) -> str:
        return schema.ancestors(schema.display_label(c.labels))[-1]

    def make() -> SearchGroups:
        counts: dict[str, int] = {}
        best: dict[str, list[_Found]] = {}
        total, complete = 0, True
        for f in _ranked(store, text, ranks, admit):
            if total >= COUNT_MAX:
                complete = False
                break
            g = group_of(f.candidate)
            counts[g] = counts.get(g, 0) + 1
            if len(best.setdefault(g, [])) < per_group:
                best[g].append(f)
            total += 1
        groups = [SearchGroup(group=g, group_zh=schema.labels[g].name_zh, count=counts[g],
                              hits=_hits(store, best[g])) for g in best]
        return SearchGroups(q=text, total=total, complete=complete, groups=groups)

    if visible is not None and scope is None:
        return make()
    key = ("groups", text, tuple(sorted(labels or ())), per_group, scope, people)
    kept: SearchGroups = _cached(store, key, make)
    return kept


def warm(store: GraphReader) -> None:
    """One search now (a server store's first answer otherwise waits for its index and
    query plans to warm up)."""
    with contextlib.suppress(Exception):  # a search reports it itself
        search(store, "新桥")
