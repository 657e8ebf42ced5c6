"""Boundaries given as WKT or GeoJSON, in a grids roster and in graph CSV: stored as
the GeoJSON text :func:`graph.geo.geojson` writes; a bad one names its cell (or node)
and the rule, and nothing is written.

The box used throughout is 0.01° x 0.01° north-east of (113.835, 22.725), the
projection's origin: 0.01 x 111,320 m x cos 22.725° = 1,026.78 m east by
0.01 x 110,574 m = 1,105.74 m north, 1.1353 km².
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from shapely.geometry import shape

from graph.embedded import EmbeddedStore
from graph.geo import area_km2, box, geojson, parse_geometry, to_lonlat
from graph.store import GraphStore
from loaders.graph_csv import export_graph_csv, load_graph_csv
from loaders.roster import load_roster
from tests.graphs import tiny_street
from tests.rosters import snapshot, write_csv

BOX_WKT = ("POLYGON ((113.835 22.725, 113.845 22.725, 113.845 22.735, 113.835 22.735, "
           "113.835 22.725))")
BOX_GEOJSON = ('{"type":"Polygon","coordinates":[[[113.835,22.725],[113.845,22.725],'
               '[113.845,22.735],[113.835,22.735],[113.835,22.725]]]}')
BOX_KM2 = 1.02678 * 1.10574
#: the box and one as large 0.01° east of it (parts of a multipolygon may not share an edge)
TWO_WKT = ("MULTIPOLYGON (((113.835 22.725, 113.845 22.725, 113.845 22.735, 113.835 22.735, "
           "113.835 22.725)), ((113.855 22.725, 113.865 22.725, 113.865 22.735, "
           "113.855 22.735, 113.855 22.725)))")
BAD = {  # value -> how its message starts
    "POLYGON ((113.835 22.725, 113.845": "is not a polygon: WKT or GeoJSON",
    "LINESTRING (113.835 22.725, 113.845 22.735)": "is not a polygon: WKT or GeoJSON "
                                                   "POLYGON/MULTIPOLYGON expected (got "
                                                   "LineString)",
    # a bowtie: its edges cross in the box's centre
    "POLYGON ((113.835 22.725, 113.845 22.735, 113.845 22.725, 113.835 22.735, "
    "113.835 22.725))": "is not a valid polygon (self-intersection at 113.84 22.73)",
    # latitude first
    "POLYGON ((22.725 113.835, 22.725 113.845, 22.735 113.845, 22.725 113.835))":
        "has coordinates outside the lon/lat range",
}


def test_wkt_box_is_stored_as_geojson_with_the_hand_worked_area() -> None:
    stored = parse_geometry(BOX_WKT)
    assert stored == BOX_GEOJSON
    assert area_km2(shape(json.loads(stored))) == pytest.approx(BOX_KM2, abs=1e-4)
    assert parse_geometry(BOX_GEOJSON) == parse_geometry(json.loads(BOX_GEOJSON)) == stored
    assert parse_geometry("POLYGON ((113.83500004 22.725, 113.845 22.725, 113.845 22.735, "
                          "113.835 22.735, 113.83500004 22.725))") == stored  # to 1e-7°
    assert area_km2(shape(json.loads(parse_geometry(TWO_WKT)))) == pytest.approx(
        2 * BOX_KM2, abs=1e-4)


def test_stored_geometry_reads_back_unchanged() -> None:
    """What geojson() writes parses to itself (a load after an export changes nothing)."""
    once = geojson(to_lonlat(box(0, 0, 1000, 700)))
    assert parse_geometry(once) == once
    assert parse_geometry(parse_geometry(BOX_WKT)) == BOX_GEOJSON


@pytest.mark.parametrize("value, why", BAD.items())
def test_bad_boundary_says_why(value: str, why: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(why)):
        parse_geometry(value)


# ------------------------------------------------------------------ grids roster
HEAD = ["网格名称", "网格类型", "所在社区", "边界"]


def test_grids_roster_takes_wkt_and_geojson(store: GraphStore, tmp_path: Path
                                            ) -> None:
    store.upsert(*tiny_street())
    f = write_csv(tmp_path / "g.csv", [
        ["网格编号", "网格名称", "网格类型", "所在社区", "WKT"],
        ["g1", "一网格", "基础网格", "上星社区", BOX_WKT],
        ["g2", "二网格", "基础网格", "上星社区", BOX_GEOJSON],
        ["g3", "三网格", "基础网格", "上星社区", TWO_WKT]])
    report = load_roster(store, f, "grids")
    assert report.ok and report.changes["nodes_added"] == 3, report.lines()
    got = {g: store.get_node(g).properties["geometry"] for g in ("g1", "g2", "g3")}
    assert got["g1"] == got["g2"] == BOX_GEOJSON
    assert area_km2(shape(json.loads(got["g3"]))) == pytest.approx(2 * BOX_KM2, abs=1e-4)
    assert load_roster(store, f, "grids").changes["nodes_unchanged"] == 3


def test_bad_boundaries_in_a_roster_name_the_cell_and_write_nothing(
        store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    rows = [HEAD, ["好网格", "基础网格", "上星社区", BOX_WKT]]
    rows += [[f"坏网格{i}", "基础网格", "上星社区", v] for i, v in enumerate(BAD)]
    report = load_roster(store, write_csv(tmp_path / "g.csv", rows),
                         "grids")
    assert not report.ok and not report.written
    assert [(i.cell, i.header, i.rule) for i in report.issues] == [
        (f"D{r}", "边界", "geometry") for r in range(3, 3 + len(BAD))]
    for issue, why in zip(report.issues, BAD.values(), strict=True):
        assert issue.message_en.startswith(f"边界: {why}"), issue.message_en
        assert "WKT (POLYGON/MULTIPOLYGON) 或 GeoJSON 文本" in issue.message_zh
    assert snapshot(store) == before


def test_template_explains_the_boundary_column(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from loaders.xlsx import write_template

    wb = load_workbook(write_template("grids", tmp_path / "t.xlsx"))
    doc = {r[0]: r for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0]}
    assert doc["边界"][2] == "边界（WKT (POLYGON/MULTIPOLYGON) 或 GeoJSON 文本, WGS 84 经纬度）"
    assert "WKT" in doc["边界"][4] and "范围" in doc["边界"][4]


# ------------------------------------------------------------------ graph CSV
def _grids_csv(d: Path, *geometries: str) -> None:
    d.mkdir()
    with open(d / "nodes_Grid.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id:ID", ":LABEL", "name", "kind", "geometry"])
        for i, g in enumerate(geometries, start=1):
            w.writerow([f"g{i}", "Grid", f"{i}网格", "base", g])


def test_graph_csv_takes_wkt_and_round_trips(store: GraphStore,
                                              tmp_path: Path) -> None:
    _grids_csv(tmp_path / "in", BOX_WKT, BOX_GEOJSON, TWO_WKT)
    report = load_graph_csv(store, tmp_path / "in")
    assert report.ok and report.written, report.lines()
    assert store.get_node("g1").properties["geometry"] == BOX_GEOJSON
    assert store.get_node("g2").properties["geometry"] == BOX_GEOJSON
    assert json.loads(store.get_node("g3").properties["geometry"])["type"] == "MultiPolygon"
    before = snapshot(store)
    export_graph_csv(store, tmp_path / "out")
    with EmbeddedStore(tmp_path / "back.db") as back:
        assert load_graph_csv(back, tmp_path / "out").ok
        assert snapshot(back) == before
        export_graph_csv(back, tmp_path / "again")
    out = (tmp_path / "out" / "nodes_Grid.csv").read_bytes()
    assert out == (tmp_path / "again" / "nodes_Grid.csv").read_bytes()
    assert b"POLYGON" not in out  # exported as GeoJSON


def test_bad_boundaries_in_graph_csv_name_the_node_and_write_nothing(
        store: GraphStore, tmp_path: Path) -> None:
    _grids_csv(tmp_path / "in", BOX_WKT, *BAD)
    report = load_graph_csv(store, tmp_path / "in")
    assert not report.ok and not report.written
    assert [(i.sheet, i.row, i.value, i.header) for i in report.issues] == [
        ("nodes_Grid.csv", r, f"g{r - 1}", "geometry") for r in range(3, 3 + len(BAD))]
    for issue, why in zip(report.issues, BAD.values(), strict=True):
        assert f"property 'geometry' {why}" in issue.message_en, issue.message_en
    assert store.counts().nodes == 0
