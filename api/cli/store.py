"""``govgraph init | check | stats``: make the store, look for damage, count what is in it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import err, fail, location, opened_store, out

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its commands are top-level


@app.command()
def init() -> None:
    """Create the store: the SQLite file (embedded) or the constraints and indexes the
    schema asks for (Neo4j: unique id, an index on name per label)."""
    with opened_store() as store:
        store.init_schema()
        c = store.counts()
    out.print(f"store {location()} ready ({store.backend}): {c.nodes:,} nodes, "
              f"{c.rels:,} relationships")


@app.command()
def check() -> None:
    """Look for damage in the store: SQLite's integrity check and the structural check
    of opening (labels and types in the schema, relationship ends present, properties
    readable). Exit 1 naming each problem; an embedded store only (Neo4j checks its own
    files: neo4j-admin database check)."""
    from graph.embedded import check_store
    from graph.store import store_kind

    where = location()
    if store_kind(where) != "embedded":
        raise fail(f"{where} is a Neo4j server: run `neo4j-admin database check` there")
    problems = check_store(where)
    if problems:
        from rich.markup import escape

        for p in problems:
            err.print(f"[bold red]damage:[/] {escape(p)}", highlight=False, soft_wrap=True)
        raise fail(f"store {where} is damaged ({len(problems)} problem(s) listed above); "
                   "restore it from a backup or an export")
    out.print(f"store {where}: no damage found")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Counts per label and relationship type, with Chinese names."""
    from queries.stats import graph_stats

    with opened_store(read_only=True) as store:
        st = graph_stats(store)
    if as_json:
        sys.stdout.write(st.model_dump_json(indent=2) + "\n")
        return
    t = Table(title=f"{st.nodes:,} nodes · {st.relationships:,} relationships")
    for col in ("label", "名称", "count"):
        t.add_column(col, justify="right" if col == "count" else "left")
    for lc in st.labels:
        if lc.count:
            t.add_row(lc.label, lc.name_zh, f"{lc.count:,}")
    out.print(t)
    g = Table(title="grids by kind 网格")
    for col in ("kind", "名称", "count"):
        g.add_column(col)
    for gk in st.grids_by_kind:
        g.add_row(gk.kind, gk.name_zh, f"{gk.count:,}")
    out.print(g)
    r = Table(title="relationship types 关系")
    for col in ("type", "名称", "count"):
        r.add_column(col)
    for tc in st.relationship_types:
        if tc.count:
            r.add_row(tc.type, tc.name_zh, f"{tc.count:,}")
    out.print(r)
    out.print(f"两长两员 (building heads, shop managers, property staff, security guards): "
              f"{st.two_heads_two_staff:,}")
