"""The whole graph as neo4j-admin-style CSV: one file per node label, one per
relationship type, readable only by their owner (ID numbers are not masked).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from graph.schema import PropertyDef
from graph.store import GraphStore
from loaders.graph_csv.convention import BASE_LABEL, TYPE_OUT, neutralise

__all__ = ["export_graph_csv"]


def _cell(v: Any, raw: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(v, int):
        return str(v)
    return str(v) if raw else neutralise(str(v))


def _private(path: Path) -> Any:
    """A file only its owner may read (the export holds personal data unmasked)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file of the same name keeps no wider mode
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _optional(pdefs: Mapping[str, PropertyDef]) -> set[str]:
    """Columns written only when some row has a value: the companions the schema adds
    (a date's precision, a name as typed) and external identifiers."""
    return {p.companion for p in pdefs.values() if p.companion} | {"identifiers"}


def export_graph_csv(store: GraphStore, directory: str | Path,
                     progress: Callable[[int], Any] | None = None,
                     raw: bool = False) -> dict[str, int]:
    """Write every node and relationship; returns rows written per file. Files are
    0600 in a 0700 directory (ID numbers unmasked). A text cell a spreadsheet would
    take for a formula (``=`` ``+`` ``-`` ``@`` …) is written behind a ``'``, which
    :func:`load_graph_csv` removes; ``raw`` writes it as it is (for ``neo4j-admin
    database import``, which reads cells verbatim)."""
    schema = store.schema
    out = Path(directory)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    out.chmod(0o700)
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
        optional = _optional(schema.node_properties(schema.closure(
            {lab for n in rows for lab in n.labels})))
        used = {k for n in rows for k in n.properties if k in optional}
        cols = sorted((k for k in keys if k not in optional or k in used),
                      key=lambda k: (k != "name", list(keys).index(k)))
        path = out / f"nodes_{label}.csv"
        with _private(path) as f:
            w = csv.writer(f)
            w.writerow(["id:ID", ":LABEL", *(f"{k}{TYPE_OUT[keys[k]]}" for k in cols)])
            for n in rows:
                w.writerow([_cell(n.id, raw), ";".join((BASE_LABEL, *n.labels)),
                            *(_cell(n.properties.get(k), raw) for k in cols)])
        written[path.name] = len(rows)
        if progress:
            progress(len(rows))
    for rtype, rdef in schema.relationships.items():
        optional = _optional(rdef.properties)
        used = {k for r in store.rels(rtype) for k in r.properties if k in optional}
        cols = [k for k in rdef.properties if k != "id" and (k not in optional or k in used)]
        path = out / f"rels_{rtype}.csv"
        count = 0
        with _private(path) as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE", "id",
                        *(f"{k}{TYPE_OUT[rdef.properties[k].type]}" for k in cols)])
            for r in store.rels(rtype):
                w.writerow([_cell(r.start, raw), _cell(r.end, raw), rtype, _cell(r.id, raw),
                            *(_cell(r.properties.get(k), raw) for k in cols)])
                count += 1
        if count == 0:
            path.unlink()
            continue
        written[path.name] = count
        if progress:
            progress(count)
    return written
