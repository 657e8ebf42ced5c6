"""Planning a batch: :func:`plan_batch` and its relationships' half (history,
stints, ends checked) (:mod:`graph.write`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import ValidationError, Violation
from graph.formats import id_number_key, valid_id_number
from graph.model import Node, Rel, rel_id
from graph.schema import PropertyDef, Schema
from graph.write.changes import (
    MAX_DIFFS,
    Changes,
    NodeAdded,
    NodeDiff,
    Plan,
    RelEnded,
    stint_id,
)
from graph.write.rules import (
    PERSON,
    _clean,
    _merge,
    _parts_node,
    _parts_rel,
    _person_rules,
    _same_post,
)
from graph.write.views import StoredView


@dataclass
class _Item:
    given: str
    id: str
    labels: tuple[str, ...]  # as given (closure), () when none given
    raw: Any


# ---------------------------------------------------------------- the plan
def plan_batch(schema: Schema, nodes: Iterable[Any], rels: Iterable[Any], view: StoredView,
               *, as_of: str | None = None, replace: bool = False,
               delete: Iterable[str] = (), history: bool = True) -> Plan:
    """Check a batch against the schema and the stored graph and plan its write; raise
    ValidationError listing every violation (nothing is then written). ``delete``:
    nodes the same write removes (their ID numbers are free for the batch);
    ``history=False`` writes relationships by id only (moving them as they are)."""
    day = as_of or dt.date.today().isoformat()
    doomed = set(delete)
    errors: list[Violation] = []
    changes = Changes()
    known = schema.labels

    # -- the items, and who the people are ---------------------------------------
    items: list[_Item] = []
    given_ids: set[str] = set()
    numbers: dict[str, list[str]] = defaultdict(list)  # ID number -> given ids
    for i, n in enumerate(nodes):
        nid, labels, props = _parts_node(n)
        item = nid if isinstance(nid, str) and nid else f"#{i}"
        if not isinstance(nid, str) or not nid.strip():
            errors.append(Violation(item, "node", "missing_id",
                                    "a node needs a non-empty string id"))
            continue
        if nid in given_ids:
            errors.append(Violation(item, "node", "duplicate_id",
                                    f"id {nid!r} appears more than once in this batch"))
            continue
        given_ids.add(nid)
        if labels is not None and type(labels) is not list and type(labels) is not tuple:
            errors.append(Violation(item, "node", "no_labels", "a node needs a list of labels"))
            continue
        bad = [lab for lab in labels or () if lab not in known]
        if bad:
            for lab in bad:
                errors.append(Violation(item, "node", "unknown_label",
                                        f"label {lab!r} is not in the schema", str(lab)))
            continue
        canon = schema.closure(labels) if labels else ()
        items.append(_Item(nid, nid, canon, props))
        if (not canon or PERSON in canon) and (type(props) is dict or isinstance(
                props, Mapping)):
            raw = props.get("id_number")
            if type(raw) is str and raw.strip():
                number = id_number_key(raw)
                if valid_id_number(number):  # an invalid one is reported by its own rule
                    numbers[number].append(nid)
    holders = view.people_by_id_number(set(numbers)) if numbers else {}

    raw_rels = []
    for i, r in enumerate(rels):
        raw_rels.append((i, *_parts_rel(r)))
    want = given_ids | set(holders.values())
    stored = view.nodes(want) if want else {}
    ends = {e for _, _, _, s, e, _ in raw_rels for e in (s, e) if type(e) is str} - want

    remap: dict[str, str] = {}
    for number, ids in numbers.items():
        if len(set(ids)) > 1:
            for nid in ids[1:]:
                errors.append(Violation(nid, "node", "duplicate_id_number",
                                        f"the same ID number as node {ids[0]!r} in this batch: "
                                        "one person, one node", PERSON, "id_number"))
            continue
        holder, nid = holders.get(number), ids[0]
        if holder is None or holder == nid or holder in doomed:
            continue
        mine = stored.get(nid)
        if mine is not None:
            if mine.properties.get("id_number") == number:
                continue  # an older store holding the number twice: leave both be
            errors.append(Violation(
                nid, "node", "id_number_taken",
                f"the ID number belongs to stored node {holder!r}; node {nid!r} cannot take "
                f"it (if they are one person: govgraph people merge {holder} {nid})",
                PERSON, "id_number"))
            continue
        remap[nid] = holder
    if remap:
        by_target: dict[str, list[str]] = defaultdict(list)
        for g, t in remap.items():
            by_target[t].append(g)
        for t, gs in by_target.items():
            if t in given_ids:  # the stored node is in the batch under its own id too
                gs = [*gs, t]
            for g in gs[1:]:
                errors.append(Violation(g, "node", "duplicate_id_number",
                                        f"the same person as {gs[0]!r} in this batch (same ID "
                                        "number): one person, one node", PERSON, "id_number"))
        for it in items:
            it.id = remap.get(it.given, it.given)
    changes.remap = remap

    # -- nodes: merged with what is stored ------------------------------------------
    out_nodes: list[Node] = []
    final: dict[str, tuple[str, ...]] = {}
    new_people: list[Node] = []
    info: dict[tuple[str, ...], tuple[Mapping[str, PropertyDef], str, tuple[str, ...]]] = {}
    for it in items:
        old = stored.get(it.id)
        if old is None and not it.labels:
            errors.append(Violation(it.given, "node", "no_labels",
                                    "a new node needs a list of labels"))
            continue
        if old is None or (replace and it.labels):
            labels = it.labels
        else:
            labels = schema.closure((*old.labels, *it.labels))
        got = info.get(labels)
        if got is None:
            pdefs_ = schema.node_properties(labels)
            got = info[labels] = (pdefs_, schema.display_label(labels), tuple(
                k for k, pd in pdefs_.items() if pd.required and k != "id"))
        pdefs, shown, required = got
        before = len(errors)
        clean = _clean(it.raw, pdefs, it.given, "node", shown, errors)
        props = clean if old is None or replace else _merge(old.properties, clean, pdefs)
        if PERSON in labels:
            _person_rules(it.given, props, shown, errors)
        for k in required:
            if k not in props and not any(v.item == it.given and v.field == k
                                          for v in errors[before:]):
                errors.append(Violation(it.given, "node", "missing_required",
                                        f"required property {k!r} is missing", shown, k))
        final[it.id] = labels
        if len(errors) != before:
            continue
        if old is None:
            changes.nodes_added += 1
            if len(changes.added) < MAX_DIFFS:
                changes.added.append(NodeAdded(it.id, labels, str(props.get("name") or "")))
            out_nodes.append(Node(it.id, labels, props))
            if PERSON in labels and "id_number" not in props and props.get("birth_date"):
                new_people.append(out_nodes[-1])
            continue
        if props == old.properties and labels == old.labels:  # most of a reload
            changes.nodes_unchanged += 1
            continue
        diff = NodeDiff(it.id, it.given,
                        tuple(x for x in labels if x not in old.labels),
                        tuple(x for x in old.labels if x not in labels))
        for k in {*old.properties, *props}:
            a, b = old.properties.get(k), props.get(k)
            if a != b:
                diff.properties[k] = (a, b)
        if not diff.properties and not diff.labels_added and not diff.labels_removed:
            changes.nodes_unchanged += 1
            continue
        changes.nodes_updated += 1
        if len(changes.diffs) < MAX_DIFFS:
            changes.diffs.append(diff)
        out_nodes.append(Node(it.id, labels, props))

    if new_people:
        named = view.people_named({n.name for n in new_people})
        for n in new_people:
            same = [o.id for o in named.get(n.name, ())
                    if o.id != n.id and o.properties.get("birth_date")
                    == n.properties.get("birth_date")]
            if same:
                changes.candidates[n.id] = sorted(same)

    # -- relationships -------------------------------------------------------------------
    end_labels = view.node_labels(ends) if ends else {}

    def labels_of(nid: str) -> tuple[str, ...] | None:
        got = final.get(nid)
        if got is not None:
            return got
        s = stored.get(nid)
        return s.labels if s is not None else end_labels.get(nid)

    planned: list[tuple[Rel, bool]] = []  # (rel, id was the default)
    seen: set[str] = set()
    allowed: dict[tuple[str, tuple[str, ...], tuple[str, ...]], bool] = {}
    for i, rid, rtype, start, end, props in raw_rels:
        if not isinstance(start, str) or not start or not isinstance(end, str) or not end:
            item = rid if isinstance(rid, str) and rid else f"#{i}"
            errors.append(Violation(item, "relationship", "missing_end",
                                    "a relationship needs string 'start' and 'end' ids"))
            continue
        if rid is not None and not isinstance(rid, str):
            errors.append(Violation(f"#{i}", "relationship", "missing_id",
                                    "a relationship id must be a string"))
            continue
        s2, e2 = (remap.get(start, start), remap.get(end, end)) if remap else (start, end)
        if not rid:
            rid, default = f"{rtype}:{s2}->{e2}", True
        else:
            base = f"{rtype}:{start}->{end}"
            default = rid == base or rid.startswith(base + "@")
            if default and (s2, e2) != (start, end):
                rid = f"{rtype}:{s2}->{e2}" + rid[len(base):]
        if rid in seen:
            errors.append(Violation(
                rid, "relationship", "duplicate_id",
                f"relationship id {rid!r} appears more than once in this batch"))
            continue
        seen.add(rid)
        rdef = schema.relationships.get(rtype) if isinstance(rtype, str) else None
        if rdef is None:
            errors.append(Violation(rid, "relationship", "unknown_relationship_type",
                                    f"relationship type {rtype!r} is not in the schema",
                                    field="type"))
            continue
        clean = _clean(props, rdef.properties, rid, "relationship", rtype, errors)
        s_labs, e_labs = labels_of(s2), labels_of(e2)
        if s_labs is None or e_labs is None:
            for which, eid, labs in (("start", s2, s_labs), ("end", e2, e_labs)):
                if labs is None:
                    errors.append(Violation(
                        rid, "relationship", "missing_end",
                        f"{which} node {eid!r} does not exist (not in this batch nor in the "
                        "store)", field=which))
            continue
        key = (rtype, s_labs, e_labs)
        fits = allowed.get(key)
        if fits is None:
            fits = allowed[key] = rdef.allows(s_labs, e_labs)
        if not fits:
            errors.append(Violation(
                rid, "relationship", "end_not_allowed",
                f"{rtype} may not go from ({'|'.join(s_labs)}) to ({'|'.join(e_labs)}); "
                f"allowed: {rdef.describe_allowed()}", field="type"))
            continue
        planned.append((Rel(rtype, s2, e2, clean, rid), default))

    out_rels = _plan_rels(schema, planned, view, day, replace, changes, errors, history)
    if errors:
        raise ValidationError(errors)
    dels = list(dict.fromkeys(delete))
    if dels:
        gone = view.nodes(dels)
        changes.nodes_deleted = len(gone)
        dels = [d for d in dels if d in gone]
    return Plan(out_nodes, out_rels, changes, dels, final,
                accepted_nodes=len(items), accepted_rels=len(planned))


def _plan_rels(schema: Schema, planned: list[tuple[Rel, bool]], view: StoredView, day: str,
               replace: bool, changes: Changes, errors: list[Violation],
               history: bool = True) -> list[Rel]:
    """Relationships merged by id, or, for a type with history, against the current
    relationship between the same two nodes."""
    if not planned:
        return []
    # a relationship of a type with history, at its default id and current, is found
    # by its two ends; every other by its id
    by_pair = {r.id for r, default in planned if history and default and "until" not in
               r.properties and schema.relationships[r.type].history}
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r, _ in planned:
        if r.id not in by_pair:
            ids_by_type[r.type].add(r.id)
        if history and schema.relationships[r.type].history and "until" not in r.properties:
            pairs[r.type].add((r.start, r.end))
    by_id: dict[str, Rel] = {}
    for t, ids in sorted(ids_by_type.items()):
        by_id.update(view.rels(t, ids))
    between = {t: view.rels_between(t, ps) for t, ps in pairs.items()}
    taken = set(by_id)
    for found in between.values():
        for rs in found.values():
            taken.update(x.id for x in rs)
    out: list[Rel] = []

    required: dict[str, tuple[str, ...]] = {}

    def complete(r: Rel, props: dict[str, Any]) -> bool:
        need = required.get(r.type)
        if need is None:
            need = required[r.type] = tuple(
                k for k, p in schema.relationships[r.type].properties.items() if p.required)
        if not need:
            return True
        missing = [k for k in need if k not in props]
        for k in missing:
            errors.append(Violation(r.id, "relationship", "missing_required",
                                    f"required property {k!r} is missing", r.type, k))
        return not missing

    def merged(old: Rel, r: Rel) -> None:
        if history and schema.relationships[r.type].history and (
                (old.start, old.end) != (r.start, r.end)):
            # a membership or a post is someone's in one organisation: it ends, it does
            # not move (moving it would give one person another's past)
            errors.append(Violation(
                r.id, "relationship", "cannot_move",
                f"{r.type} {old.id!r} is between {old.start!r} and {old.end!r}: it cannot "
                "move to other ends; end it (until) and give the new one its own id",
                r.type, "start"))
            return
        pdefs = schema.relationships[r.type].properties
        props = dict(r.properties) if replace else _merge(old.properties, r.properties, pdefs)
        if not complete(r, props):
            return
        if props == old.properties and (old.start, old.end) == (r.start, r.end):
            changes.rels_unchanged += 1
            return
        if props.get("until") is not None and old.properties.get("until") is None:
            changes.rels_ended += 1
            if len(changes.ended) < MAX_DIFFS:
                changes.ended.append(RelEnded(old.id, old.type, old.start, old.end,
                                              str(props["until"])))
        else:
            changes.rels_updated += 1
        out.append(Rel(r.type, r.start, r.end, props, old.id))

    for r, default in planned:
        rdef = schema.relationships[r.type]
        old = by_id.get(r.id)
        if (not history or not rdef.history or "until" in r.properties
                or (old is not None and not default)):
            if old is None:
                if complete(r, r.properties):
                    changes.rels_added += 1
                    out.append(r)
            else:
                merged(old, r)
            continue
        stints = between[r.type].get((r.start, r.end), [])
        current = sorted((x for x in stints if x.properties.get("until") is None),
                         key=lambda x: (str(x.properties.get("since") or ""), x.id))
        if not current and not complete(r, r.properties):
            continue
        if not current:
            rid = r.id
            if rid in taken:  # an ended stint has this id: a new stint
                rid = stint_id(rid.split("@", 1)[0], r.properties.get("since") or day, taken)
                taken.add(rid)
            changes.rels_added += 1
            out.append(Rel(r.type, r.start, r.end, r.properties, rid))
            continue
        cur = current[-1]
        changed = [h for h in rdef.history if h in r.properties and not _same_post(
            r.properties[h], cur.properties.get(h))]
        given = r.properties.get("since")
        began = cur.properties.get("since")
        if not changed or (given is not None and began is not None and given < began):
            merged(cur, r)  # the same stint (or a correction of how it began)
            continue
        # the new stint starts on its own date, if the item gives a later one than the
        # current stint's; a role changed in place (an edited export, the same since)
        # starts on the write's day
        later = given is not None and (began is None or given > began)
        start = str(given) if later else day
        end_props = {**cur.properties, "until": start}
        end_props.pop("until_precision", None)
        out.append(Rel(cur.type, cur.start, cur.end, end_props, cur.id))
        changes.rels_ended += 1
        if len(changes.ended) < MAX_DIFFS:
            changes.ended.append(RelEnded(cur.id, cur.type, cur.start, cur.end, start))
        rid = r.id if not default and r.id not in taken else stint_id(
            rel_id(r.type, r.start, r.end), start, taken)
        taken.add(rid)
        keep = {k: v for k, v in cur.properties.items()
                if k not in ("since", "until", "since_precision", "until_precision")
                and k not in rdef.history}
        props = {**keep, **r.properties, "since": start}
        if not later:
            props.pop("since_precision", None)
        if not complete(r, props):
            continue
        out.append(Rel(r.type, r.start, r.end, props, rid))
        changes.rels_added += 1
    return out


