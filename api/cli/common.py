"""What every ``govgraph`` command shares: the consoles, the store the root's
``--store`` names, one-line errors, dates, and how a result is printed.

It imports nothing from the other ``api.cli`` modules, so each of them can import it
and none imports another.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console

from api.settings import get_settings as get_api_settings
from graph.settings import get_settings
from graph.store import GraphStore, open_store

if TYPE_CHECKING:
    from api.security import SecurityStore

__all__ = ["AsOf", "Json", "Xlsx", "emit", "emit_json", "err", "fail", "location",
           "opened_store", "options", "out", "parse_date", "security"]

out = Console()
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default today)")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
Xlsx = Annotated[Path | None, typer.Option("--xlsx", help="Also write the report as .xlsx")]


@dataclass
class Options:
    """The root's options, set by its callback before any command runs."""

    store: str | None = None


options = Options()


def location() -> str:
    """The store to open: ``--store``, else the settings (``$GOVGRAPH_STORE``)."""
    return options.store or get_settings().store


#: the load commands' ``--force``
Force = Annotated[bool, typer.Option(
    "--force", help="Load into the embedded store even past the memory this machine "
    "gives its index (graph/capacity.py): without it such a load is refused")]


@contextmanager
def opened_store(read_only: bool = False, force: bool = False) -> Iterator[GraphStore]:
    """The store, open for the ``with`` block and closed after it (``force``: writes
    past the embedded store's memory budget are tried)."""
    store = open_store(location(), read_only=read_only)
    if force:
        store.allow_beyond_memory = True
    try:
        yield store
    finally:
        store.close()


def security() -> SecurityStore:
    """The token and audit store the settings name (the caller closes it)."""
    from api.security import SecurityStore

    return SecurityStore(get_api_settings().security_db)


def fail(msg: str, code: int = 1) -> typer.Exit:
    """Print one red line; the caller raises what this returns."""
    err.print(f"[bold red]error:[/] {msg}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD",
                                 param_hint=option) from None


def emit_json(model: BaseModel | Sequence[BaseModel]) -> None:
    """A model as indented JSON, a list of them as one compact JSON array."""
    if isinstance(model, BaseModel):
        sys.stdout.write(model.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write("[" + ",".join(m.model_dump_json() for m in model) + "]\n")


def emit(result: BaseModel, as_json: bool, xlsx: Path | None,
         write: Callable[[Any, Path], Any]) -> bool:
    """Write the .xlsx if asked; print JSON if asked (then the caller prints nothing)."""
    if xlsx is not None:
        write(result, xlsx)
        out.print(f"wrote {xlsx}")
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    return as_json
