"""``govgraph audit …``: the audit log of personal-data reads and changes, and proof
that no record of it was edited or removed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.common import fail, out, security
from api.security import clean_text

__all__ = ["app"]

app = typer.Typer(help="The audit log of personal-data reads and changes.",
                  no_args_is_help=True)


@app.command("verify")
def audit_verify(anchor: Annotated[str | None, typer.Option(
        help="SEQ:HASH printed by an earlier `govgraph audit anchor`: that record must "
             "still be there, unchanged")] = None) -> None:
    """Check the audit log's keyed chain: exit 1 if any record was edited or removed."""
    point = None
    if anchor is not None:
        seq, _, h = anchor.partition(":")
        if not seq.isdigit() or len(h) != 64:
            raise fail(f"--anchor {anchor!r} must be SEQ:HASH as `govgraph audit anchor` "
                        "prints it")
        point = (int(seq), h)
    sec = security()
    ok, n, why = sec.verify(point)
    sec.close()
    if not ok:
        raise fail(f"audit log NOT intact after {n} good records: {why}")
    out.print(f"audit log intact: {n} records")


@app.command("anchor")
def audit_anchor() -> None:
    """Print the newest record's SEQ:HASH. Keep it off this machine (a ticket, a
    notebook); `govgraph audit verify --anchor SEQ:HASH` later proves nothing up to it
    was rewritten, even by someone holding the audit key."""
    sec = security()
    seq, h = sec.anchor()
    sec.close()
    sys.stdout.write(f"{seq}:{h}\n")


@app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(help="Records, newest first")] = 20,
    node: Annotated[str | None, typer.Option(help="Only records naming this node")] = None,
) -> None:
    """The newest audit records."""
    sec = security()
    rows, total = sec.records(limit, 0, None, node)
    sec.close()
    t = Table(title=f"audit · {total} records")
    for col in ("seq", "at", "token", "role", "request", "purpose", "nodes", "status"):
        t.add_column(col)
    for r in rows:  # what callers wrote is shown as text: no control codes, no markup
        t.add_row(*(escape(clean_text(str(x))) for x in (
            r["seq"], r["at"][:19], r["token_id"] or "", r["role"] or "",
            f"{r['method']} {r['path']}", r["purpose"] or "", len(r["node_ids"]),
            r["status"])))
    out.print(t)
