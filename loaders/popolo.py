"""Popolo JSON (persons, organizations, memberships, posts) in and out.

Mapping (``loaders/popolo.yaml``, data): an organization's ``classification`` names its
label; ``parent_id`` becomes ``SUB_ORG_OF`` between party organisations (``PART_OF``
where the schema has that instead, a resident group in its community); a membership
of a party organisation becomes ``MEMBER_OF`` with its role, any other membership
``HOLDS_POST`` titled by its post (or role). Dates a membership lacks come from its
legislative period. Popolo dates may be partial (``1960``, ``1993-09``): the graph
keeps full dates only, so a partial one is left out and the report says so.

Exports carry what Popolo has no field for under ``govgraph`` in each object
(labels, other properties, every parent link with its dates), so export → load gives
back the same party organisations, people, memberships and posts.

>>> popolo_date("2006-08-03"), popolo_date("1960"), popolo_date(None)
('2006-08-03', None, None)
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import GraphError, ValidationError
from graph.model import Rel, rel_id
from graph.schema import Schema
from graph.store import GraphStore
from graph.validate import validate_batch
from loaders.report import LoadReport

__all__ = ["load_popolo", "export_popolo", "popolo_date", "classification_map"]

MAPPING = Path(__file__).parent / "popolo.yaml"
EXT = "govgraph"
_PERSON_KEYS = {"id", "name", "gender", "birth_date", "identifiers", "contact_details", EXT}


@cache
def _mapping() -> dict[str, Any]:
    return yaml.safe_load(MAPPING.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def classification_map(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Classification (lower case) -> label, the file's entries plus ``extra``."""
    out = {k.lower(): v for k, v in _mapping()["classifications"].items()}
    out.update({k.lower(): v for k, v in (extra or {}).items()})
    return out


def popolo_date(v: Any) -> str | None:
    """A full ISO date, or None for a missing or partial one."""
    if not isinstance(v, str) or len(v) != 10:
        return None
    try:
        return dt.date.fromisoformat(v).isoformat()
    except ValueError:
        return None


class _Load:
    def __init__(self, store: GraphStore, data: dict[str, Any], report: LoadReport,
                 classes: dict[str, str]) -> None:
        self.store, self.schema, self.data, self.report = store, store.schema, data, report
        self.classes = classes
        self.nodes: dict[str, dict[str, Any]] = {}
        self.rels: list[dict[str, Any]] = []
        self.where: dict[str, str] = {}  # item id -> JSON path, for the report
        self.warned_obo = False

    def warn(self, path: str, value: Any, rule: str, zh: str, en: str) -> None:
        self.report.add(path, None, None, None, value, rule, zh, en, "warning")

    def error(self, path: str, value: Any, rule: str, zh: str, en: str) -> None:
        self.report.add(path, None, None, None, value, rule, zh, en)

    def _date(self, path: str, v: Any) -> str | None:
        d = popolo_date(v)
        if d is None and v not in (None, ""):
            shown = None if path.endswith("birth_date") else v  # personal: not in reports
            self.warn(path, shown, "partial_date", "日期不完整（只有年或年月），未导入",
                      "partial date (year or year-month only) left out")
        return d

    # -- organizations ----------------------------------------------------------
    def organizations(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        unmapped: dict[str, list[str]] = defaultdict(list)
        orgs = self.data.get("organizations") or []
        for i, o in enumerate(orgs):
            path = f"organizations[{i}]"
            oid, name = o.get("id"), o.get("name")
            if not isinstance(oid, str) or not oid:
                self.error(path, oid, "missing_id", "缺少 id", "has no id")
                continue
            ext = o.get(EXT) or {}
            label = ext.get("labels", [None])[0] if ext.get("labels") else None
            if label is None:
                cls = str(o.get("classification") or "").lower()
                label = self.classes.get(cls)
                if label is None:
                    unmapped[cls].append(oid)
                    continue
            props = dict(ext.get("properties") or {})
            if name:
                props["name"] = name
            founded = self._date(f"{path}.founding_date", o.get("founding_date"))
            if founded and "founded_on" in self.schema.node_properties(
                    self.schema.closure([label])):
                props["founded_on"] = founded
            self.nodes[oid] = {"id": oid, "labels": ext.get("labels") or [label],
                               "properties": props}
            self.where[oid] = path
            labels[oid] = label
        for cls, ids in unmapped.items():
            self.error("organizations", cls or "(none)", "unknown_classification",
                       f"组织类别“{cls}”没有对应的标签（{len(ids)} 个组织，如 {ids[0]}）："
                       "请在 loaders/popolo.yaml 中添加，或用 --classification 类别=标签",
                       f"classification {cls!r} has no label ({len(ids)} organisations, "
                       f"e.g. {ids[0]}): add it to loaders/popolo.yaml or pass "
                       "--classification CLASS=Label")
        for i, o in enumerate(orgs):
            oid = o.get("id")
            if oid not in self.nodes:
                continue
            ext = o.get(EXT) or {}
            parents = ext.get("parents")
            if parents is None and o.get("parent_id"):
                parents = [{"id": o["parent_id"]}]
            for p in parents or []:
                self._parent_link(f"organizations[{i}].parent_id", oid, p)
        return labels

    def _parent_link(self, path: str, oid: str, p: dict[str, Any]) -> None:
        child = self.schema.closure(self.nodes[oid]["labels"])
        parent_node = self.nodes.get(p["id"])
        if parent_node is not None:
            parent = self.schema.closure(parent_node["labels"])
        else:
            found = self.store.get_nodes([p["id"]]).get(p["id"])
            parent = found.labels if found else ()
        rtype = p.get("type")
        if rtype is None:
            rtype = next((t for t in ("SUB_ORG_OF", "PART_OF")
                          if self.schema.relationships[t].allows(child, parent)), None)
        if rtype is None:
            self.warn(path, p["id"], "parent_not_kept",
                      "上级组织关系在图模式中没有对应关系，未导入",
                      "the schema has no relationship for this parent; left out")
            return
        props = {k: p[k] for k in ("since", "until") if p.get(k)}
        self.rels.append({"type": rtype, "start": oid, "end": p["id"], "properties": props,
                          "id": p.get("rel_id") or rel_id(rtype, oid, p["id"])})
        self.where[self.rels[-1]["id"]] = path

    # -- persons ----------------------------------------------------------------
    def persons(self, party_people: dict[str, list[str]]) -> None:
        m = _mapping()
        for i, p in enumerate(self.data.get("persons") or []):
            path = f"persons[{i}]"
            pid = p.get("id")
            if not isinstance(pid, str) or not pid:
                self.error(path, pid, "missing_id", "缺少 id", "has no id")
                continue
            ext = p.get(EXT) or {}
            props = dict(ext.get("properties") or {})
            if p.get("name"):
                props["name"] = p["name"]
            g = p.get("gender")
            if g in ("male", "female"):
                props["gender"] = g
            elif g:
                self.warn(f"{path}.gender", g, "gender", "性别取值无法对应，未导入",
                          "gender has no counterpart in the schema; left out")
            born = self._date(f"{path}.birth_date", p.get("birth_date"))
            if born:
                props["birth_date"] = born
            for ident in p.get("identifiers") or []:
                prop = m["identifier_schemes"].get(str(ident.get("scheme", "")).lower())
                if prop:
                    props[prop] = ident.get("identifier")
            for c in p.get("contact_details") or []:
                prop = m["contact_types"].get(str(c.get("type", "")).lower())
                if prop:
                    props[prop] = c.get("value")
            labels = ext.get("labels") or ["Person"]
            if pid in party_people and "PartyMember" not in labels:
                labels = [*labels, "PartyMember"]
                if "joined_party_on" not in props:
                    starts = sorted(d for d in party_people[pid] if d)
                    if starts:
                        props["joined_party_on"] = starts[0]
            self.nodes[pid] = {"id": pid, "labels": labels, "properties": props}
            self.where[pid] = path

    # -- memberships ------------------------------------------------------------
    def memberships(self, org_labels: dict[str, str]) -> dict[str, list[str]]:
        """Relationships of the memberships; returns party members' start dates."""
        periods = {e.get("id"): e for e in self.data.get("events") or []}
        posts = {p.get("id"): p for p in self.data.get("posts") or []}
        party: dict[str, list[str]] = defaultdict(list)
        used: dict[str, int] = defaultdict(int)
        for i, ms in enumerate(self.data.get("memberships") or []):
            path = f"memberships[{i}]"
            person, org = ms.get("person_id"), ms.get("organization_id")
            post = posts.get(ms.get("post_id")) if ms.get("post_id") else None
            if org is None and post is not None:
                org = post.get("organization_id")
            if not person or not org:
                self.error(path, None, "missing_end", "缺少 person_id 或 organization_id",
                           "needs person_id and organization_id")
                continue
            period = periods.get(ms.get("legislative_period_id")) or {}
            since = self._date(f"{path}.start_date", ms.get("start_date")) or popolo_date(
                period.get("start_date"))
            until = self._date(f"{path}.end_date", ms.get("end_date")) or popolo_date(
                period.get("end_date"))
            label = org_labels.get(org)
            if label is None:
                found = self.store.get_nodes([org]).get(org)
                label = found.labels[0] if found else None
            is_party = label is not None and "PartyOrg" in self.schema.closure([label])
            role = ms.get("role") or (post or {}).get("role")
            props: dict[str, Any] = {}
            if is_party:
                rtype = "MEMBER_OF"
                props["role"] = self._role(path, role)
                party[person].append(since or "")
            else:
                rtype = "HOLDS_POST"
                props["title"] = (post or {}).get("label") or role or "成员"
            if since:
                props["since"] = since
            if until:
                props["until"] = until
            rid = ms.get("id") or rel_id(rtype, person, org)
            used[rid] += 1
            if used[rid] > 1:  # the same person again in the same organisation
                rid = f"{rid}@{since or ms.get('legislative_period_id') or used[rid]}"
            self.rels.append({"type": rtype, "start": person, "end": org, "id": rid,
                              "properties": props})
            self.where[rid] = path
            if ms.get("on_behalf_of_id") and not self.warned_obo:
                self.warned_obo = True
                self.warn("memberships", ms["on_behalf_of_id"], "ignored_field",
                          "on_behalf_of_id（代表的党派）在图模式中没有对应，未导入",
                          "on_behalf_of_id (party represented) has no counterpart; left out")
        return party

    def _role(self, path: str, role: Any) -> Any:
        pdef = self.schema.relationships["MEMBER_OF"].properties["role"]
        assert pdef.enum is not None
        for code, zh in pdef.enum.items():
            if role in (code, zh):
                return code
        return role or "member"  # an unknown role fails validation, naming it


def load_popolo(store: GraphStore, path: str | Path, *, dry_run: bool = False,
                classifications: dict[str, str] | None = None) -> LoadReport:
    """Check a Popolo JSON file against the schema and, with no error, write it in one
    transaction."""
    p = Path(path)
    report = LoadReport(kind="popolo", file=p.name, as_of=dt.date.today().isoformat(),
                        dry_run=dry_run)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        report.add(None, None, None, None, None, "not_json", f"不是可读的 JSON 文件：{e}",
                   f"not a readable JSON file: {e}")
        return report
    if not isinstance(data, dict) or not any(k in data for k in ("persons", "organizations",
                                                                    "memberships")):
        report.add(None, None, None, None, None, "not_popolo",
                   "不是 Popolo 文件（没有 persons、organizations 或 memberships）",
                   "not a Popolo file (no persons, organizations or memberships)")
        return report
    for label in (classifications or {}).values():
        if label not in store.schema.labels:
            raise GraphError(f"--classification names label {label!r}, not in the schema")
    ld = _Load(store, data, report, classification_map(classifications))
    org_labels = ld.organizations()
    party = ld.memberships(org_labels)
    ld.persons(party)
    for post in data.get("posts") or []:
        if not any(ms.get("post_id") == post.get("id") for ms in data.get("memberships") or []):
            ld.warn("posts", post.get("id"), "vacant_post", "空缺职务（无人任职）未导入",
                    "a post nobody holds is left out (the graph has posts as relationships)")
    if not report.ok:
        return report
    report.rows = len(ld.nodes) + len(ld.rels)
    try:
        validate_batch(store.schema, list(ld.nodes.values()), ld.rels,
                       lambda ids: {i: n.labels for i, n in store.get_nodes(ids).items()})
    except ValidationError as e:
        for v in e.violations:
            report.add(ld.where.get(v.item, v.item), None, None, v.field, v.item, v.rule,
                       f"不符合图模式：{v.message}", v.message)
        return report
    report.sheets = ["persons", "organizations", "memberships"]
    report.changes["nodes_added"] = len(ld.nodes)
    report.changes["rels_added"] = len(ld.rels)
    if not dry_run:
        store.upsert(list(ld.nodes.values()), ld.rels)
        report.written = True
    return report


# ------------------------------------------------------------------ export
def _classification(label: str) -> str:
    for cls, lab in _mapping()["classifications"].items():
        if lab == label and cls.isascii():
            return str(cls)
    return label


def export_popolo(store: GraphStore, path: str | Path) -> dict[str, int]:
    """Party organisations (and the organisations people hold posts in), the people in
    them, their memberships and posts, as Popolo JSON."""
    schema = store.schema
    rels: list[Rel] = [*store.rels("MEMBER_OF"), *store.rels("HOLDS_POST")]
    org_ids = {n.id for n in store.nodes("PartyOrg")} | {r.end for r in rels}
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
        o: dict[str, Any] = {"id": oid, "name": n.name, "classification": _classification(label)}
        current = [r for r in parents[oid] if "until" not in r.properties]
        if current:
            o["parent_id"] = current[0].end
        if n.properties.get("founded_on"):
            o["founding_date"] = n.properties["founded_on"]
        o[EXT] = {"labels": [lab for lab in n.labels if lab == label] + sorted(
                      set(n.labels) - set(schema.closure([label]))),
                  "properties": {k: v for k, v in n.properties.items()
                                 if k not in ("name", "founded_on")},
                  "parents": [{"id": r.end, "type": r.type, "rel_id": r.id, **r.properties}
                              for r in parents[oid]]}
        out_orgs.append(o)
    m = _mapping()
    id_scheme = next(k for k, v in m["identifier_schemes"].items() if v == "id_number")
    out_people = []
    for pid, n in sorted(people.items()):
        props = dict(n.properties)
        person: dict[str, Any] = {"id": pid, "name": props.pop("name", "")}
        for k in ("gender", "birth_date"):
            if k in props:
                person[k] = props.pop(k)
        if "id_number" in props:
            person["identifiers"] = [{"scheme": id_scheme, "identifier": props.pop("id_number")}]
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
        else:
            title = str(r.properties.get("title", ""))
            ms["role"] = title
            ms["post_id"] = posts.setdefault((r.end, title), f"post:{r.end}:{title}")
        if r.properties.get("since"):
            ms["start_date"] = r.properties["since"]
        if r.properties.get("until"):
            ms["end_date"] = r.properties["until"]
        memberships.append(ms)
    out_posts = [{"id": pid, "label": title, "role": title, "organization_id": org}
                 for (org, title), pid in sorted(posts.items(), key=lambda kv: kv[1])]
    doc = {"meta": {"source": "govgraph", "exported": dt.date.today().isoformat()},
           "persons": out_people, "organizations": out_orgs, "memberships": memberships,
           "posts": out_posts}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"persons": len(out_people), "organizations": len(out_orgs),
            "memberships": len(memberships), "posts": len(out_posts)}


def schema_check(schema: Schema) -> None:
    """Every label the mapping names is in the schema (a test calls this)."""
    for cls, label in _mapping()["classifications"].items():
        if label not in schema.labels:
            raise GraphError(f"loaders/popolo.yaml: {cls!r} maps to unknown label {label!r}")
