"""Checks a batch against the schema before any backend writes a byte of it.

Every backend calls :func:`validate_batch` with a callback that tells the labels of
nodes already stored, so the rules live in one place. All violations of a batch
are collected; if there is any, :class:`~graph.errors.ValidationError` is raised
and the backend writes nothing.

>>> from graph.schema import get_schema
>>> nodes, rels = validate_batch(get_schema(),
...     [{"id": "c1", "labels": ["Community"], "properties": {"name": "新桥"}},
...      {"id": "s1", "labels": ["Street"], "properties": {"name": "新桥街道"}}],
...     [{"type": "PART_OF", "start": "c1", "end": "s1"}],
...     lambda ids: {})
>>> rels[0].id
'PART_OF:c1->s1'
>>> validate_batch(get_schema(), [], [{"type": "PART_OF", "start": "c1", "end": "zz"}],
...     lambda ids: {})
Traceback (most recent call last):
...
graph.errors.ValidationError: batch rejected, nothing written: 2 violation(s)
  - relationship 'PART_OF:c1->zz': start node 'c1' does not exist (not in this batch ...
  - relationship 'PART_OF:c1->zz': end node 'zz' does not exist (not in this batch ...
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graph.errors import ValidationError, Violation
from graph.geo import parse_geometry
from graph.model import Node, Rel, rel_id
from graph.schema import PropertyDef, Schema

__all__ = ["validate_batch", "check_value", "LabelLookup"]

LabelLookup = Callable[[set[str]], Mapping[str, tuple[str, ...]]]

_MISSING = object()


def check_value(p: PropertyDef, v: Any) -> tuple[bool, Any, str]:
    """Check one value against its definition: (ok, normalised value, why not)."""
    t = p.type
    if t == "string":
        if not isinstance(v, str):
            return False, v, f"must be a string, got {type(v).__name__}"
        if p.enum is not None and v not in p.enum:
            return False, v, f"must be one of {sorted(p.enum)}"
        return True, v, ""
    if t == "integer":
        if type(v) is not int:
            return False, v, f"must be an integer, got {type(v).__name__}"
        return True, v, ""
    if t == "float":
        if isinstance(v, bool) or not isinstance(v, int | float):
            return False, v, f"must be a number, got {type(v).__name__}"
        if not math.isfinite(v):
            return False, v, "must be a finite number"
        return True, float(v), ""
    if t == "boolean":
        if type(v) is not bool:
            return False, v, f"must be true or false, got {type(v).__name__}"
        return True, v, ""
    if t == "date":
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return True, v.isoformat(), ""
        if not isinstance(v, str) or len(v) != 10:
            return False, v, "must be a date YYYY-MM-DD"
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            return False, v, "must be a valid date YYYY-MM-DD"
        return True, v, ""
    if t == "geojson":  # a boundary: WKT or GeoJSON in, GeoJSON text stored
        try:
            return True, parse_geometry(v), ""
        except ValueError as e:
            return False, v, str(e)
    raise AssertionError(f"unhandled property type {t}")  # schema load forbids this


def _check_props(
    props: Any,
    pdefs: Mapping[str, PropertyDef],
    required: Iterable[str],
    item: str,
    kind: str,
    label: str,
    errors: list[Violation],
) -> dict[str, Any]:
    if props is None:
        props = {}
    if not isinstance(props, Mapping):
        errors.append(Violation(item, kind, "wrong_type", "properties must be a mapping"))
        return {}
    clean: dict[str, Any] = {}
    bad: set[str] = set()
    for k, v in props.items():
        if v is None:
            continue
        pd = pdefs.get(k)
        if pd is None or k == "id":
            why = (
                "'id' is the item's key, not a property"
                if k == "id"
                else f"property {k!r} is not defined for {label}"
            )
            errors.append(Violation(item, kind, "unknown_property", why, label, str(k)))
            continue
        ok, nv, why = check_value(pd, v)
        if not ok:
            rule = "not_in_enum" if pd.enum and isinstance(v, str) else "wrong_type"
            bad.add(k)
            errors.append(
                Violation(item, kind, rule, f"property {k!r} {why} (value {v!r})", label, k)
            )
            continue
        clean[k] = nv
    for r in required:
        if r not in clean and r not in bad:
            errors.append(
                Violation(item, kind, "missing_required", f"required property {r!r} is missing",
                          label, r)
            )
    return clean


def _as_node_parts(n: Any) -> tuple[Any, Any, Any]:
    if isinstance(n, Node):
        return n.id, n.labels, n.properties
    if isinstance(n, Mapping):
        return n.get("id"), n.get("labels"), n.get("properties")
    return None, None, None


def _as_rel_parts(r: Any) -> tuple[Any, Any, Any, Any, Any]:
    if isinstance(r, Rel):
        return r.id, r.type, r.start, r.end, r.properties
    if isinstance(r, Mapping):
        return r.get("id"), r.get("type"), r.get("start"), r.get("end"), r.get("properties")
    return None, None, None, None, None


def validate_batch(
    schema: Schema,
    nodes: Iterable[Any],
    rels: Iterable[Any],
    lookup_labels: LabelLookup,
) -> tuple[list[Node], list[Rel]]:
    """Validate and normalise one batch; raise ValidationError with every violation."""
    errors: list[Violation] = []
    out_nodes: list[Node] = []
    batch_labels: dict[str, tuple[str, ...]] = {}
    req_cache: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    known = schema.labels

    for i, n in enumerate(nodes):
        nid, labels, props = _as_node_parts(n)
        item = nid if isinstance(nid, str) and nid else f"#{i}"
        if not isinstance(nid, str) or not nid.strip():
            errors.append(Violation(item, "node", "missing_id",
                                    "a node needs a non-empty string id"))
            continue
        if nid in batch_labels:
            errors.append(Violation(item, "node", "duplicate_id",
                                    f"id {nid!r} appears more than once in this batch"))
            continue
        if isinstance(labels, str) or not labels:
            errors.append(Violation(item, "node", "no_labels", "a node needs a list of labels"))
            batch_labels[nid] = ()
            continue
        labels = tuple(labels)
        bad = [lab for lab in labels if lab not in known]
        if bad:
            for lab in bad:
                errors.append(Violation(item, "node", "unknown_label",
                                        f"label {lab!r} is not in the schema", str(lab)))
            batch_labels[nid] = ()
            continue
        canon = schema.closure(labels)
        pdefs = schema.node_properties(canon)
        cached = req_cache.get(canon)
        if cached is None:
            cached = req_cache[canon] = (
                tuple(k for k, p in pdefs.items() if p.required and k != "id"),
                schema.display_label(canon))
        required, shown = cached
        clean = _check_props(props, pdefs, required, item, "node", shown, errors)
        batch_labels[nid] = canon
        out_nodes.append(Node(nid, canon, clean))

    out_rels: list[Rel] = []
    seen_rels: set[str] = set()
    pending: list[tuple[Rel, str]] = []
    for i, r in enumerate(rels):
        rid, rtype, start, end, props = _as_rel_parts(r)
        if not isinstance(start, str) or not start or not isinstance(end, str) or not end:
            item = rid if isinstance(rid, str) and rid else f"#{i}"
            errors.append(Violation(item, "relationship", "missing_end",
                                    "a relationship needs string 'start' and 'end' ids"))
            continue
        if not rid:
            rid = rel_id(str(rtype), start, end)
        if not isinstance(rid, str):
            errors.append(Violation(f"#{i}", "relationship", "missing_id",
                                    "a relationship id must be a string"))
            continue
        if rid in seen_rels:
            errors.append(Violation(
                rid, "relationship", "duplicate_id",
                f"relationship id {rid!r} appears more than once in this batch"))
            continue
        seen_rels.add(rid)
        rdef = schema.relationships.get(rtype) if isinstance(rtype, str) else None
        if rdef is None:
            errors.append(Violation(rid, "relationship", "unknown_relationship_type",
                                    f"relationship type {rtype!r} is not in the schema",
                                    field="type"))
            continue
        req = [k for k, p in rdef.properties.items() if p.required]
        clean = _check_props(props, rdef.properties, req, rid, "relationship", rtype, errors)
        rel = Rel(rtype, start, end, clean, rid)
        pending.append((rel, rid))
        out_rels.append(rel)

    # Ends not in this batch are looked up in the store in one call.
    outside = {e for rel, _ in pending for e in (rel.start, rel.end) if e not in batch_labels}
    stored = lookup_labels(outside) if outside else {}
    for rel, rid in pending:
        ends = []
        for which, eid in (("start", rel.start), ("end", rel.end)):
            labs = batch_labels.get(eid)
            if labs is None:
                labs = stored.get(eid)
            if labs is None:
                errors.append(Violation(
                    rid, "relationship", "missing_end",
                    f"{which} node {eid!r} does not exist (not in this batch nor in the store)",
                    field=which))
            ends.append(labs)
        s_labs, e_labs = ends
        if s_labs and e_labs:
            rdef = schema.relationships[rel.type]
            if not rdef.allows(s_labs, e_labs):
                errors.append(Violation(
                    rid, "relationship", "end_not_allowed",
                    f"{rel.type} may not go from ({'|'.join(s_labs)}) to ({'|'.join(e_labs)});"
                    f" allowed: {rdef.describe_allowed()}",
                    field="type"))

    if errors:
        raise ValidationError(errors)
    return out_nodes, out_rels
