"""Where a sheet's header is and whether it will do: the row matching most mapped
headers among the first rows (title rows above skipped), a two-level header read
together, required columns present, no header cell merged across columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loaders.roster.cells import empty
from loaders.roster.mapping import Column, Mapping
from loaders.roster.pass1 import Pass1
from loaders.tables import Sheet, column_letter

__all__ = ["HEADER_SCAN_ROWS", "Header", "filled_elsewhere", "find_header", "header_issues"]

HEADER_SCAN_ROWS = 20


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


def find_header(sheet: Sheet, m: Mapping) -> Header | None:
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


def header_issues(p: Pass1, sheet: Sheet, h: Header) -> bool:
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
            if not empty(v) and i not in h.cols and (rno, i) not in grouped:
                r.add(sheet.name, rno, i, str(v), None, "unknown_column",
                      f"不认识的列“{v}”，已忽略", f"unknown column {str(v)!r} ignored",
                      "warning")
    return ok


def filled_elsewhere(cols: dict[int, Column], values: list[Any], i: int, col: Column
                      ) -> bool:
    """Another column of the row fills what this empty required one would, or an
    earlier one is reported empty already (入党日期 and 入党年月: one error)."""
    return any(j != i and c.fills() == col.fills() and (
        j < i or j < len(values) and not empty(values[j])) for j, c in cols.items())


def _header_text(h: Header, i: int) -> str | None:
    for rno, values in h.rows:
        if rno == h.at.get(i) and i < len(values):
            return str(values[i])
    return None
