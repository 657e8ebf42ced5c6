"""Dependencies shared by the routers: the store opened in the app's lifespan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from graph.errors import StoreUnavailable
from graph.store import GraphStore

__all__ = ["get_store", "StoreDep", "run_query", "run_heavy"]

T = TypeVar("T")


async def get_store(request: Request) -> GraphStore:
    # async: a plain attribute read, not worth a trip to the thread pool
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is None:
        raise StoreUnavailable("the store is not open")
    return store


StoreDep = Annotated[GraphStore, Depends(get_store)]


async def run_query(store: GraphStore, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a query for an async route: on the event loop for the embedded store (CPU
    work on an in-memory index, no I/O to wait for: a trip to the thread pool only adds
    cost), in the thread pool for Neo4j (the driver blocks on the network)."""
    if store.backend == "embedded":
        return fn(*args, **kw)
    return await run_in_threadpool(fn, *args, **kw)


async def run_heavy(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a costly query or an .xlsx writer in the thread pool on every backend: the
    event loop keeps answering (``/health/live`` among others) while it runs; how many
    run at once is capped per token by the guard (``api/auth.py``)."""
    return await run_in_threadpool(fn, *args, **kw)
