"""``govgraph export …``: the whole graph as CSV, the party organisations as Popolo,
and query results as ``.xlsx`` ready to print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import opened_store, out, parse_date

__all__ = ["app"]

app = typer.Typer(help="Export the graph or query results.", no_args_is_help=True)


@app.command("csv")
def export_csv_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory to write (created)")],
    raw: Annotated[bool, typer.Option(
        "--raw", help="Cells exactly as stored, for neo4j-admin database import (by "
        "default a text starting with = + - @ is written behind a ', so a spreadsheet "
        "does not run it as a formula; govgraph load csv removes it)")] = False,
) -> None:
    """Export the whole graph as CSV (one file per label and per relationship type,
    in neo4j-admin's header convention). Holds personal data unmasked: the files are
    readable by their owner only (0600, in a 0700 directory)."""
    from loaders.graph_csv import export_graph_csv

    with opened_store(read_only=True) as store:
        written = export_graph_csv(store, directory, raw=raw)
    out.print(f"wrote {sum(written.values()):,} rows in {len(written)} files to {directory}")


@app.command("popolo")
def export_popolo_cmd(
    file: Annotated[Path, typer.Argument(help="JSON file to write")],
) -> None:
    """Export party organisations, the people in them, memberships and posts as Popolo
    JSON (personal data unmasked: an operator's tool)."""
    from loaders.popolo import export_popolo

    with opened_store(read_only=True) as store:
        n = export_popolo(store, file)
    out.print(f"wrote {file}: {n['persons']:,} persons, {n['organizations']:,} "
              f"organizations, {n['memberships']:,} memberships, {n['posts']:,} posts")


@app.command("gaps")
def export_gaps_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx file to write")],
    community: Annotated[str | None, typer.Option(help="Community id")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
) -> None:
    """The middle-weakening report (中间弱化问题清单) as .xlsx: a summary sheet and one
    sheet per community, ready to print."""
    from api.exports import middle_weakening_xlsx
    from queries.middle_weakening import middle_weakening

    day = parse_date(as_of, "--as-of")
    with opened_store(read_only=True) as store:
        r = middle_weakening(store, community, day)
    middle_weakening_xlsx(r, file)
    out.print(f"wrote {file}: {len(r.gaps)} gaps in {len(r.summary)} communities")


@app.command("pairing")
def export_pairing_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx file to write")],
    community: Annotated[str | None, typer.Option(help="Community id")] = None,
    capacity: Annotated[int, typer.Option(help="New members per veteran")] = 2,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
) -> None:
    """A pairing proposal (新老党员结对方案) as .xlsx: a summary, one sheet per
    community, and the members left unpaired with the reason. Writes nothing to the
    graph (`govgraph pair --accept` does)."""
    from api.exports import pairing_xlsx
    from queries.pairing import pairing_proposal

    day = parse_date(as_of, "--as-of")
    with opened_store(read_only=True) as store:
        p = pairing_proposal(store, community, capacity, day)
    pairing_xlsx(p, file)
    out.print(f"wrote {file}: {len(p.pairs)} pairs, {len(p.unpaired)} unpaired")
