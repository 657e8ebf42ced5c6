"""Name search: Chinese, pinyin, initials, polyphonic surnames, and the index kept in
step with every write (the ranking itself: tests/queries/test_search_ranking.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypedDict, Unpack

import pytest

import queries.search as qs
from graph.errors import InvalidParameter
from graph.store import GraphStore
from tests.graphs import node


@pytest.fixture
def people(store: GraphStore) -> GraphStore:
    store.upsert([node("p1", "Person", name="张三"), node("p2", "Person", name="曾小明"),
                  node("p3", "Person", name="单田芳"), node("p4", "Person", name="张珊珊"),
                  node("c1", "Community", name="上星社区")])
    return store


class SearchArgs(TypedDict, total=False):
    """What a test passes on to ``queries.search.search`` (its defaults otherwise)."""

    labels: Sequence[str] | None
    limit: int
    visible: Callable[[str, list[str]], bool] | None


def ids(store: GraphStore, q: str, **kw: Unpack[SearchArgs]) -> list[str]:
    return [h.node.id for h in qs.search(store, q, **kw)]


def test_chinese_pinyin_and_initials(people: GraphStore) -> None:
    assert ids(people, "张三") == ["p1"]
    assert ids(people, "zhangsan") == ["p1"]
    assert ids(people, "zs") == ["p1", "p4"]  # initials, then initials prefix (zss)
    assert ids(people, "张珊") == ["p4"]  # a 2-character name prefix
    # one character finds exact names and organisations and places only (the trigram
    # index needs 3; 张 alone would list 33,000 people at street scale)
    assert ids(people, "张") == [] and ids(people, "上") == ["c1"]
    assert ids(people, "zhang") == ["p1", "p4"]
    assert ids(people, "ZhangSan") == ["p1"]  # case and spaces do not matter
    assert ids(people, "zhang san") == ["p1"]
    assert ids(people, "zss") == ["p4"]
    assert ids(people, "shangxing") == ["c1"]


def test_polyphonic_surnames(people: GraphStore) -> None:
    assert ids(people, "zengxiaoming") == ids(people, "cengxiaoming") == ["p2"]
    assert ids(people, "shantianfang") == ids(people, "dtf") == ["p3"]


def test_ranking_and_labels(people: GraphStore) -> None:
    hits = qs.search(people, "zs")
    assert [(h.node.id, h.match) for h in hits] == [("p1", "initials"),
                                                     ("p4", "initials_prefix")]
    assert ids(people, "s", labels=["Community"]) == ["c1"]
    with pytest.raises(InvalidParameter, match="unknown label"):
        qs.search(people, "s", labels=["Martian"])
    with pytest.raises(InvalidParameter, match="empty"):
        qs.search(people, "  ")


def test_index_follows_writes(people: GraphStore) -> None:
    assert ids(people, "ls") == []
    people.upsert([node("p5", "Person", name="李四")])
    assert ids(people, "ls") == ["p5"]
    people.upsert([node("p5", "Person", name="王五")])  # renamed: the old keys go
    assert ids(people, "ls") == [] and ids(people, "ww") == ["p5"]
    people.upsert(delete=["p5"])
    assert ids(people, "ww") == []


def test_a_write_is_found_by_every_band_and_form_that_reads_the_same_index_query(
        people: GraphStore) -> None:
    """Neo4j keeps a full-text query's candidates for the bands of one search that read
    the same query (a name's exact and contains bands) and for the next search: a
    write of this process must reach a flat search, a grouped one and a longer name
    holding the name, each asked first after the write."""
    assert ids(people, "周舒") == [] and qs.search_grouped(people, "周舒").total == 0
    people.upsert([node("p7", "Person", name="周舒"), node("p8", "Person", name="周舒雅")])
    assert qs.search_grouped(people, "周舒").total == 2  # the exact name, and within one
    assert ids(people, "周舒") == ["p7", "p8"]
    people.upsert([node("p8", "Person", name="王雅")])
    assert ids(people, "周舒") == ["p7"]


def test_a_unit_rolled_back_leaves_nothing_to_find(people: GraphStore) -> None:
    """The index is written in the batch's own transaction (embedded) or with its
    nodes (Neo4j): a load that fails leaves no key behind."""
    with pytest.raises(RuntimeError), people.unit():
        people.upsert([node("p6", "Person", name="周舒")])
        raise RuntimeError("the load fails")
    assert ids(people, "周舒") == [] and ids(people, "zs") == ["p1", "p4"]


def test_scans_stop_at_the_limit_and_keep_the_smallest_ids(store: GraphStore) -> None:
    """30 people named 欧阳小明, stored in reverse id order: "阳小明" (a substring) and
    "yangxiaoming" (inside the pinyin) rank them by id, so limit 5 gives p00-p04 — and
    with p00 and p02 hidden, p01, p03-p06 (a hidden node takes no place)."""
    store.upsert([node(f"p{i:02d}", "Person", name="欧阳小明") for i in reversed(range(30))])
    hidden = {"p00", "p02"}
    for q, match in (("阳小明", "name_contains"), ("yangxiaoming", "pinyin_contains")):
        hits = qs.search(store, q, limit=5)
        assert [h.node.id for h in hits] == ["p00", "p01", "p02", "p03", "p04"], q
        assert {h.match for h in hits} == {match}
        assert ids(store, q, limit=5, visible=lambda i, _labels: i not in hidden) == [
            "p01", "p03", "p04", "p05", "p06"]


def test_kept_answers_are_kept_per_caller_scope(store: GraphStore) -> None:
    """An analyst's search fills the answer cache first; the community token asking the
    same question still sees only its own community, the consumer no person."""
    from tests.api_helpers import client_for
    from tests.graphs import two_communities

    store.upsert(*two_communities())

    def found(role: str, community: str | None = None, limit: int = 20) -> list[str]:
        with client_for(store, role, community) as c:
            r = c.get("/api/v1/search", params={"q": "居民甲", "limit": limit})
            assert r.status_code == 200, r.text
            return [h["node"]["id"] for h in r.json()]

    assert found("analyst") == ["rA1", "rB1"]
    assert found("analyst", limit=1) == ["rA1"]
    # limit 1: an answer kept for another scope would give rA1, which redaction then
    # removes: [] instead of the community's own rB1
    assert found("community", "cB", limit=1) == ["rB1"]
    assert found("community", "cA") == ["rA1"]
    assert found("community", "cB") == ["rB1"]
    assert found("consumer") == []
    assert found("analyst") == ["rA1", "rB1"]


@pytest.mark.parametrize("store", ["neo4j"], indirect=True)
def test_nodes_a_bulk_import_wrote_get_their_keys(store: GraphStore) -> None:
    """``neo4j-admin import`` writes nodes past the write path, without search keys: the
    store's first open (init_schema) gives them theirs."""
    from graph.neo4j_store import Neo4jStore

    assert isinstance(store, Neo4jStore)
    store._run(True, lambda tx: tx.run(
        "CREATE (:GovNode:Person:Resident {id: 'imported-1', name: '王五'}), "
        "(:GovNode:Community {id: 'imported-2', name: '上星社区'})").consume())
    assert ids(store, "王五") == [] and ids(store, "ww") == []
    store.init_schema()
    assert ids(store, "王五") == ["imported-1"] and ids(store, "ww") == ["imported-1"]
    assert ids(store, "上星") == ["imported-2"]  # its short name too
    assert "search_spell" not in store.get_node("imported-1").properties  # never shown
