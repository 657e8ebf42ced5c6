"""``govgraph explore ID --html out.html``: the explorer's view of a node as one
self-contained HTML file (vis-network inlined, the API's answers preloaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import opened_store, out

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its command is top-level


@app.command()
def explore(node_id: Annotated[str, typer.Argument(help="Node to focus")],
            html: Annotated[Path, typer.Option("--html", help="File to write", dir_okay=False)],
            depth: Annotated[int, typer.Option(min=1, max=2, help="Neighbourhood depth")] = 2,
            ) -> None:
    """Write the explorer's view of a node (图谱浏览) as a self-contained HTML file."""
    from api.routes.explorer import standalone_html

    with opened_store(read_only=True) as store:
        page = standalone_html(store, node_id, depth)
    html.write_text(page, encoding="utf-8")
    out.print(f"wrote {html} ({len(page.encode()) // 1024:,} kB): {node_id}, depth {depth}")
