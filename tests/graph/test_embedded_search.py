"""The embedded store's FTS5 index (graph/embedded_search.py): candidates come in
(rank, id) order whatever order they were written in — between neighbours, in the
tail, after a renumbering — and a store without the index gets one."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import graph.embedded_search as es
from graph.embedded import EmbeddedStore
from tests.graphs import node


def people(ids: list[str]) -> list[dict[str, object]]:
    return [node(i, "Resident", name="张三") for i in ids]


def streamed(s: EmbeddedStore, text: str = "zs") -> list[str]:
    return [c.id for c in s.search_names(text, "spell")]


def tail_rows(s: EmbeddedStore) -> int:
    return es.SearchIndex._tail_size(s._db)


@pytest.mark.parametrize("few", [64, 0])
@pytest.mark.parametrize("gap", [es.GAP, 4, 1])
def test_any_write_order_streams_in_id_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             gap: int, few: int) -> None:
    """400 people written in 20 batches of random order (gap 4: positions run out and
    some go to the tail; gap 1: every one out of order does), some renamed and some
    deleted on the way: the stream is every 张三 left, by id — whether the new ids out
    of order find their neighbours one by one (``few`` 64) or by one read (0)."""
    monkeypatch.setattr(es, "GAP", gap)
    monkeypatch.setattr(es, "LATE_FEW", few)
    monkeypatch.setattr(es, "TAIL_MAX", 10**9)  # no renumbering: the tail is read
    rng = random.Random(7)
    all_ids = [f"p{i:04d}" for i in range(400)]
    rng.shuffle(all_ids)
    with EmbeddedStore(tmp_path / "g.db") as s:
        for k in range(0, 400, 20):
            s.upsert(people(sorted(all_ids[k:k + 20])))
        s.upsert([node("p0005", "Resident", name="李四")], delete=["p0007", "p0100"])
        want = sorted(set(all_ids) - {"p0005", "p0007", "p0100"})
        assert streamed(s) == want
        assert streamed(s, "ls") == ["p0005"]
        if gap == 1:
            assert tail_rows(s) > 0  # the tail was used, and merged in order


def test_a_batch_out_of_order_costs_statements_per_rank_not_per_row(
        tmp_path: Path) -> None:
    """A roster of 3,000 new people whose ids fall among 1,000 stored ones (every
    stored id is even, every new one odd: each goes between two neighbours) is placed
    with the same few statements as one of 300: the placement once read each row's
    neighbours by id, skipping the rank's tail, and a 100,000-row roster took over ten
    minutes. Every new one is in the ordered rows (positions were free: none in the
    tail) and the stream is in id order."""
    def statements(n: int) -> int:
        with EmbeddedStore(tmp_path / f"g{n}.db") as s:
            s.upsert(people([f"p{2 * i:05d}" for i in range(1000)]))
            seen: list[str] = []
            s._db.set_trace_callback(seen.append)
            s.upsert(people([f"p{2 * i + 1:05d}" for i in range(n)]))
            s._db.set_trace_callback(None)
            assert tail_rows(s) == 0
            assert streamed(s) == sorted([f"p{2 * i:05d}" for i in range(1000)]
                                         + [f"p{2 * i + 1:05d}" for i in range(n)])
            return sum("search_docs" in q for q in seen)

    small, large = statements(300), statements(3000)
    assert large <= small + 2, (small, large)


def test_a_long_tail_is_folded_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(es, "GAP", 1)
    monkeypatch.setattr(es, "TAIL_MAX", 30)
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(people([f"p{i:03d}" for i in range(100, 200)]))
        s.upsert(people([f"p{i:03d}" for i in range(0, 40)]))  # 40 in the tail: > 30
        assert tail_rows(s) == 0
        assert streamed(s) == [f"p{i:03d}" for i in [*range(0, 40), *range(100, 200)]]


def test_ranks_come_first_then_ids(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert([node("a-1", "Building", name="上星东路1号"), node("z-1", "Community",
                                                                   name="上星社区"),
                  node("m-1", "Resident", name="上星华")])
        assert [c.id for c in s.search_names("上星", "contains")] == ["z-1", "m-1", "a-1"]
        assert [c.id for c in s.search_names("上星", "contains", ranks=[2])] == ["a-1"]


def test_a_store_made_before_the_index_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with EmbeddedStore(path) as s:
        s.upsert(people(["p1", "p2"]))
    db = sqlite3.connect(path)
    db.executescript("".join(f"DROP TABLE {t};" for t in es.TABLES))
    db.close()
    with EmbeddedStore(path, read_only=True) as ro:  # cannot write: a copy in memory
        assert streamed(ro) == ["p1", "p2"]
    with EmbeddedStore(path) as s:  # writable: made in the file
        assert es.SearchIndex.current(s._db)
        assert streamed(s) == ["p1", "p2"]
    db = sqlite3.connect(path)
    db.execute("UPDATE search_state SET value = 0")  # made by other rules: made again
    db.commit()
    db.close()
    with EmbeddedStore(path) as s:
        assert es.SearchIndex.current(s._db) and streamed(s) == ["p1", "p2"]


def test_unchanged_nodes_are_not_written_again(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(people(["p1"]))
        row = s._db.execute("SELECT row FROM search_docs WHERE id = 'p1'").fetchone()
        s.upsert([node("p1", "Resident", name="张三", phone="13800000000")])
        assert s._db.execute("SELECT row FROM search_docs WHERE id = 'p1'").fetchone() == row
        s.upsert([node("p1", "Building", name="张三")], replace=True)  # another rank
        assert [c.rank for c in s.search_names("张三", "name")] == [2]
