"""Dependencies shared by the routers: the store opened in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.errors import StoreUnavailable
from graph.store import GraphStore

__all__ = ["get_store", "StoreDep"]


async def get_store(request: Request) -> GraphStore:
    # async: a plain attribute read, not worth a trip to the thread pool
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is None:
        raise StoreUnavailable("the store is not open")
    return store


StoreDep = Annotated[GraphStore, Depends(get_store)]
