"""An API client with a token of a given role, over a given store.

Every response a non-admin client receives is scanned: an 18-digit ID number or an
11-digit mobile number in its body fails the test that asked for it (issue 7: masked
for every role but admin, everywhere).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import SecurityStore
from graph.store import GraphStore

ID_NUMBER = re.compile(rb"(?<![0-9.])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE = re.compile(rb"(?<![0-9.])1[3-9][0-9]{9}(?![0-9])")
SCANNED: list[int] = [0]  # responses scanned in this session (a test checks it moved)


def scan(response: httpx.Response) -> None:
    """Fail on personal numbers in a body (the xlsx downloads are zip: unzipped first)."""
    response.read()
    bodies = [response.content]
    marker = response.content.find(b"window.GOVGRAPH_PRELOAD=")
    if marker >= 0:  # an explorer export: its data, not the inlined vis-network code
        bodies = [response.content[marker:response.content.find(b"</script>", marker)]]
    elif response.content[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            bodies = [z.read(n) for n in z.namelist() if n.endswith(".xml")]
    for body in bodies:
        for pattern, what in ((ID_NUMBER, "ID number"), (MOBILE, "mobile number")):
            m = pattern.search(body)
            assert m is None, (f"{what} {m.group().decode()} in a non-admin response to "
                               f"{response.request.method} {response.request.url}")
    SCANNED[0] += 1


def security_store() -> SecurityStore:
    return SecurityStore(Path(tempfile.mkdtemp(prefix="govgraph-sec-")) / "security.db")


def client_for(store: GraphStore, role: str = "admin", community: str | None = None,
               security: SecurityStore | None = None, **kw: Any) -> TestClient:
    """A TestClient (use it in ``with``) whose requests carry a fresh token of ``role``;
    a non-admin one scans every response for personal numbers."""
    sec = security or security_store()
    token, _ = sec.create_token(role, community, label=f"test {role}")
    client = TestClient(create_app(store, security=sec), raise_server_exceptions=False,
                        headers={"Authorization": f"Bearer {token}"}, **kw)
    if role != "admin":
        client.event_hooks = {"request": [], "response": [scan]}
    return client


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """(full path, route as declared) of every FastAPI route of the app, those of
    included routers too (FastAPI >= 0.16x keeps an included router whole in
    ``app.routes``)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI copies included routes into app.routes
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for c in iter_route_contexts(app.routes):
        if isinstance(c.original_route, APIRoute):
            assert c.path is not None
            out.append((c.path, c.original_route))
    return out


@contextmanager
def clients_for(store: GraphStore, roles: dict[str, tuple[str, str | None]],
                security: SecurityStore | None = None) -> Iterator[dict[str, TestClient]]:
    """Open clients by name, each ``name: (role, community)`` with a token of its own from
    one security store: ``with clients_for(s, {"c1": ("community", "c1")}) as cs: ...``."""
    sec = security or security_store()
    with ExitStack() as stack:
        yield {name: stack.enter_context(client_for(store, role, community=community,
                                                    security=sec))
               for name, (role, community) in roles.items()}
