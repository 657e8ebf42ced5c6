"""The ``govgraph`` command line.

Every command prints a clear message and exits non-zero on bad input or an
unavailable store; it never prints a stack trace.

This module is the one entry point: the root :data:`app` and :func:`main`. Each
module beside it holds one command group with its own ``typer.Typer``, added here —
by name (``govgraph load …``) or without one, which merges its commands into the root
(``govgraph stats``, ``govgraph chain``). They import only :mod:`api.cli.common`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.cli import (
    audit,
    cases,
    explore,
    export,
    forces,
    grids,
    load,
    people,
    queries,
    serve,
    store,
    template,
    tokens,
)
from api.cli.common import err, options
from graph.errors import GraphError

__all__ = ["app", "main"]

app = typer.Typer(
    name="govgraph",
    help="Knowledge graph of a street's co-governance structure (共建共治共享社区治理).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    location: Annotated[str | None, typer.Option(
        "--store", help="File path (embedded store) or bolt:// URL; default $GOVGRAPH_STORE "
        "or ./data/govgraph.db")] = None,
) -> None:
    options.store = location


# `govgraph --help` lists the merged commands in this order, then the groups.
app.add_typer(store.app)  # init, check, stats
app.add_typer(serve.app)
app.add_typer(template.app)
app.add_typer(explore.app)
app.add_typer(queries.app)  # chain, gaps, pair, search
app.add_typer(forces.app)
app.add_typer(cases.app)
app.add_typer(load.app, name="load")
app.add_typer(export.app, name="export")
app.add_typer(grids.app, name="grids")
app.add_typer(people.app, name="people")
app.add_typer(tokens.app, name="token")
app.add_typer(audit.app, name="audit")

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
