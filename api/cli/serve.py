"""``govgraph serve``: the API on one store."""

from __future__ import annotations

import copy
import logging
from typing import Annotated, Any

import typer

from api.cli.common import opened_store, options
from api.settings import get_settings as get_api_settings
from graph.settings import get_settings

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its command is top-level


class NoQuery(logging.Filter):
    """uvicorn's access line without the query string: a search's text is often a
    person's name, and whom a caller looked up is not for the server's log (the audit
    log, which only admins read, records it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, its access lines through :class:`NoQuery`."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query"] = {"()": NoQuery}
    config["handlers"]["access"]["filters"] = ["no_query"]
    return config


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from api.app import create_app

    if options.store:
        os.environ["GOVGRAPH_STORE"] = options.store
        get_settings.cache_clear()  # the API's settings are read again with these
    settings = get_api_settings()
    # Opened here, not in the app's start-up: a store that cannot be opened (held by
    # another writer, damaged, a server down) is one line and exit 1, not a traceback.
    with opened_store() as store:
        uvicorn.run(create_app(store, own_store=True), host=host or settings.host,
                    port=port or settings.port, log_level="info", log_config=log_config())
