"""The ``govgraph`` command line.

Every command prints a clear message and exits non-zero on bad input or an
unavailable store; it never prints a stack trace.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from graph.errors import GraphError
from graph.settings import get_settings
from graph.store import GraphStore, open_store

__all__ = ["app", "main"]

app = typer.Typer(
    name="govgraph",
    help="Knowledge graph of a street's co-governance structure (共建共治共享社区治理).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
load_app = typer.Typer(help="Load data into the store.", no_args_is_help=True)
app.add_typer(load_app, name="load")

out = Console()
err = Console(stderr=True)

_state: dict[str, Any] = {"store": None}

F = TypeVar("F", bound=Callable[..., Any])


def _location() -> str:
    return _state["store"] or get_settings().store


@contextmanager
def _open(read_only: bool = False) -> Iterator[GraphStore]:
    store = open_store(_location(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def _fail(msg: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {msg}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD",
                                 param_hint=option) from None


@app.callback()
def _root(
    store: Annotated[str | None, typer.Option(
        "--store", help="File path (embedded store) or bolt:// URL; default $GOVGRAPH_STORE "
        "or ./data/govgraph.db")] = None,
) -> None:
    _state["store"] = store


@app.command()
def init() -> None:
    """Create the store: the SQLite file (embedded) or the constraints and indexes the
    schema asks for (Neo4j: unique id, an index on name per label)."""
    with _open() as store:
        init_schema = getattr(store, "init_schema", None)
        if init_schema is not None:
            init_schema()
        c = store.counts()
    out.print(f"store {_location()} ready ({store.backend}): {c.nodes:,} nodes, "
              f"{c.rels:,} relationships")


@load_app.command("scenario")
def load_scenario_cmd(
    name: Annotated[str, typer.Argument(help="Built-in scenario: xinqiao")],
    residents: Annotated[int, typer.Option(help="Residents to generate (5,000-500,000)")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same graph")] = 7,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reference date YYYY-MM-DD (default today)")] = None,
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Do nothing when the store already holds nodes (but finish a "
                           "scenario load that was interrupted)")] = False,
) -> None:
    """Generate the synthetic Xinqiao Street scenario and load it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from loaders.xinqiao import LOADING_META, XinqiaoScenario, load_scenario

    if name != "xinqiao":
        raise _fail(f"unknown scenario {name!r}; the built-in scenario is 'xinqiao'")
    day = _parse_date(as_of, "--as-of")
    try:
        XinqiaoScenario(residents=residents, seed=seed, as_of=day)  # check before opening
    except ValueError as e:
        raise _fail(str(e)) from None
    with _open() as store:
        existing = store.counts().nodes
        partial = store.get_meta(LOADING_META)
        if if_empty and existing and partial:
            residents, seed = int(partial["residents"]), int(partial["seed"])
            day = dt.date.fromisoformat(partial["as_of"])
            err.print(f"store {_location()} holds {existing:,} nodes of a scenario load that "
                      f"did not finish (--residents {residents} --seed {seed} --as-of "
                      f"{day}); loading it again")
        elif if_empty and existing:
            out.print(f"store {_location()} already holds {existing:,} nodes; not loading")
            return
        scenario = XinqiaoScenario(residents=residents, seed=seed, as_of=day,
                                   batch_size=getattr(store, "preferred_batch_size", 20_000))
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      transient=False) as bar:
            task = bar.add_task("loading Xinqiao", total=scenario.total_records)
            result = load_scenario(store, scenario=scenario,
                                   progress=lambda n: bar.advance(task, n))
    out.print(f"loaded Xinqiao scenario into {_location()}: "
              f"{result['nodes']:,} nodes, {result['rels']:,} relationships")


@app.command()
def check() -> None:
    """Look for damage in the store: SQLite's integrity check and the structural check
    of opening (labels and types in the schema, relationship ends present, properties
    readable). Exit 1 naming each problem; an embedded store only (Neo4j checks its own
    files: neo4j-admin database check)."""
    from graph.embedded import check_store
    from graph.store import store_kind

    where = _location()
    if store_kind(where) != "embedded":
        raise _fail(f"{where} is a Neo4j server: run `neo4j-admin database check` there")
    problems = check_store(where)
    if problems:
        from rich.markup import escape

        for p in problems:
            err.print(f"[bold red]damage:[/] {escape(p)}", highlight=False, soft_wrap=True)
        raise _fail(f"store {where} is damaged ({len(problems)} problem(s) listed above); "
                    "restore it from a backup or an export")
    out.print(f"store {where}: no damage found")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Counts per label and relationship type, with Chinese names."""
    from queries.stats import graph_stats

    with _open(read_only=True) as store:
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from api.app import create_app

    settings = get_settings()
    if _state["store"]:
        os.environ["GOVGRAPH_STORE"] = _state["store"]
        get_settings.cache_clear()
    # Opened here, not in the app's start-up: a store that cannot be opened (held by
    # another writer, damaged, a server down) is one line and exit 1, not a traceback.
    with _open() as store:
        uvicorn.run(create_app(store, own_store=True), host=host or settings.host,
                    port=port or settings.port, log_level="info")


import api.cli_data  # noqa: E402,F401  (registers template, load roster/csv/popolo, export)
import api.cli_explore  # noqa: E402,F401  (registers explore)
import api.cli_grids  # noqa: E402,F401  (registers grids)
import api.cli_people  # noqa: E402,F401  (registers people duplicates, people merge)
import api.cli_queries  # noqa: E402,F401  (registers chain, gaps, pair, search)
import api.cli_security  # noqa: E402,F401  (registers token, audit)


def main() -> None:
    """Console entry point: the project's errors become one red line, exit 1."""
    import os

    try:
        app(standalone_mode=True)
    except GraphError as e:
        from rich.markup import escape

        err.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except Exception as e:  # a bug: one line, not a stack trace with data in it
        if os.environ.get("GOVGRAPH_DEBUG") == "1":
            raise
        err.print(f"[bold red]internal error:[/] {type(e).__name__}; run again with "
                  "GOVGRAPH_DEBUG=1 to see where, and report it", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
