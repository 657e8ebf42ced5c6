"""One person, one node: the candidate duplicates a store already holds, and merging two.

The write path keeps new duplicates out (graph/write/: a person whose ID number a
stored node has *is* that node). Stores filled before that, or people who arrived
without an ID number, may still hold the same person twice: :func:`duplicate_people`
lists the candidates with the evidence (the same ID number; the same normalised name
and birth date, and whether they also share a community or a phone), and
:func:`merge_people` merges one node into another, dry by default: every relationship
moves, properties are unioned (the kept node's value wins; conflicts are reported),
labels add up, and the other node goes, in one transaction.

>>> import tempfile, os
>>> from graph.embedded import EmbeddedStore
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert([{"id": "a", "labels": ["Resident"], "properties": {
...     "name": "卢芳", "birth_date": "1980-01-01"}}, {"id": "b", "labels": ["Volunteer"],
...     "properties": {"name": "卢芳", "birth_date": "1980-01-01", "phone": "13812345678"}}])
>>> [(g.ids, g.evidence) for g in duplicate_people(s)]
[(['a', 'b'], ['same_name_birth_date'])]
>>> r = merge_people(s, "a", "b", apply=True)
>>> s.get_node("a").labels, s.get_node("a").properties["phone"], s.get_nodes(["b"])
(('Person', 'Resident', 'Volunteer'), '13812345678', {})
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from graph.errors import InvalidParameter, NodeNotFound
from graph.formats import normalise_name
from graph.model import Rel, rel_id
from graph.store import GraphReader, GraphStore
from graph.write import stint_id
from queries.common import NodeRef, node_ref
from queries.scope import communities_of

__all__ = ["duplicate_people", "merge_people", "DuplicateGroup", "MergeReport"]

#: how strong each kind of evidence is, strongest first
EVIDENCE = ("same_id_number", "same_name_birth_date", "same_community", "same_phone")
EVIDENCE_ZH = {"same_id_number": "身份证号相同", "same_name_birth_date": "姓名、出生日期相同",
               "same_community": "同一社区", "same_phone": "联系电话相同"}


class DuplicateGroup(BaseModel):
    """People who may be one person, and why."""

    ids: list[str]
    people: list[NodeRef]
    evidence: list[str]
    evidence_zh: list[str]
    #: the node to keep: the one with most relationships, then the smallest id
    keep: str


class Conflict(BaseModel):
    property: str
    kept: Any
    dropped: Any


class MergeReport(BaseModel):
    keep: NodeRef
    other: NodeRef
    applied: bool
    labels_added: list[str]
    properties_added: list[str]
    conflicts: list[Conflict]
    relationships_moved: int
    #: relationships the kept node already had the same of, or between the two
    relationships_dropped: list[str]


def duplicate_people(store: GraphReader, limit: int | None = None) -> list[DuplicateGroup]:
    """Groups of people who may be one person: the same ID number, or the same
    normalised name and birth date (with, as further evidence, a shared community or
    phone). Strongest evidence first, then by the first id."""
    by_number: dict[str, list[str]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    people = {}
    for n in store.nodes("Person"):
        people[n.id] = n
        number = n.properties.get("id_number")
        if isinstance(number, str):
            by_number[number.upper()].append(n.id)
        born = n.properties.get("birth_date")
        if born and n.name:
            by_name[(normalise_name(n.name), str(born))].append(n.id)
    groups: dict[tuple[str, ...], set[str]] = {}
    for same in by_number.values():
        if len(same) > 1:
            groups[tuple(sorted(same))] = {"same_id_number"}
    for same in by_name.values():
        if len(same) > 1:
            groups.setdefault(tuple(sorted(same)), set()).add("same_name_birth_date")
    out = []
    for ids, evidence in groups.items():
        nodes = [people[i] for i in ids]
        phones = {n.properties.get("phone") for n in nodes}
        if len(phones) == 1 and None not in phones:
            evidence.add("same_phone")
        coms = [set(communities_of(store, i)) for i in ids]
        if coms and set.intersection(*coms):
            evidence.add("same_community")
        degree = {i: len(store.adjacent(i)) for i in ids}
        keep = min(ids, key=lambda i: (-degree[i], i))
        ev = [e for e in EVIDENCE if e in evidence]
        out.append(DuplicateGroup(ids=list(ids), people=[node_ref(store.schema, n)
                                                         for n in nodes],
                                  evidence=ev, evidence_zh=[EVIDENCE_ZH[e] for e in ev],
                                  keep=keep))
    out.sort(key=lambda g: (EVIDENCE.index(g.evidence[0]), g.ids))
    return out[:limit] if limit is not None else out


def merge_people(store: GraphStore, keep: str, other: str, *, apply: bool = False,
                 as_of: str | None = None) -> MergeReport:
    """Merge ``other`` into ``keep`` (dry unless ``apply``): relationships moved with
    their properties and dates, properties unioned (``keep``'s value wins, each
    conflict reported), labels added, ``other`` deleted; one transaction."""
    if keep == other:
        raise InvalidParameter("keep and other are the same node")
    nodes = store.get_nodes([keep, other])
    for nid in (keep, other):
        if nid not in nodes:
            raise NodeNotFound(nid)
        if "Person" not in nodes[nid].labels:
            raise InvalidParameter(f"{nid!r} is not a person: only people are merged")
    k, o = nodes[keep], nodes[other]
    props = {**o.properties, **k.properties}
    conflicts = [Conflict(property=p, kept=k.properties[p], dropped=v)
                 for p, v in sorted(o.properties.items())
                 if p in k.properties and k.properties[p] != v]
    kept_rels = {a.rel.id: a.rel for a in store.adjacent(keep)}
    taken = set(kept_rels)
    moved: list[Rel] = []
    dropped: list[str] = []
    for a in store.adjacent(other):
        r = a.rel
        start = keep if r.start == other else r.start
        end = keep if r.end == other else r.end
        if start == end:  # between the two (a MENTORS of oneself): it goes
            dropped.append(r.id)
            continue
        base = rel_id(r.type, r.start, r.end)
        rid = r.id
        if rid == base or rid.startswith(base + "@"):
            rid = rel_id(r.type, start, end) + rid[len(base):]
        same = kept_rels.get(rid)
        if same is not None and same.properties == r.properties and (same.start, same.end) == (
                start, end):
            dropped.append(r.id)  # the kept node has it already
            continue
        if rid in taken:  # another stint of a relationship the kept node has
            rid = stint_id(rel_id(r.type, start, end), str(r.properties.get("since") or ""),
                           taken)
        taken.add(rid)
        moved.append(Rel(r.type, start, end, dict(r.properties), rid))
    labels = tuple(sorted(set(k.labels) | set(o.labels)))
    store.upsert([{"id": keep, "labels": list(labels), "properties": props}], moved,
                 as_of=as_of, dry_run=not apply, delete=[other], history=False)
    return MergeReport(
        keep=node_ref(store.schema, k), other=node_ref(store.schema, o), applied=apply,
        labels_added=sorted(set(labels) - set(k.labels)),
        properties_added=sorted(set(o.properties) - set(k.properties)),
        conflicts=conflicts, relationships_moved=len(moved),
        relationships_dropped=sorted(dropped))
