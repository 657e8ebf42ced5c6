"""What only the embedded store has: the file survives, one writer, read-only opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import GraphError, StoreUnavailable
from graph.store import open_store, store_kind
from tests.graphs import tiny_street


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
