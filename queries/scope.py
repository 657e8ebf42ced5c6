"""A community's subgraph: the nodes a community-bound caller may see.

From the community: the committee leading it and every party organisation under it
(and those embedded in its enterprises and units), what they lead, its resident
groups and their buildings, its grids (and sub-grids) and the buildings and patrol
cases in them, the enterprises, units, parks and social organisations in it, the
activities its party organisations held; and the people tied to any of these —
members, residents, building heads, post holders, staff, the staff deployed to it,
the workers responsible for its grids, who reported its cases. The street, its
working committee and its functional departments are shared by every community (each
chain ends there; departments deploy staff to all); nothing of another community is
in it.

>>> from graph.embedded import EmbeddedStore
>>> import tempfile, os
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> from tests.graphs import tiny_street
>>> _ = s.upsert(*tiny_street())
>>> sorted(community_scope(s, "c1"))
['b1', 'br1', 'c1', 'cc1', 'p1', 'pwc', 'rg1', 'street']
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from graph.store import GraphReader

__all__ = ["community_scope", "communities_of"]

_cache: dict[tuple[int, str], tuple[object, frozenset[str]]] = {}
_lock = threading.Lock()

_PEOPLE_IN = ("MEMBER_OF", "LIVES_IN", "HEADS", "HOLDS_POST", "WORKS_AT", "DEPLOYED_TO",
              "RESPONSIBLE_FOR", "ATTENDED")


def _ins(store: GraphReader, ids: Iterable[str], types: list[str],
         labels: list[str] | None = None) -> set[str]:
    adj = store.adjacent_many(list(ids), types, "in", labels)
    return {a.other for rels in adj.values() for a in rels}


def _outs(store: GraphReader, ids: Iterable[str], types: list[str],
          labels: list[str] | None = None) -> set[str]:
    adj = store.adjacent_many(list(ids), types, "out", labels)
    return {a.other for rels in adj.values() for a in rels}


def _closure_in(store: GraphReader, start: set[str], types: list[str],
                labels: list[str] | None = None) -> set[str]:
    seen, frontier = set(start), set(start)
    while frontier:
        frontier = _ins(store, frontier, types, labels) - seen
        seen |= frontier
    return seen


def _compute(store: GraphReader, community: str) -> frozenset[str]:
    groups = _ins(store, [community], ["PART_OF"], ["ResidentGroup"])
    grids = _closure_in(store, _ins(store, [community], ["IN"], ["Grid"]), ["PART_OF"], ["Grid"])
    units = _ins(store, [community], ["IN"], ["Enterprise", "StationedUnit", "IndustrialPark",
                                              "SocialOrganization"])
    buildings = _ins(store, groups, ["PART_OF"], ["Building"]) | _ins(store, grids, ["IN_GRID"])
    committees = _ins(store, [community], ["LEADS"], ["Committee"])
    party = _closure_in(store, committees | _ins(store, units, ["EMBEDDED_IN"]), ["SUB_ORG_OF"])
    led = _outs(store, party, ["LEADS"]) - {community} - _street_level(store)
    activities = _outs(store, party, ["HELD"])
    places = {community} | groups | grids | units | buildings | party | led | activities
    people = (_ins(store, places, list(_PEOPLE_IN), ["Person"])
              | _outs(store, buildings, ["REPORTED_BY"], ["Person"]))  # who reported its cases
    return frozenset(places | people | _street_level(store))


def _street_level(store: GraphReader) -> set[str]:
    """The organisations above every community, public to each: the streets, their
    working committees and departments, and (a district's graph) the district and its
    committee."""
    return {n.id for lab in ("Street", "WorkingCommittee", "Department", "District",
                             "DistrictCommittee")
            for n in store.nodes(lab)}


def community_scope(store: GraphReader, community: str) -> frozenset[str]:
    """Ids in the community's subgraph (cached until the store changes)."""
    key = (id(store), community)
    gen = store.version()  # on a server others write to: a minute at most
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == gen:
            return hit[1]
    ids = _compute(store, community)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = (gen, ids)
    return ids


def communities_of(store: GraphReader, node_id: str) -> list[str]:
    """The communities whose subgraph holds a node (for the audit and for tests)."""
    return sorted(c.id for c in store.nodes("Community")
                  if node_id in community_scope(store, c.id))
