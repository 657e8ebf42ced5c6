"""An API client with a token of a given role, over a given store."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.security import SecurityStore
from graph.store import GraphStore


def security_store() -> SecurityStore:
    return SecurityStore(Path(tempfile.mkdtemp(prefix="govgraph-sec-")) / "security.db")


def client_for(store: GraphStore, role: str = "admin", community: str | None = None,
               security: SecurityStore | None = None) -> TestClient:
    """A TestClient (use it in ``with``) whose requests carry a fresh token of ``role``."""
    sec = security or security_store()
    token, _ = sec.create_token(role, community, label=f"test {role}")
    return TestClient(create_app(store, security=sec), raise_server_exceptions=False,
                      headers={"Authorization": f"Bearer {token}"})
