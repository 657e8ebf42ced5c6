"""Writing ``.xlsx`` for people: roster templates, and cells that are never formulas.

openpyxl stores any string starting with ``=`` as a formula; a name or a cell value
from a roster must never run in someone's Excel, so every value goes through
:func:`text_cell`, which keeps strings as strings.

>>> from openpyxl import Workbook
>>> ws = Workbook(write_only=True).create_sheet("x")
>>> c = text_cell(ws, '=HYPERLINK("http://x")')
>>> c.data_type, c.value
('s', '=HYPERLINK("http://x")')
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

__all__ = ["text_cell", "write_template", "write_sheets"]


def text_cell(ws: Any, value: Any, **style: Any) -> Any:
    """A write-only cell holding ``value``; a string is always stored as text."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and c.data_type == "f":
        c.data_type = "s"
    for k, v in style.items():
        setattr(c, k, v)
    return c


def write_sheets(out: Path | IO[bytes], sheets: list[tuple[str, list[str], list[list[Any]]]],
                 widths: dict[int, int] | None = None, title: str | None = None
                 ) -> Path | IO[bytes]:
    """A workbook of sheets ``(name, headers, rows)`` ready to print: bold frozen
    header, column widths, landscape A4 fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    used: set[str] = set()
    for name, headers, rows in sheets:
        sheet_name = _sheet_name(name, used)
        ws = wb.create_sheet(sheet_name)
        for i, h in enumerate(headers):
            ws.column_dimensions[_letter(i)].width = (widths or {}).get(
                i, max(10, min(40, 2 * len(str(h)) + 4)))
        ws.freeze_panes = "A3" if title else "A2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:2" if title else "1:1"
        if title:
            ws.append([text_cell(ws, f"{title}（{name}）", font=Font(bold=True, size=14))])
        ws.append([text_cell(ws, h, font=bold) for h in headers])
        for row in rows:
            ws.append([text_cell(ws, v, alignment=wrap) for v in row])
    if not sheets:
        wb.create_sheet("空")
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _letter(i: int) -> str:
    from loaders.tables import column_letter

    return column_letter(i)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    base, n = clean, 2
    while clean in used:
        suffix = f"({n})"
        clean = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(clean)
    return clean


def write_template(kind: str, out: Path) -> Path:
    """An empty roster of ``kind``: headers (required ones marked ``*``), one sample
    row, text-formatted ID and phone columns, drop-down lists for fixed choices, and
    a sheet 填写说明 explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from graph.schema import get_schema
    from loaders.roster.mapping import GEOMETRY_ZH, get_mapping

    m = get_mapping(kind)
    schema = get_schema()
    wb = Workbook()
    ws = wb.active
    ws.title = m.name_zh
    doc = wb.create_sheet("填写说明")
    doc.append(["列名", "是否必填", "说明", "可选值", "也可用的列名"])
    for c in doc[1]:
        c.font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(m.all_columns, start=1):
        letter = _letter(i - 1)
        cell = ws.cell(row=1, column=i, value=col.header + ("*" if col.required else ""))
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = head_fill
        ws.column_dimensions[letter].width = max(12, 2 * len(col.header) + 6)
        sample = ws.cell(row=2, column=i, value=col.sample if col.sample != "" else None)
        sample.font = Font(italic=True, color="808080")
        choices: list[str] = []
        if col is m.label_column:
            choices = [schema.labels[lab].name_zh for lab in col.choices]
            what = "组织类别"
        elif col is m.id:
            what = ("人员编号；留空时按身份证号生成" if col.derive == "person"
                    else "编号；留空时按名称生成")
        elif col.link:
            names = "、".join(schema.labels[t].name_zh for t in col.to)
            what = (f"{schema.relationships[col.link].name_zh}：填写已有或本表中{names}的编号、"
                    "全称或简称")
        elif col.stint_since:
            what = "现任职务的起始日期（如 2021-05-01，也可只填到月：2021.05）"
        else:
            p = col.pdef
            assert p is not None
            what = p.name_zh or p.name
            what += {"date": "（日期，如 2001-07-01，也可只填到月：2001.07）",
                     "boolean": "（是/否）",
                     "integer": "（整数）", "float": "（数字）",
                     "geojson": f"（{GEOMETRY_ZH}）"}.get(p.type, "")
            if p.enum:
                choices = list(p.enum.values())
            elif p.aliases and p.type == "boolean":
                choices = ["是", "否"]
        if col.property in ("id_number", "phone") or col is m.id:
            for r in range(2, 1002):
                ws.cell(row=r, column=i).number_format = "@"
        if choices:
            # a property with aliases takes more than the list (组织委员 for 委员): the
            # drop-down is then a hint, not a rule
            strict = not (col.pdef is not None and col.pdef.aliases)
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                allow_blank=True, showErrorMessage=strict,
                                errorTitle="可选值", error="请从下拉列表中选择")
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1001")
        doc.append([col.header, "是" if col.required else "否", what, "、".join(choices),
                    "、".join(col.aliases)])
    doc.append([])
    doc.append(["第 2 行是示例，填写前请删除。带 * 的列必须填写。"
                "身份证号、手机号列已设为文本格式。"])
    for letter, w in zip("ABCDE", (16, 10, 50, 30, 30), strict=True):
        doc.column_dimensions[letter].width = w
    ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
