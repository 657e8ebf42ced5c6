"""The rules one item meets on its way in: its parts, its values cleaned by the
schema, merge into what is stored, the person rules, and relationships following the
nodes identity found (:mod:`graph.write`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from graph.errors import Violation
from graph.formats import id_gender, is_normal_name, post_key, valid_id_number
from graph.model import Node, Rel, rel_id
from graph.schema import PropertyDef, Schema
from graph.values import DATE_RANGE, ValueProblem, coerce_fast

#: the label the person rules apply to
PERSON = "Person"


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

