"""The store's write path, the same for every backend: identity, merge, history.

:func:`plan_batch` turns a batch as a caller gives it into what the backend writes,
against a :class:`StoredView` of what is stored. Every rule of a write lives here, so
a roster, a graph CSV, a Popolo file, the scenario and the API all get them:

- **Values** follow the schema (:mod:`graph.values`): types, enums with their Chinese
  names and aliases, booleans as 是/否, partial dates with their precision, ID
  numbers, phones, names normalised (``name_as_typed`` keeps what was typed).
- **One person, one node.** A person whose ``id_number`` a stored node already has *is*
  that node: the item is written into it (its id kept) and the batch's relationships
  follow. A node may not take an ID number another node holds. A new person without
  one who shares a stored person's name and birth date is reported as a candidate
  duplicate, never merged.
- **Merge, never replace.** A node's properties and labels are added to what is
  stored; a property left out (or ``None``) keeps its value. ``replace=True`` makes
  the given items exactly what is stored (the explicit way to remove something).
- **History.** A relationship type with ``history`` in the schema (MEMBER_OF: role,
  title; HOLDS_POST: title) keeps its past: when the current relationship between two
  nodes changes one of those, it ends (``until``) and a new one starts, on the
  relationship's own ``since`` or else the batch's ``as_of`` date.

What changed is returned per node (:class:`Changes`), so loaders report it and a dry
run shows it; unchanged items are not written at all.

>>> from graph.schema import get_schema
>>> view = MemoryView()
>>> plan = plan_batch(get_schema(), [{"id": "p1", "labels": ["Person"],
...     "properties": {"name": "卢　芳", "id_number": "11010519491231002x"}}], [], view,
...     as_of="2026-06-30")
>>> n = plan.nodes[0]
>>> n.properties["name"], n.properties["name_as_typed"], n.properties["birth_date"]
('卢芳', '卢\\u3000芳', '1949-12-31')
>>> view.put(plan)
>>> again = plan_batch(get_schema(), [{"id": "roster-7", "labels": ["PartyMember"],
...     "properties": {"name": "卢芳", "id_number": "11010519491231002X",
...                    "joined_party_on": "1975.07"}}], [], view, as_of="2026-06-30")
>>> again.changes.remap, again.nodes[0].id, again.nodes[0].properties["joined_party_on"]
({'roster-7': 'p1'}, 'p1', '1975-07-01')
>>> again.nodes[0].labels, "name_as_typed" in again.nodes[0].properties
(('PartyMember', 'Person'), False)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph.errors import ValidationError, Violation
from graph.formats import id_gender, id_number_key, is_normal_name, post_key, valid_id_number
from graph.model import Node, Rel, rel_id
from graph.schema import PropertyDef, Schema
from graph.values import DATE_RANGE, ValueProblem, coerce_fast

__all__ = ["StoredView", "StoreView", "MemoryView", "Changes", "NodeDiff", "Plan",
           "plan_batch", "MAX_DIFFS", "stint_id", "follow", "unchanged_node",
           "unchanged_rel"]

#: node diffs kept per batch (the counts are always exact)
MAX_DIFFS = 10_000
_PERSON = "Person"


class StoredView(Protocol):
    """What the planner needs to know of the stored graph, asked once per batch."""

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        """The stored nodes among these ids."""
        ...

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        """The labels of the stored nodes among these ids (a relationship's ends)."""
        ...

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        """ID number -> the id of the stored person holding it."""
        ...

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        """The stored relationships of a type among these ids."""
        ...

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        """Stored relationships of a type from each start to each end."""
        ...

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        """Stored people by (normalised) name, for candidate duplicates."""
        ...


@dataclass
class NodeDiff:
    """One stored node a batch changes: what it had and what it gets."""

    id: str
    given_id: str  # the id in the batch (differs when identity found the stored node)
    labels_added: tuple[str, ...] = ()
    labels_removed: tuple[str, ...] = ()
    #: property -> (stored value, new value); a removed property's new value is None
    properties: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def renamed(self) -> bool:
        return "name" in self.properties and self.properties["name"][0] is not None


@dataclass
class Changes:
    """What a batch wrote, or (dry run) would write."""

    nodes_added: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    rels_added: int = 0
    rels_updated: int = 0
    rels_unchanged: int = 0
    rels_ended: int = 0
    nodes_deleted: int = 0
    #: updated nodes, up to MAX_DIFFS
    diffs: list[NodeDiff] = field(default_factory=list)
    #: given id -> stored id, for people found by their ID number
    remap: dict[str, str] = field(default_factory=dict)
    #: new person id -> stored people with the same name and birth date
    candidates: dict[str, list[str]] = field(default_factory=dict)

    COUNTS = ("nodes_added", "nodes_updated", "nodes_unchanged", "rels_added",
              "rels_updated", "rels_unchanged", "rels_ended")

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.COUNTS}

    def add(self, other: Changes) -> None:
        for k in (*self.COUNTS, "nodes_deleted"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        room = MAX_DIFFS - len(self.diffs)
        if room > 0:
            self.diffs.extend(other.diffs[:room])
        self.remap.update(other.remap)
        self.candidates.update(other.candidates)


@dataclass
class Plan:
    """What a backend writes for one batch: whole nodes and relationships (merged
    already), nodes to delete, and what changed."""

    nodes: list[Node]
    rels: list[Rel]
    changes: Changes
    delete: list[str] = field(default_factory=list)
    #: final labels of every node of the batch (written or not)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    accepted_nodes: int = 0
    accepted_rels: int = 0


def stint_id(base: str, start: str | None, taken: Collection[str]) -> str:
    """The id of a new stint of a relationship whose ``base`` id is taken.

    >>> stint_id("MEMBER_OF:p1->br1", "2026-06-30", {"MEMBER_OF:p1->br1"})
    'MEMBER_OF:p1->br1@2026-06-30'
    >>> stint_id("M:a->b", "2026-06-30", {"M:a->b", "M:a->b@2026-06-30"})
    'M:a->b@2026-06-30#2'
    """
    rid = f"{base}@{start}" if start else f"{base}@"
    k = 2
    out = rid
    while out in taken:
        out = f"{rid}#{k}"
        k += 1
    return out


# ---------------------------------------------------------------- items
def _parts_node(n: Any) -> tuple[Any, Any, Any]:
    if type(n) is dict:  # the common case first: an isinstance of Mapping is slow
        return n.get("id"), n.get("labels"), n.get("properties")
    if isinstance(n, Node):
        return n.id, n.labels, n.properties
    if isinstance(n, Mapping):
        return n.get("id"), n.get("labels"), n.get("properties")
    return None, None, None


def _parts_rel(r: Any) -> tuple[Any, Any, Any, Any, Any]:
    if type(r) is dict:
        return r.get("id"), r.get("type"), r.get("start"), r.get("end"), r.get("properties")
    if isinstance(r, Rel):
        return r.id, r.type, r.start, r.end, r.properties
    if isinstance(r, Mapping):
        return r.get("id"), r.get("type"), r.get("start"), r.get("end"), r.get("properties")
    return None, None, None, None, None


def _shown(p: PropertyDef, v: Any) -> str:
    """A value as an error message may show it: never a sensitive one."""
    return "(hidden: personal data)" if p.sensitive else repr(v)


def _clean(props: Any, pdefs: Mapping[str, PropertyDef], item: str, kind: str, label: str,
           errors: list[Violation]) -> dict[str, Any]:
    """The properties checked and converted, with their companions."""
    if props is None:
        return {}
    if type(props) is not dict and not isinstance(props, Mapping):
        errors.append(Violation(item, kind, "wrong_type", "properties must be a mapping"))
        return {}
    clean: dict[str, Any] = {}
    for k, v in props.items():
        if v is None:
            continue
        tv = type(v)
        if tv is str and (not v or v.isspace()):
            continue  # an empty value keeps what is stored
        pd = pdefs.get(k)
        if pd is None or k == "id":
            why = ("'id' is the item's key, not a property" if k == "id"
                   else f"property {k!r} is not defined for {label}")
            errors.append(Violation(item, kind, "unknown_property", why, label, str(k)))
            continue
        # values already in their stored form (most of a big load) pass at once
        fast = pd.fast
        if tv is str:
            if fast == "text":
                clean[k] = v.strip()
                continue
            if fast == "date" and len(v) == 10 and v[4] == "-" and v[7] == "-" and (
                    v.isascii() and _LO <= v <= _HI) and _real_day(v):
                clean[k] = v
                continue
            if fast == "enum" and v in pd.enum:  # type: ignore[operator]
                clean[k] = v
                continue
            if fast == "name" and is_normal_name(v):
                clean[k] = v
                continue
            if fast == "phone" and len(v) == 11 and v.isascii() and v.isdigit() and (
                    v[0] == "1" and v[1] in "3456789"):
                clean[k] = v
                continue
            if fast == "id_number" and valid_id_number(v):
                clean[k] = v
                continue
        elif tv is bool:
            if fast == "boolean":
                clean[k] = v
                continue
        elif tv is int and fast == "integer":
            clean[k] = v
            continue
        try:
            value, companions = coerce_fast(pd, v)
        except ValueProblem as e:
            rule = ("not_in_enum" if e.rule == "enum" else e.rule
                    if e.rule in ("id_number", "phone", "excel_number", "id_number_as_number")
                    else "wrong_type")
            errors.append(Violation(item, kind, rule,
                                    f"property {k!r} {e.en} (value {_shown(pd, v)})", label, k))
            continue
        clean[k] = value
        if companions:
            for ck, cv in companions.items():
                if props.get(ck) in (None, ""):
                    clean[ck] = cv
    for k, v in clean.items():
        if k[-10:] == "_precision" and v in _FIRST_DAY:
            day = clean.get(k[:-10])
            if isinstance(day, str) and not day.endswith(_FIRST_DAY[v]):
                errors.append(Violation(
                    item, kind, "precision",
                    f"property {k!r} says {v!r}, but {k[:-10]!r} is "
                    f"{_shown(pdefs[k[:-10]], day)}: a date known "
                    f"to the {v} is stored as its first day", label, k))
    return clean


#: a date known only to the month or the year is stored as its first day
_FIRST_DAY = {"month": "-01", "year": "-01-01"}


_LO, _HI = DATE_RANGE[0].isoformat(), DATE_RANGE[1].isoformat()


def _real_day(v: str) -> bool:
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _same_post(a: Any, b: Any) -> bool:
    """Whether two values of a history property name the same thing: a role code, or a
    post written two ways (支部书记, 党支部书记)."""
    if a == b:
        return True
    return isinstance(a, str) and isinstance(b, str) and post_key(a) == post_key(b)


def _merge(stored: dict[str, Any], given: dict[str, Any],
           pdefs: Mapping[str, PropertyDef]) -> dict[str, Any]:
    """Stored properties with the given ones on top; a property set without its
    companion (a full date after a partial one, a name typed plainly) drops it."""
    out = {**stored, **given}
    for k in given:
        pd = pdefs.get(k)
        if pd is not None and pd.companion is not None and pd.companion not in given:
            out.pop(pd.companion, None)
    return out


def unchanged_node(schema: Schema, old: Node, labels: Iterable[str],
                   props: dict[str, Any]) -> bool:
    """Whether writing ``labels`` and (checked) ``props`` into ``old`` would change
    nothing, by the write path's own merge: a loader leaves such items out of a
    batch (a monthly reload of the same people plans only what changed)."""
    if not set(labels) <= set(old.labels):
        return False
    merged = _merge(old.properties, props, schema.node_properties(old.labels))
    return merged == old.properties and (
        "id_number" not in merged or "birth_date" in merged)


def unchanged_rel(schema: Schema, old: Rel, props: dict[str, Any]) -> bool:
    """As :func:`unchanged_node`, for ``props`` written into the relationship ``old``
    (no history property of it changes, since that would start a stint)."""
    return _merge(old.properties, props,
                  schema.relationships[old.type].properties) == old.properties


def _person_rules(node_id: str, props: dict[str, Any], label: str,
                  errors: list[Violation]) -> None:
    """An ID number carries the birth date: filled in when missing, and a birth date
    that disagrees is an error (to the month, when only the month was given)."""
    number = props.get("id_number")
    if not isinstance(number, str) or len(number) != 18:
        return
    gender = props.get("gender")
    if gender is not None and gender != id_gender(number):
        errors.append(Violation(node_id, "node", "gender_mismatch",
                                "the gender differs from the one the ID number gives (its "
                                "17th digit)", label, "gender"))
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"  # valid: the write checked it
    have = props.get("birth_date")
    if have == born:
        return
    precision = props.get("birth_date_precision")
    n = {"month": 7, "year": 4}.get(precision or "", 10)
    if have is None or have[:n] == born[:n]:
        props["birth_date"] = born
        props.pop("birth_date_precision", None)
    else:
        errors.append(Violation(node_id, "node", "birth_date_mismatch",
                                "the birth date differs from the one in the ID number",
                                label, "birth_date"))


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
        if (not canon or _PERSON in canon) and (type(props) is dict or isinstance(
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
                                        "one person, one node", _PERSON, "id_number"))
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
                _PERSON, "id_number"))
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
                                        "number): one person, one node", _PERSON, "id_number"))
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
        if _PERSON in labels:
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
            out_nodes.append(Node(it.id, labels, props))
            if _PERSON in labels and "id_number" not in props and props.get("birth_date"):
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


def follow(rel: Mapping[str, Any], remap: Mapping[str, str]) -> dict[str, Any]:
    """A relationship item with its ends moved to the nodes identity found for them
    (a loader's later batch naming a person an earlier batch mapped); a default id
    moves with its ends.

    >>> follow({"type": "MEMBER_OF", "start": "x", "end": "b", "id": "MEMBER_OF:x->b@2020"},
    ...        {"x": "p1"})["id"]
    'MEMBER_OF:p1->b@2020'
    """
    start, end = rel.get("start"), rel.get("end")
    s2 = remap.get(start, start) if isinstance(start, str) else start
    e2 = remap.get(end, end) if isinstance(end, str) else end
    if (s2, e2) == (start, end):
        return dict(rel)
    out = {**rel, "start": s2, "end": e2}
    rid, base = rel.get("id"), rel_id(str(rel.get("type")), str(start), str(end))
    if isinstance(rid, str) and (rid == base or rid.startswith(base + "@")):
        out["id"] = rel_id(str(rel.get("type")), str(s2), str(e2)) + rid[len(base):]
    return out


class StoreView:
    """A :class:`StoredView` over a store's contract methods (every backend's write
    path uses one); the relationships it found by id are kept (the embedded store
    moves them in its index)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.found_rels: dict[str, Rel] = {}

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        return dict(self.store.get_nodes(ids))

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        return dict(self.store.node_labels(ids))

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        return dict(self.store.people_by_id_number(numbers))

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        found: dict[str, Rel] = self.store.rels_by_id(type_, ids)
        self.found_rels.update(found)
        return found

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        return dict(self.store.rels_between(type_, pairs))

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        return dict(self.store.nodes_named(_PERSON, names))


class MemoryView:
    """A :class:`StoredView` over plain dicts, optionally in front of another view:
    the planner's doctests, and a loader's own items as its checks see them."""

    def __init__(self, base: StoredView | None = None) -> None:
        self.base = base
        self._nodes: dict[str, Node] = {}
        self._rels: dict[str, Rel] = {}
        self._numbers: dict[str, str] = {}
        self._pairs: dict[tuple[str, str, str], dict[str, Rel]] = defaultdict(dict)
        self._names: dict[str, dict[str, Node]] = defaultdict(dict)

    def put(self, plan: Plan) -> None:
        self.put_nodes(plan.nodes)
        for r in plan.rels:
            self._rels[r.id] = r
            self._pairs[(r.type, r.start, r.end)][r.id] = r

    def put_light(self, plan: Plan) -> None:
        """What a loader's later batches need of this one: each node's labels and ID
        number (not its other properties: memory stays small for a big file)."""
        self.put_nodes(Node(n.id, n.labels, {k: n.properties[k] for k in (
            "id_number", "name") if k in n.properties}) for n in plan.nodes)

    def put_nodes(self, nodes: Iterable[Node]) -> None:
        for n in nodes:
            self._nodes[n.id] = n
            v = n.properties.get("id_number")
            if isinstance(v, str):
                self._numbers[v] = n.id
            if _PERSON in n.labels:
                self._names[n.name][n.id] = n

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        out = {i: self._nodes[i] for i in ids if i in self._nodes}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.nodes(rest))
        return out

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        out = {i: self._nodes[i].labels for i in ids if i in self._nodes}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.node_labels(rest))
        return out

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        out = self.base.people_by_id_number(numbers) if self.base is not None else {}
        out.update({v: self._numbers[v] for v in numbers if v in self._numbers})
        return out

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        out = {i: self._rels[i] for i in ids if i in self._rels and self._rels[i].type == type_}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.rels(type_, rest))
        return out

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        out = self.base.rels_between(type_, pairs) if self.base is not None else {}
        for pair in pairs:
            mine = self._pairs.get((type_, *pair))
            if mine:
                out[pair] = [x for x in out.get(pair, []) if x.id not in mine] + list(
                    mine.values())
        return out

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        out = self.base.people_named(names) if self.base is not None else {}
        for name in names:
            mine = self._names.get(name)
            if mine:
                out[name] = [x for x in out.get(name, []) if x.id not in mine] + list(
                    mine.values())
        return out
