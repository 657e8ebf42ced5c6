"""What is wrong with an embedded store file: the damage vocabulary the store uses when
it opens (and refuses a damaged file, :class:`graph.errors.StoreDamaged`) and
:func:`check_store`, the whole check behind ``govgraph check``."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from graph.errors import StoreDamaged
from graph.schema import Schema, get_schema

__all__ = ["check_store", "Problems", "decode", "label_problem", "end_problem",
           "refuse_foreign", "PAGE"]

PAGE = 10_000  # rows decoded per JSON call when the index is built

class Problems:
    """Damage found: the first few described, all counted."""

    def __init__(self, keep: int = 20) -> None:
        self.shown: list[str] = []
        self.total = 0
        self.keep = keep

    def add(self, text: str) -> None:
        self.total += 1
        if len(self.shown) < self.keep:
            self.shown.append(text)


def decode(rows: list[Any], col: int, problems: Problems, what: str
            ) -> list[dict[str, Any] | None]:
    """The JSON of column ``col`` of a page of rows, as one decoder call (its key
    strings shared: a third less memory for the index); a row that is not a JSON
    object is a problem, and None."""
    try:
        out: list[Any] = json.loads(f"[{','.join(r[col] or '{}' for r in rows)}]")
        if len(out) == len(rows) and all(type(d) is dict for d in out):
            return out
    except (ValueError, TypeError):
        pass
    found: list[dict[str, Any] | None] = []
    for r in rows:
        try:
            d = json.loads(r[col] or "{}")
        except (ValueError, TypeError):
            d = None
        if type(d) is not dict:
            problems.add(f"{'node' if what == 'node' else 'relationship'} {r[0]!r}: its "
                         "properties are not readable JSON")
            d = None
        found.append(d)
    return found


def label_problem(nid: str, labels: str, known: Any) -> str:
    bad = [x for x in labels.split(";") if x not in known]
    return f"node {nid!r} has label(s) {bad}, not in the schema"


def end_problem(rid: str, missing: str) -> str:
    return f"relationship {rid!r} ends at node {missing!r}, which does not exist"


def refuse_foreign(db: sqlite3.Connection, path: str) -> None:
    """A SQLite file of another program is not made a store by adding our tables."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables and not {"nodes", "rels", "meta"} <= tables:
        raise StoreDamaged(path, [f"the file is a SQLite database of something else (tables "
                                  f"{sorted(tables)[:5]}), not a govgraph store"])


def check_store(path: str | os.PathLike[str], schema: Schema | None = None) -> list[str]:
    """Everything wrong with an embedded store file, for ``govgraph check``: SQLite's
    ``PRAGMA integrity_check`` and the structural check of opening (labels and types in
    the schema, relationship ends present, properties readable). [] when sound."""
    schema = schema or get_schema()
    p = Path(path)
    if not p.exists():
        return [f"store {str(p)!r} does not exist"]
    if p.stat().st_size == 0:
        return ["the file is empty (0 bytes), not a govgraph store"]
    out: list[str] = []
    try:
        db = sqlite3.connect(f"file:{p.resolve()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return [f"cannot open it: {e}"]
    try:
        out += [f"SQLite integrity check: {r[0]}" for r in
                db.execute("PRAGMA integrity_check(100)") if r[0] != "ok"]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"nodes", "rels", "meta"} <= tables:
            return out + [f"not a govgraph store (tables {sorted(tables)[:5]})"]
        problems = Problems(keep=1000)
        ids: set[str] = set()
        cur = db.execute("SELECT id, labels, props FROM nodes")
        while rows := cur.fetchmany(PAGE):
            for (nid, labels, _), d in zip(rows, decode(rows, 2, problems, "node"),
                                           strict=True):
                ids.add(nid)
                if d is not None and not all(x in schema.labels for x in labels.split(";")):
                    problems.add(label_problem(nid, labels, schema.labels))
        cur = db.execute('SELECT id, type, start, "end", props FROM rels')
        while rows := cur.fetchmany(PAGE):
            for (rid, rtype, start, end, _), _d in zip(rows, decode(rows, 4, problems, "rel"),
                                                       strict=True):
                if rtype not in schema.relationships:
                    problems.add(f"relationship {rid!r} has type {rtype!r}, not in the schema")
                for nid in (start, end):
                    if nid not in ids:
                        problems.add(end_problem(rid, nid))
        out += problems.shown
        if problems.total > len(problems.shown):
            out.append(f"... and {problems.total - len(problems.shown)} more")
    except sqlite3.Error as e:
        out.append(f"SQLite cannot read it: {e}")
    finally:
        db.close()
    return out
