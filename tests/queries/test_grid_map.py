"""The grid map (GET /api/v1/grids/map) on the hand-drawn street of test_grids, every
feature's properties worked out by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from graph.geo import box, to_lonlat
from graph.store import GraphStore
from queries.grid_map import grid_map, open_cases_by_grid
from queries.grids import overlap_analysis, write_overlaps
from tests.graphs import node, rel
from tests.queries.test_grids import street

AS_OF = "2026-06-30"  # backlog cut-off with 30 days: 2026-05-31


def map_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``street()`` (c1: b1 b2 b3 + p1 f1 s1, all IN c1; c2: b4 b5; g0 no geometry)
    plus, in c2, traffic grid t1 (x 2300-2900, y 100-400: inside b5, 0.18 km²) and
    sub-grid sb4 (x 1500-2000, part of b4, 0.5 km²).

    Post, duty, person as of 2026-06-30: worker w1 has b2, w5 has b5; officer o1 has
    police grid p1 (over b1 and b2); building h (b2) had head hh until 2025, h2 (b1)
    has hh2. So b1 lacks a grid worker; b2 building heads; b3 and b4 a worker and an
    officer; b5 an officer.

    Cases (k = open, x = closed) on 2026-06-30 with 30 days:
      b1: k1 reported 2026-05-31 (exactly 30 days: counts); k2 2026-06-01 (29: not)
      b2: x3 reported 2026-01-10, closed 2026-07-15 (after the day: open then, counts);
          x4 closed 2026-06-30 (on the day: closed, not)
      b3: k9 with no reported_on (not)
      b4: k5 reported 2026-07-02 (after the day: not); k7 2026-03-01, k8 2026-04-01
      p1: k6 2025-12-01
    → backlog b1 1, b2 1, b4 2, p1 1; c1 3 (k1 x3 k6), c2 2 (k7 k8).
    """
    def poly(x0: float, y0: float, x1: float, y1: float) -> str:
        from graph.geo import geojson

        return geojson(to_lonlat(box(x0, y0, x1, y1)))

    nodes, rels = street()
    nodes += [node("t1", "Grid", kind="traffic", geometry=poly(2300, 100, 2900, 400)),
              node("sb4", "Grid", kind="sub", geometry=poly(1500, 0, 2000, 1000))]
    rels += [rel("IN", "t1", "c2"), rel("IN", "sb4", "c2"), rel("PART_OF", "sb4", "b4")]
    nodes += [node("o1", "PoliceOfficer"), node("hh", "BuildingHead"), node("h2", "Building"),
              node("hh2", "BuildingHead"), node("w5", "GridWorker")]
    rels += [rel("RESPONSIBLE_FOR", "o1", "p1"), rel("RESPONSIBLE_FOR", "w5", "b5"),
             rel("IN_GRID", "h2", "b1"), rel("HEADS", "hh", "h", until="2025-01-01"),
             rel("HEADS", "hh2", "h2")]
    for cid, grid, status, reported, closed in (
            ("k1", "b1", "open", "2026-05-31", None), ("k2", "b1", "open", "2026-06-01", None),
            ("x3", "b2", "closed", "2026-01-10", "2026-07-15"),
            ("x4", "b2", "closed", "2026-01-10", "2026-06-30"),
            ("k9", "b3", "open", None, None),
            ("k5", "b4", "open", "2026-07-02", None), ("k7", "b4", "open", "2026-03-01", None),
            ("k8", "b4", "open", "2026-04-01", None), ("k6", "p1", "open", "2025-12-01", None)):
        props = {k: v for k, v in (("reported_on", reported), ("closed_on", closed)) if v}
        nodes.append(node(cid, "Case", status=status, **props))
        rels.append(rel("IN_GRID", cid, grid))
    return nodes, rels


def load_map_street(store: GraphStore) -> GraphStore:
    store.upsert(*map_street())
    write_overlaps(store, overlap_analysis(store))
    return store


#: id -> (kind, community, area km², overlaps, crossing, missing, backlog) on AS_OF
EXPECTED: dict[str, tuple[str, str, float, int, bool, list[str], int]] = {
    "c1": ("community", "c1", 1.5, 0, False, [], 3),
    "c2": ("community", "c2", 1.5, 0, False, [], 2),
    "b1": ("base", "c1", 0.5, 1, False, ["grid_worker"], 1),  # p1
    "b2": ("base", "c1", 0.5, 2, False, ["building_heads"], 1),  # p1, s1
    "b3": ("base", "c1", 0.5, 1, False, ["grid_worker", "police_officer"], 0),  # f1
    "b4": ("base", "c2", 0.75, 1, False, ["grid_worker", "police_officer"], 2),  # f1
    "b5": ("base", "c2", 0.75, 1, False, ["police_officer"], 0),  # t1
    "f1": ("fire", "c1", 0.25, 2, True, [], 0),  # b3 (c1), b4 (c2): crosses
    "p1": ("police", "c1", 0.5, 2, False, [], 1),  # b1, b2
    "s1": ("security", "c1", 0.505, 1, False, [], 0),  # b2 (b1 a sliver, not written)
    "sb4": ("sub", "c2", 0.5, 0, False, [], 0),
    "t1": ("traffic", "c2", 0.18, 1, False, [], 0),  # b5
}


def _got(features: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for f in features:
        p = f["properties"]
        assert f["type"] == "Feature" and f["id"] == p["id"]
        assert f["geometry"]["type"] == "Polygon"
        out[p["id"]] = (p["kind"], p["community"], pytest.approx(p["area_km2"], abs=2e-5),
                        p["overlaps"], p["crossing"], p["missing"], p["backlog"])
    return out


def test_open_cases_by_grid(store: GraphStore) -> None:
    load_map_street(store)
    assert open_cases_by_grid(store, AS_OF) == {"b1": 1, "b2": 1, "b4": 2, "p1": 1}
    # a day's threshold: k2 (29 days old) now counts too
    assert open_cases_by_grid(store, AS_OF, older_than_days=1) == {
        "b1": 2, "b2": 1, "b4": 2, "p1": 1}
    # 0 days: k5, reported after the day, still does not
    assert open_cases_by_grid(store, AS_OF, older_than_days=0)["b4"] == 2
    # on 2026-07-20 x3 is closed; k5 (18 days old) not yet backlog; k2 now is
    assert open_cases_by_grid(store, "2026-07-20") == {"b1": 2, "b4": 2, "p1": 1}
    # on 2026-02-15 (cut-off 2026-01-16): x3 and x4 open and old enough, p1's k6 too
    assert open_cases_by_grid(store, "2026-02-15") == {"b2": 2, "p1": 1}


def test_grid_map_features(store: GraphStore) -> None:
    load_map_street(store)
    m = grid_map(store, AS_OF).model_dump(mode="json")
    assert m["type"] == "FeatureCollection" and m["as_of"] == AS_OF
    assert m["backlog_days"] == 30 and m["without_geometry"] == 1  # g0
    assert [f["id"] for f in m["features"]] == [
        "c1", "c2", "b1", "b2", "b3", "b4", "b5", "f1", "p1", "s1", "sb4", "t1"]
    assert _got(m["features"]) == EXPECTED
    west, south, east, north = to_lonlat(box(0, 0, 3000, 1000)).bounds
    assert m["bbox"] == pytest.approx([west, south, east, north], abs=2e-7)
    # as the stored text: the polygon's ring in lon/lat
    b1 = next(f for f in m["features"] if f["id"] == "b1")
    xs = [pt[0] for pt in b1["geometry"]["coordinates"][0]]
    assert min(xs) == pytest.approx(west, abs=2e-7)


def test_grid_map_community_and_days(store: GraphStore) -> None:
    load_map_street(store)
    c2 = grid_map(store, AS_OF, community="c2").model_dump(mode="json")
    assert _got(c2["features"]) == {k: v for k, v in EXPECTED.items()
                                    if k in ("c2", "b4", "b5", "sb4", "t1")}
    assert c2["without_geometry"] == 0  # g0 is in no community
    west, south, east, north = to_lonlat(box(1500, 0, 3000, 1000)).bounds
    assert c2["bbox"] == pytest.approx([west, south, east, north], abs=2e-7)
    short = {f.id: f.properties.backlog
             for f in grid_map(store, AS_OF, backlog_days=1).features}
    assert short["b1"] == 2 and short["c1"] == 4
    # in 2019 h still had its head hh (until 2025): b2 lacked nothing then
    old = {f.id: f.properties.missing for f in grid_map(store, "2019-06-30").features}
    assert old["b2"] == [] and old["b1"] == ["grid_worker"]


def test_grid_map_api(store: GraphStore) -> None:
    from tests.api_helpers import client_for

    load_map_street(store)
    with client_for(store, "analyst") as c:
        r = c.get("/api/v1/grids/map", params={"as_of": AS_OF})
        assert r.status_code == 200
        assert _got(r.json()["features"]) == EXPECTED
        assert r.json()["without_geometry"] == 1
        r = c.get("/api/v1/grids/map", params={"as_of": AS_OF, "backlog_days": 1})
        assert {f["id"]: f["properties"]["backlog"] for f in r.json()["features"]}["b1"] == 2
        for params, name in (({"backlog_days": 0}, "backlog_days"),
                             ({"backlog_days": 3651}, "backlog_days"),
                             ({"backlog_days": "many"}, "backlog_days"),
                             ({"as_of": "2026-02-30"}, "as_of"),
                             ({"as_of": "tomorrow"}, "as_of")):
            r = c.get("/api/v1/grids/map", params=params)
            assert r.status_code == 422, params
            assert [e["loc"] for e in r.json()["detail"]] == [["query", name]], r.text
        r = c.get("/api/v1/grids/map", params={"days": 3})
        assert r.status_code == 422 and "'days'" in r.json()["detail"]
    with client_for(store, "community", "c2") as c:  # its own community's features only
        r = c.get("/api/v1/grids/map", params={"as_of": AS_OF})
        assert r.status_code == 200
        assert sorted(f["id"] for f in r.json()["features"]) == ["b4", "b5", "c2", "sb4", "t1"]
        assert "redacted" not in r.json()
    with client_for(store, "consumer") as c:  # no person in this answer: all of it
        r = c.get("/api/v1/grids/map", params={"as_of": AS_OF})
        assert len(r.json()["features"]) == len(EXPECTED)


def test_grid_map_on_the_scenario(xinqiao: GraphStore) -> None:
    """The scenario's map carries what it planted: every community and grid drawn,
    the planted crossing special grids, the base grids without a worker among those
    missing one, and backlog only where the backlogged departments' cases are."""
    from queries.cases import case_evaluation
    from tests.conftest import SCENARIO_DAY, scenario_planted

    planted = scenario_planted(xinqiao)
    m = grid_map(xinqiao, SCENARIO_DAY)
    props = [f.properties for f in m.features]
    kinds = Counter(p.kind for p in props)
    assert kinds == {"community": 7, "base": 357, "police": 44, "security": 23, "fire": 4,
                     "traffic": 7}
    assert sorted(p.id for p in props if p.crossing) == planted["crossing_special_grids"]
    assert sorted(p.id for p in props if "grid_worker" in p.missing) == \
        planted["grids_without_worker"]
    grids = next(r for r in case_evaluation(xinqiao, SCENARIO_DAY).rankings
                 if r.grouping == "grid")
    assert {p.id: p.backlog for p in props if p.kind == "base" and p.backlog} == {
        x.entity.id: x.backlog for x in grids.rows if x.backlog}
