"""Pass 2 of a roster load: the spooled rows written through the store's write path.

The store merges each row into the node it is (:mod:`graph.write`), so this module only
decides what a *roster* means beyond its rows:

- a link new to the graph begins on the sheet's own date (转入日期, 任职时间, or the
  mapping's ``since_from``: 入党日期 for a first membership), else on the roster's;
  a first load of a secretary whose 任职时间 is later than the membership began gets
  both stints (member, then secretary);
- a link type with one current target (``single``: the building one lives in) ends the
  old target's relationship when a row names a new one (or moves it, for a type that
  keeps no dates);
- ``ends``: a relationship of that type into a node the roster names, from a node with
  the roster's labels, that is not in the roster any more ends on the roster's date.

Each batch is one transaction; on a dry run the store plans without writing and the
report shows the same changes.
"""

from __future__ import annotations

import marshal
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, BinaryIO

from graph.model import Node, Rel, rel_id
from graph.store import GraphStore
from graph.write import Changes, stint_id, unchanged_node, unchanged_rel
from loaders.roster.pass1 import BATCH, LINK_SINCE, STINT_SINCE, Pass1

__all__ = ["write_rows", "ROSTER_DATES"]

#: store meta: "TYPE:target id" -> the latest roster date complete for that target
ROSTER_DATES = "roster_dates"


def _spooled(f: BinaryIO) -> Iterator[tuple[str, tuple[str, ...], dict[str, Any], list[Any]]]:
    f.flush()
    f.seek(0)
    while head := f.read(8):
        yield from marshal.loads(f.read(int.from_bytes(head, "little")))


def _batches(spool: BinaryIO, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for rec in _spooled(spool):
        batch.append(rec)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _dated(props: dict[str, Any], key: str, into: dict[str, Any]) -> bool:
    """Copy the date ``props[key]`` (and its precision) into ``into["since"]``."""
    v = props.get(key)
    if not v:
        return False
    into["since"] = v
    precision = props.get(f"{key}_precision")
    if precision:
        into["since_precision"] = precision
    return True


def _links(p: Pass1, nid: str, props: dict[str, Any], links: list[Any],
           stored: dict[tuple[str, str], list[Rel]], has_type: set[str],
           resolved: dict[tuple[str, str], str], as_of: str,
           present: dict[str, set[tuple[str, str]]], seen: dict[str, str],
           unchanged: Changes) -> list[Rel]:
    """A row's links as relationships for the store, and what they end."""
    m, schema = p.mapping, p.schema
    out: list[Rel] = []
    done: set[tuple[str, str]] = set()
    for t, value, raw in links:
        end = resolved[(t, value)]
        if (t, end) in done:  # two rows of a person naming the same place
            continue
        done.add((t, end))
        if t in m.ends:
            present[t].add((nid, end))
        lp = {k: v for k, v in raw.items() if not k.startswith("__")}
        rdef = schema.relationships[t]
        temporal = "since" in rdef.properties
        current = [x for x in stored.get((t, end), []) if x.properties.get("until") is None]
        moved = False
        if t in m.single:  # one current target: a new one ends (or moves) the others
            for (ot, other), rels in stored.items():
                for x in rels:
                    if ot != t or other == end or x.properties.get("until") is not None:
                        continue
                    if "until" in rdef.properties:
                        out.append(Rel(t, nid, other, {**x.properties, "until": as_of}, x.id))
                    elif not stored.get((t, end)) and not moved:  # no history: it moves
                        out.append(Rel(t, nid, end, {**x.properties, **lp}, x.id))
                        moved = True
        if moved:
            continue
        if current:  # the same link: the store updates it (a new role: a new stint)
            _dated(raw, STINT_SINCE, lp)
            if len(current) == 1 and unchanged_rel(schema, current[0], lp):
                unchanged.rels_unchanged += 1  # nothing to plan
                continue
            out.append(Rel(t, nid, end, lp))
            continue
        if temporal and "since" not in lp and not _dated(raw, LINK_SINCE, lp):
            # a first membership began when the member joined, unless an earlier
            # roster of the organisation did not list them (then: this roster's date)
            prev = seen.get(f"{t}:{end}")
            for key in m.since_from.get(t, ()) if t not in has_type else ():
                v = props.get(key)
                if v and (prev is None or v > prev) and _dated(props, key, lp):
                    break
            lp.setdefault("since", as_of)
        rid = rel_id(t, nid, end)
        taken = {x.id for x in stored.get((t, end), [])}
        if rid in taken:
            rid = stint_id(rid, str(lp.get("since") or as_of), taken)
        plain = {prop: default for lt, prop, default in p.defaults if lt == t}
        if rdef.history and any(lp.get(h, v) != v for h, v in plain.items()):
            # a role (secretary, committee member) on a first load: known from 任职时间,
            # else from this roster; a member since joining before that: both stints
            role_since: dict[str, Any] = {}
            if not _dated(raw, STINT_SINCE, role_since):
                role_since["since"] = as_of
            began = lp.get("since")
            if began is not None and role_since["since"] > began:
                first = {**{k: v for k, v in lp.items() if k not in rdef.history},
                         **plain, "until": role_since["since"]}
                out.append(Rel(t, nid, end, first, stint_id(rid, str(began), taken)))
                lp.pop("since_precision", None)
                lp.update(role_since)
        out.append(Rel(t, nid, end, lp, rid))
    return out


def write_rows(store: GraphStore, p: Pass1, spool: BinaryIO, resolved: dict[tuple[str, str], str],
               as_of: str, write: bool, batch: int, end_missing: bool) -> None:
    """Pass 2: every batch through ``store.upsert`` (a plan only, on a dry run); the
    report gets the store's changes. Rows that name other rows (party organisations)
    go in one batch, so a dry run sees the new nodes the links need."""
    m, report = p.mapping, p.report
    total = Changes()
    present: dict[str, set[tuple[str, str]]] = defaultdict(set)
    types = list(m.link_types())
    size = 10**9 if p.self_ref else batch
    seen: dict[str, str] = store.get_meta(ROSTER_DATES) or {}
    subjects: list[str] = []  # a repeat roster's people: each with all their links
    for recs in _batches(spool, size):
        ids = [p.remap.get(r[0], r[0]) for r in recs]
        if m.repeat:
            subjects.extend(ids)
        adj = store.adjacent_many(ids, types, "out") if types else {}
        known = store.get_nodes(ids) if m.subject == "node" else {}
        nodes: list[Node] = []
        rels: list[Rel] = []
        for nid, (_, labels, props, links) in zip(ids, recs, strict=True):
            old = known.get(nid)
            if m.subject == "node":
                if old is not None and unchanged_node(p.schema, old, labels, props):
                    total.nodes_unchanged += 1  # the same as stored: nothing to plan
                else:
                    nodes.append(Node(nid, labels, props))
            stored: dict[tuple[str, str], list[Rel]] = defaultdict(list)
            for a in adj.get(nid, ()):
                stored[(a.rel.type, a.other)].append(a.rel)
            has_type = {a.rel.type for a in adj.get(nid, ())}
            rels.extend(_links(p, nid, props, links, stored, has_type, resolved, as_of,
                               present, seen, total))
        if nodes or rels:
            result = store.upsert(nodes, rels, as_of=as_of, dry_run=not write)
            total.add(result.changes)
    if end_missing:
        total.add(_end_missing(store, p, present, resolved, subjects, as_of, write))
        if write and m.ends:  # the organisations this roster is complete for, and when
            for (t, _), target in resolved.items():
                if t in m.ends and seen.get(f"{t}:{target}", "") < as_of:
                    seen[f"{t}:{target}"] = as_of
            store.put_meta(ROSTER_DATES, seen)
    back = {v: k for k, v in p.remap.items()}
    report.record_changes(total, p.schema,
                          lambda nid: p.seen.get(back.get(nid, nid), (None, None)))


def _end_missing(store: GraphStore, p: Pass1, present: dict[str, set[tuple[str, str]]],
                 resolved: dict[tuple[str, str], str], subjects: list[str], as_of: str,
                 write: bool) -> Changes:
    """Relationships of an ``ends`` type absent from the roster get ``until`` = the
    roster's date: those into a node the roster names, from a node with the roster's
    labels; on a ``repeat`` roster (one row per link) also those from a person it
    lists, whose rows are all their links (a grid worker's grids)."""
    m = p.mapping
    total = Changes()
    for t in m.ends:
        targets = sorted({nid for (lt, _), nid in resolved.items() if lt == t})
        labels = list(m.labels) or None
        seen: list[tuple[str, str, Rel]] = []  # (from, to, stored relationship)
        for i in range(0, len(targets), BATCH):
            adj = store.adjacent_many(targets[i:i + BATCH], [t], "in", labels)
            seen.extend((a.other, end, a.rel) for end, rels in adj.items() for a in rels)
        for i in range(0, len(subjects), BATCH):
            adj = store.adjacent_many(subjects[i:i + BATCH], [t], "out")
            seen.extend((src, a.other, a.rel) for src, rels in adj.items() for a in rels)
        todo: dict[str, Rel] = {}
        for src, end, rel in seen:
            props = rel.properties
            if props.get("until") is not None or (src, end) in present[t]:
                continue
            if props.get("since") is not None and props["since"] > as_of:
                continue
            todo[rel.id] = Rel(t, src, end, {**props, "until": as_of}, rel.id)
        ends = list(todo.values())
        for i in range(0, len(ends), BATCH):
            total.add(store.upsert([], ends[i:i + BATCH], as_of=as_of,
                                   dry_run=not write).changes)
    return total
