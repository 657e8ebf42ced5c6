"""The FastAPI application: store opened once in the lifespan, errors mapped to JSON.

Errors never carry a stack trace: the project's own errors map to 4xx/503 with a
message, anything unexpected to a generic 500 body (and the trace to the log only).
"""

from __future__ import annotations

import gc
import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from api import auth
from api.deps import API_PREFIX, init_state, store_of
from api.routes import api_router, health
from api.routes import explorer as explorer_page
from api.security import SecurityStore
from api.settings import get_settings as api_settings
from api.workbench import fragments as workbench_fragments
from api.workbench import pages as workbench_pages
from graph.errors import (
    BackendNotAvailable,
    Conflict,
    GraphError,
    InvalidParameter,
    NodeNotFound,
    StoreUnavailable,
    ValidationError,
)
from graph.settings import get_settings
from graph.store import GraphStore, open_store, store_kind

__all__ = ["create_app"]

log = logging.getLogger("govgraph.api")

#: the collector's thresholds once the index is frozen (see the lifespan)
_GC_THRESHOLDS = (10_000, 20, 100)
_ERROR_BODY = {"application/json": {"schema": {
    "type": "object", "properties": {"detail": {}}}}}  # + a roster's load report
#: what any data route may answer besides its success (documented for API consumers
#: and checked by Schemathesis)
COMMON_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"description": what, "content": _ERROR_BODY} for code, what in (
        (400, "Malformed request (a body that is not JSON …)"),
        (401, "No valid bearer token"),
        (403, "This role may not call this endpoint"),
        (404, "No such node, or not one this caller may see"),
        (409, "Well-formed, but the graph's rules refuse it"),
        (413, "Request body too large"),
        (422, "Bad parameters or data: what is wrong and where"),
        (429, "Too many requests for this token (see Retry-After)"),
        (503, "The store does not answer (see Retry-After)"),
    )}


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, list):
        return [_finite(x) for x in v]
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    return v


_DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}


def _docs(app: FastAPI) -> None:
    """``/docs`` and ``/redoc`` with swagger-ui and redoc served from this server (the
    copies fastapi-offline ships): the origin that holds tokens runs no CDN script."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="govgraph API",
                                   swagger_js_url="/docs/static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/static/swagger-ui.css",
                                   swagger_favicon_url="/docs/static/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title="govgraph API",
                              redoc_js_url="/docs/static/redoc.standalone.js",
                              redoc_favicon_url="/docs/static/favicon.png",
                              with_google_fonts=False)

    @app.get("/docs/static/{name}", include_in_schema=False)
    async def docs_static(name: str) -> FileResponse:
        if name not in _DOCS_ASSETS:
            raise HTTPException(404, f"no docs asset {name!r}")
        return FileResponse(assets / name, media_type=_DOCS_ASSETS[name],
                            headers={"Cache-Control": "public, max-age=86400"})


def create_app(store: GraphStore | None = None,
               security: SecurityStore | None = None, own_store: bool = False) -> FastAPI:
    """Build the app; with ``store`` or ``security`` given (tests, ``govgraph serve``),
    use them instead of the settings' files (``own_store``: the store is the settings'
    one, opened by the caller, who closes it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        if own:
            location = get_settings().store
            app.state.store = open_store(location)
            app.state.store_kind = store_kind(location)
        else:
            app.state.store = store
            app.state.store_kind = (store_kind(get_settings().store) if own_store
                                    else type(store).__name__)
        own_security = security is None
        app.state.security = security or SecurityStore(api_settings().security_db)
        # The store's index is millions of long-lived objects: out of the collector's
        # sight, a full collection no longer stalls every request for half a second.
        gc.freeze()
        # With the index frozen, the old generation holds little, and the collector
        # runs a full collection whenever it has grown by a quarter: at 500 requests/s
        # that was several a second, each stalling every request for 20-130 ms. Young
        # collections still find a request's cycles; full ones come about 100x rarer.
        gc.set_threshold(*_GC_THRESHOLDS)
        if store_of(app).reads_block:
            # a store behind the network takes seconds to fetch its search index: built
            # from the start, the first searches wait for it rather than each asking
            from queries.search import warm

            threading.Thread(target=warm, args=(store_of(app),), daemon=True,
                             name="search-warm").start()
        try:
            yield
        finally:
            if own:
                store_of(app).close()
            if own_security:
                app.state.security.close()

    app = FastAPI(
        title="govgraph",
        summary="Knowledge graph of a street's co-governance structure (共建共治共享社区治理)",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served below from local copies, not a CDN
    )
    init_state(app)
    _docs(app)
    app.include_router(health.router)  # the only routes open without a token
    app.include_router(api_router, prefix=API_PREFIX, responses=COMMON_RESPONSES)
    # the workbench pages' content, beside the API (not in it: a page module imports
    # the JSON routes' models, whose package would then import the pages)
    workbench_fragments.include(app, API_PREFIX)
    app.include_router(explorer_page.router)  # the page shell; its data needs a token
    app.include_router(workbench_pages.router)  # the same: shells, their data needs one
    auth.install(app)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # what was sent is echoed back as JSON can hold it: NaN and Infinity as text
        return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))},
                            status_code=422)

    @app.exception_handler(NodeNotFound)
    async def _not_found(request: Request, exc: NodeNotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": "batch rejected, nothing written",
             "violations": [v.__dict__ for v in exc.violations]},
            status_code=422,
        )

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(InvalidParameter)
    async def _bad_parameter(request: Request, exc: InvalidParameter) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(BackendNotAvailable)
    async def _no_backend(request: Request, exc: BackendNotAvailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=501)

    @app.exception_handler(GraphError)
    async def _graph_error(request: Request, exc: GraphError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error; see the server log"}, status_code=500)

    return app
