"""Pass 1's walk over a table: every sheet with a header, every data row of it (title,
heading and footer rows skipped with a note) read by :func:`loaders.roster.row.read_row`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from loaders.roster.cells import empty
from loaders.roster.header import find_header, header_issues
from loaders.roster.mapping import Column
from loaders.roster.pass1 import Pass1
from loaders.roster.row import read_row
from loaders.tables import Sheet, Table

__all__ = ["read_table"]

#: the first cell of a row that is a sheet's footer, not a person
_FOOTER = re.compile(r"^\s*(填表人|填报人|制表人|审核人|审批人|负责人|联系人|经办人|填表日期|"
                     r"填报日期|制表日期|制表时间|填表时间|合\s*计|总\s*计|小\s*计|共\s*计|"
                     r"以上共|注[:：]|说明[:：]|备注[:：])")


def _is_data(lead: str, row: list[Any], cols: dict[int, Column], sheet: Sheet, rno: int
             ) -> bool:
    """Whether a row with one filled cell is a person all the same: the cell is in the
    name column (a sheet may list names only), not a heading across the columns (merged
    over them, or saying a group: 第一党小组, 一、在职党员)."""
    i = next(i for i, v in enumerate(row) if not empty(v))
    col = cols.get(i)
    if col is None or col.property != "name" or len(lead) > 20 or _HEADING.search(lead):
        return False
    return not any(r0 + 1 == rno and c0 == i and c1 > c0
                   for (r0, c0), (_, c1) in sheet.merged)


_HEADING = re.compile(r"党小组|小组|支部|总支|党委|委员会|社区|网格|片区|楼栋|党员$|"
                      r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十\d]+[）)]")


def read_table(p: Pass1, table: Table, progress: Callable[[int], Any] | None) -> None:
    r, m = p.report, p.mapping
    for sheet in table.sheets():
        h = find_header(sheet, m)
        if h is None:
            continue
        cols = h.cols
        r.sheets.append(sheet.name)
        if not header_issues(p, sheet, h):
            continue
        p.by_prop = {c.property: i for i, c in cols.items() if c.property}
        for rno, row in sheet.rows():
            if rno <= h.last:
                continue
            filled = [v for v in row if not empty(v)]
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
            read_row(p, sheet, rno, row, cols)
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
