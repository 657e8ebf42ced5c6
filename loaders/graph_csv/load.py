"""Loading neo4j-admin-style CSV: every file checked against the schema and the
stored graph first (pass 1 keeps only ids, labels and ID numbers, :class:`_Check`),
then — no error, not a dry run — written in batches through the store's write path,
all in one unit.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import ValidationError, Violation
from graph.model import Node, Rel, rel_id
from graph.store import GraphStore
from graph.write import Changes, MemoryView, StoreView, follow, plan_batch
from loaders.graph_csv.convention import BASE_LABEL, SPECIAL, header_field, restore
from loaders.report import LoadReport
from loaders.tables import TableError, sniff_encoding

__all__ = ["load_graph_csv"]

_BATCH = 20_000


class _File:
    """One CSV file: its kind (nodes or rels) and the role of each column."""

    def __init__(self, path: Path, header: list[str], sensitive: frozenset[str] = frozenset(),
                 encoding: str = "utf-8-sig") -> None:
        self.path = path
        self.encoding = encoding
        self.sensitive = sensitive
        self.fields = [header_field(h) for h in header]
        types = [t for _, t in self.fields]
        self.kind = ("nodes" if "ID" in types else
                     "rels" if "START_ID" in types and "END_ID" in types else "")
        self.header = header

    def unsupported(self) -> list[str]:
        ok = {"string", "int", "long", "short", "byte", "float", "double", "boolean", "date"}
        return [h for h, (_, t) in zip(self.header, self.fields, strict=True)
                if t not in SPECIAL and t not in ok]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        with open(self.path, encoding=self.encoding, newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            yield from enumerate(reader, start=2)


def _parse(f: _File, line: int, row: list[str], report: LoadReport
           ) -> dict[str, Any] | None:
    item: dict[str, Any] = {"properties": {}}
    ok = True
    for (name, typ), cell in zip(f.fields, row, strict=False):
        if typ == "IGNORE":
            continue
        raw = restore(cell)  # a cell our export neutralised for spreadsheets
        if typ == "ID":
            item["id"] = raw
            if name and name != "id" and raw != "":
                item["properties"][name] = raw
        elif typ == "LABEL":
            item["labels"] = [x for x in raw.split(";") if x and x != BASE_LABEL]
        elif typ in ("START_ID", "END_ID"):
            item["start" if typ == "START_ID" else "end"] = raw
        elif typ == "TYPE":
            item["type"] = raw
        elif raw == "":
            continue
        elif f.kind == "rels" and name == "id":
            item["id"] = raw
        else:  # converted by the schema's rules in the write path (graph/values.py)
            item["properties"][name] = raw
    if len(row) != len(f.fields) and any(row):
        ok = False
        report.add(f.path.name, line, None, None, None, "column_count",
                   f"有 {len(row)} 列，表头有 {len(f.fields)} 列",
                   f"{len(row)} fields, the header has {len(f.fields)}")
    return item if ok and any(row) else None


_ZH = {"unknown_label": "标签不在图模式中", "unknown_property": "属性不在图模式中",
       "missing_required": "缺少必填属性", "wrong_type": "属性值类型不对",
       "not_in_enum": "取值不在允许范围内", "unknown_relationship_type": "关系类型不在图模式中",
       "missing_end": "关系的起点或终点不存在", "end_not_allowed": "这两类节点之间不允许这种关系",
       "duplicate_id": "编号重复", "missing_id": "缺少编号", "no_labels": "缺少标签",
       "id_number": "身份证号无效", "phone": "电话号码无效",
       "id_number_as_number": "身份证号被 Excel 改成了数字",
       "excel_number": "号码被 Excel 改成了数字",
       "duplicate_id_number": "同一身份证号出现在两个节点上",
       "id_number_taken": "身份证号已属于另一节点",
       "birth_date_mismatch": "出生日期与身份证号不一致"}


def _report_violations(e: ValidationError, where: dict[str, tuple[str, int]],
                       report: LoadReport) -> None:
    for v in e.violations:
        file, line = where.get(v.item, (None, None))
        report.add(file, line, None, v.field, v.item, v.rule,
                   f"{_ZH.get(v.rule, '不符合图模式')}：{v.message}", v.message)


@dataclass
class _Check:
    """Pass 1's state: the files' nodes as later chunks see them, who identity found,
    what was rejected and what depends on it, what would change."""

    store: GraphStore
    report: LoadReport
    replace: bool
    view: MemoryView = field(init=False)
    remap: dict[str, str] = field(default_factory=dict)
    nodes: set[str] = field(default_factory=set)  # node ids of the files
    rels: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    #: rejected node id -> [relationships needing it, (file, line) of the node]
    depends: dict[str, list[Any]] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)

    def __post_init__(self) -> None:
        self.view = MemoryView(StoreView(self.store))

    def chunk(self, kind: str, chunk: list[dict[str, Any]],
              where: dict[str, tuple[str, int]]) -> None:
        seen = self.nodes if kind == "nodes" else self.rels
        dups, items = [], []
        for item in chunk:
            if kind == "rels":
                moved = follow(item, self.remap)
                if moved.get("id") != item.get("id") and str(item.get("id")) in where:
                    where[moved["id"]] = where[str(item.get("id"))]
                item = moved
                gone = [e for e in (item.get("start"), item.get("end")) if e in self.rejected]
                if gone:
                    dep = self.depends[gone[0]]
                    dep[0] += 1
                    continue
            i = item.get("id")
            if isinstance(i, str) and i in seen:
                dups.append(Violation(i, kind[:-1], "duplicate_id",
                                      f"id {i!r} appears more than once in the files"))
                continue
            if isinstance(i, str):
                seen.add(i)
            items.append(item)
        if dups:
            _report_violations(ValidationError(dups), where, self.report)
        for _ in range(3):  # the good items of a chunk with bad ones are checked again
            try:
                plan = plan_batch(self.store.schema, items if kind == "nodes" else [],
                                  items if kind == "rels" else [], self.view,
                                  as_of=self.report.as_of, replace=self.replace)
            except ValidationError as e:
                _report_violations(e, where, self.report)
                bad = {v.item for v in e.violations}
                if kind == "nodes":
                    for b in bad:
                        self.rejected.add(b)
                        self.depends.setdefault(b, [0, where.get(b, (None, None))])
                items = [x for x in items if x.get("id") not in bad]
                continue
            self.view.put_light(plan)
            self.remap.update(plan.changes.remap)
            self.changes.add(plan.changes)
            return


def load_graph_csv(store: GraphStore, directory: str | Path, *, dry_run: bool = False,
                   replace: bool = False, progress: Callable[[int], Any] | None = None
                   ) -> LoadReport:
    """Check every file against the schema and the stored graph, then (no error, not a
    dry run) write, through the store's write path: values by the schema's rules
    (Chinese names of choices, 是/否, 2026/11/26), a person found by ID number is that
    node, properties and labels merge into what is stored (``replace``: become exactly
    those of the files), a role change keeps the past. A rejected node's
    relationships are reported once, as depending on it."""
    d = Path(directory)
    report = LoadReport(kind="graph_csv", file=d.name, as_of=dt.date.today().isoformat(),
                        dry_run=dry_run)
    schema = store.schema
    sensitive = frozenset(k for lab in schema.labels
                          for k in schema.sensitive_properties([lab]))
    files = _files(d, report, sensitive)
    if not report.ok:
        return report
    check = _Check(store, report, replace)
    for kind in ("nodes", "rels"):
        for f in (f for f in files if f.kind == kind):
            report.sheets.append(f.path.name)
            for chunk, where in _chunks(f, report):
                report.rows += len(chunk)
                check.chunk(kind, chunk, where)
    for nid, (count, (file, line)) in check.depends.items():
        if count:
            report.add(file, line, None, None, nid, "depends_on_rejected",
                       f"另有 {count} 条关系连到这个被拒绝的节点，未逐条列出",
                       f"{count} relationship(s) need this rejected node; not listed one by "
                       "one", "error")
    if not report.ok:
        return report
    if dry_run:
        report.record_changes(check.changes, schema)
        return report
    batches = _write_batches(files, check.remap)
    with store.unit():  # the whole directory, or nothing of it
        done = store.upsert_stream(batches, progress, as_of=report.as_of,
                                   replace=replace).changes
    report.written = True
    report.record_changes(done, schema)
    return report


def _files(d: Path, report: LoadReport, sensitive: frozenset[str]) -> list[_File]:
    if not d.is_dir():
        report.add(None, None, None, None, str(d), "not_found", f"找不到目录 {d}",
                   f"no such directory: {d}")
        return []
    files = []
    for path in sorted(d.glob("*.csv")):
        try:  # UTF-8 as neo4j-admin writes it, or GBK as Excel saves it on Chinese Windows
            encoding = sniff_encoding(path)
            with open(path, encoding=encoding, newline="") as fh:
                header = next(csv.reader(fh), [])
        except (TableError, UnicodeDecodeError):
            report.add(path.name, 1, None, None, None, "encoding",
                       "编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV",
                       "unrecognised encoding: save the CSV as UTF-8 or GBK")
            continue
        f = _File(path, header, sensitive, encoding)
        if not f.kind:
            report.add(path.name, 1, None, None, None, "no_id_column",
                       "表头既没有 :ID 列（节点）也没有 :START_ID/:END_ID 列（关系）",
                       "the header has neither an :ID column (nodes) nor :START_ID and "
                       ":END_ID columns (relationships)")
            continue
        for h in f.unsupported():
            report.add(path.name, 1, None, h, None, "unsupported_type",
                       f"不支持的列类型“{h}”", f"column type of {h!r} is not supported")
        files.append(f)
    if not files and report.ok:
        report.add(None, None, None, None, str(d), "no_files", "目录中没有 CSV 文件",
                   "no .csv files in the directory")
    return files


def _chunks(f: _File, report: LoadReport
            ) -> Iterator[tuple[list[dict[str, Any]], dict[str, tuple[str, int]]]]:
    chunk: list[dict[str, Any]] = []
    where: dict[str, tuple[str, int]] = {}
    try:
        for line, row in f.rows():
            item = _parse(f, line, row, report)
            if item is None:
                continue
            if f.kind == "rels" and not item.get("id"):
                item["id"] = rel_id(str(item.get("type")), str(item.get("start")),
                                    str(item.get("end")))
            where[str(item.get("id") or f"#{line}")] = (f.path.name, line)
            chunk.append(item)
            if len(chunk) >= _BATCH:
                yield chunk, where
                chunk, where = [], {}
    except UnicodeDecodeError:
        report.add(f.path.name, None, None, None, None, "encoding",
                   f"文件中有不是 {f.encoding} 编码的字节：文件混用了编码，请重新保存为 UTF-8",
                   f"bytes that are not {f.encoding}: the file mixes encodings; save it "
                   "again as UTF-8")
    except csv.Error as e:
        report.add(f.path.name, None, None, None, None, "csv", f"不是合法的 CSV：{e}",
                   f"not valid CSV: {e}")
    if chunk:
        yield chunk, where


_Batch = tuple[list[Node | dict[str, Any]], list[Rel | dict[str, Any]]]


def _write_batches(files: list[_File], remap: dict[str, str]) -> Iterator[_Batch]:
    scratch = LoadReport(kind="graph_csv", file="", as_of="")
    for kind in ("nodes", "rels"):
        for f in (f for f in files if f.kind == kind):
            for chunk, _ in _chunks(f, scratch):
                batch: _Batch = ((list(chunk), []) if kind == "nodes"
                                 else ([], [follow(r, remap) for r in chunk]))
                yield batch
