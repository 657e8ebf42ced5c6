"""Authorisation declared per router (issue 16): every data route carries a policy, the
policies are the ones the API has always had, and a route that declares none is refused
for every role (deny by default), however it was mounted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import API_PREFIX
from api.policy import EVERY_ROLE, PERSON_ROLES, allow, get_caller, policy_of
from api.security import ROLES, SecurityStore
from graph.embedded import EmbeddedStore
from tests.api_helpers import api_routes, security_store
from tests.graphs import two_communities

ADMIN = ("admin",)
#: who may call what: every data route all four roles but these
NARROWER: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/api/v1/pairings"): ADMIN,
    ("POST", "/api/v1/rosters/{kind}"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("POST", "/api/v1/grids/integration/accept"): ADMIN,
    ("POST", "/api/v1/pairings/proposals"): PERSON_ROLES,
    ("GET", "/api/v1/pairings/proposals.xlsx"): PERSON_ROLES,
    ("GET", "/api/v1/gaps/middle-weakening.xlsx"): PERSON_ROLES,
    ("GET", "/api/v1/orgs/{org_id}/members"): PERSON_ROLES,
    ("GET", "/api/v1/people/{node_id}/posts"): PERSON_ROLES,
    ("GET", "/api/v1/reports/three-boards"): PERSON_ROLES,
    ("GET", "/api/v1/reports/three-boards.xlsx"): PERSON_ROLES,
    # the roster page and its report: the upload's own policy, declared by the page too
    ("GET", "/api/v1/workbench/rosters"): ADMIN,
    ("POST", "/api/v1/workbench/rosters/report"): ADMIN,
}
#: routes open without a token (no data)
PUBLIC = {"/health", "/health/live", "/health/ready", "/explorer", "/explorer/static/{name}",
          "/docs", "/redoc", "/docs/static/{name}", "/workbench", "/workbench/{page}",
          "/workbench/static/{name}"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[EmbeddedStore, SecurityStore]]:
    store = EmbeddedStore(tmp_path / "policy.db")
    store.upsert(*two_communities())
    yield store, security_store()
    store.close()


def tokens(sec: SecurityStore) -> dict[str, str]:
    return {role: sec.create_token(role, "cA" if role == "community" else None,
                                   label=f"test {role}")[0] for role in ROLES}


def test_every_data_route_carries_its_policy(world: tuple[EmbeddedStore, SecurityStore]
                                             ) -> None:
    store, sec = world
    routes = api_routes(create_app(store, security=sec))
    seen: set[tuple[str, str]] = set()
    for path, route in routes:
        roles = policy_of(route)
        if path in PUBLIC:
            assert roles is None, path
            continue
        # everything else takes a token: the API and the explorer's export
        assert path.startswith(f"{API_PREFIX}/") or path == "/explorer/export.html", path
        assert route.methods is not None, path
        for method in route.methods:
            want = NARROWER.get((method, path), EVERY_ROLE)
            assert roles == frozenset(want), (method, path, roles)
            seen.add((method, path))
    assert set(NARROWER) <= seen
    assert len(seen) >= 33  # the walk found the included routers' routes


def test_the_version_prefix_is_applied_once() -> None:
    from api.routes import api_router

    for route in api_router.routes:
        assert not getattr(route, "path", "").startswith("/api"), route


def throwaway(called: list[str], policy: Any = None) -> APIRouter:
    """A resource a careless change might add: a read and a write, no policy."""
    router = APIRouter(dependencies=[Depends(policy)] if policy else [])

    @router.get("/throwaway")
    def read() -> dict[str, str]:
        called.append("GET")
        return {"secret": "mA1"}

    @router.post("/throwaway")
    def write() -> dict[str, str]:
        called.append("POST")
        return {"written": "mA1"}

    return router


@pytest.mark.parametrize("mount", ["api", "bare"])
def test_a_route_without_a_policy_is_refused_for_every_role(
        world: tuple[EmbeddedStore, SecurityStore], mount: str) -> None:
    """``api``: mounted as the data routers are (behind the token check), it is refused
    before it runs; ``bare``: mounted on the app itself, without the token check, its
    answer is refused by the guard and never leaves. Both refusals are audited."""
    store, sec = world
    app = create_app(store, security=sec)
    called: list[str] = []
    if mount == "api":
        app.include_router(throwaway(called), prefix=API_PREFIX,
                           dependencies=[Depends(get_caller)])
    else:
        app.include_router(throwaway(called), prefix=API_PREFIX)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get(f"{API_PREFIX}/throwaway").status_code == 401
        for role, token in tokens(sec).items():
            auth = {"Authorization": f"Bearer {token}"}
            for r in (c.get(f"{API_PREFIX}/throwaway", headers=auth),
                      c.post(f"{API_PREFIX}/throwaway", headers=auth)):
                assert r.status_code == 403, (role, r.status_code, r.text)
                assert r.json() == {"detail": f"the {role} role may not call this endpoint"}
                assert "mA1" not in r.text
    assert called == ([] if mount == "api" else ["GET", "POST"] * len(ROLES))
    sec.flush()
    records, _ = sec.records(100)
    refused = [r for r in records if r["path"] == f"{API_PREFIX}/throwaway"]
    assert sorted({r["status"] for r in refused}) == [401, 403]
    assert len(refused) == 1 + 2 * len(ROLES)


def test_a_declared_policy_lets_its_roles_through(world: tuple[EmbeddedStore, SecurityStore]
                                                  ) -> None:
    store, sec = world
    app = create_app(store, security=sec)
    called: list[str] = []
    app.include_router(throwaway(called, allow("admin", "analyst")), prefix=API_PREFIX,
                       dependencies=[Depends(get_caller)])
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = {role: c.get(f"{API_PREFIX}/throwaway",
                             headers={"Authorization": f"Bearer {token}"}).status_code
                 for role, token in tokens(sec).items()}
    assert codes == {"admin": 200, "analyst": 200, "community": 403, "consumer": 403}
    sec.flush()
    records, _ = sec.records(100)  # an answer naming a person is audited with them
    assert any(r["status"] == 200 and r["node_ids"] == ["mA1"] for r in records)


def test_a_routes_policy_narrows_its_routers() -> None:
    """Two policies on one route: the caller's role must be in both (that a role refused
    is refused before any id it names is looked at, 403 and not 404, test_access holds:
    a consumer asking for a person's posts)."""
    router = APIRouter(dependencies=[Depends(allow(*EVERY_ROLE))])

    @router.get("/x/{node_id}", dependencies=[Depends(allow("admin"))])
    def x(node_id: str) -> None: ...

    assert policy_of(router.routes[0]) == frozenset(ADMIN)


def test_a_policy_names_known_roles_only() -> None:
    for bad in ((), ("admin", "root"), ("Admin",)):
        with pytest.raises(ValueError):
            allow(*bad)
