"""The entry point of a roster load, :func:`load_roster`: pass 1 (read, identify,
resolve references), then — no error, not a dry run — pass 2 (write) in one unit.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from graph.errors import ValidationError
from graph.store import GraphStore
from loaders.report import LoadReport
from loaders.roster.ids import ID_KEY_META
from loaders.roster.mapping import get_mapping
from loaders.roster.pass1 import Pass1
from loaders.roster.read import read_table
from loaders.roster.references import check_refs, identify
from loaders.roster.write import write_rows
from loaders.tables import TableError, open_table

__all__ = ["load_roster"]


def load_roster(store: GraphStore, path: str | Path, kind: str, *,
                as_of: str | dt.date | None = None, dry_run: bool = False,
                end_missing: bool = True, batch_size: int | None = None,
                progress: Callable[[int], Any] | None = None,
                allow_rename: bool = False) -> LoadReport:
    """Validate a roster file and, when it has no error and this is not a dry run,
    write it. Returns the report; it never raises for a problem of the file.
    ``end_missing=False`` loads a partial roster: nothing absent from it is ended.
    ``allow_rename``: a person found by ID number takes the row's new name (without
    it, a name that differs from the stored one is an error)."""
    m = get_mapping(kind)
    day = (as_of.isoformat() if isinstance(as_of, dt.date) else as_of) or dt.date.today(
    ).isoformat()
    report = LoadReport(kind=m.kind, file=Path(path).name, as_of=day, dry_run=dry_run)
    try:
        table = open_table(path)
    except TableError as e:
        report.add(None, None, None, None, None, e.rule, e.message_zh, e.message_en)
        return report
    # The keyed-hash key for person ids is made once for the store, when a first load
    # is about to write: of two first loads racing, the second finds the first's key
    # kept (``meta_default``) and reads its file again with it. A dry run and a file
    # with errors keep no key.
    stored = store.get_meta(ID_KEY_META)
    key = bytes.fromhex(stored) if stored else secrets.token_bytes(32)
    # The spool holds the roster's rows (personal data): a file with no name, gone
    # with the process however it ends (a killed load once left one in /tmp per kill).
    with tempfile.TemporaryFile(prefix="govgraph-roster-", suffix=".spool") as spool:
        while True:
            spool.seek(0)
            spool.truncate()
            p = Pass1(m, store.schema, report, key, spool, day, allow_rename=allow_rename)
            try:
                read_table(p, table, progress)
            except TableError as e:
                report.add(None, None, None, None, None, e.rule, e.message_zh,
                           e.message_en)
            p.flush(final=True)
            identify(store, p)
            resolved = check_refs(store, p)
            if not report.ok:
                return report
            if stored or dry_run:
                break
            stored = store.meta_default(ID_KEY_META, key.hex())
            if stored == key.hex():
                break
            key = bytes.fromhex(stored)  # another load kept its key first
            report = LoadReport(kind=m.kind, file=Path(path).name, as_of=day,
                                dry_run=dry_run)
        size = batch_size or store.preferred_batch_size // 2
        try:
            # one unit: every batch and the roster's dates kept, or none of them
            with nullcontext() if dry_run else store.unit():
                write_rows(store, p, spool, resolved, day, not dry_run, size,
                           end_missing)
        except ValidationError as e:  # what pass 1 cannot see: the stored graph's rules
            back = {v: k for k, v in p.remap.items()}
            for v in e.violations:
                sheet, rno = p.seen.get(back.get(v.item, v.item), (None, None))
                report.add(sheet, rno, None, v.field, v.item, v.rule,
                           f"与图中已有数据冲突：{v.message}", v.message)
            report.add(None, None, None, None, None, "stopped",
                       "写入在此停止" + ("（预演，未写入）" if dry_run else
                                   "：整份名册均未写入"),
                       "the load stopped here" + (" (a dry run: nothing written)" if dry_run
                                                 else ": nothing of the roster is written"))
            return report
        report.written = not dry_run and report.ok
        return report
