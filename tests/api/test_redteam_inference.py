"""Red-team fixtures (issue 14), inference: what a caller can *learn*, not only what is
printed. A member's birth date (and with it the 8 masked digits of the ID number) changes
inside its age band; every route × every numeric or date parameter swept as an analyst
and as the member's community must answer exactly the same before and after: any
difference is an oracle finer than the mask. Homes likewise: two residents of one
community swap buildings (the one each lives in and heads); every route swept as a masked
role answers the same (an address is masked to the community).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.security import SecurityStore
from graph.masking import age_band
from graph.store import GraphStore
from tests.api.redteam_helpers import TODAY, _calls
from tests.api_helpers import client_for, security_store
from tests.graphs import idn, node, rel, two_communities


def _years_ago(years: int, days: int) -> dt.date:
    return TODAY.replace(year=TODAY.year - years) - dt.timedelta(days=days) \
        if not (TODAY.month == 2 and TODAY.day == 29) else \
        dt.date(TODAY.year - years, 2, 28) - dt.timedelta(days=days)


def _member(birth: dt.date) -> dict[str, Any]:
    return node("mA3", "PartyMember", name="上星老党员", joined_party_on="2000-07-01",
                birth_date=birth.isoformat(),
                id_number=idn(f"440306{birth:%Y%m%d}123"))


def _twin_births() -> tuple[dt.date, dt.date]:
    """Two birth dates in one age band today (26 and about 34) whose ID numbers mask
    to the same text (the check digit is shown: it must come out equal)."""
    a = _years_ago(26, 40)
    want = _member(a)["properties"]["id_number"][-4:]
    for days in range(0, 400):
        b = _years_ago(34, days)
        if _member(b)["properties"]["id_number"][-4:] == want:
            assert age_band(a.isoformat(), TODAY.isoformat()) == \
                age_band(b.isoformat(), TODAY.isoformat()) == (25, 35)
            return a, b
    raise AssertionError("no twin birth date")  # pragma: no cover


def _twin_world(store: GraphStore) -> tuple[dt.date, dt.date, list[str]]:
    """The two communities and member mA3 born on the first twin date: (the twin
    dates, the days to try)."""
    a, b = _twin_births()
    nodes, rels = two_communities()
    store.upsert([*nodes, _member(a)],
                 [*rels, rel("MEMBER_OF", "mA3", "brA", role="member", since="2000-07-01")])
    return a, b, _dates((a, b))


def _dates(births: tuple[dt.date, ...]) -> list[str]:
    """The days an attacker would try: each birth date plus whole years (the crossings
    of every "aged N or less"), the day before and after."""
    out = {TODAY.isoformat()}
    for b in births:
        for years in (26, 34, 35, 36):
            try:
                day = b.replace(year=b.year + years)
            except ValueError:
                day = b.replace(year=b.year + years, day=28)
            for d in (-1, 0, 1):
                out.add((day + dt.timedelta(days=d)).isoformat())
    return sorted(x for x in out if x <= "2100-01-01")


def _numbers(schema: dict[str, Any]) -> list[int]:
    if "enum" in schema:
        return sorted(schema["enum"])
    lo = int(schema.get("minimum", 0))
    hi = int(schema.get("maximum", lo + 100))
    return sorted({lo, hi, (lo + hi) // 2, 17, 24, 26, 34, 35, 36} & set(range(lo, hi + 1)))


def _probes(client: TestClient, dates: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, params or body) for every route with a number or a date to sweep,
    from the app's own OpenAPI (a new route is swept without editing this test)."""
    spec = client.get("/openapi.json").json()
    out: list[tuple[str, str, dict[str, Any]]] = []
    fill = {"node_id": "mA3", "org_id": "brA", "community_id": "cA", "kind": "party_members"}
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1/") or path.removesuffix(".xlsx") in spec["paths"] \
                and path.endswith(".xlsx"):
            continue  # an .xlsx is its JSON twin's answer (one shared dependency), written
        url = path
        for k, v in fill.items():
            url = url.replace("{" + k + "}", v)
        for method, op in ops.items():
            if method == "post" and "pairings/proposals" not in path:
                continue  # writes are admin-only
            params = [p for p in op.get("parameters", []) if p["in"] == "query"]
            fields: dict[str, Any] = {}
            if method == "post":
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                fields = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
            sweep = {p["name"]: p["schema"] for p in params} | fields
            base = {"new_years": 0, "veteran_years": 100} if method == "post" else {}
            for name, schema in sweep.items():
                variants = schema.get("anyOf", [schema])
                if any(v.get("format") == "date" for v in variants):
                    values: list[Any] = dates
                elif any(v.get("type") == "integer" for v in variants):
                    values = _numbers(next(v for v in variants if v.get("type") == "integer"))
                else:
                    continue
                out += [(method, url, {**base, name: v}) for v in values]
    return out


def _answer(client: TestClient, method: str, url: str, args: dict[str, Any]) -> Any:
    r = client.post(url, json=args) if method == "post" else client.get(url, params=args)
    body: Any = r.content
    if r.content[:2] == b"PK":  # an .xlsx: its sheets and strings, not zip timestamps
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            body = {n: z.read(n) for n in z.namelist() if n.startswith("xl/")}
    return r.status_code, body


def _sweep(store: GraphStore, sec: SecurityStore, role: str,
           dates: list[str]) -> dict[tuple[str, str, str], Any]:
    with client_for(store, role, "cA" if role == "community" else None,
                    security=sec) as c:
        return {(m, u, repr(sorted(a.items()))): _answer(c, m, u, a)
                for m, u, a in _probes(c, dates)}


@pytest.mark.parametrize("role", ["analyst", "community"])
def test_no_parameter_tells_more_of_a_birth_date_than_its_band(store: GraphStore,
                                                               role: str) -> None:
    if store.backend != "embedded" and role == "community":
        pytest.skip("the community's sweep runs on the embedded store, the analyst's on both")
    a, b, dates = _twin_world(store)
    sec = security_store()
    before = _sweep(store, sec, role, dates)
    assert len(before) > 200  # the sweep reached the routes
    # the pairing route was among them and the member is in its answer
    pairing = [k for k in before if "pairings/proposals" in k[1] and k[0] == "post"]
    assert len(pairing) > 30
    store.upsert([_member(b)], replace=True)
    assert store.get_node("mA3").properties["birth_date"] == b.isoformat()
    after = _sweep(store, sec, role, dates)
    differ = [k for k in before if before[k] != after[k]]
    assert differ == [], f"{len(differ)} answers tell the two birth dates apart: {differ[:5]}"


def test_the_same_sweep_tells_an_admin_the_difference(store: GraphStore) -> None:
    """The test can fail: an admin (unmasked) is answered differently, so the sweep
    would see an oracle if a masked role had one."""
    a, b, dates = _twin_world(store)
    sec = security_store()
    with client_for(store, "admin", security=sec) as c:
        def new_on(day: str, young_age: int) -> bool:
            r = c.post("/api/v1/pairings/proposals",
                       json={"as_of": day, "young_age": young_age, "new_years": 0,
                             "veteran_years": 100})
            assert r.status_code == 200, r.text
            return any(u["member"]["id"] == "mA3" for u in r.json()["unpaired"])
        seen_a = [(d, new_on(d, 35)) for d in dates]
        store.upsert([_member(b)], replace=True)
        seen_b = [(d, new_on(d, 35)) for d in dates]
    assert seen_a != seen_b


def test_young_age_must_be_a_band_top(store: GraphStore) -> None:
    """Through the API for every role (the OpenAPI document says so); the query refuses
    any other age for a masked caller too; only the query's own callers (the CLI,
    local) may use any age unmasked."""
    from graph.errors import InvalidParameter
    from queries.pairing import pairing_proposal

    store.upsert(*two_communities())
    for role in ("analyst", "admin"):
        with client_for(store, role) as c:
            r = c.post("/api/v1/pairings/proposals", json={"young_age": 30})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body",
                                                                             "young_age"]
            assert c.post("/api/v1/pairings/proposals", json={"young_age": 35}
                          ).status_code == 200
    with pytest.raises(InvalidParameter, match="young_age=30 must be an age band's top"):
        pairing_proposal(store, young_age=30, birth_bands=True)
    assert pairing_proposal(store, young_age=30).as_of



# ------------------------------------------------------------------ homes
def _homes_world(store: GraphStore, swapped: bool) -> None:
    """The two communities with a second building bA2 in the same group and grid as bA;
    rA1 lives in and heads bA, rA2 bA2 — or, ``swapped``, the other way round. Every
    count (residents per building, group, grid; heads per grid) is the same both ways."""
    nodes, rels = two_communities()
    rels = [r for r in rels if not (r["type"] == "LIVES_IN" and r["start"] in ("rA1", "rA2"))]
    first, second = ("rA2", "rA1") if swapped else ("rA1", "rA2")
    for n in nodes:
        if n["id"] in ("rA1", "rA2"):
            n["labels"] = [*n["labels"], "BuildingHead"]
    nodes.append(node("bA2", "Building", name="上星一巷2号"))
    rels += [rel("PART_OF", "bA2", "gA"), rel("IN_GRID", "bA2", "gridA"),
             rel("LIVES_IN", first, "bA"), rel("HEADS", first, "bA"),
             rel("LIVES_IN", second, "bA2"), rel("HEADS", second, "bA2")]
    store.upsert(nodes, rels)


def _home_answers(store: GraphStore, role: str) -> dict[tuple[str, str, str], Any]:
    fills = {"node_id": ["cA", "rA1", "rA2", "bA", "bA2", "gridA", "gA", "mA1"],
             "org_id": ["ccA", "brA"], "community_id": ["cA"], "kind": ["party_members"]}
    with client_for(store, role, "cA" if role == "community" else None) as c:
        calls = _calls(c, fills, TODAY.isoformat())
        for depth in (1, 3):
            calls += [("get", f"/api/v1/nodes/{i}/neighbors", {"depth": depth})
                      for i in fills["node_id"]]
        return {(m, u, repr(sorted(a.items()))): _answer(c, m, u, a) for m, u, a in calls}


@pytest.mark.parametrize("role", ["analyst", "community", "admin"])
def test_no_answer_tells_which_building_of_the_community_a_person_lives_in(
        store: GraphStore, tmp_path: Path, role: str) -> None:
    """A masked role cannot tell the two worlds apart on any route (an admin can: the
    test can fail)."""
    from graph.embedded import EmbeddedStore

    if store.backend != "embedded" and role == "community":
        pytest.skip("the community's sweep runs on the embedded store, the others on both")
    _homes_world(store, swapped=False)
    before = _home_answers(store, role)
    assert len(before) > 60
    if store.backend == "embedded":
        other: GraphStore = EmbeddedStore(tmp_path / "swapped.db")
    else:
        from graph.neo4j_store import Neo4jStore

        assert isinstance(store, Neo4jStore)
        store.clear()
        other = store
    try:
        _homes_world(other, swapped=True)
        after = _home_answers(other, role)
    finally:
        if other is not store:
            other.close()
    differ = sorted(k[1:] for k in before if before[k] != after[k])
    if role == "admin":
        assert any("rA1/neighbors" in k[0] for k in differ), differ[:5]
    else:
        assert differ == [], f"{len(differ)} answers tell the homes apart: {differ[:5]}"


def test_homes_are_refused_by_name_and_shown_to_the_community(store: GraphStore) -> None:
    """Asking a masked role's walk for LIVES_IN or HEADS by name is a 403 naming the rule;
    a resident's chain goes from the resident to the community, a building's names no
    head; an admin sees both."""
    _homes_world(store, swapped=False)
    with client_for(store, "analyst") as c:
        r = c.get("/api/v1/nodes/rA1/neighbors", params={"type": "LIVES_IN"})
        assert r.status_code == 403 and "LIVES_IN" in r.text and "admin" in r.text
        r = c.get("/api/v1/paths", params={"from": "rA1", "to": "bA", "type": "HEADS"})
        assert r.status_code == 403
        r = c.get("/api/v1/paths", params={"from": "rA1", "to": "bA"})
        assert r.status_code == 200 and r.json()["found"] is False  # only homes link them
        chain = c.get("/api/v1/chains/leadership/rA1").json()
        assert [s["node"]["id"] for s in chain["steps"]][:3] == ["rA1", "cA", "ccA"]
        assert chain["steps"][1]["reached_by"] == {
            "type": "LIVES_IN", "name_zh": store.schema.relationships["LIVES_IN"].name_zh,
            "from_id": "rA1", "direction": "out"}
        leader = c.get("/api/v1/chains/leadership/bA").json()["steps"][0]["leader"]
        assert leader == {"id": "", "name": "（已遮蔽）", "role": "building_head"}
    with client_for(store, "admin") as c:
        chain = c.get("/api/v1/chains/leadership/rA1").json()
        assert [s["node"]["id"] for s in chain["steps"]][:4] == ["rA1", "bA", "gridA", "cA"]
        leader = c.get("/api/v1/chains/leadership/bA").json()["steps"][0]["leader"]
        assert leader["id"] == "rA1"
        r = c.get("/api/v1/paths", params={"from": "rA1", "to": "bA"})
        assert r.json()["length"] == 1
