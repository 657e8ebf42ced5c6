"""The state of pass 1 of a roster load (:class:`Pass1`): what the rows read so far
say — ids seen, references to resolve, ID numbers to find people by — and the spool
the clean rows go to (marshal records), so memory holds ids and names, not rows.
"""

from __future__ import annotations

import marshal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.schema import Schema
from loaders.report import LoadReport
from loaders.roster.mapping import Mapping

__all__ = ["BATCH", "LINK_SINCE", "REF_ROWS", "SPOOL_CHUNK", "STINT_SINCE", "Pass1", "Ref"]

BATCH = 5_000
#: rows kept per reference value for the report (the count is always exact)
REF_ROWS = 20
SPOOL_CHUNK = 2_000  # rows per marshal record (one record per row loads 10x slower)
#: link property keys that are the roster's, not the schema's
LINK_SINCE, STINT_SINCE = "__link_since", "__stint_since"


@dataclass
class Ref:
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # sheet, row, col
    count: int = 0


@dataclass
class Pass1:
    mapping: Mapping
    schema: Schema
    report: LoadReport
    key: bytes
    spool: Any
    today: str
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> sheet, row
    #: names and labels of the file's nodes, kept only when rows may name other rows
    #: (party organisations naming their parent): memory stays small for people
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    self_ref: bool = False
    by_prop: dict[str | None, int] = field(default_factory=dict)  # this sheet's columns
    #: link properties with a default (MEMBER_OF.role = member)
    defaults: list[tuple[str, str, Any]] = field(default_factory=list)
    refs: dict[tuple[str, str], Ref] = field(default_factory=dict)  # (link, value)
    #: reference rosters: the rows naming each node (sheet, row, name given)
    subjects: dict[str, list[tuple[str, int, str | None]]] = field(
        default_factory=lambda: defaultdict(list))
    #: ID number -> (id the row has, sheet, row, column, whether the id was given, the
    #: row's name, whether it gives a birth date)
    numbers: dict[str, tuple[str, str, int, int, bool, str | None, bool]] = field(
        default_factory=dict)
    #: rename the people the roster finds by ID number (else a new name is an error)
    allow_rename: bool = False
    #: derived-by-name id -> (name, sheet, row): found in the graph by name at the end
    by_name: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: row id -> the stored node it is (found by ID number or by name)
    remap: dict[str, str] = field(default_factory=dict)
    formula_warned: bool = False
    pending: list[Any] = field(default_factory=list)  # rows not yet in the spool
    #: ``repeat`` rosters: each person's record, their rows' links together (small
    #: rosters: 两长两员, grid workers)
    gathered: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = self.mapping
        self.defaults = [(*c.link_property, c.default) for c in m.columns
                         if c.link_property and c.default is not None]
        own = set(self.schema.closure(m.labels + (m.label_column.choices
                                                  if m.label_column else ())))
        self.self_ref = m.subject == "node" and any(set(c.to) & own for c in m.columns)

    def file_labels(self, nid: str) -> tuple[str, ...]:
        return self.labels.get(nid) or self.mapping.labels

    def flush(self, final: bool = False) -> None:
        if final and self.gathered:
            self.pending.extend(self.gathered.values())
            self.gathered = {}
        if self.pending:
            data = marshal.dumps(self.pending)  # length-prefixed: loads() is fast, load() not
            self.spool.write(len(data).to_bytes(8, "little"))
            self.spool.write(data)
            self.pending = []
