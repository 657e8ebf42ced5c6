"""Helpers that write small rosters for tests, and a snapshot of a whole store."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graph.store import GraphStore
from loaders.roster import ID_KEY_META
from tests.graphs import idn

__all__ = ["idn", "write_csv", "write_xlsx", "snapshot", "id_key"]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]],
               merge: list[tuple[str, str]] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for sheet, cells in merge or []:
        wb[sheet].merge_cells(cells)
    wb.save(path)
    return path


def id_key(store: GraphStore) -> bytes:
    """The key rosters hash ID numbers with (kept at a first load, as hex)."""
    stored = store.get_meta(ID_KEY_META)
    assert isinstance(stored, str), stored
    return bytes.fromhex(stored)


def snapshot(store: GraphStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every node and relationship with labels and properties, by id."""
    nodes = {}
    for label in store.schema.labels:
        for n in store.nodes(label):
            nodes[n.id] = (n.labels, n.properties)
    rels = {}
    for t in store.schema.relationships:
        for r in store.rels(t):
            rels[r.id] = (r.type, r.start, r.end, r.properties)
    return nodes, rels
