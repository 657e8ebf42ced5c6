"""Loading rosters (花名册): ``.xlsx``/``.csv`` with Chinese headers, all or nothing.

Pass 1 reads every row, converts and checks each mapped cell (ID numbers by GB 11643,
phones, dates, choices), derives ids, and notes every reference to another node; at
the end references are resolved against the file and the graph. Rows converted
cleanly go to a spool file (marshal), so memory holds ids and names, not rows. Any
error: the report lists them all and nothing is written.

Pass 2 writes from the spool in batches: a node's properties are merged into what
the graph has (a cell left empty keeps the stored value; labels add up, so a person
in the party-member and the resident roster is one node), relationships are added,
updated or left alone, and relationships of the roster's ``ends`` types that are not
in it any more get ``until`` = the roster's date: history stays and "as of" queries
still see them. Loading the same file again changes nothing.

People get ids from their ID number by a keyed hash (the key lives in the store's
meta), so the same person is the same node in every roster and the id does not
reveal the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import marshal
import os
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.masking import mask_value
from graph.model import Node, Rel, rel_id
from graph.schema import Schema
from graph.store import GraphStore
from loaders.checks import check_id_number, check_phone, id_birth_date
from loaders.report import LoadReport
from loaders.roster_mapping import CellError, Column, Mapping, convert_cell, get_mapping
from loaders.tables import Sheet, Table, TableError, column_letter, open_table

__all__ = ["load_roster", "person_id", "ID_KEY_META"]

ID_KEY_META = "roster_id_key"
HEADER_SCAN_ROWS = 20
BATCH = 5_000
#: rows kept per reference value for the report (the count is always exact)
_REF_ROWS = 20
_SPOOL_CHUNK = 2_000  # rows per marshal record (one record per row loads 10x slower)


def person_id(key: bytes, id_number: str) -> str:
    """The node id of the person with this ID number (a keyed hash: the same person
    gets the same id from every roster; the id does not reveal the number).

    >>> person_id(b"k", "11010519491231002x") == person_id(b"k", "11010519491231002X")
    True
    >>> pid = person_id(b"k", "11010519491231002X")
    >>> other_key = person_id(b"j", "11010519491231002X")
    >>> pid.startswith("person-"), len(pid), "1101" in pid, pid == other_key
    (True, 23, False, False)
    """
    digest = hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()
    return f"person-{digest[:16]}"


def name_id(prefix: str, name: str) -> str:
    """The id of a node a roster names but gives no id: from its name.

    >>> a = name_id("org", "新桥社区第一党支部")
    >>> a == name_id("org", "新桥社区第一党支部") != name_id("org", "新桥社区第二党支部"), len(a)
    (True, 16)
    """
    return f"{prefix}-{hashlib.sha1(name.encode()).hexdigest()[:12]}"


@dataclass
class _Ref:
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # sheet, row, col
    count: int = 0


@dataclass
class _Pass1:
    mapping: Mapping
    schema: Schema
    report: LoadReport
    key: bytes
    spool: Any
    today: str
    seen: dict[str, int] = field(default_factory=dict)  # id -> first row
    #: names and labels of the file's nodes, kept only when rows may name other rows
    #: (party organisations naming their parent): memory stays small for people
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    self_ref: bool = False
    by_prop: dict[str | None, int] = field(default_factory=dict)  # this sheet's columns
    #: link properties with a default (MEMBER_OF.role = member)
    defaults: list[tuple[str, str, Any]] = field(default_factory=list)
    fill_birth: bool = False  # birth date from the ID number when the row has none

    def __post_init__(self) -> None:
        m = self.mapping
        self.defaults = [(*c.link_property, c.default) for c in m.columns
                         if c.link_property and c.default is not None]
        self.fill_birth = m.subject == "node" and "birth_date" in self.schema.node_properties(
            self.schema.closure(m.labels or ("Person",)))
        own = set(self.schema.closure(m.labels + (m.label_column.choices
                                                  if m.label_column else ())))
        self.self_ref = m.subject == "node" and any(set(c.to) & own for c in m.columns)

    def file_labels(self, nid: str) -> tuple[str, ...]:
        return self.labels.get(nid) or self.mapping.labels
    refs: dict[tuple[str, str], _Ref] = field(default_factory=dict)  # (link, value)
    #: reference rosters: the rows naming each node (sheet, row, name given)
    subjects: dict[str, list[tuple[str, int, str | None]]] = field(
        default_factory=lambda: defaultdict(list))
    formula_warned: bool = False
    pending: list[Any] = field(default_factory=list)  # rows not yet in the spool

    def flush(self) -> None:
        if self.pending:
            data = marshal.dumps(self.pending)  # length-prefixed: loads() is fast, load() not
            self.spool.write(len(data).to_bytes(8, "little"))
            self.spool.write(data)
            self.pending = []


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _shown(col: Column, v: Any, today: str) -> Any:
    """A cell's value as the report shows it: masked when the property is sensitive."""
    if _empty(v):
        return None
    if col.pdef is not None and col.pdef.sensitive:
        return mask_value(col.pdef.name, str(v), today)
    return v


def _find_header(sheet: Sheet, m: Mapping) -> tuple[int, dict[int, Column], list[Any]] | None:
    """The header row among the first rows: the one matching most mapped headers (a
    title row merged across the top is skipped). Cells of a header merged down over
    two rows take the merged range's value."""
    best: tuple[int, int, list[Any]] | None = None
    rows = sheet.rows()
    for _ in range(HEADER_SCAN_ROWS):
        nxt = next(rows, None)
        if nxt is None:
            break
        rno, values = nxt
        hits = len({id(c) for v in values if (c := m.match_header(v)) is not None})
        if hits and (best is None or hits > best[1]):
            best = (rno, hits, values)
    if best is None or best[1] < min(2, len(m.all_columns)):
        return None
    rno, _, values = best
    cols: dict[int, Column] = {}
    for i, v in enumerate(values):
        col = m.match_header(v)
        if col is not None and col not in cols.values():
            cols[i] = col
    return rno, cols, values


def _header_issues(p: _Pass1, sheet: Sheet, rno: int, cols: dict[int, Column],
                   values: list[Any]) -> bool:
    """Missing required columns, horizontally merged header cells, unknown headers."""
    m, r = p.mapping, p.report
    ok = True
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 + 1 <= rno <= r1 + 1 and c1 > c0:
            ok = False
            r.add(sheet.name, rno, c0, str(values[c0]) if c0 < len(values) else None, None,
                  "merged_header",
                  f"表头单元格 {column_letter(c0)}{rno}:{column_letter(c1)}{rno} 是合并单元格："
                  "每列需要单独的表头，请取消合并",
                  f"header cells {column_letter(c0)}{rno}:{column_letter(c1)}{rno} are merged: "
                  "every column needs its own header; unmerge them")
    present = set(cols.values())
    needed = [c for c in m.all_columns if c.required and c not in present]
    if m.subject == "reference" and m.id not in present and not any(
            c.property == "id_number" for c in present):
        needed.insert(0, m.id)
    for c in needed:
        ok = False
        alias = f"（也可用：{'、'.join(c.aliases)}）" if c.aliases else ""
        r.add(sheet.name, rno, None, c.header, None, "missing_column",
              f"缺少必填列“{c.header}”{alias}",
              f"required column {c.header!r} is missing"
              + (f" (also accepted: {', '.join(c.aliases)})" if c.aliases else ""))
    for i, v in enumerate(values):
        if not _empty(v) and i not in cols:
            r.add(sheet.name, rno, i, str(v), None, "unknown_column",
                  f"不认识的列“{v}”，已忽略", f"unknown column {str(v)!r} ignored", "warning")
    return ok


def _row(p: _Pass1, sheet: Sheet, rno: int, values: list[Any], cols: dict[int, Column]
         ) -> None:
    m, r, today = p.mapping, p.report, p.today
    errors_before = r.errors
    props: dict[str, Any] = {}
    links: dict[str, list[Any]] = {}  # link type -> [target value, rel props, col]
    link_props: dict[str, dict[str, Any]] = defaultdict(dict)
    node_id: str | None = None
    label: str | None = None
    id_col = None

    def bad(i: int, col: Column, v: Any, rule: str, zh: str, en: str) -> None:
        r.add(sheet.name, rno, i, col.header, _shown(col, v, today), rule,
              f"“{col.header}”{zh}", f"{col.header}: {en}")

    for i, col in cols.items():
        v = values[i] if i < len(values) else None
        if sheet.formulas and (rno, i) in sheet.formulas:
            if _empty(v):
                bad(i, col, v, "formula",
                    "是没有计算结果的公式：请在 Excel 中打开并保存，或粘贴为数值",
                    "is a formula without a calculated value: open and save the file in "
                    "Excel, or paste values")
                continue
            if not p.formula_warned:
                p.formula_warned = True
                r.add(sheet.name, rno, i, col.header, None, "formula",
                      "表中有公式：已使用 Excel 上次计算的结果",
                      "the sheet has formulas: their last calculated values were used",
                      "warning")
        if v is None or v == "" or (isinstance(v, str) and not v.strip()):
            if col.required and col is not m.id:
                bad(i, col, v, "required", "必须填写", "is required")
            continue
        try:
            if col is m.id:
                node_id = str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()
                id_col = i
            elif col is m.label_column:
                label = _label_of(p.schema, col, v)
            elif col.link:
                links[col.link] = [str(v).strip(), i]
            elif col.link_property:
                link_props[col.link_property[0]][col.link_property[1]] = convert_cell(col, v)
            else:
                assert col.property is not None
                props[col.property] = convert_cell(col, v)
        except CellError as e:
            bad(i, col, v, e.rule, e.zh, e.en)
    by_prop = p.by_prop
    idn = props.get("id_number")
    if isinstance(idn, str):
        idn = props["id_number"] = idn.upper()
        col = cols[by_prop["id_number"]]
        why = check_id_number(idn)
        if why is not None:
            bad(by_prop["id_number"], col, idn, "id_number", "不是有效的公民身份号码（GB 11643）",
                why)
        elif "birth_date" in props:
            born = id_birth_date(idn)
            assert born is not None
            if born.isoformat() != props["birth_date"]:
                bad(by_prop["birth_date"], cols[by_prop["birth_date"]], props["birth_date"],
                    "birth_date_mismatch", f"与身份证号中的出生日期 {born.isoformat()} 不一致",
                    f"differs from the birth date {born.isoformat()} in the ID number")
        elif p.fill_birth:
            born = id_birth_date(idn)
            if born is not None:
                props["birth_date"] = born.isoformat()
    if isinstance(props.get("phone"), str):
        why = check_phone(props["phone"])
        if why is not None:
            bad(by_prop["phone"], cols[by_prop["phone"]], props["phone"], "phone",
                "不是有效的手机号码（11 位，以 13-19 开头）", why)
    _case_rules(props, by_prop, cols, bad)
    # defaults and the links' own properties
    out_links = []
    for t, prop, default in p.defaults:
        link_props[t].setdefault(prop, default)
    for t, (value, i) in links.items():
        out_links.append((t, value, dict(link_props.get(t, {}))))
        ref = p.refs.get((t, value))
        if ref is None:
            ref = p.refs[(t, value)] = _Ref()
        ref.count += 1
        if len(ref.rows) < _REF_ROWS:
            ref.rows.append((sheet.name, rno, i))
    if r.errors != errors_before:
        return
    if node_id is None:
        node_id = _derive_id(p, sheet, rno, props)
        if node_id is None:
            return
    labels = tuple(sorted({*m.labels, label})) if label else m.labels
    if m.subject == "reference":
        rows = p.subjects[node_id]
        if len(rows) < _REF_ROWS:
            rows.append((sheet.name, rno, props.get("name")))
    else:
        first = p.seen.get(node_id)
        if first is not None:
            at = id_col if id_col is not None else by_prop.get("id_number",
                                                                by_prop.get("name"))
            col = cols[at] if at is not None else m.id
            r.add(sheet.name, rno, at, col.header, _shown(col, values[at] if at is not None
                                                          else node_id, today),
                  "duplicate_id", f"与第 {first} 行重复（同一编号或身份证号）",
                  f"duplicates row {first} (same id or ID number)")
            return
        p.seen[node_id] = rno
        if p.self_ref:
            p.labels[node_id] = labels
            if "name" in props:
                p.names[props["name"]].append(node_id)
    p.pending.append((node_id, labels, props, out_links))
    if len(p.pending) >= _SPOOL_CHUNK:
        p.flush()


def _label_of(schema: Schema, col: Column, v: Any) -> str:
    s = str(v).strip()
    for lab in col.choices:
        d = schema.labels[lab]
        if s in (lab, d.name_zh, d.name_en):
            return lab
    names = "、".join(schema.labels[lab].name_zh for lab in col.choices)
    raise CellError("enum", f"应为以下之一：{names}", f"must be one of {', '.join(col.choices)}")


def _derive_id(p: _Pass1, sheet: Sheet, rno: int, props: dict[str, Any]) -> str | None:
    m = p.mapping
    if m.id.derive == "person" and isinstance(props.get("id_number"), str):
        return person_id(p.key, props["id_number"])
    if m.id.derive == "name" and isinstance(props.get("name"), str):
        return name_id(m.id.prefix, props["name"])
    want = "身份证号" if m.id.derive == "person" else "名称"
    p.report.add(sheet.name, rno, None, m.id.header, None, "missing_id",
                 f"需要填写“{m.id.header}”或{want}，才能确定是哪一个",
                 f"needs {m.id.header!r} or the {'ID number' if want == '身份证号' else 'name'} "
                 "to tell which one it is")
    return None


# ------------------------------------------------------------ references
class _Resolver:
    """Finds the node a cell names: an id, or an exact name among the nodes with one
    of the wanted labels, in this file or in the graph."""

    def __init__(self, store: GraphStore, p: _Pass1) -> None:
        self.store, self.p = store, p
        self._by_name: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}

    def _names(self, label: str) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        if label not in self._by_name:
            idx: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
            for n in self.store.nodes(label):
                idx[n.name].append((n.id, n.labels))
            self._by_name[label] = idx
        return self._by_name[label]

    def resolve(self, values: set[str], to: tuple[str, ...]
                ) -> dict[str, tuple[str | None, list[str]]]:
        """value -> (node id or None, candidates when ambiguous or wrongly labelled)."""
        schema, p = self.p.schema, self.p
        found = self.store.get_nodes(values)
        out: dict[str, tuple[str | None, list[str]]] = {}
        for v in values:
            cands: dict[str, tuple[str, ...]] = {}
            if v in p.seen:
                cands[v] = schema.closure(p.file_labels(v))
            elif v in found:
                cands[v] = found[v].labels
            if not cands:
                for nid in p.names.get(v, ()):
                    cands[nid] = schema.closure(p.file_labels(nid))
                for lab in to:
                    for nid, labs in self._names(lab).get(v, ()):
                        cands.setdefault(nid, labs)
            fits = [i for i, labs in cands.items() if any(t in labs for t in to)]
            if len(fits) == 1:
                out[v] = (fits[0], [])
            else:
                out[v] = (None, sorted(fits) if fits else sorted(cands))
        return out


def _check_refs(store: GraphStore, p: _Pass1) -> dict[tuple[str, str], str]:
    m, r, schema = p.mapping, p.report, p.schema
    resolver = _Resolver(store, p)
    col_of = {c.link: c for c in m.columns if c.link}
    resolved: dict[tuple[str, str], str] = {}
    by_link: dict[str, set[str]] = defaultdict(set)
    for t, v in p.refs:
        by_link[t].add(v)
    for t, values in by_link.items():
        col = col_of[t]
        names = "、".join(schema.labels[x].name_zh for x in col.to)
        for v, (nid, cands) in resolver.resolve(values, col.to).items():
            if nid is not None:
                resolved[(t, v)] = nid
                continue
            ref = p.refs[(t, v)]
            if cands:
                zh = f"对应多个{names}（{'、'.join(cands[:5])}）：请改填编号"
                en = (f"matches several nodes ({', '.join(cands[:5])}): use the id instead")
                rule = "ambiguous_reference"
            else:
                zh = f"在本表和图中都找不到这个{names}（按编号或全称）"
                en = (f"no {' or '.join(col.to)} with this id or exact name in the file "
                      "or the graph")
                rule = "reference"
            for sheet, rno, i in ref.rows:
                r.add(sheet, rno, i, col.header, v, rule, f"“{col.header}”{zh}",
                      f"{col.header}: {en}")
            for _ in range(ref.count - len(ref.rows)):
                r.add(None, None, None, col.header, v, rule, zh, en)
    if m.subject == "reference":
        found = store.get_nodes(p.subjects)
        for nid, rows in p.subjects.items():
            node = found.get(nid)
            for sheet, rno, name in rows:
                if node is None or not any(t in node.labels for t in m.id.to or ("Person",)):
                    r.add(sheet, rno, None, m.id.header, nid, "reference",
                          "图中没有这个人员：请先导入人员花名册",
                          "no such person in the graph: load the person's roster first")
                elif name and node.name != name:
                    r.add(sheet, rno, None, "姓名", name, "name_mismatch",
                          f"与图中此人的姓名“{node.name}”不一致",
                          f"differs from this person's name in the graph, {node.name!r}")
    return resolved


def _case_rules(props: dict[str, Any], by_prop: dict[str | None, int], cols: dict[int, Column],
                bad: Callable[..., None]) -> None:
    """Patrol cases: closed on or after reported, a closed case has its date, quality
    1–5 (the evaluation reads them so)."""
    closed, reported = props.get("closed_on"), props.get("reported_on")
    if isinstance(closed, str) and isinstance(reported, str) and closed < reported:
        i = by_prop["closed_on"]
        bad(i, cols[i], closed, "closed_before_reported", f"早于上报日期 {reported}",
            f"is before the reported date {reported}")
    if props.get("status") == "closed" and not closed and "status" in by_prop:
        i = by_prop["status"]
        bad(i, cols[i], "已办结", "closed_without_date", "已办结的案件须填写办结日期",
            "a closed case needs its closing date")
    q = props.get("quality")
    if isinstance(q, int) and "quality" in by_prop and not 1 <= q <= 5:
        i = by_prop["quality"]
        bad(i, cols[i], q, "quality_range", "应为 1 到 5 的整数", "must be a whole number 1 to 5")


# ------------------------------------------------------------ pass 2: write
def _spooled(path: str) -> Iterator[tuple[str, tuple[str, ...], dict[str, Any], list[Any]]]:
    with open(path, "rb") as f:
        while head := f.read(8):
            yield from marshal.loads(f.read(int.from_bytes(head, "little")))


def _batches(path: str, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for rec in _spooled(path):
        batch.append(rec)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _node_changes(store: GraphStore, p: _Pass1, recs: list[Any], new_ids: set[str]
                  ) -> list[Node]:
    """Rows merged into the stored nodes: what to write (unchanged nodes left out)."""
    ch, schema = p.report.changes, p.schema
    existing = store.get_nodes([r[0] for r in recs])
    todo = []
    for nid, labels, props, _ in recs:
        old = existing.get(nid)
        if old is None:
            todo.append(Node(nid, schema.closure(labels), props))
            new_ids.add(nid)
            ch["nodes_added"] += 1
            continue
        merged = {**old.properties, **props}
        new_labels = schema.closure((*old.labels, *labels))
        if merged == old.properties and new_labels == old.labels:
            ch["nodes_unchanged"] += 1
            continue
        todo.append(Node(nid, new_labels, merged))
        ch["nodes_updated"] += 1
    return todo


def _rel_changes(store: GraphStore, p: _Pass1, recs: list[Any], new_ids: set[str],
                 resolved: dict[tuple[str, str], str], as_of: str,
                 present: dict[str, set[tuple[str, str]]]) -> list[Rel]:
    """The rows' links against the stored relationships: added, updated, or (a node's
    one current target replaced) ended; unchanged ones left out."""
    m, ch = p.mapping, p.report.changes
    types = list(m.link_types())
    subjects = [r[0] for r in recs if r[0] not in new_ids]
    adj = store.adjacent_many(subjects, types, "out") if types and subjects else {}
    todo: list[Rel] = []
    for nid, _, _, links in recs:
        rels_by = defaultdict(list)
        for a in adj.get(nid, ()):
            rels_by[(a.rel.type, a.other)].append(a.rel)
        for t, value, props in links:
            end = resolved[(t, value)]
            if t in m.ends:
                present[t].add((nid, end))
            olds = rels_by[(t, end)]
            if t in m.single:  # one current target: a new one ends the others
                temporal = "until" in p.schema.relationships[t].properties
                moved = False
                for (ot, other), rels in rels_by.items():
                    for x in rels:
                        if ot != t or other == end or x.properties.get("until") is not None:
                            continue
                        if temporal:
                            todo.append(Rel(t, nid, other, {**x.properties, "until": as_of},
                                            x.id))
                            ch["rels_ended"] += 1
                        elif not olds and not moved:  # no history kept for it: it moves
                            todo.append(Rel(t, nid, end, {**x.properties, **props}, x.id))
                            ch["rels_updated"] += 1
                            moved = True
                if moved:
                    continue
            open_ = [x for x in olds if x.properties.get("until") is None]
            if open_:
                old = open_[0]
                merged = {**old.properties, **props}
                if merged == old.properties:
                    ch["rels_unchanged"] += 1
                    continue
                todo.append(Rel(t, nid, end, merged, old.id))
                ch["rels_updated"] += 1
                continue
            rid = rel_id(t, nid, end)
            if any(x.id == rid for x in olds):  # ended before: a new stint
                rid = f"{rid}@{as_of}"
            if "since" in p.schema.relationships[t].properties:  # known from the roster's date
                props = {"since": as_of, **props}
            todo.append(Rel(t, nid, end, props, rid))
            ch["rels_added"] += 1
    return todo


def _write(store: GraphStore, p: _Pass1, spool: str, resolved: dict[tuple[str, str], str],
           as_of: str, write: bool, batch: int, end_missing: bool) -> None:
    """Pass 2. A batch's nodes and relationships go in one transaction; when rows name
    other rows (party organisations), all nodes are written before any relationship."""
    m = p.mapping
    new_ids: set[str] = set()  # nodes this load adds have no relationships to look up
    present: dict[str, set[tuple[str, str]]] = defaultdict(set)
    if m.subject == "node" and not p.self_ref:
        for recs in _batches(spool, batch):
            nodes = _node_changes(store, p, recs, new_ids)
            rels = _rel_changes(store, p, recs, new_ids, resolved, as_of, present)
            if write and (nodes or rels):
                store.upsert(nodes, rels)
    else:
        if m.subject == "node":
            for recs in _batches(spool, batch):
                nodes = _node_changes(store, p, recs, new_ids)
                if write and nodes:
                    store.upsert(nodes, [])
        for recs in _batches(spool, batch):
            rels = _rel_changes(store, p, recs, new_ids, resolved, as_of, present)
            if write and rels:
                store.upsert([], rels)
    if end_missing:
        _end_missing(store, p, present, resolved, as_of, write)


def _end_missing(store: GraphStore, p: _Pass1, present: dict[str, set[tuple[str, str]]],
                 resolved: dict[tuple[str, str], str], as_of: str, write: bool) -> None:
    """Relationships of an ``ends`` type into a node the roster names, from a node with
    the roster's labels, absent from the roster: ``until`` = the roster's date."""
    m = p.mapping
    for t in m.ends:
        targets = sorted({nid for (lt, _), nid in resolved.items() if lt == t})
        labels = list(m.labels) or None
        todo = []
        for i in range(0, len(targets), BATCH):
            adj = store.adjacent_many(targets[i:i + BATCH], [t], "in", labels)
            for end, rels in adj.items():
                for a in rels:
                    props = a.rel.properties
                    if props.get("until") is not None or (a.other, end) in present[t]:
                        continue
                    if props.get("since") is not None and props["since"] > as_of:
                        continue
                    todo.append(Rel(t, a.other, end, {**props, "until": as_of}, a.rel.id))
        p.report.changes["rels_ended"] += len(todo)
        if write:
            for i in range(0, len(todo), BATCH):
                store.upsert([], todo[i:i + BATCH])


# ------------------------------------------------------------ entry point
def _id_key(store: GraphStore, dry_run: bool) -> tuple[bytes, bool]:
    """The keyed-hash key for person ids: (key, whether it is new and must be kept)."""
    raw = store.get_meta(ID_KEY_META)
    if raw:
        return bytes.fromhex(raw), False
    return secrets.token_bytes(32), not dry_run


def load_roster(store: GraphStore, path: str | Path, kind: str, *,
                as_of: str | dt.date | None = None, dry_run: bool = False,
                end_missing: bool = True, batch_size: int | None = None,
                progress: Callable[[int], Any] | None = None) -> LoadReport:
    """Validate a roster file and, when it has no error and this is not a dry run,
    write it. Returns the report; it never raises for a problem of the file.
    ``end_missing=False`` loads a partial roster: nothing absent from it is ended."""
    m = get_mapping(kind)
    day = (as_of.isoformat() if isinstance(as_of, dt.date) else as_of) or dt.date.today(
    ).isoformat()
    report = LoadReport(kind=m.kind, file=Path(path).name, as_of=day, dry_run=dry_run)
    try:
        table = open_table(path)
    except TableError as e:
        report.add(None, None, None, None, None, e.rule, e.message_zh, e.message_en)
        return report
    key, new_key = _id_key(store, dry_run)
    fd, spool_path = tempfile.mkstemp(prefix="govgraph-roster-", suffix=".spool")
    try:
        with os.fdopen(fd, "wb") as spool:
            p = _Pass1(m, store.schema, report, key, spool, day)
            try:
                _read(p, table, progress)
            except TableError as e:
                report.add(None, None, None, None, None, e.rule, e.message_zh, e.message_en)
            p.flush()
        resolved = _check_refs(store, p)
        if not report.ok:
            return report
        if new_key:
            store.put_meta(ID_KEY_META, key.hex())
        size = batch_size or getattr(store, "preferred_batch_size", BATCH) // 2
        _write(store, p, spool_path, resolved, day, not dry_run, size, end_missing)
        report.written = not dry_run
        return report
    finally:
        os.unlink(spool_path)


def _read(p: _Pass1, table: Table, progress: Callable[[int], Any] | None) -> None:
    r, m = p.report, p.mapping
    for sheet in table.sheets():
        found = _find_header(sheet, m)
        if found is None:
            continue
        hrow, cols, values = found
        r.sheets.append(sheet.name)
        if not _header_issues(p, sheet, hrow, cols, values):
            continue
        p.by_prop = {c.property: i for i, c in cols.items() if c.property}
        for rno, row in sheet.rows():
            if rno <= hrow or all(_empty(v) for v in row):
                continue
            r.rows += 1
            _row(p, sheet, rno, row, cols)
            if progress is not None and r.rows % 10_000 == 0:
                progress(r.rows)
    if not r.sheets:
        heads = "、".join(c.header for c in m.all_columns[:4])
        r.add(None, None, None, None, None, "no_header",
              f"文件中没有找到{m.name_zh}花名册的表头（如 {heads}）：工作表为空或不是这种花名册",
              f"no sheet has the headers of a {m.name_en} roster (such as {heads}): "
              "the sheets are empty or hold another kind of roster")
    elif r.rows == 0 and r.ok:
        r.add(None, None, None, None, None, "no_rows", "表头下面没有数据行",
              "there are no rows under the header")
