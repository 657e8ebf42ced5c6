"""What a load (a roster, a graph CSV, a Popolo file) found: every problem with its
sheet or file, row, column, value and rule, in Chinese and English; for a roster, the
same as an ``.xlsx`` with the bad cells marked.

Values of sensitive columns (ID numbers, phones …) are masked in the report: it is
printed, logged by an API gateway or mailed around; the marked ``.xlsx`` is a copy of
the user's own file and keeps them.

>>> r = LoadReport(kind="party_members", file="a.xlsx", as_of="2026-06-30")
>>> r.add("党员", 3, 2, "公民身份号码", "440306********1234", "id_number",
...       "校验码应为 X", "check digit should be X")
>>> r.ok, r.issue_counts
(False, {'id_number': 1})
>>> r.lines("en")[1]
'  党员!C3 公民身份号码 = 440306********1234: check digit should be X [id_number]'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.masking import mask_value
from graph.schema import Schema
from graph.write import Changes
from loaders.tables import Table, column_letter

__all__ = ["Issue", "LoadReport", "MAX_ISSUES", "write_issue_workbook"]

#: issues kept in full; beyond this only counted (a 1,000,000-row file of errors
#: must not fill memory)
MAX_ISSUES = 10_000


@dataclass(frozen=True)
class Issue:
    sheet: str | None
    row: int | None
    column: int | None  # 0-based
    header: str | None
    value: str | None
    rule: str
    message_zh: str
    message_en: str
    severity: str = "error"

    @property
    def cell(self) -> str | None:
        if self.row is None or self.column is None:
            return None
        return f"{column_letter(self.column)}{self.row}"

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row,
                "column": column_letter(self.column) if self.column is not None else None,
                "header": self.header, "value": self.value, "rule": self.rule,
                "severity": self.severity, "message_zh": self.message_zh,
                "message_en": self.message_en}


@dataclass
class LoadReport:
    kind: str
    file: str
    as_of: str
    dry_run: bool = False
    rows: int = 0
    sheets: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    issue_counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    #: what the load wrote (or, on a dry run, would write)
    changes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("nodes_added", "nodes_updated", "nodes_unchanged", "rels_added", "rels_updated",
         "rels_unchanged", "rels_ended"), 0))
    written: bool = False
    #: stored nodes the load changes: id, labels added, properties (old, new), with
    #: sensitive values masked
    diffs: list[dict[str, Any]] = field(default_factory=list)
    #: nodes the load adds (id, labels, name, sheet and row) and relationships it ends
    #: (id, type, start, end, until), up to MAX_DIFFS each
    added: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def truncated(self) -> bool:
        return self.errors + self.warnings > len(self.issues)

    def add(self, sheet: str | None, row: int | None, column: int | None,
            header: str | None, value: Any, rule: str, zh: str, en: str,
            severity: str = "error") -> None:
        if severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        self.issue_counts[rule] = self.issue_counts.get(rule, 0) + 1
        if len(self.issues) < MAX_ISSUES:
            shown = None if value is None or value == "" else str(value)[:100]
            self.issues.append(Issue(sheet, row, column, header, shown, rule, zh, en, severity))

    def record_changes(self, changes: Changes, schema: Schema,
                       where: Callable[[str], tuple[str | None, int | None]] | None = None
                       ) -> None:
        """What the load changes (or, dry, would change): the counts, each changed
        stored node's diff (sensitive values masked), a warning for every node it
        renames and every new person who may be someone already stored. ``where``
        tells the sheet and row of a node id."""
        self.changes.update(changes.counts())
        sensitive = {k for lab in schema.labels for k in schema.sensitive_properties([lab])}

        def show(k: str, v: Any) -> Any:
            return mask_value(k, v, self.as_of) if k in sensitive and v is not None else v

        at = where or (lambda nid: (None, None))
        for d in changes.diffs:
            if d.renamed:
                old, new = d.properties["name"]
                sheet, row = at(d.id)
                self.add(sheet, row, None, "名称", new, "renames",
                         f"将把图中“{old}”（{d.id}）改名为“{new}”",
                         f"renames {old!r} ({d.id}) to {new!r}", "warning")
            self.diffs.append({
                "id": d.id, "given_id": d.given_id, "labels_added": list(d.labels_added),
                "labels_removed": list(d.labels_removed),
                "properties": {k: [show(k, a), show(k, b)]
                               for k, (a, b) in sorted(d.properties.items())}})
        for a in changes.added:
            sheet, row = at(a.id)
            self.added.append({"id": a.id, "labels": list(a.labels), "name": a.name,
                               "sheet": sheet, "row": row})
        self.ended.extend({"id": e.id, "type": e.type, "start": e.start, "end": e.end,
                           "until": e.until} for e in changes.ended)
        for new, same in changes.candidates.items():
            sheet, row = at(new)
            self.add(sheet, row, None, "姓名", None, "possible_duplicate",
                     f"可能与图中的 {'、'.join(same[:3])} 是同一人（同名、同出生日期）：如是，"
                     "请用 govgraph people merge 合并",
                     f"may be the same person as {', '.join(same[:3])} in the graph (same "
                     "name and birth date): if so, merge them (govgraph people merge)",
                     "warning")

    def lines(self, lang: str = "zh", limit: int = 50) -> list[str]:
        """A readable report: a summary line, then one line per issue (up to limit)."""
        if lang == "zh":
            head = (f"{self.file}：{self.rows} 行，{self.errors} 个错误，{self.warnings} 个提示"
                    + ("" if self.ok else "；未写入任何数据"))
        else:
            head = (f"{self.file}: {self.rows} rows, {self.errors} error(s), "
                    f"{self.warnings} warning(s)" + ("" if self.ok else "; nothing written"))
        out = [head]
        for i in self.issues[:limit]:
            where = (f"{i.sheet}!{i.cell}" if i.cell else f"{i.sheet} 第{i.row}行" if i.row
                     else i.sheet or self.file)
            what = f" {i.header}" if i.header else ""
            val = f" = {i.value}" if i.value is not None else ""
            msg = i.message_zh if lang == "zh" else i.message_en
            mark = "" if i.severity == "error" else (" (提示)" if lang == "zh" else " (warning)")
            out.append(f"  {where}{what}{val}: {msg} [{i.rule}]{mark}")
        more = self.errors + self.warnings - min(limit, len(self.issues))
        if more > 0:
            out.append(f"  … 另有 {more} 条" if lang == "zh" else f"  … {more} more")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "as_of": self.as_of,
                "dry_run": self.dry_run, "ok": self.ok, "written": self.written,
                "rows": self.rows, "sheets": self.sheets, "errors": self.errors,
                "warnings": self.warnings, "issue_counts": self.issue_counts,
                "truncated": self.truncated, "changes": self.changes,
                "issues": [i.to_dict() for i in self.issues], "diffs": self.diffs,
                "added": self.added, "ended": self.ended}


def write_issue_workbook(report: LoadReport, table: Table | None, out: Path) -> Path:
    """The roster again with every cell that has an issue filled red (yellow for a
    warning) and its message as a comment, plus a sheet 错误清单 listing them all."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from loaders.xlsx import text_cell

    red = PatternFill("solid", fgColor="FFC7CE")
    yellow = PatternFill("solid", fgColor="FFEB9C")
    by_cell: dict[tuple[str | None, int, int], Issue] = {}
    for i in report.issues:
        if i.row is not None and i.column is not None:
            by_cell.setdefault((i.sheet, i.row, i.column), i)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    bold = Font(bold=True)
    heads = ["工作表", "单元格", "列", "值", "规则", "说明", "Message", "级别"]
    ws.append([text_cell(ws, h, font=bold) for h in heads])
    for i in report.issues:
        ws.append([text_cell(ws, v) for v in (i.sheet, i.cell, i.header, i.value, i.rule,
                                              i.message_zh, i.message_en,
                                              "错误" if i.severity == "error" else "提示")])
    if table is not None and by_cell:
        for sheet in table.sheets():
            if sheet.name not in {k[0] for k in by_cell}:
                continue
            wsd = wb.create_sheet(sheet.name[:31])
            for rno, values in sheet.rows():
                row = []
                for c, v in enumerate(values):
                    issue = by_cell.get((sheet.name, rno, c))
                    cell = text_cell(wsd, v)
                    if issue is not None:
                        cell.fill = red if issue.severity == "error" else yellow
                        cell.comment = Comment(f"{issue.message_zh}\n{issue.message_en}",
                                               "govgraph")
                    row.append(cell)
                wsd.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out

