"""Loading rosters (花名册): ``.xlsx``/``.csv`` with Chinese headers, all or nothing.

Pass 1 reads every row, converts and checks each mapped cell by the schema's rules
(graph/values.py: ID numbers, phones and landlines, dates to the day or the month,
choices with their Chinese names and aliases such as 组织委员), derives ids, and
notes every reference to another node; at the end references are resolved against
the file and the graph (ids, full names, short names such as 上星社区第一党支部) and
people are found by their ID number, whoever wrote them first (scenario, graph CSV,
Popolo, another roster). Rows converted cleanly go to a spool file (marshal), so
memory holds ids and names, not rows. Any error: the report lists them all and
nothing is written. What clerks add to a sheet is read as such: title rows, a
two-level header, 序号, a 合计 or 填表人 footer (skipped with a note).

Pass 2 (:mod:`loaders.roster_write`) writes from the spool in batches through the
store's write path, which merges (a cell left empty keeps the stored value; labels
add up), keeps history (a new role ends the old stint) and reports what changed per
node; relationships of the roster's ``ends`` types that are not in it any more get
``until`` = the roster's date. Loading the same file again changes nothing.

A person new to the graph gets an id from the ID number by a keyed hash (the key
lives in the store's meta), so the id does not reveal the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import marshal
import os
import re
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import ValidationError
from graph.formats import id_birth_date, id_gender
from graph.masking import mask_value
from graph.schema import Schema
from graph.store import GraphStore
from loaders.report import LoadReport
from loaders.roster_mapping import CellError, Column, Mapping, convert_cell, get_mapping
from loaders.roster_refs import Resolver
from loaders.tables import Sheet, Table, TableError, column_letter, open_table

__all__ = ["load_roster", "person_id", "name_id", "ID_KEY_META"]

ID_KEY_META = "roster_id_key"
HEADER_SCAN_ROWS = 20
BATCH = 5_000
#: rows kept per reference value for the report (the count is always exact)
_REF_ROWS = 20
_SPOOL_CHUNK = 2_000  # rows per marshal record (one record per row loads 10x slower)
#: the first cell of a row that is a sheet's footer, not a person
_FOOTER = re.compile(r"^\s*(填表人|填报人|制表人|审核人|审批人|负责人|联系人|经办人|填表日期|"
                     r"填报日期|制表日期|制表时间|填表时间|合\s*计|总\s*计|小\s*计|共\s*计|"
                     r"以上共|注[:：]|说明[:：]|备注[:：])")
#: link property keys that are the roster's, not the schema's
LINK_SINCE, STINT_SINCE = "__link_since", "__stint_since"


def person_id(key: bytes, id_number: str) -> str:
    """The node id of a person new to the graph with this ID number (a keyed hash: the
    id does not reveal the number).

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
class Pass1:
    mapping: Mapping
    schema: Schema
    report: LoadReport
    key: bytes
    spool: Any
    today: str
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> sheet, row
    #: names and labels of the file's nodes, kept only when rows may name other rows
    #: (party organisations naming their parent): memory stays small for people
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    self_ref: bool = False
    by_prop: dict[str | None, int] = field(default_factory=dict)  # this sheet's columns
    #: link properties with a default (MEMBER_OF.role = member)
    defaults: list[tuple[str, str, Any]] = field(default_factory=list)
    refs: dict[tuple[str, str], _Ref] = field(default_factory=dict)  # (link, value)
    #: reference rosters: the rows naming each node (sheet, row, name given)
    subjects: dict[str, list[tuple[str, int, str | None]]] = field(
        default_factory=lambda: defaultdict(list))
    #: ID number -> (id the row has, sheet, row, column, whether the id was given, the
    #: row's name, whether it gives a birth date)
    numbers: dict[str, tuple[str, str, int, int, bool, str | None, bool]] = field(
        default_factory=dict)
    #: rename the people the roster finds by ID number (else a new name is an error)
    allow_rename: bool = False
    #: derived-by-name id -> (name, sheet, row): found in the graph by name at the end
    by_name: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: row id -> the stored node it is (found by ID number or by name)
    remap: dict[str, str] = field(default_factory=dict)
    formula_warned: bool = False
    pending: list[Any] = field(default_factory=list)  # rows not yet in the spool
    #: ``repeat`` rosters: each person's record, their rows' links together (small
    #: rosters: 两长两员, grid workers)
    gathered: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = self.mapping
        self.defaults = [(*c.link_property, c.default) for c in m.columns
                         if c.link_property and c.default is not None]
        own = set(self.schema.closure(m.labels + (m.label_column.choices
                                                  if m.label_column else ())))
        self.self_ref = m.subject == "node" and any(set(c.to) & own for c in m.columns)

    def file_labels(self, nid: str) -> tuple[str, ...]:
        return self.labels.get(nid) or self.mapping.labels

    def flush(self, final: bool = False) -> None:
        if final and self.gathered:
            self.pending.extend(self.gathered.values())
            self.gathered = {}
        if self.pending:
            data = marshal.dumps(self.pending)  # length-prefixed: loads() is fast, load() not
            self.spool.write(len(data).to_bytes(8, "little"))
            self.spool.write(data)
            self.pending = []


#: what clerks write in a cell to say "nothing": a dash, a slash
#: what clerks write in a cell for "nothing" (斜杠, dashes): read as an empty cell
EMPTY_MARKS = frozenset({"-", "—", "–", "－", "/", "／", "\\", "——", "--"})


def _empty(v: Any) -> bool:
    if v is None:
        return True
    if type(v) is str or isinstance(v, str):
        s = v.strip()
        return not s or s in EMPTY_MARKS
    return False


def _shown(col: Column, v: Any, today: str) -> Any:
    """A cell's value as the report shows it: masked when the property is sensitive."""
    if _empty(v):
        return None
    if col.pdef is not None and col.pdef.sensitive:
        return mask_value(col.pdef.name, str(v), today)
    return v


# ------------------------------------------------------------ headers
def _matches(m: Mapping, values: list[Any]) -> dict[int, Column]:
    cols: dict[int, Column] = {}
    for i, v in enumerate(values):
        col = m.match_header(v)
        if col is not None and col not in cols.values():
            cols[i] = col
    return cols


@dataclass
class Header:
    """Where a sheet's header is: its rows (one, or two for a two-level header), the
    column each cell index fills, and the row each column's header text is in."""

    first: int
    last: int
    cols: dict[int, Column]
    rows: list[tuple[int, list[Any]]]
    at: dict[int, int]  # column index -> row number of its header text


def _find_header(sheet: Sheet, m: Mapping) -> Header | None:
    """The row matching most mapped headers among the first rows (title and 填报单位
    rows above it are skipped), read together with the row above or below when the
    sheet has a two-level header (group headings over some columns, the others'
    headers merged down or in the second row)."""
    scanned: list[tuple[int, list[Any]]] = []
    rows = sheet.rows()
    for _ in range(HEADER_SCAN_ROWS):
        nxt = next(rows, None)
        if nxt is None:
            break
        scanned.append(nxt)
    best: int | None = None
    best_cols: dict[int, Column] = {}
    for k, (_, values) in enumerate(scanned):
        cols = _matches(m, values)
        if cols and len(cols) > len(best_cols):
            best, best_cols = k, cols
    if best is None or len(best_cols) < min(2, len(m.all_columns)):
        return None
    first = last = best
    cols = dict(best_cols)
    at = dict.fromkeys(cols, scanned[best][0])
    for k in (best + 1, best - 1):
        if not 0 <= k < len(scanned):
            continue
        extra = {i: c for i, c in _matches(m, scanned[k][1]).items()
                 if i not in cols and c not in cols.values()}
        if extra:
            cols.update(extra)
            at.update(dict.fromkeys(extra, scanned[k][0]))
            first, last = min(first, k), max(last, k)
            break
    return Header(scanned[first][0], scanned[last][0], cols, scanned[first:last + 1], at)


def _header_issues(p: Pass1, sheet: Sheet, h: Header) -> bool:
    """Missing required columns, a header cell merged across columns, unknown headers."""
    m, r = p.mapping, p.report
    ok = True
    for (r0, c0), (_, c1) in sheet.merged:
        if c1 > c0 and h.at.get(c0) == r0 + 1:  # a column's own header spans columns
            ok = False
            rno = r0 + 1
            r.add(sheet.name, rno, c0, _header_text(h, c0), None, "merged_header",
                  f"表头单元格 {column_letter(c0)}{rno}:{column_letter(c1)}{rno} 是合并单元格："
                  "每列需要单独的表头，请取消合并",
                  f"header cells {column_letter(c0)}{rno}:{column_letter(c1)}{rno} are merged: "
                  "every column needs its own header; unmerge them")
    present = set(h.cols.values())
    filled = {c.fills() for c in present}
    needed = []
    for c in m.all_columns:
        if c.required and c.fills() not in filled:
            needed.append(c)
            filled.add(c.fills())
    if m.subject == "reference" and m.id not in present and not any(
            c.property == "id_number" for c in present):
        needed.insert(0, m.id)
    two = f"（已读取第 {h.first}–{h.last} 行的两级表头）" if h.last > h.first else ""
    two_en = (f" (read the two-level header in rows {h.first}-{h.last})"
              if h.last > h.first else "")
    for c in needed:
        ok = False
        alias = f"（也可用：{'、'.join(c.aliases)}）" if c.aliases else ""
        r.add(sheet.name, h.last, None, c.header, None, "missing_column",
              f"缺少必填列“{c.header}”{alias}{two}",
              f"required column {c.header!r} is missing"
              + (f" (also accepted: {', '.join(c.aliases)})" if c.aliases else "") + two_en)
    grouped = {(r0 + 1, c) for (r0, c0), (_, c1) in sheet.merged if c1 > c0
               for c in range(c0, c1 + 1)}
    for rno, values in h.rows:
        for i, v in enumerate(values):
            if not _empty(v) and i not in h.cols and (rno, i) not in grouped:
                r.add(sheet.name, rno, i, str(v), None, "unknown_column",
                      f"不认识的列“{v}”，已忽略", f"unknown column {str(v)!r} ignored",
                      "warning")
    return ok


def _filled_elsewhere(cols: dict[int, Column], values: list[Any], i: int, col: Column
                      ) -> bool:
    """Another column of the row fills what this empty required one would, or an
    earlier one is reported empty already (入党日期 and 入党年月: one error)."""
    return any(j != i and c.fills() == col.fills() and (
        j < i or j < len(values) and not _empty(values[j])) for j, c in cols.items())


def _header_text(h: Header, i: int) -> str | None:
    for rno, values in h.rows:
        if rno == h.at.get(i) and i < len(values):
            return str(values[i])
    return None


# ------------------------------------------------------------ rows
def _date_with_precision(props: dict[str, Any], key: str) -> tuple[Any, Any]:
    return props.get(key), props.get(f"{key}_precision")


def _row(p: Pass1, sheet: Sheet, rno: int, values: list[Any], cols: dict[int, Column]
         ) -> None:
    m, r, today = p.mapping, p.report, p.today
    errors_before = r.errors
    props: dict[str, Any] = {}
    links: dict[str, list[Any]] = {}  # link type -> [target value, col]
    link_props: dict[str, dict[str, Any]] = defaultdict(dict)
    node_id: str | None = None
    label: str | None = None
    id_col = None
    role_text: str | None = None  # MEMBER_OF.role as written (正式党员 says a status)

    def bad(i: int, col: Column, v: Any, rule: str, zh: str, en: str) -> None:
        r.add(sheet.name, rno, i, col.header, _shown(col, v, today), rule,
              f"“{col.header}”{zh}", f"{col.header}: {en}")

    for i, col in cols.items():
        if col.ignore:
            continue
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
        if _empty(v):
            if col.required and col is not m.id and not _filled_elsewhere(
                    cols, values, i, col):
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
            elif col.link_property or col.stint_since or col.link_since:
                if col.link_property == ("MEMBER_OF", "role"):
                    role_text = str(v).strip()
                c = convert_cell(col, v)
                lt: str | None
                if col.link_property:
                    lt, prop = col.link_property
                else:
                    lt, prop = (col.stint_since, STINT_SINCE) if col.stint_since else (
                        col.link_since, LINK_SINCE)
                assert lt is not None
                t = lt
                link_props[t][prop] = c.value
                for ck, cv in c.companions.items():
                    link_props[t][ck if col.link_property else f"{prop}_precision"] = cv
            else:
                assert col.property is not None
                c = convert_cell(col, v)
                props[col.property] = c.value
                props.update(c.companions)
        except CellError as e:
            bad(i, col, v, e.rule, e.zh, e.en)
    _member_status(props, role_text, p.schema)
    _birth_rules(p, props, cols, bad)
    _case_rules(props, p.by_prop, cols, bad)
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
    given_id = node_id is not None
    if node_id is None:
        node_id = _derive_id(p, sheet, rno, props)
        if node_id is None:
            return
    labels = tuple(sorted({*m.labels, label})) if label else m.labels
    number = props.get("id_number")
    if isinstance(number, str) and (m.subject == "reference" or "Person" in p.schema.closure(
            labels or ("Person",))):
        i_num = p.by_prop.get("id_number")
        if number not in p.numbers:
            p.numbers[number] = (node_id, sheet.name, rno, i_num if i_num is not None else -1,
                                 given_id, props.get("name"), "birth_date" in props)
    if m.subject == "reference":
        rows = p.subjects[node_id]
        if len(rows) < _REF_ROWS:
            rows.append((sheet.name, rno, props.get("name")))
    else:
        first = p.seen.get(node_id)
        if first is not None and m.repeat:  # another row of the same person: more links
            node = p.gathered[node_id]
            clash = [k for k, v in props.items() if node[2].get(k, v) != v]
            if clash:
                at_col = p.by_prop.get(clash[0])
                col = cols[at_col] if at_col is not None else m.id
                r.add(sheet.name, rno, at_col, col.header,
                      _shown(col, props[clash[0]], today),
                      "conflicting_rows", f"与第 {first[1]} 行同一人，但此项不同",
                      f"the same person as row {first[1]}, but this differs")
                return
            node[2].update(props)
            node[3].extend(out_links)
            return
        if first is not None:
            at = id_col if id_col is not None else p.by_prop.get("id_number",
                                                                  p.by_prop.get("name"))
            col = cols[at] if at is not None else m.id
            r.add(sheet.name, rno, at, col.header, _shown(col, values[at] if at is not None
                                                          else node_id, today),
                  "duplicate_id",
                  (f"与第 {first[1]} 行重复（同一编号或身份证号）" if first[0] == sheet.name
                   else f"与工作表“{first[0]}”第 {first[1]} 行重复（同一编号或身份证号）"),
                  f"duplicates row {first[1]}" + ("" if first[0] == sheet.name else
                                                  f" of sheet {first[0]!r}")
                  + " (same id or ID number)")
            return
        p.seen[node_id] = (sheet.name, rno)
        if not given_id and m.id.derive == "name":
            p.by_name[node_id] = (props["name"], sheet.name, rno)
        if p.self_ref:
            p.labels[node_id] = labels
            if "name" in props:
                p.names[props["name"]].append(node_id)
    if m.repeat and m.subject == "node":
        p.gathered[node_id] = (node_id, labels, props, out_links)
        return
    p.pending.append((node_id, labels, props, out_links))
    if len(p.pending) >= _SPOOL_CHUNK:
        p.flush()


def _member_status(props: dict[str, Any], role_text: str | None, schema: Schema) -> None:
    """正式党员 / 预备党员 written in the role column: the person's full_member (the
    schema's aliases of full_member say which words mean which)."""
    pd = schema.labels["PartyMember"].properties.get("full_member")
    if role_text is None or pd is None or not pd.aliases:
        return
    for value, words in (("true", pd.aliases.get("true", ())),
                         ("false", pd.aliases.get("false", ()))):
        if role_text in words:
            props.setdefault("full_member", value == "true")


def _birth_rules(p: Pass1, props: dict[str, Any], cols: dict[int, Column],
                 bad: Callable[..., None]) -> None:
    """A birth date the sheet gives must agree with the ID number (to the month, when
    the sheet gives only the month), and so must the gender (the 17th digit: odd for
    men)."""
    number, born_given = props.get("id_number"), props.get("birth_date")
    if isinstance(number, str) and id_gender(number) not in (None, props.get("gender",
                                                                           id_gender(number))):
        i = p.by_prop["gender"]
        bad(i, cols[i], props["gender"], "gender_mismatch",
            "与身份证号（第 17 位）所示的性别不一致：请核对性别或身份证号",
            "differs from the gender the ID number gives (its 17th digit)")
    if not isinstance(number, str) or not isinstance(born_given, str):
        return
    born = id_birth_date(number)
    if born is None:
        return
    n = {"month": 7, "year": 4}.get(props.get("birth_date_precision") or "", 10)
    if born.isoformat()[:n] != born_given[:n]:
        i = p.by_prop["birth_date"]
        # neither date is shown: beside the masked ID number it would give its digits
        bad(i, cols[i], born_given[:n], "birth_date_mismatch",
            "与身份证号中的出生日期不一致", "differs from the birth date in the ID number")


def _label_of(schema: Schema, col: Column, v: Any) -> str:
    s = str(v).strip()
    for lab in col.choices:
        d = schema.labels[lab]
        if s in (lab, d.name_zh, d.name_en):
            return lab
    names = "、".join(schema.labels[lab].name_zh for lab in col.choices)
    raise CellError("enum", f"应为以下之一：{names}", f"must be one of {', '.join(col.choices)}")


def _derive_id(p: Pass1, sheet: Sheet, rno: int, props: dict[str, Any]) -> str | None:
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


# ------------------------------------------------------------ after pass 1
def _identify(store: GraphStore, p: Pass1) -> None:
    """Who the rows are: a person by ID number (whoever wrote them first), a node the
    roster names by its name (buildings, organisations) by that name. An id the row
    gives must agree with the ID number; a person found by ID number must have the
    row's name (a new name is an error unless ``allow_rename``: most often the ID
    number was mistyped and belongs to someone else) and a stored birth date that
    agrees with it."""
    r = p.report
    held = store.people_by_id_number(p.numbers) if p.numbers else {}
    given = {v[0] for v in p.numbers.values() if v[4]}
    stored = store.get_nodes({*held.values(), *given}) if p.numbers else {}
    head = p.mapping.match_header("身份证号")
    id_header = head.header if head else "身份证号"
    for number, (rid, sheet, rno, col, was_given, name, has_birth) in p.numbers.items():
        holder = held.get(number)
        node = stored.get(holder or rid)
        if node is None:
            continue  # a new person
        problem: tuple[str, str, str] | None = None
        if holder is not None and holder != rid and was_given and rid in stored:
            problem = ("id_number_taken",
                       f"这个身份证号属于图中的另一个人（{holder}），与“{p.mapping.id.header}”"
                       f"{rid} 不一致：若是同一人，请用 govgraph people merge 合并",
                       f"the ID number belongs to another person in the graph ({holder}), "
                       f"not to {rid}: if they are one person, merge them (govgraph people "
                       "merge)")
        elif name and node.name != name and not p.allow_rename:
            problem = ("name_mismatch",
                       f"这个身份证号在图中属于“{node.name}”，与本行姓名“{name}”不一致："
                       "请核对身份证号；若确是改名，请加 --allow-rename 重新导入",
                       f"this ID number belongs to {node.name!r} in the graph, not {name!r}: "
                       "check the number; if the person was renamed, load with --allow-rename")
        elif not has_birth and not _same_birth(node.properties, number):
            problem = ("birth_date_mismatch", "与图中此人的出生日期不一致：请核对身份证号",
                       "differs from this person's birth date in the graph: check the number")
        if problem is not None:
            r.add(sheet, rno, col if col >= 0 else None, id_header,
                  mask_value("id_number", number, p.today), *problem)
        elif holder is not None and holder != rid:
            p.remap[rid] = holder
    if p.by_name and p.mapping.labels:
        label = p.mapping.labels[0]
        found = store.nodes_named(label, {name for name, _, _ in p.by_name.values()})
        stored = store.get_nodes(p.by_name)
        for rid, (name, sheet, rno) in p.by_name.items():
            hits = [n.id for n in found.get(name, ()) if n.id != rid]
            if rid in p.remap or not hits or rid in stored:
                continue
            if len(hits) == 1:
                p.remap[rid] = hits[0]
            else:
                r.add(sheet, rno, None, "名称", name, "ambiguous_reference",
                      f"图中有多个同名的节点（{'、'.join(hits[:5])}）：请填写编号",
                      f"several nodes in the graph have this name ({', '.join(hits[:5])}): "
                      "give the id")


def _same_birth(props: dict[str, Any], number: str) -> bool:
    """Whether a stored birth date (to its precision) agrees with an ID number's."""
    born = props.get("birth_date")
    if not isinstance(born, str):
        return True
    n = {"month": 7, "year": 4}.get(props.get("birth_date_precision") or "", 10)
    return born[:n] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"[:n]


def _check_refs(store: GraphStore, p: Pass1) -> dict[tuple[str, str], str]:
    m, r, schema = p.mapping, p.report, p.schema
    resolver = Resolver(store, schema, p.names, {i: p.file_labels(i) for i in p.seen}
                        if p.self_ref else {})
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
                resolved[(t, v)] = p.remap.get(nid, nid)
                continue
            ref = p.refs[(t, v)]
            if cands:
                shown = [f"{c}（{n}）" if n else c for c, n in _names_of(store, cands[:5])]
                zh = f"对应多个{names}：{'、'.join(shown)}：请改填编号或全称"
                en = f"matches several nodes ({', '.join(cands[:5])}): use the id instead"
                rule = "ambiguous_reference"
            else:
                near = resolver.near(v, col.to)
                hint = f"；最接近的有：{'、'.join(near)}" if near else ""
                zh = f"在本表和图中都找不到这个{names}（按编号、全称或简称）{hint}"
                en = (f"no {' or '.join(col.to)} with this id, name or short name in the file "
                      "or the graph" + (f"; nearest: {', '.join(near)}" if near else ""))
                rule = "reference"
            for sheet, rno, i in ref.rows:
                r.add(sheet, rno, i, col.header, v, rule, f"“{col.header}”{zh}",
                      f"{col.header}: {en}")
            for _ in range(ref.count - len(ref.rows)):
                r.add(None, None, None, col.header, v, rule, zh, en)
    if m.subject == "reference":
        subjects = {p.remap.get(s, s): rows for s, rows in p.subjects.items()}
        found = store.get_nodes(subjects)
        for nid, rows in subjects.items():
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


def _names_of(store: GraphStore, ids: list[str]) -> list[tuple[str, str]]:
    found = store.get_nodes(ids)
    return [(i, found[i].name if i in found else "") for i in ids]


# ------------------------------------------------------------ entry point
def load_roster(store: GraphStore, path: str | Path, kind: str, *,
                as_of: str | dt.date | None = None, dry_run: bool = False,
                end_missing: bool = True, batch_size: int | None = None,
                progress: Callable[[int], Any] | None = None,
                allow_rename: bool = False) -> LoadReport:
    """Validate a roster file and, when it has no error and this is not a dry run,
    write it. Returns the report; it never raises for a problem of the file.
    ``end_missing=False`` loads a partial roster: nothing absent from it is ended.
    ``allow_rename``: a person found by ID number takes the row's new name (without
    it, a name that differs from the stored one is an error)."""
    from loaders.roster_write import write_rows

    m = get_mapping(kind)
    day = (as_of.isoformat() if isinstance(as_of, dt.date) else as_of) or dt.date.today(
    ).isoformat()
    report = LoadReport(kind=m.kind, file=Path(path).name, as_of=day, dry_run=dry_run)
    try:
        table = open_table(path)
    except TableError as e:
        report.add(None, None, None, None, None, e.rule, e.message_zh, e.message_en)
        return report
    # The keyed-hash key for person ids is made once for the store, when a first load
    # is about to write: of two first loads racing, the second finds the first's key
    # kept (``meta_default``) and reads its file again with it. A dry run and a file
    # with errors keep no key.
    stored = store.get_meta(ID_KEY_META)
    key = bytes.fromhex(stored) if stored else secrets.token_bytes(32)
    fd, spool_path = tempfile.mkstemp(prefix="govgraph-roster-", suffix=".spool")
    os.close(fd)
    try:
        while True:
            with open(spool_path, "wb") as spool:
                p = Pass1(m, store.schema, report, key, spool, day, allow_rename=allow_rename)
                try:
                    _read(p, table, progress)
                except TableError as e:
                    report.add(None, None, None, None, None, e.rule, e.message_zh,
                               e.message_en)
                p.flush(final=True)
            _identify(store, p)
            resolved = _check_refs(store, p)
            if not report.ok:
                return report
            if stored or dry_run:
                break
            stored = store.meta_default(ID_KEY_META, key.hex())
            if stored == key.hex():
                break
            key = bytes.fromhex(stored)  # another load kept its key first
            report = LoadReport(kind=m.kind, file=Path(path).name, as_of=day,
                                dry_run=dry_run)
        size = batch_size or store.preferred_batch_size // 2
        try:
            # one unit: every batch and the roster's dates kept, or none of them
            with nullcontext() if dry_run else store.unit():
                write_rows(store, p, spool_path, resolved, day, not dry_run, size,
                           end_missing)
        except ValidationError as e:  # what pass 1 cannot see: the stored graph's rules
            back = {v: k for k, v in p.remap.items()}
            for v in e.violations:
                sheet, rno = p.seen.get(back.get(v.item, v.item), (None, None))
                report.add(sheet, rno, None, v.field, v.item, v.rule,
                           f"与图中已有数据冲突：{v.message}", v.message)
            report.add(None, None, None, None, None, "stopped",
                       "写入在此停止" + ("（预演，未写入）" if dry_run else
                                   "：整份名册均未写入"),
                       "the load stopped here" + (" (a dry run: nothing written)" if dry_run
                                                 else ": nothing of the roster is written"))
            return report
        report.written = not dry_run and report.ok
        return report
    finally:
        os.unlink(spool_path)


def _is_data(lead: str, row: list[Any], cols: dict[int, Column], sheet: Sheet, rno: int
             ) -> bool:
    """Whether a row with one filled cell is a person all the same: the cell is in the
    name column (a sheet may list names only), not a heading across the columns (merged
    over them, or saying a group: 第一党小组, 一、在职党员)."""
    i = next(i for i, v in enumerate(row) if not _empty(v))
    col = cols.get(i)
    if col is None or col.property != "name" or len(lead) > 20 or _HEADING.search(lead):
        return False
    return not any(r0 + 1 == rno and c0 == i and c1 > c0
                   for (r0, c0), (_, c1) in sheet.merged)


_HEADING = re.compile(r"党小组|小组|支部|总支|党委|委员会|社区|网格|片区|楼栋|党员$|"
                      r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十\d]+[）)]")


def _read(p: Pass1, table: Table, progress: Callable[[int], Any] | None) -> None:
    r, m = p.report, p.mapping
    for sheet in table.sheets():
        h = _find_header(sheet, m)
        if h is None:
            continue
        cols = h.cols
        r.sheets.append(sheet.name)
        if not _header_issues(p, sheet, h):
            continue
        p.by_prop = {c.property: i for i, c in cols.items() if c.property}
        for rno, row in sheet.rows():
            if rno <= h.last:
                continue
            filled = [v for v in row if not _empty(v)]
            if not filled:
                continue
            lead = filled[0]
            if isinstance(lead, str) and _FOOTER.match(lead):
                r.add(sheet.name, rno, None, None, lead[:30], "footer_row",
                      "表尾行（合计、填表人、注等），已跳过", "a footer row (total, signatures, "
                      "a note): skipped", "warning")
                continue
            if len(filled) == 1 and isinstance(lead, str) and not _is_data(
                    lead, row, cols, sheet, rno):
                r.add(sheet.name, rno, None, None, lead[:30], "heading_row",
                      "表中的小标题行（如“第一党小组”），已跳过",
                      "a heading inside the sheet (a party group's name …): skipped",
                      "warning")
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
