"""The graph as CSV in neo4j-admin import's header convention, both ways.

One file per node label (``nodes_<Label>.csv``: ``id:ID``, ``:LABEL`` with every
label ``;``-separated, typed property columns such as ``joined_party_on:date``)
and one per relationship type (``rels_<TYPE>.csv``: ``:START_ID``, ``:END_ID``,
``:TYPE``, ``id`` and the properties). ``:LABEL`` includes ``GovNode``, the label
the Neo4j backend gives every node, so ``neo4j-admin database import full`` of an
export makes a database govgraph opens as it is (``scripts/neo4j-server import``).

Loading reads any neo4j-admin-style CSV: node files are told by an ``:ID`` column,
relationship files by ``:START_ID``/``:END_ID``; types ``string int long short byte
float double boolean date``; ``:IGNORE`` columns skipped. Everything is checked
against the schema before anything is written (pass 1 keeps only ids and labels);
pass 2 writes in batches. Empty fields are absent properties. A boundary
(``geometry``) may be GeoJSON text or WKT; it is stored and exported as GeoJSON.

>>> header_field("since:date"), header_field(":START_ID(Person)"), header_field("name")
(('since', 'date'), ('', 'START_ID'), ('name', 'string'))
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph.errors import ValidationError, Violation
from graph.model import Node, Rel, rel_id
from graph.schema import Schema
from graph.store import GraphStore
from graph.validate import validate_batch
from loaders.report import LoadReport

__all__ = ["export_graph_csv", "load_graph_csv", "header_field", "BASE_LABEL"]

BASE_LABEL = "GovNode"  # the Neo4j backend's label on every node
_TYPE_OUT = {"string": "", "geojson": "", "integer": ":long", "float": ":double",
             "boolean": ":boolean", "date": ":date"}
_SPECIAL = {"ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"}
_BATCH = 20_000

# ------------------------------------------------------------------ export


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return str(v)


def export_graph_csv(store: GraphStore, directory: str | Path,
                     progress: Callable[[int], Any] | None = None) -> dict[str, int]:
    """Write every node and relationship; returns rows written per file."""
    schema = store.schema
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for label in schema.labels:
        pdefs = schema.node_properties(schema.closure([label]))
        # subclasses written under their own label carry their own properties; a node
        # shown as `label` has at most the properties of its label set, which include
        # those of labels it carries besides (a party member who is also a resident)
        rows = [n for n in store.nodes(label) if schema.display_label(n.labels) == label]
        if not rows:
            continue
        keys: dict[str, str] = {k: p.type for k, p in pdefs.items() if k != "id"}
        for n in rows:
            for k, p in schema.node_properties(n.labels).items():
                if k != "id":
                    keys.setdefault(k, p.type)
        cols = sorted(keys, key=lambda k: (k != "name", list(keys).index(k)))
        path = out / f"nodes_{label}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", ":LABEL", *(f"{k}{_TYPE_OUT[keys[k]]}" for k in cols)])
            for n in rows:
                w.writerow([n.id, ";".join((BASE_LABEL, *n.labels)),
                            *(_cell(n.properties.get(k)) for k in cols)])
        written[path.name] = len(rows)
        if progress:
            progress(len(rows))
    for rtype, rdef in schema.relationships.items():
        cols = [k for k in rdef.properties if k != "id"]
        path = out / f"rels_{rtype}.csv"
        count = 0
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE", "id",
                        *(f"{k}{_TYPE_OUT[rdef.properties[k].type]}" for k in cols)])
            for r in store.rels(rtype):
                w.writerow([r.start, r.end, rtype, r.id,
                            *(_cell(r.properties.get(k)) for k in cols)])
                count += 1
        if count == 0:
            path.unlink()
            continue
        written[path.name] = count
        if progress:
            progress(count)
    return written


# ------------------------------------------------------------------ load


def header_field(text: str) -> tuple[str, str]:
    """(property name, type) of a header field; special fields have an empty name and
    their keyword as type (``ID``, ``LABEL``, ``START_ID`` ...)."""
    name, _, typ = text.strip().partition(":")
    typ = typ.split("(", 1)[0].strip()
    if typ.upper() in _SPECIAL:
        return ("" if typ.upper() != "ID" else name), typ.upper()
    return name, (typ.lower() or "string")


class _BadValue(Exception):
    pass


def _convert(typ: str, raw: str) -> Any:
    if typ == "string":
        return raw
    if typ in ("int", "long", "short", "byte"):
        try:
            return int(raw)
        except ValueError:
            raise _BadValue(f"{raw!r} is not an integer") from None
    if typ in ("float", "double"):
        try:
            v = float(raw)
        except ValueError:
            raise _BadValue(f"{raw!r} is not a number") from None
        if not math.isfinite(v):
            raise _BadValue(f"{raw!r} is not a finite number")
        return v
    if typ == "boolean":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise _BadValue(f"{raw!r} is not true or false")
    if typ == "date":
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise _BadValue(f"{raw!r} is not a date YYYY-MM-DD") from None
    raise _BadValue(f"type {typ!r} is not supported")


class _File:
    """One CSV file: its kind (nodes or rels) and the role of each column."""

    def __init__(self, path: Path, header: list[str], sensitive: frozenset[str] = frozenset()
                 ) -> None:
        self.path = path
        self.sensitive = sensitive
        self.fields = [header_field(h) for h in header]
        types = [t for _, t in self.fields]
        self.kind = ("nodes" if "ID" in types else
                     "rels" if "START_ID" in types and "END_ID" in types else "")
        self.header = header

    def unsupported(self) -> list[str]:
        ok = {"string", "int", "long", "short", "byte", "float", "double", "boolean", "date"}
        return [h for h, (_, t) in zip(self.header, self.fields, strict=True)
                if t not in _SPECIAL and t not in ok]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        with open(self.path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            yield from enumerate(reader, start=2)


def _parse(f: _File, line: int, row: list[str], report: LoadReport
           ) -> dict[str, Any] | None:
    item: dict[str, Any] = {"properties": {}}
    ok = True
    for i, ((name, typ), raw) in enumerate(zip(f.fields, row, strict=False)):
        if typ == "IGNORE":
            continue
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
        else:
            try:
                item["properties"][name] = _convert(typ, raw)
            except _BadValue as e:
                ok = False
                why = str(e)
                if name in f.sensitive:  # personal data stays out of reports
                    raw, why = "***", f"not a valid {typ}"
                report.add(f.path.name, line, i, f.header[i], raw, "wrong_type",
                           f"“{f.header[i]}”的值类型不对：{why}", f"{f.header[i]}: {why}")
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
       "duplicate_id": "编号重复", "missing_id": "缺少编号", "no_labels": "缺少标签"}


def _report_violations(e: ValidationError, where: dict[str, tuple[str, int]],
                       report: LoadReport) -> None:
    for v in e.violations:
        file, line = where.get(v.item, (None, None))
        report.add(file, line, None, v.field, v.item, v.rule,
                   f"{_ZH.get(v.rule, '不符合图模式')}：{v.message}", v.message)


def load_graph_csv(store: GraphStore, directory: str | Path, *, dry_run: bool = False,
                   progress: Callable[[int], Any] | None = None) -> LoadReport:
    """Check every file against the schema, then (no error, not a dry run) write."""
    d = Path(directory)
    report = LoadReport(kind="graph_csv", file=d.name, as_of=dt.date.today().isoformat(),
                        dry_run=dry_run)
    schema = store.schema
    sensitive = frozenset(k for lab in schema.labels
                          for k in schema.sensitive_properties([lab]))
    files = _files(d, report, sensitive)
    if not report.ok:
        return report
    known: dict[str, tuple[str, ...]] = {}  # node id -> labels, from the files
    rel_ids: set[str] = set()

    def lookup(ids: set[str]) -> dict[str, tuple[str, ...]]:
        found = {i: known[i] for i in ids if i in known}
        rest = ids - found.keys()
        if rest:
            found.update({i: n.labels for i, n in store.get_nodes(rest).items()})
        return found

    for kind in ("nodes", "rels"):
        for f in (f for f in files if f.kind == kind):
            report.sheets.append(f.path.name)
            for chunk, where in _chunks(f, report):
                report.rows += len(chunk)
                _pass1(schema, kind, chunk, where, known, rel_ids, lookup, report)
    if not report.ok:
        return report
    if dry_run:
        return report
    writer = getattr(store, "upsert_stream", None)
    batches = _write_batches(files)
    if writer is not None:
        writer(batches, progress)
    else:
        for nodes, rels in batches:
            store.upsert(nodes, rels)
            if progress:
                progress(len(nodes) + len(rels))
    report.written = True
    report.changes["nodes_added"] = len(known)
    report.changes["rels_added"] = len(rel_ids)
    return report


def _files(d: Path, report: LoadReport, sensitive: frozenset[str]) -> list[_File]:
    if not d.is_dir():
        report.add(None, None, None, None, str(d), "not_found", f"找不到目录 {d}",
                   f"no such directory: {d}")
        return []
    files = []
    for path in sorted(d.glob("*.csv")):
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
        except UnicodeDecodeError:
            report.add(path.name, 1, None, None, None, "encoding", "不是 UTF-8 编码",
                       "not UTF-8 (neo4j-admin CSV is UTF-8)")
            continue
        f = _File(path, header, sensitive)
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
        report.add(f.path.name, None, None, None, None, "encoding", "不是 UTF-8 编码",
                   "not UTF-8 (neo4j-admin CSV is UTF-8)")
    except csv.Error as e:
        report.add(f.path.name, None, None, None, None, "csv", f"不是合法的 CSV：{e}",
                   f"not valid CSV: {e}")
    if chunk:
        yield chunk, where


def _pass1(schema: Schema, kind: str, chunk: list[dict[str, Any]],
           where: dict[str, tuple[str, int]], known: dict[str, tuple[str, ...]],
           rel_ids: set[str], lookup: Callable[[set[str]], dict[str, tuple[str, ...]]],
           report: LoadReport) -> None:
    """Schema checks of one chunk, plus ids repeated across chunks and files."""
    dups = []
    for item in chunk:
        i = item.get("id")
        seen = known if kind == "nodes" else rel_ids
        if isinstance(i, str) and i in seen:
            dups.append(Violation(i, kind[:-1], "duplicate_id",
                                  f"id {i!r} appears more than once in the files"))
    try:
        if kind == "nodes":
            vnodes, _ = validate_batch(schema, chunk, [], lambda ids: {})
            for n in vnodes:
                known.setdefault(n.id, n.labels)
        else:
            _, vrels = validate_batch(schema, [], chunk, lookup)
            rel_ids.update(r.id for r in vrels)
    except ValidationError as e:
        _report_violations(e, where, report)
    if dups:
        _report_violations(ValidationError(dups), where, report)


_Batch = tuple[list[Node | dict[str, Any]], list[Rel | dict[str, Any]]]


def _write_batches(files: list[_File]) -> Iterator[_Batch]:
    scratch = LoadReport(kind="graph_csv", file="", as_of="")
    for kind in ("nodes", "rels"):
        for f in (f for f in files if f.kind == kind):
            for chunk, _ in _chunks(f, scratch):
                batch: _Batch = (list(chunk), []) if kind == "nodes" else ([], list(chunk))
                yield batch
