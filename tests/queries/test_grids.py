"""Grid overlaps on hand-drawn polygons (areas worked out by hand, in metres)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.geo import box, geojson, to_lonlat
from graph.store import GraphStore
from queries.grids import overlap_analysis, write_overlaps
from tests.graphs import node, rel

if TYPE_CHECKING:
    import httpx
    from openpyxl import Workbook


def street() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A 3 km x 1 km street: community c1 is x 0-1500 m, c2 x 1500-3000 m (coordinates
    stored to 1e-7 degrees, ~1 cm: areas agree within 20 m²).

    base grids (all 1000 m tall): b1 0-500, b2 500-1000, b3 1000-1500 (0.5 km² each)
    in c1; b4 1500-2250, b5 2250-3000 (0.75 km²) in c2.
    police p1 x 250-750: 0.5 km², half on b1, half on b2.
    fire f1 x 1250-1750, y 0-500: 0.25 km², 0.125 on b3 (c1) and 0.125 on b4 (c2):
    it crosses the community boundary.
    security s1 x 495-1000: 0.505 km²; 0.005 km² on b1 (a sliver, share 0.0099 <
    0.01, left out), 0.5 on b2 (share 0.990099).
    g0 has no geometry.
    """
    def poly(x0: float, y0: float, x1: float, y1: float) -> str:
        return geojson(to_lonlat(box(x0, y0, x1, y1)))

    nodes = [node("c1", "Community", geometry=poly(0, 0, 1500, 1000)),
             node("c2", "Community", geometry=poly(1500, 0, 3000, 1000))]
    rels = []
    for gid, x0, x1, c in (("b1", 0, 500, "c1"), ("b2", 500, 1000, "c1"),
                           ("b3", 1000, 1500, "c1"), ("b4", 1500, 2250, "c2"),
                           ("b5", 2250, 3000, "c2")):
        nodes.append(node(gid, "Grid", kind="base", geometry=poly(x0, 0, x1, 1000)))
        rels.append(rel("IN", gid, c))
    for gid, kind, (x0, y0, x1, y1) in (("p1", "police", (250, 0, 750, 1000)),
                                        ("f1", "fire", (1250, 0, 1750, 500)),
                                        ("s1", "security", (495, 0, 1000, 1000))):
        nodes.append(node(gid, "Grid", kind=kind, geometry=poly(x0, y0, x1, y1)))
        rels.append(rel("IN", gid, "c1"))
    nodes.append(node("g0", "Grid", kind="base"))
    # b2 holds building h with 3 residents (one moved out in 2020) and worker w1
    nodes += [node("h", "Building"), node("w1", "GridWorker")]
    nodes += [node(f"r{i}", "Resident") for i in range(4)]
    rels += [rel("IN_GRID", "h", "b2"), rel("RESPONSIBLE_FOR", "w1", "b2")]
    rels += [rel("LIVES_IN", f"r{i}", "h") for i in range(3)]
    rels.append(rel("LIVES_IN", "r3", "h", since="2015-01-01", until="2020-01-01"))
    return nodes, rels


def _near(overlaps: list[tuple[str, float, float]]) -> list[tuple[str, object, object]]:
    """(base grid, area km², share) with area and share as ``pytest.approx``."""
    return [(b, pytest.approx(a, abs=2e-5), pytest.approx(sh, abs=1e-4))
            for b, a, sh in overlaps]


def test_overlaps_crossing_and_size(store: GraphStore) -> None:
    store.upsert(*street())
    r = overlap_analysis(store, max_area_km2=0.6)
    got = {s.grid.id: (s.area_km2, [(o.base_grid.id, o.area_km2, o.share) for o in s.overlaps])
           for s in r.special_grids}
    assert got["p1"][0] == pytest.approx(0.5, abs=2e-5)
    assert _near(got["p1"][1]) == [("b1", 0.25, 0.5), ("b2", 0.25, 0.5)]
    assert _near(got["f1"][1]) == [("b3", 0.125, 0.5), ("b4", 0.125, 0.5)]
    assert _near(got["s1"][1]) == [("b2", 0.5, 0.9901)]
    assert r.crossing == ["f1"]
    f1 = next(s for s in r.special_grids if s.grid.id == "f1")
    assert [c.id for c in f1.communities_crossed] == ["c1", "c2"]
    too_large: list[tuple[str, object, list[str]]] = [
        (g.grid.id, pytest.approx(g.area_km2, abs=2e-5), g.reasons) for g in r.too_large]
    assert too_large == [("b4", 0.75, ["area"]), ("b5", 0.75, ["area"])]
    crowded = overlap_analysis(store, max_area_km2=1, max_residents_per_worker=2,
                               as_of="2026-06-30").too_large
    assert [(g.grid.id, g.residents, g.workers, g.residents_per_worker, g.reasons)
            for g in crowded] == [("b2", 3, 1, 3.0, ["residents_per_worker"])]
    assert r.without_geometry == ["g0"]
    assert write_overlaps(store, r) == 5
    (o,) = [n for n in store.neighbours("f1", ["OVERLAPS"], "out") if n.node.id == "b4"]
    assert o.rel.properties["area_km2"] == pytest.approx(0.125, abs=2e-5)
    assert o.rel.properties["share"] == pytest.approx(0.5, abs=1e-4)


def test_scenario_map_and_its_overlaps(xinqiao: GraphStore) -> None:
    """The scenario's communities tile the 30 km² street; each one's base grids tile it
    without overlapping; the analysis recomputes from the drawing exactly the OVERLAPS
    the scenario wrote, and the crossing special grids it planted."""
    from shapely.ops import unary_union

    from graph.geo import from_geojson
    from tests.conftest import scenario_planted

    coms = {c.id: from_geojson(c.properties["geometry"]) for c in xinqiao.nodes("Community")}
    assert sum(p.area for p in coms.values()) / 1e6 == pytest.approx(30.0, abs=1e-3)
    assert unary_union(list(coms.values())).area / 1e6 == pytest.approx(30.0, abs=1e-3)
    for cid, poly in coms.items():
        grids = [xinqiao.get_node(a.other) for a in xinqiao.adjacent(cid, ["IN"], "in",
                                                                      ["Grid"])]
        cells = [from_geojson(g.properties["geometry"]) for g in grids
                 if g.properties["kind"] == "base"]
        assert sum(c.area for c in cells) == pytest.approx(poly.area, rel=1e-4)
        assert unary_union(cells).area == pytest.approx(poly.area, rel=1e-4)  # no overlap
    r = overlap_analysis(xinqiao)
    planted = scenario_planted(xinqiao)["crossing_special_grids"]
    assert r.crossing == planted and planted
    stored = {(rel.start, rel.end): rel.properties for rel in xinqiao.rels("OVERLAPS")}
    computed = {(s.grid.id, o.base_grid.id): o for s in r.special_grids for o in s.overlaps}
    assert set(stored) == set(computed)
    for k, o in computed.items():
        assert stored[k]["area_km2"] == pytest.approx(o.area_km2, abs=2e-4)


def test_integration_proposal(store: GraphStore) -> None:
    """On the hand-drawn street: every base grid once per kind that has grids (police
    p1, fire f1, security s1; no traffic grid); p1 gains b3 (nearest in c1), b4 and b5
    (nearest: c2 has no police grid); s1 had only b2 (b1 a sliver) and gains the rest."""
    from queries.grid_integration import accept_integration, integration_proposal

    store.upsert(*street())
    p = integration_proposal(store)
    assert p.kinds_without_grids == ["traffic"]
    got = {(a.base_grid.id, a.kind): (a.special_grid.id, a.how) for a in p.assignments}
    assert len(got) == 15 and len(p.assignments) == 15  # 5 base grids x 3 kinds, once each
    assert got[("b1", "police")] == ("p1", "largest_overlap")
    assert got[("b3", "police")] == ("p1", "nearest_in_community")
    assert got[("b5", "police")] == ("p1", "nearest")
    assert got[("b4", "fire")] == ("f1", "largest_overlap")
    assert got[("b1", "security")] == ("s1", "largest_overlap")  # a sliver is still shared
    changes = {c.special_grid.id: (c.gains, c.loses) for c in p.changes}
    assert changes["p1"] == (["b3", "b4", "b5"], [])
    assert changes["s1"] == (["b1", "b3", "b4", "b5"], [])
    assert changes["f1"] == (["b1", "b2", "b5"], [])
    # no sub-grid crosses a community: each is one base grid, in that grid's community
    homes = {"b1": "c1", "b2": "c1", "b3": "c1", "b4": "c2", "b5": "c2"}
    assert all(s.community == homes[s.base_grid] for s in p.sub_grids)
    assert accept_integration(store, p) == 15
    sub = store.get_node("b4~police")
    assert sub.properties["kind"] == "sub"
    assert sorted(n.node.id for n in store.neighbours("b4~police", ["PART_OF"], "out")) == [
        "b4", "p1"]
    assert [n.node.id for n in store.neighbours("b4~police", ["IN"], "out")] == ["c2"]


def test_integration_on_the_scenario(xinqiao: GraphStore) -> None:
    from queries.grid_integration import integration_proposal

    p = integration_proposal(xinqiao)
    base = [g.id for g in xinqiao.nodes("Grid") if g.properties["kind"] == "base"]
    assert len(base) == 357 and p.kinds_without_grids == []
    pairs = [(a.base_grid.id, a.kind) for a in p.assignments]
    assert len(pairs) == len(set(pairs)) == 357 * 4  # each base grid once per kind
    communities = {g: xinqiao.adjacent(g, ["IN"], "out", ["Community"])[0].other
                   for g in base}
    assert all(s.community == communities[s.base_grid] for s in p.sub_grids)
    assert sum(len(c.base_grids) for c in p.changes) == 357 * 4


def test_grids_api_and_cli(store: GraphStore, tmp_path: Path) -> None:
    from tests.api_helpers import client_for

    store.upsert(*street())
    with client_for(store, "analyst") as c:
        r = c.get("/api/v1/grids/overlaps", params={"max_area_km2": 0.6})
        assert r.status_code == 200 and r.json()["crossing"] == ["f1"]
        assert [g["grid"]["id"] for g in r.json()["too_large"]] == ["b4", "b5"]
        p = c.get("/api/v1/grids/integration").json()
        assert len(p["sub_grids"]) == 15
        assert c.post("/api/v1/grids/integration/accept").status_code == 403
        # the same reports as .xlsx, read back
        wb = _xlsx(c.get("/api/v1/grids/overlaps.xlsx", params={"max_area_km2": 0.6}))
        assert wb.sheetnames == ["专业网格与基础网格交叉", "跨社区专业网格", "过大基础网格"]
        assert [[c.value for c in r][:2] for r in wb["跨社区专业网格"].iter_rows(min_row=3)] \
            == [["f1", "消格"]]
        assert [r[0].value for r in wb["过大基础网格"].iter_rows(min_row=3)] == ["b4", "b5"]
        wb = _xlsx(c.get("/api/v1/grids/integration.xlsx"))
        assert wb["子网格"].max_row == 2 + 15
        wb = _xlsx(c.get("/api/v1/grids/duty.xlsx", params={"as_of": "2026-06-30"}))
        assert wb.sheetnames == ["缺岗网格", "负责网格过多"]
    with client_for(store, "admin") as c:
        assert c.post("/api/v1/grids/integration/accept").json() == {"sub_grids": 15}
    with client_for(store, "community", "c2") as c:  # c2 sees its own grids only
        ids = {s["grid"]["id"] for s in c.get("/api/v1/grids/overlaps").json()["special_grids"]}
        assert ids == set()  # every special grid of the street is IN c1


def _xlsx(r: httpx.Response) -> Workbook:
    import io

    from openpyxl import load_workbook

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(r.content))


def test_grids_cli(xinqiao_path: Path, tmp_path: Path) -> None:
    import json
    import shutil

    from tests.api.test_cli import run

    db = tmp_path / "x.db"
    shutil.copy(xinqiao_path, db)
    r = run("grids", "overlaps", "--json", store=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["crossing"]
    r = run("grids", "duty", "--xlsx", str(tmp_path / "duty.xlsx"), store=db)
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    planted = json.loads(run("grids", "duty", "--json", store=db).stdout)
    rows = list(load_workbook(tmp_path / "duty.xlsx")["缺岗网格"].iter_rows(min_row=3,
                                                                          values_only=True))
    assert len(rows) == len(planted["gaps"]) > 0
    r = run("grids", "integration", "--accept", store=db)
    assert r.returncode == 0 and "wrote 1,428 sub-grids" in r.stdout  # 357 x 4


def test_post_duty_person(store: GraphStore) -> None:
    """On the hand-drawn street with OVERLAPS written: worker w1 is responsible for b2
    only; officer o1 for police grid p1 (over b1 and b2); b2's building h has head hh
    until 2025, building h2 in b1 has one. So as of 2026-06-30: b1 lacks a grid
    worker; b2 lacks a building head; b3, b4, b5 lack a worker and an officer. wx is
    responsible for b3, b4 and b5 until 2020: not busy now, busy in 2019."""
    from queries.grid_duty import grid_duty
    from queries.grids import overlap_analysis, write_overlaps

    nodes, rels = street()
    nodes += [node("o1", "PoliceOfficer"), node("hh", "BuildingHead"), node("h2", "Building"),
              node("hh2", "BuildingHead"), node("wx", "GridWorker")]
    rels += [rel("RESPONSIBLE_FOR", "o1", "p1"), rel("IN_GRID", "h2", "b1"),
             rel("HEADS", "hh", "h", until="2025-01-01"), rel("HEADS", "hh2", "h2")]
    rels += [rel("RESPONSIBLE_FOR", "wx", g, until="2020-01-01") for g in ("b3", "b4", "b5")]
    store.upsert(nodes, rels)
    write_overlaps(store, overlap_analysis(store))
    d = grid_duty(store, as_of="2026-06-30")
    assert {x.grid.id: x.missing for x in d.gaps} == {
        "b1": ["grid_worker"], "b2": ["building_heads"],
        "b3": ["grid_worker", "police_officer"], "b4": ["grid_worker", "police_officer"],
        "b5": ["grid_worker", "police_officer"], "g0": ["grid_worker", "police_officer"]}
    assert next(x for x in d.gaps if x.grid.id == "b2").buildings_without_head == ["h"]
    assert d.busy_workers == []
    old = grid_duty(store, as_of="2019-06-30")
    assert [(b.person.id, b.grids) for b in old.busy_workers] == [("wx", 3)]
