"""Dependencies shared by the routers: the store and the token store the app's lifespan
opened, and how a route runs a query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from api.security import SecurityStore
from graph.errors import StoreUnavailable
from graph.store import GraphStore

__all__ = ["API_PREFIX", "get_store", "StoreDep", "store_of", "security_of", "store_kind_of",
           "init_state", "run_query", "run_heavy"]

#: the version prefix of every data route, applied once (``api/app.py``)
API_PREFIX = "/api/v1"

T = TypeVar("T")


def init_state(app: Starlette) -> None:
    """What the lifespan fills in, unset until it runs (and in an app built without it)."""
    app.state.store = None
    app.state.store_kind = "unknown"
    app.state.security = None


def store_of(app: Starlette) -> GraphStore:
    """The store the app's lifespan opened; StoreUnavailable while there is none."""
    store: GraphStore | None = app.state.store
    if store is None:
        raise StoreUnavailable("the store is not open")
    return store


def store_kind_of(app: Starlette) -> str:
    """Which backend the app serves (``store_kind``), "unknown" before its lifespan."""
    return str(app.state.store_kind)


def security_of(app: Starlette) -> SecurityStore:
    """The tokens and audit log the app's lifespan opened."""
    security: SecurityStore | None = app.state.security
    if security is None:
        raise StoreUnavailable("the token store is not open")
    return security


async def get_store(request: Request) -> GraphStore:
    # async: a plain attribute read, not worth a trip to the thread pool
    return store_of(request.app)


StoreDep = Annotated[GraphStore, Depends(get_store)]


async def run_query(store: GraphStore, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a query for an async route: on the event loop when the store's calls do not
    wait on the network (CPU work on an in-memory index: a trip to the thread pool only
    adds cost), in the thread pool when they do (``reads_block``: the Neo4j driver)."""
    if not store.reads_block:
        return fn(*args, **kw)
    return await run_in_threadpool(fn, *args, **kw)


async def run_heavy(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a costly query or an .xlsx writer in the thread pool on every backend: the
    event loop keeps answering (``/health/live`` among others) while it runs; how many
    run at once is capped per token by the guard (``api/guard.py``)."""
    return await run_in_threadpool(fn, *args, **kw)
