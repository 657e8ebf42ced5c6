"""One data row of a roster in pass 1 (:func:`read_row`), in named steps:

1. :func:`read_cells`: each mapped cell converted by what its column fills — the id,
   the label, a link's target, a link's property, a property — or reported (a
   formula without a value, a required cell left empty, a value that does not
   convert);
2. :func:`check_row`: the rules across cells (a birth date and gender agreeing with the
   ID number, a case closed after it was reported, 正式党员 in the role column);
3. :func:`note_links`: the links with their defaults, each target noted for
   resolution;
4. :func:`row_id`: the row's node id, given or derived (ID number, name);
5. :func:`note_number`, :func:`note_subject` or :func:`note_node`: what pass 1 keeps
   to identify the row later (ID numbers, reference subjects, ids seen), a duplicate
   or a conflicting repeat row reported;
6. :func:`keep`: the clean row to the spool (or, on a ``repeat`` roster, gathered with
   the person's other rows).

A row with an error stops after step 3: its references still count, so a target
that is missing is reported once for all the rows naming it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.formats import id_birth_date, id_gender
from graph.schema import Schema
from loaders.roster.cells import empty, shown
from loaders.roster.header import filled_elsewhere
from loaders.roster.ids import name_id, person_id
from loaders.roster.mapping import CellError, Column, convert_cell
from loaders.roster.pass1 import LINK_SINCE, REF_ROWS, SPOOL_CHUNK, STINT_SINCE, Pass1, Ref
from loaders.tables import Sheet

__all__ = ["Cells", "check_row", "keep", "note_links", "note_node", "note_number",
           "note_subject", "read_cells", "read_row", "row_id"]

#: reports a cell's problem: (column index, column, value, rule, zh, en)
Bad = Callable[[int, Column, Any, str, str, str], None]
#: a row as pass 2 takes it: (node id, labels, properties, [(link type, target, props)])
Record = tuple[str, tuple[str, ...], dict[str, Any], list[tuple[str, str, dict[str, Any]]]]


@dataclass
class Cells:
    """What one row's cells say, converted."""

    props: dict[str, Any] = field(default_factory=dict)
    links: dict[str, tuple[str, int]] = field(default_factory=dict)  # type -> (target, col)
    link_props: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    node_id: str | None = None
    id_col: int | None = None
    label: str | None = None
    role_text: str | None = None  # MEMBER_OF.role as written (正式党员 says a status)


def read_row(p: Pass1, sheet: Sheet, rno: int, values: list[Any], cols: dict[int, Column]
             ) -> None:
    """Read one data row into pass 1's state (see the module doc for the steps)."""
    m, r = p.mapping, p.report
    errors_before = r.errors

    def bad(i: int, col: Column, v: Any, rule: str, zh: str, en: str) -> None:
        r.add(sheet.name, rno, i, col.header, shown(col, v, p.today), rule,
              f"“{col.header}”{zh}", f"{col.header}: {en}")

    cells = read_cells(p, sheet, rno, values, cols, bad)
    check_row(p, cells, cols, bad)
    links = note_links(p, sheet.name, rno, cells)
    if r.errors != errors_before:
        return
    found = row_id(p, sheet, rno, cells)
    if found is None:
        return
    node_id, given_id = found
    labels = tuple(sorted({*m.labels, cells.label})) if cells.label else m.labels
    note_number(p, sheet.name, rno, node_id, labels, cells.props, given_id)
    record = (node_id, labels, cells.props, links)
    if m.subject == "reference":
        note_subject(p, sheet.name, rno, node_id, cells.props)
    elif not note_node(p, sheet.name, rno, values, cols, cells.id_col, record, given_id):
        return
    keep(p, record)


# ------------------------------------------------------------ 1. cells
def read_cells(p: Pass1, sheet: Sheet, rno: int, values: list[Any], cols: dict[int, Column],
               bad: Bad) -> Cells:
    """Every mapped cell of the row, converted into :class:`Cells` or reported."""
    cells = Cells()
    for i, col in cols.items():
        if col.ignore:
            continue
        v = values[i] if i < len(values) else None
        if sheet.formulas and (rno, i) in sheet.formulas and not _formula_ok(
                p, sheet, rno, i, col, v, bad):
            continue
        if empty(v):
            if col.required and col is not p.mapping.id and not filled_elsewhere(
                    cols, values, i, col):
                bad(i, col, v, "required", "必须填写", "is required")
            continue
        try:
            _take(p, cells, i, col, v)
        except CellError as e:
            bad(i, col, v, e.rule, e.zh, e.en)
    return cells


def _formula_ok(p: Pass1, sheet: Sheet, rno: int, i: int, col: Column, v: Any, bad: Bad
                ) -> bool:
    """A formula cell: its last calculated value is used (the sheet warned about once);
    one without a value is an error."""
    if empty(v):
        bad(i, col, v, "formula",
            "是没有计算结果的公式：请在 Excel 中打开并保存，或粘贴为数值",
            "is a formula without a calculated value: open and save the file in "
            "Excel, or paste values")
        return False
    if not p.formula_warned:
        p.formula_warned = True
        p.report.add(sheet.name, rno, i, col.header, None, "formula",
                     "表中有公式：已使用 Excel 上次计算的结果",
                     "the sheet has formulas: their last calculated values were used",
                     "warning")
    return True


def _take(p: Pass1, cells: Cells, i: int, col: Column, v: Any) -> None:
    """One filled cell into ``cells``, by what its column fills (CellError if it does
    not convert)."""
    m = p.mapping
    if col is m.id:
        cells.node_id = str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()
        cells.id_col = i
    elif col is m.label_column:
        cells.label = _label_of(p.schema, col, v)
    elif col.link:
        cells.links[col.link] = (str(v).strip(), i)
    elif col.link_property or col.stint_since or col.link_since:
        if col.link_property == ("MEMBER_OF", "role"):
            cells.role_text = str(v).strip()
        c = convert_cell(col, v)
        lt: str | None
        if col.link_property:
            lt, prop = col.link_property
        else:
            lt, prop = (col.stint_since, STINT_SINCE) if col.stint_since else (
                col.link_since, LINK_SINCE)
        assert lt is not None
        cells.link_props[lt][prop] = c.value
        for ck, cv in c.companions.items():
            cells.link_props[lt][ck if col.link_property else f"{prop}_precision"] = cv
    else:
        assert col.property is not None
        c = convert_cell(col, v)
        cells.props[col.property] = c.value
        cells.props.update(c.companions)


def _label_of(schema: Schema, col: Column, v: Any) -> str:
    s = str(v).strip()
    for lab in col.choices:
        d = schema.labels[lab]
        if s in (lab, d.name_zh, d.name_en):
            return lab
    names = "、".join(schema.labels[lab].name_zh for lab in col.choices)
    raise CellError("enum", f"应为以下之一：{names}", f"must be one of {', '.join(col.choices)}")


# ------------------------------------------------------------ 2. rules across cells
def check_row(p: Pass1, cells: Cells, cols: dict[int, Column], bad: Bad) -> None:
    """The rules that read more than one cell of the row."""
    _member_status(cells.props, cells.role_text, p.schema)
    _birth_rules(p, cells.props, cols, bad)
    _case_rules(cells.props, p.by_prop, cols, bad)


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


def _birth_rules(p: Pass1, props: dict[str, Any], cols: dict[int, Column], bad: Bad) -> None:
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


def _case_rules(props: dict[str, Any], by_prop: dict[str | None, int], cols: dict[int, Column],
                bad: Bad) -> None:
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


# ------------------------------------------------------------ 3. links
def note_links(p: Pass1, sheet: str, rno: int, cells: Cells
               ) -> list[tuple[str, str, dict[str, Any]]]:
    """The row's links with their properties (defaults filled in); each target is
    noted in ``p.refs`` (the count exact, the first rows kept for the report)."""
    for t, prop, default in p.defaults:
        cells.link_props[t].setdefault(prop, default)
    out = []
    for t, (value, i) in cells.links.items():
        out.append((t, value, dict(cells.link_props.get(t, {}))))
        ref = p.refs.get((t, value))
        if ref is None:
            ref = p.refs[(t, value)] = Ref()
        ref.count += 1
        if len(ref.rows) < REF_ROWS:
            ref.rows.append((sheet, rno, i))
    return out


# ------------------------------------------------------------ 4. the row's id
def row_id(p: Pass1, sheet: Sheet, rno: int, cells: Cells) -> tuple[str, bool] | None:
    """(the row's node id, whether the row gave it), or None (reported) when the row
    gives neither an id nor what one is derived from."""
    if cells.node_id is not None:
        return cells.node_id, True
    m, props = p.mapping, cells.props
    if m.id.derive == "person" and isinstance(props.get("id_number"), str):
        return person_id(p.key, props["id_number"]), False
    if m.id.derive == "name" and isinstance(props.get("name"), str):
        return name_id(m.id.prefix, props["name"]), False
    want = "身份证号" if m.id.derive == "person" else "名称"
    p.report.add(sheet.name, rno, None, m.id.header, None, "missing_id",
                 f"需要填写“{m.id.header}”或{want}，才能确定是哪一个",
                 f"needs {m.id.header!r} or the {'ID number' if want == '身份证号' else 'name'} "
                 "to tell which one it is")
    return None


# ------------------------------------------------------------ 5. what pass 1 keeps
def note_number(p: Pass1, sheet: str, rno: int, node_id: str, labels: tuple[str, ...],
                props: dict[str, Any], given_id: bool) -> None:
    """A person's ID number, to find who holds it in the graph (the first row of each
    number)."""
    number = props.get("id_number")
    if not isinstance(number, str) or (p.mapping.subject != "reference" and "Person" not in
                                       p.schema.closure(labels or ("Person",))):
        return
    i_num = p.by_prop.get("id_number")
    if number not in p.numbers:
        p.numbers[number] = (node_id, sheet, rno, i_num if i_num is not None else -1,
                             given_id, props.get("name"), "birth_date" in props)


def note_subject(p: Pass1, sheet: str, rno: int, node_id: str, props: dict[str, Any]
                 ) -> None:
    """A reference roster's row: the node it names, checked against the graph later."""
    rows = p.subjects[node_id]
    if len(rows) < REF_ROWS:
        rows.append((sheet, rno, props.get("name")))


def note_node(p: Pass1, sheet: str, rno: int, values: list[Any], cols: dict[int, Column],
              id_col: int | None, record: Record, given_id: bool) -> bool:
    """A node row seen: False when the row is done with here — another row of the same
    person on a ``repeat`` roster (its links added to theirs, or a conflict reported),
    or a duplicate (reported)."""
    m, r = p.mapping, p.report
    node_id, labels, props, links = record
    first = p.seen.get(node_id)
    if first is not None and m.repeat:  # another row of the same person: more links
        node = p.gathered[node_id]
        clash = [k for k, v in props.items() if node[2].get(k, v) != v]
        if clash:
            at_col = p.by_prop.get(clash[0])
            col = cols[at_col] if at_col is not None else m.id
            r.add(sheet, rno, at_col, col.header, shown(col, props[clash[0]], p.today),
                  "conflicting_rows", f"与第 {first[1]} 行同一人，但此项不同",
                  f"the same person as row {first[1]}, but this differs")
            return False
        node[2].update(props)
        node[3].extend(links)
        return False
    if first is not None:
        at = id_col if id_col is not None else p.by_prop.get("id_number",
                                                              p.by_prop.get("name"))
        col = cols[at] if at is not None else m.id
        r.add(sheet, rno, at, col.header,
              shown(col, values[at] if at is not None else node_id, p.today),
              "duplicate_id",
              (f"与第 {first[1]} 行重复（同一编号或身份证号）" if first[0] == sheet
               else f"与工作表“{first[0]}”第 {first[1]} 行重复（同一编号或身份证号）"),
              f"duplicates row {first[1]}" + ("" if first[0] == sheet else
                                              f" of sheet {first[0]!r}")
              + " (same id or ID number)")
        return False
    p.seen[node_id] = (sheet, rno)
    if not given_id and m.id.derive == "name":
        p.by_name[node_id] = (props["name"], sheet, rno)
    if p.self_ref:
        p.labels[node_id] = labels
        if "name" in props:
            p.names[props["name"]].append(node_id)
    return True


# ------------------------------------------------------------ 6. keep
def keep(p: Pass1, record: Record) -> None:
    """A clean row for pass 2: to the spool, or gathered (``repeat`` node rosters: a
    person's rows together, spooled at the end)."""
    if p.mapping.repeat and p.mapping.subject == "node":
        p.gathered[record[0]] = record
        return
    p.pending.append(record)
    if len(p.pending) >= SPOOL_CHUNK:
        p.flush()
