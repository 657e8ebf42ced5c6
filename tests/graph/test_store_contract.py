"""The store contract, run against every backend through the ``store`` fixture; its read
half also against the in-memory subgraph through ``reader``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import NodeNotFound
from graph.store import GraphStore
from tests.conftest import MakeReader
from tests.graphs import node, rel, tiny_street


def test_upsert_then_get_node_completes_labels(store: GraphStore) -> None:
    store.upsert(*tiny_street())
    p1 = store.get_node("p1")
    # PartyMember and Resident both extend Person: the canonical set is sorted.
    assert p1.labels == ("PartyMember", "Person", "Resident")
    assert p1.properties == {"name": "张三", "joined_party_on": "2020-07-01",
                             "full_member": True, "phone": "13800000000"}
    assert store.get_node("cc1").labels == ("Committee", "PartyOrg")


def test_upsert_is_idempotent(store: GraphStore) -> None:
    nodes, rels = tiny_street()
    store.upsert(nodes, rels)
    first = store.counts()
    store.upsert(nodes, rels)
    again = store.counts()
    assert (again.nodes, again.rels) == (first.nodes, first.rels) == (8, 9)
    assert again.labels == first.labels


def test_upsert_merges_labels_and_properties(store: GraphStore) -> None:
    """Merge, never replace: a second write adds its labels and properties to the
    stored ones; what it leaves out keeps its value."""
    store.upsert([node("x", "Resident", name="李四", phone="13900000000")])
    store.upsert([node("x", "PartyMember", name="李四", joined_party_on="2001-07-01")])
    x = store.get_node("x")
    assert x.labels == ("PartyMember", "Person", "Resident")
    assert x.properties == {"name": "李四", "joined_party_on": "2001-07-01",
                            "phone": "13900000000"}
    c = store.counts()
    assert c.labels["Resident"] == 1 and c.labels["PartyMember"] == 1


def test_upsert_replace_makes_the_item_exactly_as_given(store: GraphStore) -> None:
    store.upsert([node("x", "Resident", name="李四", phone="13900000000")])
    store.upsert([node("x", "PartyMember", name="李四", joined_party_on="2001-07-01")],
                 replace=True)
    x = store.get_node("x")
    assert x.labels == ("PartyMember", "Person")
    assert x.properties == {"name": "李四", "joined_party_on": "2001-07-01"}
    assert store.counts().labels.get("Resident", 0) == 0


def test_relationship_ids_default_and_explicit(store: GraphStore) -> None:
    store.upsert([node("p", "Person"), node("ws", "Workstation")], [
        rel("HOLDS_POST", "p", "ws", "post-1", title="站长", since="2017-01-01",
            until="2020-12-31"),
        rel("HOLDS_POST", "p", "ws", "post-2", title="站长", since="2021-01-01"),
    ])
    posts = store.neighbours("p", ["HOLDS_POST"], "out")
    assert [(n.rel.id, n.rel.properties.get("until")) for n in posts] == [
        ("post-1", "2020-12-31"), ("post-2", None)]
    store.upsert([], [])  # an empty batch is fine
    assert store.counts().rels == 2


def test_relationship_replaced_with_new_end_moves(store: GraphStore) -> None:
    store.upsert([node("p", "Person"), node("b1", "Building"), node("b2", "Building")],
                 [rel("LIVES_IN", "p", "b1", "home")])
    store.upsert([], [rel("LIVES_IN", "p", "b2", "home")])
    assert [n.node.id for n in store.neighbours("p", ["LIVES_IN"])] == ["b2"]
    assert store.neighbours("b1") == []
    assert store.counts().rels == 1


def test_neighbours_filters_and_order(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    both = store.neighbours("br1")
    assert [(n.direction, n.rel.type, n.node.id) for n in both] == [
        ("out", "COVERS", "rg1"),
        ("out", "SUB_ORG_OF", "cc1"),
        ("in", "MEMBER_OF", "p1"),
    ]
    assert [n.node.id for n in store.neighbours("br1", direction="in")] == ["p1"]
    assert [n.node.id for n in store.neighbours("br1", ["SUB_ORG_OF", "MEMBER_OF"], "out")] == [
        "cc1"]
    assert [n.node.id for n in store.neighbours("c1", labels=["PartyOrg"])] == ["cc1"]
    covers = store.neighbours("rg1", ["COVERS"], "in")[0]
    assert (covers.rel.start, covers.rel.end, covers.rel.properties) == (
        "br1", "rg1", {"since": "2018-01-01"})
    assert store.neighbours("br1", ["LIVES_IN"]) == []


def test_nodes_by_label_sorted_including_sublabels(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    assert [n.id for n in store.nodes("PartyOrg")] == ["br1", "cc1", "pwc"]
    assert [n.id for n in store.nodes("Branch")] == ["br1"]
    assert list(store.nodes("Enterprise")) == []


def test_rels_by_type_sorted_by_id_with_properties(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    part_of = list(store.rels("PART_OF"))
    assert [r.id for r in part_of] == ["PART_OF:b1->rg1", "PART_OF:c1->street",
                                       "PART_OF:rg1->c1"]
    assert (part_of[0].start, part_of[0].end, part_of[0].properties) == ("b1", "rg1", {})
    (covers,) = store.rels("COVERS")
    assert (covers.start, covers.end, covers.properties) == ("br1", "rg1",
                                                             {"since": "2018-01-01"})
    assert list(store.rels("MENTORS")) == [] and list(store.rels("NO_SUCH")) == []


def test_rels_pages_through_many(store: GraphStore) -> None:
    from graph.neo4j_store import Neo4jStore

    nodes = [{"id": f"p{i:03d}", "labels": ["Person"], "properties": {"name": f"p{i}"}}
             for i in range(120)] + [{"id": "b", "labels": ["Building"],
                                      "properties": {"name": "b"}}]
    rels = [{"type": "LIVES_IN", "start": f"p{i:03d}", "end": "b"} for i in range(120)]
    store.upsert(nodes, rels)
    got = list(store.rels("LIVES_IN", page=50) if isinstance(store, Neo4jStore)
               else store.rels("LIVES_IN"))
    assert [r.start for r in got] == [f"p{i:03d}" for i in range(120)]


def test_counts_by_label_and_type(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    c = store.counts()
    assert (c.nodes, c.rels) == (8, 9)
    assert c.labels["PartyOrg"] == 3 and c.labels["Person"] == 1
    assert c.labels["Committee"] == 1 and "Enterprise" not in c.labels
    assert c.relationships == {"COVERS": 1, "LEADS": 1, "LIVES_IN": 1, "MEMBER_OF": 1,
                               "PART_OF": 3, "SUB_ORG_OF": 2}


def test_missing_node_raises_node_not_found(reader: MakeReader) -> None:
    store = reader()
    with pytest.raises(NodeNotFound, match="'nope'"):
        store.get_node("nope")
    with pytest.raises(NodeNotFound):
        store.neighbours("nope")
    assert store.get_nodes(["nope"]) == {}


def test_get_nodes_returns_existing_only(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    got = store.get_nodes(["c1", "zz", "p1"])
    assert sorted(got) == ["c1", "p1"] and got["c1"].name == "上星社区"


def test_relationship_to_node_of_earlier_batch(store: GraphStore) -> None:
    store.upsert([node("c1", "Community"), node("s", "Street")])
    store.upsert([], [rel("PART_OF", "c1", "s")])
    assert [n.node.id for n in store.neighbours("s", ["PART_OF"], "in")] == ["c1"]


def test_meta_round_trip(store: GraphStore) -> None:
    assert store.get_meta("scenario") is None
    store.put_meta("scenario", {"planted": {"hollow": ["rg1"]}, "名": "新桥"})
    assert store.get_meta("scenario") == {"planted": {"hollow": ["rg1"]}, "名": "新桥"}


def test_adjacent_matches_neighbours_without_properties(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    adj = store.adjacent("br1")
    nbs = store.neighbours("br1")
    assert [(a.direction, a.rel.id, a.other, a.other_labels) for a in adj] == [
        (n.direction, n.rel.id, n.node.id, n.node.labels) for n in nbs]
    assert [a.other for a in store.adjacent("b1", ["LIVES_IN"], "in", ["PartyMember"])] == ["p1"]
    assert store.adjacent("b1", ["LIVES_IN"], "in", ["Cadre"]) == []
    assert store.adjacent("p1", ["MEMBER_OF"])[0].rel.properties == {
        "role": "secretary", "since": "2021-01-01"}


def test_adjacent_many(reader: MakeReader) -> None:
    store = reader(*tiny_street())
    many = store.adjacent_many(["br1", "nope", "b1"], ["MEMBER_OF", "COVERS", "LIVES_IN"])
    assert sorted(many) == ["b1", "br1"]
    assert [(a.direction, a.rel.type, a.other) for a in many["br1"]] == [
        ("out", "COVERS", "rg1"), ("in", "MEMBER_OF", "p1")]
    assert [a.other for a in many["b1"]] == ["p1"]
    assert many["br1"] == store.adjacent("br1", ["MEMBER_OF", "COVERS", "LIVES_IN"])
    assert store.adjacent_many([]) == {}


def test_count_current(reader: MakeReader) -> None:
    """Building b as of 2025-01-01: r1 lives there (no dates), r2 moved out on the day
    (until == day: gone), r3 moves in later, r4 since 2020, staff s (not a Resident)
    since 2020; b2 has nobody."""
    store = reader(
        [node("b", "Building"), node("b2", "Building"), node("s", "Person")]
        + [node(f"r{i}", "Resident") for i in range(1, 5)],
        [rel("LIVES_IN", "r1", "b"), rel("LIVES_IN", "r2", "b", until="2025-01-01"),
         rel("LIVES_IN", "r3", "b", since="2025-01-02"),
         rel("LIVES_IN", "r4", "b", since="2020-01-01"),
         rel("LIVES_IN", "s", "b", since="2020-01-01"), rel("LIVES_IN", "r2", "b2",
                                                           since="2025-01-01")])
    day = "2025-01-01"
    assert store.count_current(["b", "b2", "nope"], "LIVES_IN", "in", ["Resident"], day) == {
        "b": 2, "b2": 1}
    assert store.count_current(["b"], "LIVES_IN", "in", None, day) == {"b": 3}
    assert store.count_current(["b"], "LIVES_IN", "in", None, "2019-12-31") == {"b": 2}
    assert store.count_current(["r2", "r3"], "LIVES_IN", "out", None, day) == {"r2": 1, "r3": 0}
    assert store.count_current(["b"], "HEADS", "in", None, day) == {"b": 0}
    assert store.count_current([], "LIVES_IN", "in", None, day) == {}


def test_count_any_counts_each_node_once(reader: MakeReader) -> None:
    """Two communities, each: mA1 (party member and resident), mA2 (member), rA1, rA2
    (residents); and the street's sW (member): 2 × 4 + 1 = 9, mA1 once. Grid workers
    and deployed staff: gwA, gwB, dA, dB."""
    from tests.graphs import two_communities

    store = reader(*two_communities())
    assert store.count_any(["Resident", "PartyMember"]) == 9
    assert store.count_any(["GridWorker", "DeployedStaff"]) == 4
    assert store.count_any(["Resident"]) == 6
    assert store.count_any([]) == 0


def test_each_backend_stands_on_its_rung(store: GraphStore, tmp_path: Path) -> None:
    """``isinstance`` with a rung tells what a store can do: every store reads and
    writes; only the Neo4j store runs Cypher; a subgraph only reads."""
    from graph.store import CypherStore, GraphReader, runs_cypher
    from graph.subgraph import Subgraph

    assert isinstance(store, GraphReader) and isinstance(store, GraphStore)
    assert isinstance(store, CypherStore) == (type(store).__name__ == "Neo4jStore")
    view = Subgraph(store.schema, [], [])
    assert isinstance(view, GraphReader)
    assert not isinstance(view, GraphStore) and not isinstance(view, CypherStore)
    assert view.version() != Subgraph(store.schema, [], []).version()
    # the remembered check agrees with isinstance, asked twice (the second from memory)
    for _ in range(2):
        assert runs_cypher(store) == isinstance(store, CypherStore)
        assert runs_cypher(view) is False
