"""What only the embedded store has: the file survives, one writer, read-only opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import GraphError, StoreUnavailable
from graph.store import open_store, store_kind
from tests.graphs import node, rel, tiny_street


def test_reopen_rebuilds_index_from_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as s:
        s.upsert(*tiny_street())
        before = s.counts()
    with EmbeddedStore(path) as s:
        after = s.counts()
        assert (after.nodes, after.rels, after.labels) == (before.nodes, before.rels,
                                                           before.labels)
        assert [n.node.id for n in s.neighbours("br1", ["COVERS"])] == ["rg1"]
        assert s.get_node("p1").properties["joined_party_on"] == "2020-07-01"
        mode = s._db.execute("PRAGMA journal_mode").fetchone()[0]
        sync = s._db.execute("PRAGMA synchronous").fetchone()[0]
        assert (mode, sync) == ("wal", 2)  # 2 = FULL


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as s:
        s.upsert(*tiny_street())
        with pytest.raises(StoreUnavailable, match="open for writing by another process"):
            EmbeddedStore(path)
        with EmbeddedStore(path, read_only=True) as ro:  # readers need no lock
            assert ro.counts().nodes == 8
            with pytest.raises(GraphError, match="read-only"):
                ro.upsert(*tiny_street())
    EmbeddedStore(path).close()  # the lock went with the first store


def test_read_only_on_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="does not exist"):
        EmbeddedStore(tmp_path / "nope.db", read_only=True)


def test_store_setting_chooses_backend(tmp_path: Path) -> None:
    import socket

    assert store_kind(str(tmp_path / "x.db")) == "embedded"
    for url in ("bolt://localhost:7687", "neo4j://h:7687", "neo4j+s://h"):
        assert store_kind(url) == "neo4j"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreUnavailable, match="unavailable"):
        open_store(f"bolt://127.0.0.1:{port}")
    with pytest.raises(GraphError, match="unknown URL scheme"):
        open_store("http://localhost:7474")


def _hops(s: EmbeddedStore, nid: str, types: list[str] | None, direction: str = "in",
          labels: list[str] | None = None) -> list[tuple[str, str, str]]:
    return [(a.rel.type, a.other, str(a.rel.properties.get("since", "")))
            for a in s.adjacent(nid, types, direction, labels)]  # type: ignore[arg-type]


def test_walk_of_a_node_with_many_neighbours_sees_every_write(tmp_path: Path) -> None:
    """A building of 40 residents is walked through its relationships grouped by type
    (past 32 neighbours): its head among them, each write seen at the next walk."""
    nodes, rels = tiny_street()
    nodes += [node(f"r{i:02d}", "Resident", name=f"住户{i}") for i in range(40)]
    nodes.append(node("h1", "Resident", "BuildingHead", name="楼长甲"))
    rels += [rel("LIVES_IN", f"r{i:02d}", "b1", since="2020-01-01") for i in range(40)]
    rels.append(rel("HEADS", "h1", "b1", since="2021-01-01"))
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(nodes, rels)
        # 40 residents + 张三 + the head: 42 in, more than the 32 walked one by one
        assert _hops(s, "b1", ["HEADS"]) == [("HEADS", "h1", "2021-01-01")]
        assert len(_hops(s, "b1", ["LIVES_IN"])) == 41
        assert _hops(s, "b1", ["HEADS", "LIVES_IN"], labels=["PartyMember"]) == [
            ("LIVES_IN", "p1", "2019-03-01")]
        # a second head, and the first head's date changed
        s.upsert([node("h2", "Resident", "BuildingHead", name="楼长乙")],
                 [rel("HEADS", "h2", "b1", since="2024-01-01"),
                  rel("HEADS", "h1", "b1", since="2021-06-01")])
        assert _hops(s, "b1", ["HEADS"]) == [("HEADS", "h1", "2021-06-01"),
                                              ("HEADS", "h2", "2024-01-01")]
        s.upsert([node("h3", "Resident", "BuildingHead", name="楼长丙")],
                 [rel("HEADS", "h3", "b1", since="2025-01-01")])  # only the new one
        assert [h[1] for h in _hops(s, "b1", ["HEADS"])] == ["h1", "h2", "h3"]
        s.upsert(delete=["h1", "h3"])
        assert _hops(s, "b1", ["HEADS"]) == [("HEADS", "h2", "2024-01-01")]
        # a resident deleted: gone from the building's grouped walk
        s.upsert(delete=["r00"])
        assert len(_hops(s, "b1", ["LIVES_IN"])) == 40
        assert "r00" not in {h[1] for h in _hops(s, "b1", ["LIVES_IN"])}
        # the grouped walk answers as the walk over every relationship does
        every = [h for h in _hops(s, "b1", None) if h[0] in ("HEADS", "LIVES_IN")]
        assert _hops(s, "b1", ["LIVES_IN", "HEADS"]) == every
        # the same from the start of many relationships: a committee evaluating 35
        s.upsert([node(f"d{i:02d}", "DeployedStaff", name=f"下沉{i}") for i in range(35)],
                 [rel("EVALUATES", "cc1", f"d{i:02d}") for i in range(34)])
        assert len(_hops(s, "cc1", ["EVALUATES"], "out")) == 34
        s.upsert([], [rel("EVALUATES", "cc1", "d34")])
        assert len(_hops(s, "cc1", ["EVALUATES"], "out")) == 35
    with EmbeddedStore(tmp_path / "g.db") as s:  # grouped when the index is built
        assert ("b1", "in") in s._typed
        assert _hops(s, "b1", ["HEADS"]) == [("HEADS", "h2", "2024-01-01")]
        assert len(_hops(s, "b1", ["LIVES_IN"])) == 40
