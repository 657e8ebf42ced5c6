"""Loading a Popolo JSON file: organizations (their classification naming the label,
``parent_id`` the structure), persons, memberships and posts become nodes,
MEMBER_OF and HOLDS_POST, checked against the schema and written in one
transaction; what the graph has no place for is counted in one warning per kind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.errors import GraphError, ValidationError
from graph.formats import excel_mangled, id_number_key, normalise_phone, valid_id_number
from graph.model import rel_id
from graph.store import GraphStore
from loaders.popolo.mapping import (
    EXT,
    classification_map,
    identifiers_text,
    parse_identifiers,
    popolo_date,
    popolo_mapping,
)
from loaders.report import LoadReport

__all__ = ["load_popolo"]

_PERSON_KEYS = {"id", "name", "gender", "birth_date", "identifiers", "contact_details", EXT}
_ORG_KEYS = {"id", "name", "classification", "parent_id", "founding_date", "identifiers", EXT}
_MEMBERSHIP_KEYS = {"id", "person_id", "organization_id", "post_id", "role", "label",
                    "start_date", "end_date", "legislative_period_id", "on_behalf_of_id"}
#: top-level parts read for what they say of the rest (events: the periods' dates)
_USED_PARTS = {"persons", "organizations", "memberships", "posts", "events", "meta"}
_INVALID = ":invalid"  # a dropped value the graph has a place for, but not valid


class _Load:
    def __init__(self, store: GraphStore, data: dict[str, Any], report: LoadReport,
                 classes: dict[str, str]) -> None:
        self.store, self.schema, self.data, self.report = store, store.schema, data, report
        self.classes = classes
        self.nodes: dict[str, dict[str, Any]] = {}
        self.rels: list[dict[str, Any]] = []
        self.where: dict[str, str] = {}  # item id -> JSON path, for the report
        #: what the graph has no place for: "part.key" -> how many
        self.dropped: dict[str, int] = defaultdict(int)

    def warn(self, path: str, value: Any, rule: str, zh: str, en: str) -> None:
        self.report.add(path, None, None, None, value, rule, zh, en, "warning")

    def error(self, path: str, value: Any, rule: str, zh: str, en: str) -> None:
        self.report.add(path, None, None, None, value, rule, zh, en)

    def _date(self, path: str, v: Any, props: dict[str, Any] | None = None,
              key: str = "") -> str | None:
        """A Popolo date as ISO text; with ``props``, stored there under ``key`` with
        its precision."""
        d, precision = popolo_date(v)
        if d is None and v not in (None, ""):
            shown = None if path.endswith("birth_date") else v  # personal: not in reports
            self.warn(path, shown, "bad_date", "日期无法读取，未导入",
                      "the date cannot be read; left out")
        if d is not None and props is not None:
            props[key] = d
            if precision:
                props[f"{key}_precision"] = precision
        return d

    def _count_dropped(self, part: str, item: dict[str, Any], known: set[str]) -> None:
        for k, v in item.items():
            if k not in known and v not in (None, "", [], {}):
                self.dropped[f"{part}.{k}"] += 1

    def _identifiers(self, item: dict[str, Any], props: dict[str, Any]) -> None:
        m = popolo_mapping()
        kept = parse_identifiers(str(props.get("identifiers") or ""))
        for ident in item.get("identifiers") or []:
            scheme = str(ident.get("scheme", ""))
            prop = m["identifier_schemes"].get(scheme.lower())
            value = ident.get("identifier")
            if prop is None and isinstance(value, str) and valid_id_number(
                    id_number_key(value)):
                prop = "id_number"  # whatever the scheme says: personal, so masked
            if prop:
                props[prop] = value
            elif ident.get("identifier") and (scheme, str(ident["identifier"])) not in kept:
                kept.append((scheme, str(ident["identifier"])))
        if kept:
            props["identifiers"] = identifiers_text(kept)

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
            if "founded_on" in self.schema.node_properties(self.schema.closure([label])):
                self._date(f"{path}.founding_date", o.get("founding_date"), props,
                           "founded_on")
            self._identifiers(o, props)
            self._count_dropped("organizations", o, _ORG_KEYS)
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
        m = popolo_mapping()
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
            self._date(f"{path}.birth_date", p.get("birth_date"), props, "birth_date")
            self._identifiers(p, props)
            for c in p.get("contact_details") or []:
                kind = str(c.get("type", "")).lower()
                prop = m["contact_types"].get(kind)
                value = str(c.get("value") or "")
                if prop and (normalise_phone(value) is not None or excel_mangled(value)):
                    props[prop] = value  # an Excel-mangled one: the write path refuses it
                elif prop:  # a local number of another country (no country code)
                    self.dropped[f"persons.contact_details.{kind}{_INVALID}"] += 1
                else:
                    self.dropped[f"persons.contact_details.{kind or '?'}"] += 1
            self._count_dropped("persons", p, _PERSON_KEYS)
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
            dates: dict[str, Any] = {}
            for key, field_ in (("since", "start_date"), ("until", "end_date")):
                if not self._date(f"{path}.{field_}", ms.get(field_), dates, key):
                    self._date(f"{path}.{field_}", period.get(field_), dates, key)
            role = ms.get("role") or (post or {}).get("role")
            title = (post or {}).get("label") or ms.get("label") or role
            self._membership(path, person, org, org_labels, role, title, dates,
                             ms.get("id"), ms.get("legislative_period_id"), used, party)
            party_org = ms.get("on_behalf_of_id")
            if party_org and party_org != org:  # the party the member sat for
                self._membership(f"{path}.on_behalf_of_id", person, party_org, org_labels,
                                 "member", "党派成员", dates, None,
                                 ms.get("legislative_period_id"), used, party)
            self._count_dropped("memberships", ms, _MEMBERSHIP_KEYS)
        return party

    def _membership(self, path: str, person: str, org: str, org_labels: dict[str, str],
                    role: Any, title: Any, dates: dict[str, Any], given_id: Any,
                    period: Any, used: dict[str, int], party: dict[str, list[str]]) -> None:
        label = org_labels.get(org)
        if label is None:
            found = self.store.get_nodes([org]).get(org)
            label = found.labels[0] if found else None
        is_party = label is not None and "PartyOrg" in self.schema.closure([label])
        props: dict[str, Any] = dict(dates)
        if is_party:
            rtype = "MEMBER_OF"
            props["role"] = self._role(path, role)
            if title and title != role:
                props["title"] = title
            party[person].append(dates.get("since") or "")
        else:
            rtype = "HOLDS_POST"
            props["title"] = title or "成员"
        rid = given_id or rel_id(rtype, person, org)
        used[rid] += 1
        if used[rid] > 1:  # the same person again in the same organisation
            rid = f"{rid}@{dates.get('since') or period or used[rid]}"
        self.rels.append({"type": rtype, "start": person, "end": org, "id": rid,
                          "properties": props})
        self.where[rid] = path

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
    for part, items in data.items():
        if part not in _USED_PARTS and items:
            ld.dropped[part] += len(items) if isinstance(items, list) else 1
    for what, n in sorted(ld.dropped.items()):
        if what.endswith(_INVALID):
            what = what[: -len(_INVALID)]
            ld.warn(what, n, "not_kept", f"{what}：{n} 个不是有效的电话号码（缺少国家或地区区号），"
                    "未导入", f"{what}: {n} left out, not valid phone numbers (no country or "
                    "area code)")
            continue
        ld.warn(what, n, "not_kept", f"{what}：{n} 项在图模式中没有对应，未导入",
                f"{what}: {n} left out (the graph has no place for it)")
    if not report.ok:
        return report
    report.rows = len(ld.nodes) + len(ld.rels)
    nodes = list(ld.nodes.values())
    try:
        plan = store.upsert(nodes, ld.rels, as_of=report.as_of, dry_run=True)
    except ValidationError as e:
        for v in e.violations:
            report.add(ld.where.get(v.item, v.item), None, None, v.field, v.item, v.rule,
                       f"不符合图模式：{v.message}", v.message)
        return report
    report.sheets = ["persons", "organizations", "memberships"]
    if dry_run:
        report.record_changes(plan.changes, store.schema, lambda i: (ld.where.get(i), None))
        return report
    done = store.upsert(nodes, ld.rels, as_of=report.as_of)
    report.written = True
    report.record_changes(done.changes, store.schema, lambda i: (ld.where.get(i), None))
    return report
