"""Exporting party organisations, the people in them or holding posts, their
memberships and posts as Popolo JSON; what Popolo has no field for goes under
``govgraph`` in each object, so export -> load gives the same back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.model import Rel
from graph.store import GraphStore
from loaders.popolo.mapping import EXT, parse_identifiers, popolo_mapping, popolo_text

__all__ = ["export_popolo"]


def _classification(label: str) -> str:
    for cls, lab in popolo_mapping()["classifications"].items():
        if lab == label and cls.isascii():
            return str(cls)
    return label


def _identifiers_out(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"scheme": scheme, "identifier": value}
            for scheme, value in parse_identifiers(str(props.pop("identifiers", "") or ""))]


def export_popolo(store: GraphStore, path: str | Path) -> dict[str, int]:
    """Every organisation (the labels loaders/popolo.yaml classifies), the people in
    party organisations or holding posts, their memberships and posts, as Popolo
    JSON; what Popolo has no field for is under ``govgraph``."""
    schema = store.schema
    rels: list[Rel] = [*store.rels("MEMBER_OF"), *store.rels("HOLDS_POST")]
    org_ids = {n.id for lab in sorted(set(popolo_mapping()["classifications"].values()))
               for n in store.nodes(lab)} | {r.end for r in rels}
    person_ids = {r.start for r in rels} | {n.id for n in store.nodes("PartyMember")}
    orgs = store.get_nodes(sorted(org_ids))
    people = store.get_nodes(sorted(person_ids))
    parents: dict[str, list[Rel]] = defaultdict(list)
    for t in ("SUB_ORG_OF", "PART_OF"):
        for r in store.rels(t):
            if r.start in orgs and r.end in orgs:
                parents[r.start].append(r)
    out_orgs = []
    for oid, n in sorted(orgs.items()):
        label = schema.display_label(n.labels)
        props = dict(n.properties)
        o: dict[str, Any] = {"id": oid, "name": props.pop("name", ""),
                             "classification": _classification(label)}
        current = [r for r in parents[oid] if "until" not in r.properties]
        if current:
            o["parent_id"] = current[0].end
        if props.get("founded_on"):
            o["founding_date"] = popolo_text(props.pop("founded_on"),
                                             props.pop("founded_on_precision", None))
        idents = _identifiers_out(props)
        if idents:
            o["identifiers"] = idents
        o[EXT] = {"labels": [lab for lab in n.labels if lab == label] + sorted(
                      set(n.labels) - set(schema.closure([label]))),
                  "properties": props,
                  "parents": [{"id": r.end, "type": r.type, "rel_id": r.id, **r.properties}
                              for r in parents[oid]]}
        out_orgs.append(o)
    m = popolo_mapping()
    id_scheme = next(k for k, v in m["identifier_schemes"].items() if v == "id_number")
    out_people = []
    for pid, n in sorted(people.items()):
        props = dict(n.properties)
        person: dict[str, Any] = {"id": pid, "name": props.pop("name", "")}
        if "gender" in props:
            person["gender"] = props.pop("gender")
        if "birth_date" in props:
            person["birth_date"] = popolo_text(props.pop("birth_date"),
                                               props.pop("birth_date_precision", None))
        idents = ([{"scheme": id_scheme, "identifier": props.pop("id_number")}]
                  if "id_number" in props else []) + _identifiers_out(props)
        if idents:
            person["identifiers"] = idents
        if "phone" in props:
            person["contact_details"] = [{"type": "cell", "value": props.pop("phone")}]
        shown = schema.display_label(n.labels)
        person[EXT] = {"labels": [shown] + sorted(set(n.labels) - set(schema.closure([shown]))),
                       "properties": props}
        out_people.append(person)
    posts: dict[tuple[str, str], str] = {}
    memberships = []
    for r in sorted(rels, key=lambda r: r.id):
        ms: dict[str, Any] = {"id": r.id, "person_id": r.start, "organization_id": r.end}
        if r.type == "MEMBER_OF":
            ms["role"] = r.properties.get("role", "member")
            if r.properties.get("title"):
                ms["label"] = r.properties["title"]
        else:
            title = str(r.properties.get("title", ""))
            ms["role"] = title
            ms["post_id"] = posts.setdefault((r.end, title), f"post:{r.end}:{title}")
        for key, field_ in (("since", "start_date"), ("until", "end_date")):
            if r.properties.get(key):
                ms[field_] = popolo_text(r.properties[key],
                                         r.properties.get(f"{key}_precision"))
        memberships.append(ms)
    out_posts = [{"id": pid, "label": title, "role": title, "organization_id": org}
                 for (org, title), pid in sorted(posts.items(), key=lambda kv: kv[1])]
    doc = {"meta": {"source": "govgraph", "exported": dt.date.today().isoformat()},
           "persons": out_people, "organizations": out_orgs, "memberships": memberships,
           "posts": out_posts}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"persons": len(out_people), "organizations": len(out_orgs),
            "memberships": len(memberships), "posts": len(out_posts)}
