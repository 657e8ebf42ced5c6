"""Reading spreadsheets: ``.xlsx`` and ``.csv`` rows, whatever Excel made of them.

Chinese Excel exports come as ``.xlsx`` or as CSV in GBK/GB18030 (or UTF-8 with a
BOM, or UTF-16 "Unicode text" with tabs). :func:`open_table` finds out which,
and yields each sheet's rows with their 1-based row numbers as Excel shows them.

``.xlsx`` goes through python-calamine (Rust; ~10x openpyxl's read-only mode),
which loads one sheet at a time: a sheet's cell data is capped
(:data:`MAX_XLSX_SHEET_BYTES`, checked in the zip directory before reading) so
memory stays bounded; CSV streams with no cap. A workbook's formulas are found in
the sheet XML so a caller can tell a cell computed by Excel from a typed one.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
>>> _ = open(p, "wb").write("姓名,性别\\n张三,男\\n".encode("gbk"))
>>> t = open_table(p)
>>> t.encoding, [(s.name, list(s.rows())) for s in t.sheets()]
('gb18030', [('r', [(1, ['姓名', '性别']), (2, ['张三', '男'])])])
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

__all__ = ["Table", "Sheet", "TableError", "open_table", "column_letter",
           "MAX_XLSX_SHEET_BYTES"]

#: uncompressed XML of one sheet, ~400,000 rows of a 12-column roster
MAX_XLSX_SHEET_BYTES = 256 * 1024 * 1024
#: the shared strings (every text cell's text, once) and any other part of a workbook
MAX_XLSX_STRINGS_BYTES = 128 * 1024 * 1024
#: everything a workbook expands to
MAX_XLSX_TOTAL_BYTES = 512 * 1024 * 1024
_SNIFF = 64 * 1024
_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[ >/]')
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


class TableError(Exception):
    """A file that cannot be read as a table; ``rule`` names why, ``message_zh`` and
    ``message_en`` say it for people."""

    def __init__(self, rule: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en


def column_letter(index: int) -> str:
    """Excel's name of a 0-based column.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


def _column_index(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n - 1


@dataclass
class Sheet:
    """One sheet: ``rows()`` yields ``(row number, values)``; ``merged`` lists merged
    ranges as ((row, col), (row, col)) 0-based; ``formulas`` cells (row number,
    0-based column) that hold a formula."""

    name: str
    _rows: Any
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows()  # type: ignore[no-any-return]


class Table:
    """An opened ``.xlsx`` or ``.csv``; ``sheets()`` may be called more than once
    (each call reads the file again, so a two-pass reader keeps memory flat)."""

    def __init__(self, path: Path, kind: str, encoding: str | None = None,
                 delimiter: str = ",") -> None:
        self.path = path
        self.kind = kind
        self.encoding = encoding
        self.delimiter = delimiter

    def sheets(self) -> Iterator[Sheet]:
        if self.kind == "csv":
            yield Sheet(self.path.stem, self._csv_rows)
        else:
            yield from _xlsx_sheets(self.path)

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        assert self.encoding is not None
        with open(self.path, encoding=self.encoding, newline="", errors="strict") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            line = 0
            try:
                for line, row in enumerate(reader, start=1):  # noqa: B007 - used below
                    yield line, row
            except UnicodeDecodeError as e:
                line = _first_bad_line(self.path, self.encoding) or line + 1
                raise TableError(
                    "encoding",
                    f"第 {line} 行的字节不是 {self.encoding} 编码：文件混用了编码，"
                    "请统一另存为 UTF-8",
                    f"row {line} is not {self.encoding}: the file mixes encodings; save it "
                    "again as UTF-8") from e
            except csv.Error as e:
                raise TableError("csv", f"第 {line + 1} 行不是合法的 CSV：{e}",
                                 f"row {line + 1} is not valid CSV: {e}") from e


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """The first line whose bytes do not decode (byte-oriented encodings only)."""
    if encoding.startswith("utf-16"):
        return None
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return n
    return None


def open_table(path: str | Path) -> Table:
    """Open a ``.xlsx`` or ``.csv`` (``.txt``/``.tsv`` too), checking it can be read."""
    p = Path(path)
    if not p.is_file():
        raise TableError("not_found", f"找不到文件 {p}", f"no such file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(p):
            raise TableError("corrupt_xlsx",
                             f"{p.name} 不是有效的 .xlsx 文件（文件损坏或并非 Excel 格式）",
                             f"{p.name} is not a valid .xlsx file (damaged, or not Excel)")
        return Table(p, "xlsx")
    if suffix == ".xls":
        raise TableError("xls", f"{p.name} 是旧版 .xls 格式：请在 Excel 中另存为 .xlsx 或 CSV",
                         f"{p.name} is an old .xls file: save it as .xlsx or CSV in Excel")
    if suffix in (".csv", ".txt", ".tsv"):
        encoding, delimiter = _sniff_csv(p)
        return Table(p, "csv", encoding, delimiter)
    raise TableError("file_type", f"{p.name}：只支持 .xlsx 和 .csv 文件",
                     f"{p.name}: only .xlsx and .csv files can be loaded")


def _sniff_csv(p: Path) -> tuple[str, str]:
    """Encoding and delimiter of a CSV from its first 64 KiB."""
    head, encoding = _sniff(p)
    text = head.decode(encoding, errors="ignore")
    first = text.splitlines()[0] if text else ""
    delimiter = max(",\t;|", key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    return encoding, delimiter


def sniff_encoding(p: Path) -> str:
    """A CSV's encoding from its first 64 KiB: UTF-8 (with or without a BOM), UTF-16,
    or GB18030 (a superset of the GBK Excel saves on Chinese Windows); TableError if
    none of them."""
    return _sniff(p)[1]


def _sniff(p: Path) -> tuple[bytes, str]:
    with open(p, "rb") as f:
        head = f.read(_SNIFF)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = ""
        for candidate in ("utf-8", "gb18030"):
            try:  # a multi-byte character may be cut at the end: not final
                codecs.getincrementaldecoder(candidate)("strict").decode(head, final=False)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
        if not encoding or b"\x00" in head:
            raise TableError(
                "encoding", f"{p.name} 的编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV",
                f"{p.name}: unrecognised encoding; save the CSV as UTF-8 or GBK")
    return head, encoding


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from workbook.xml and its relationships."""
    try:
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for s in wb.findall("m:sheets/m:sheet", _NS):
        t = target.get(s.get(f"{{{_NS['r']}}}id"), "")
        t = t.lstrip("/")
        out[s.get("name", "")] = t if t.startswith("xl/") else f"xl/{t}"
    return out


def _formulas(z: zipfile.ZipFile, part: str, limit: int = 10_000) -> set[tuple[int, int]]:
    """Cells (row, 0-based column) holding a formula, read from the sheet XML in
    1 MiB pieces (a cell's tag never spans more than a small overlap)."""
    found: set[tuple[int, int]] = set()
    tail = b""
    with z.open(part) as f:
        while chunk := f.read(1 << 20):
            buf = tail + chunk
            if b"<f" not in buf:  # most sheets have none: skip the regex
                tail = buf[-512:]
                continue
            for m in _FORMULA.finditer(buf):
                found.add((int(m.group(2)), _column_index(m.group(1))))
                if len(found) >= limit:
                    return found
            tail = buf[-512:]
    return found


def _too_large(p: Path, part: str, size: int, limit: int) -> TableError:
    return TableError(
        "too_large",
        f"{p.name} 的“{part}”展开后过大（{size >> 20} MB，上限 {limit >> 20} MB）："
        "请拆分文件或另存为 CSV",
        f"{p.name}: {part!r} expands to {size >> 20} MB (limit {limit >> 20} MB): split "
        "the file or save it as CSV")


def _check_parts(p: Path, z: zipfile.ZipFile, sheets: dict[str, str]) -> dict[str, int]:
    """Every part's size, checked before anything parses it: each part and the whole
    within their caps as the zip directory declares them, and every part but the
    sheets (which :func:`_formulas` reads through anyway) read through once, so a part
    that expands past its declared size fails its CRC here, in 1 MiB pieces, instead of
    filling memory in the parser."""
    sizes = {i.filename: i.file_size for i in z.infolist()}
    total = 0
    for part, size in sizes.items():
        limit = MAX_XLSX_STRINGS_BYTES
        if size > limit and part not in sheets.values():
            raise _too_large(p, part, size, limit)
        total += size
    for name, part in sheets.items():
        size = sizes.get(part, 0)
        if size > MAX_XLSX_SHEET_BYTES:
            raise TableError(
                "too_large",
                f"工作表“{name}”过大（{size >> 20} MB 单元格数据，上限 "
                f"{MAX_XLSX_SHEET_BYTES >> 20} MB，约 40 万行）："
                "请拆分文件或另存为 CSV（CSV 不限行数）",
                f"sheet {name!r} is too large ({size >> 20} MB of cell data, limit "
                f"{MAX_XLSX_SHEET_BYTES >> 20} MB, about 400,000 rows): split the file or "
                "save it as CSV (CSV has no row limit)")
    if total > MAX_XLSX_TOTAL_BYTES:
        raise _too_large(p, "*", total, MAX_XLSX_TOTAL_BYTES)
    for part in sizes:
        if part not in sheets.values():
            with z.open(part) as f:
                while f.read(1 << 20):
                    pass
    return sizes


def _xlsx_sheets(p: Path) -> Iterator[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with zipfile.ZipFile(p) as z:
            parts = _sheet_paths(z)
            sizes = _check_parts(p, z, parts)
            formulas = {name: _formulas(z, part) for name, part in parts.items()
                        if part in sizes}
        wb = CalamineWorkbook.from_path(str(p))
    except (zipfile.BadZipFile, CalamineError, OSError, ValueError) as e:
        raise TableError("corrupt_xlsx", f"{p.name} 无法读取（文件损坏）：{type(e).__name__}",
                         f"{p.name} cannot be read (damaged file): {type(e).__name__}") from e
    for name in wb.sheet_names:
        try:
            sh = wb.get_sheet_by_name(name)
        except CalamineError as e:
            raise TableError("corrupt_xlsx", f"工作表“{name}”无法读取：{e}",
                             f"sheet {name!r} cannot be read: {e}") from e
        merged = list(sh.merged_cell_ranges or [])
        yield Sheet(name, _calamine_rows(sh, merged), merged, formulas.get(name, set()))


def _calamine_rows(sh: Any, merged: list[Any]) -> Any:
    """The rows, a cell merged down over several rows (a branch's name beside all its
    members, 姓名 over a two-row header) given in each of them: clerks merge cells to
    say "the same"."""
    down: dict[int, list[tuple[int, int]]] = {}  # first row (0-based) -> [(col, last row)]
    for (r0, c0), (r1, c1) in merged:
        if r1 > r0 and c1 == c0:
            down.setdefault(r0, []).append((c0, r1))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        if sh.start is None:
            return
        r0, c0 = sh.start
        pad = [""] * c0
        carry: dict[int, tuple[Any, int]] = {}  # col -> (value, last row)
        for i, raw in enumerate(sh.iter_rows()):
            rno = r0 + i  # 0-based
            row = pad + list(raw) if c0 else list(raw)
            for col, last in down.get(rno, ()):
                if col < len(row):
                    carry[col] = (row[col], last)
            for col, (value, last) in list(carry.items()):
                if rno > last:
                    del carry[col]
                    continue
                while len(row) <= col:
                    row.append("")
                if row[col] in (None, ""):
                    row[col] = value
            yield rno + 1, row
    return rows

