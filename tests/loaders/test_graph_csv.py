"""Graph CSV in neo4j-admin's convention: round trips, bad files, and a real
``neo4j-admin database import`` of an export."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from loaders.graph_csv import export_graph_csv, load_graph_csv
from tests.conftest import SERVER
from tests.graphs import governance, tiny_street
from tests.rosters import snapshot


def test_export_files_follow_neo4j_admin_headers(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*tiny_street())
        written = export_graph_csv(s, tmp_path / "csv")
    assert written["nodes_PartyMember.csv"] == 1 and written["rels_PART_OF.csv"] == 3
    rows = _read(tmp_path / "csv" / "nodes_PartyMember.csv")
    head = rows[0]
    assert head[:3] == ["id:ID", ":LABEL", "name"]
    assert "joined_party_on:date" in head and "full_member:boolean" in head
    p1 = dict(zip(head, rows[1], strict=True))
    assert p1["id:ID"] == "p1" and p1[":LABEL"] == "GovNode;PartyMember;Person;Resident"
    assert (p1["joined_party_on:date"], p1["full_member:boolean"], p1["phone"]) == (
        "2020-07-01", "true", "13800000000")
    rels = _read(tmp_path / "csv" / "rels_COVERS.csv")
    assert rels == [[":START_ID", ":END_ID", ":TYPE", "id", "since:date", "until:date"],
                    ["br1", "rg1", "COVERS", "COVERS:br1->rg1", "2018-01-01", ""]]
    street = _read(tmp_path / "csv" / "nodes_Street.csv")
    assert dict(zip(street[0], street[1], strict=True))["area_km2:double"] == "30.0"


def test_round_trip_on_every_backend(store: GraphStore, tmp_path: Path) -> None:
    nodes, rels = governance()
    store.upsert(nodes, rels)
    before = snapshot(store)
    export_graph_csv(store, tmp_path / "csv")
    with EmbeddedStore(tmp_path / "back.db") as back:
        report = load_graph_csv(back, tmp_path / "csv")
        assert report.ok and report.written, report.lines()
        assert snapshot(back) == before
        export_graph_csv(back, tmp_path / "again")
    for f in (tmp_path / "csv").iterdir():
        assert f.read_bytes() == (tmp_path / "again" / f.name).read_bytes(), f.name


def test_round_trip_of_the_scenario(xinqiao: GraphStore, tmp_path: Path) -> None:
    export_graph_csv(xinqiao, tmp_path / "csv")
    with EmbeddedStore(tmp_path / "back.db") as back:
        assert load_graph_csv(back, tmp_path / "csv").ok
        assert snapshot(back) == snapshot(xinqiao)
        assert back.get_meta("scenario") is None  # the graph only, not store meta


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize("files, where, rule", [
    ({"n.csv": [["id:ID", ":LABEL", "name", "founded_on:date"],
                ["o1", "Branch", "一支部", "2020-13-01"]]}, ("n.csv", 2), "wrong_type"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branchh", "一支部"]]},
     ("n.csv", 2), "unknown_label"),
    ({"n.csv": [["id:ID", ":LABEL", "name", "colour"], ["o1", "Branch", "一支部", "red"]]},
     ("n.csv", 2), "unknown_property"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["m1", "PartyMember", "甲"]]},
     ("n.csv", 2), "missing_required"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branch", "一支部"]],
      "m.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branch", "又一支部"]]},
     ("n.csv", 2), "duplicate_id"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branch", "一支部"]],
      "r.csv": [[":START_ID", ":END_ID", ":TYPE"], ["o1", "nowhere", "SUB_ORG_OF"]]},
     ("r.csv", 2), "missing_end"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branch", "一支部"],
                ["b1", "Building", "一号楼"]],
      "r.csv": [[":START_ID", ":END_ID", ":TYPE"], ["o1", "b1", "SUB_ORG_OF"]]},
     ("r.csv", 2), "end_not_allowed"),
    ({"n.csv": [["id:ID", ":LABEL", "name", "tags:string[]"], ["o1", "Branch", "x", "a;b"]]},
     ("n.csv", 1), "unsupported_type"),
    ({"n.csv": [["name", "labels"], ["x", "Branch"]]}, ("n.csv", 1), "no_id_column"),
    ({"n.csv": [["id:ID", ":LABEL", "name"], ["o1", "Branch", "一支部", "extra"]]},
     ("n.csv", 2), "column_count"),
])
def test_bad_files_write_nothing(tmp_path: Path, files: dict[str, list[list[str]]],
                                 where: tuple[str, int], rule: str) -> None:
    d = tmp_path / "csv"
    d.mkdir()
    for name, rows in files.items():
        _write(d / name, rows)
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*tiny_street())
        before = snapshot(s)
        report = load_graph_csv(s, d)
        assert not report.ok and not report.written
        assert (where[0], where[1], rule) in [(i.sheet, i.row, i.rule) for i in report.issues]
        assert all(i.message_zh and i.message_en for i in report.issues)
        assert snapshot(s) == before


def test_relationships_may_end_at_nodes_already_in_the_graph(tmp_path: Path) -> None:
    d = tmp_path / "csv"
    d.mkdir()
    _write(d / "n.csv", [["id:ID(Org)", ":LABEL", "name", ":IGNORE"],
                         ["o9", "Branch", "新支部", "whatever"]])
    _write(d / "r.csv", [[":START_ID(Org)", ":END_ID(Org)", ":TYPE", "since:date"],
                         ["o9", "cc1", "SUB_ORG_OF", "2026-01-01"]])
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*tiny_street())
        report = load_graph_csv(s, d)
        assert report.ok, report.lines()
        (up,) = s.neighbours("o9", ["SUB_ORG_OF"], "out")
        assert (up.node.id, up.rel.id, up.rel.properties) == (
            "cc1", "SUB_ORG_OF:o9->cc1", {"since": "2026-01-01"})


def test_dry_run_and_missing_directory(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*tiny_street())
        export_graph_csv(s, tmp_path / "csv")
    with EmbeddedStore(tmp_path / "empty.db") as e:
        report = load_graph_csv(e, tmp_path / "csv", dry_run=True)
        assert report.ok and not report.written and report.rows == 17
        assert e.counts().nodes == 0
        assert [i.rule for i in load_graph_csv(e, tmp_path / "nope").issues] == ["not_found"]


@pytest.mark.neo4j
def test_neo4j_admin_import_of_an_export(neo4j_server: tuple[str, str],
                                         tmp_path: Path) -> None:
    """The export goes through the real `neo4j-admin database import full` into a
    fresh server; govgraph's Neo4j backend then reads the same graph and the queries
    answer as on the embedded store (dates came in as native Neo4j dates)."""
    from graph.neo4j_store import Neo4jStore
    from queries.leadership_chain import leadership_chain
    from queries.middle_weakening import middle_weakening

    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*governance())
        export_graph_csv(s, tmp_path / "csv", raw=True)  # neo4j-admin reads cells verbatim
        want = snapshot(s)
        want_gaps = middle_weakening(s, as_of="2024-06-30").model_dump()
        want_chain = leadership_chain(s, "m4", as_of="2024-06-30").model_dump()
    home = tmp_path / "imported"
    env = dict(os.environ, GOVGRAPH_NEO4J_HOME=str(home))
    done = subprocess.run([str(SERVER), "import", str(tmp_path / "csv")], capture_output=True,
                          text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    try:
        uri = done.stdout.strip().splitlines()[-1]
        n = Neo4jStore(uri, "neo4j", (home / "password").read_text().strip())
        try:
            assert snapshot(n) == want
            assert middle_weakening(n, as_of="2024-06-30").model_dump() == want_gaps
            assert leadership_chain(n, "m4", as_of="2024-06-30").model_dump() == want_chain
            records, _, _ = n.driver.execute_query(
                "MATCH ()-[r:MEMBER_OF]->() WHERE r.since IS NOT NULL "
                "RETURN DISTINCT valueType(r.since) AS t")
            assert {r["t"] for r in records} == {"DATE NOT NULL"}
        finally:
            n.close()
    finally:
        subprocess.run([str(SERVER), "stop"], capture_output=True, text=True, timeout=120,
                       env=env)


def test_bad_personal_values_are_not_echoed(tmp_path: Path) -> None:
    d = tmp_path / "csv"
    d.mkdir()
    _write(d / "n.csv", [["id:ID", ":LABEL", "name", "birth_date:date"],
                         ["p1", "Person", "甲", "1980-02-30"]])
    with EmbeddedStore(tmp_path / "g.db") as s:
        report = load_graph_csv(s, d)
    assert [(i.rule, i.value) for i in report.issues] == [("wrong_type", "p1")]
    assert "hidden: personal data" in report.issues[0].message_en
    assert "1980-02-30" not in str(report.to_dict())


def test_hand_edits_take_the_values_rosters_take(store: GraphStore, tmp_path: Path) -> None:
    """A file edited by hand in Excel: Chinese names of choices (基础网格, 男, 支部党员大会),
    dates re-saved as 2026/11/26 or typed to the month, 是 for true: all read as the
    schema says, as a roster would (before: refused)."""
    store.upsert(*tiny_street())
    d = tmp_path / "csv"
    d.mkdir()
    _write(d / "nodes_Grid.csv", [["id:ID", ":LABEL", "name", "kind"],
                                  ["g1", "Grid", "上星一格", "基础网格"]])
    _write(d / "nodes_Person.csv", [["id:ID", ":LABEL", "name", "gender", "birth_date:date",
                                     "household_registered:boolean"],
                                    ["p9", "Person", "甲", "男", "1980/1/2", "是"]])
    _write(d / "nodes_Activity.csv", [["id:ID", ":LABEL", "name", "kind", "date:date"],
                                      ["a1", "Activity", "十一月党员大会", "支部党员大会",
                                       "2026/11/26"]])
    _write(d / "rels.csv", [[":START_ID", ":END_ID", ":TYPE", "since:date"],
                            ["p9", "b1", "LIVES_IN", "2019.03"], ["br1", "a1", "HELD", ""]])
    report = load_graph_csv(store, d)
    assert report.ok and report.written, report.lines()
    assert store.get_node("g1").properties["kind"] == "base"
    p9 = store.get_node("p9").properties
    assert (p9["gender"], p9["birth_date"], p9["household_registered"]) == (
        "male", "1980-01-02", True)
    assert store.get_node("a1").properties == {"name": "十一月党员大会",
                                               "kind": "members_meeting", "date": "2026-11-26"}
    (home,) = store.neighbours("p9", ["LIVES_IN"], "out")
    assert home.rel.properties == {"since": "2019-03-01", "since_precision": "month"}


def test_a_file_excel_saved_as_gbk_loads(store: GraphStore, tmp_path: Path) -> None:
    """Opened in Excel on Chinese Windows and saved as CSV, the file is GBK: read as
    such (before: refused as not UTF-8). A file in neither says so and writes nothing."""
    store.upsert(*tiny_street())
    d = tmp_path / "csv"
    d.mkdir()
    _write(d / "nodes_Branch.csv", [["id:ID", ":LABEL", "name", "short_name"],
                                    ["br2", "Branch", "中共上星社区第二支部委员会",
                                     "上星社区第二党支部"]], encoding="gbk")
    _write(d / "rels.csv", [[":START_ID", ":END_ID", ":TYPE"], ["br2", "cc1", "SUB_ORG_OF"]],
           encoding="gbk")
    report = load_graph_csv(store, d)
    assert report.ok and report.written, report.lines()
    assert store.get_node("br2").properties == {"name": "中共上星社区第二支部委员会",
                                                "short_name": "上星社区第二党支部"}
    (d / "nodes_X.csv").write_bytes(b"id:ID,:LABEL,name\nx1,Branch,\x00\xff\xfe\n")
    before = snapshot(store)
    bad = load_graph_csv(store, d)
    assert [(i.sheet, i.rule) for i in bad.issues] == [("nodes_X.csv", "encoding")]
    assert not bad.written and snapshot(store) == before


def test_a_rejected_node_is_reported_once_with_what_depends_on_it(tmp_path: Path) -> None:
    """One bad cell (gender 未知) rejects its node only; the three relationships to that
    node are one line after the root error (before: the whole batch rejected and every
    relationship to it reported as a missing end)."""
    d = tmp_path / "csv"
    d.mkdir()
    people = [["id:ID", ":LABEL", "name", "gender"], ["ok", "Person", "甲", "女"],
              ["bad", "Person", "乙", "未知"]]
    _write(d / "nodes_Person.csv", people)
    _write(d / "nodes_Building.csv", [["id:ID", ":LABEL", "name"], ["b1", "Building", "一号楼"],
                                      ["b2", "Building", "二号楼"], ["b3", "Building", "三号楼"]])
    _write(d / "rels_LIVES_IN.csv", [[":START_ID", ":END_ID", ":TYPE"], ["bad", "b1", "LIVES_IN"],
                                     ["bad", "b2", "LIVES_IN"], ["bad", "b3", "LIVES_IN"],
                                     ["ok", "b1", "LIVES_IN"], ["ok", "b9", "LIVES_IN"]])
    with EmbeddedStore(tmp_path / "g.db") as s:
        report = load_graph_csv(s, d)
        assert [(i.sheet, i.row, i.rule, i.value) for i in report.issues] == [
            ("nodes_Person.csv", 3, "not_in_enum", "bad"),
            ("rels_LIVES_IN.csv", 6, "missing_end", "LIVES_IN:ok->b9"),  # its own error
            ("nodes_Person.csv", 3, "depends_on_rejected", "bad")]
        assert "另有 3 条关系" in report.issues[2].message_zh
        assert s.counts().nodes == 0
