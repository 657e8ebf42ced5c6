"""Every bad-input rule: the error names the item and the rule, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import NodeNotFound, ValidationError
from graph.store import GraphStore
from tests.graphs import node, rel, tiny_street


def snapshot(store: GraphStore) -> tuple[Any, ...]:
    c = store.counts()
    nodes = {n.id: (n.labels, n.properties) for lab in ("Person", "Community", "Building",
                                                         "PartyOrg", "ResidentGroup", "Street")
             for n in store.nodes(lab)}
    rels = sorted((nb.rel.id, nb.rel.type, tuple(sorted(nb.rel.properties.items())))
                  for nid in nodes for nb in store.neighbours(nid, direction="out"))
    return c.nodes, c.rels, c.labels, c.relationships, nodes, rels


@pytest.fixture
def seeded(store: GraphStore) -> GraphStore:
    store.upsert(*tiny_street())
    return store


def rejected(store: GraphStore, nodes: list[Any], rels: list[Any]) -> ValidationError:
    """Upsert a batch that must fail; check it wrote nothing; return the error."""
    before = snapshot(store)
    with pytest.raises(ValidationError) as info:
        store.upsert(nodes, rels)
    assert snapshot(store) == before
    return info.value


# A good node rides along in every bad batch, to show the batch is rejected whole.
GOOD = node("new-building", "Building", name="新楼")


def test_unknown_label(seeded: GraphStore) -> None:
    e = rejected(seeded, [GOOD, node("x1", "Spaceship", name="飞船")], [])
    [v] = e.violations
    assert (v.item, v.rule, v.label) == ("x1", "unknown_label", "Spaceship")
    assert "label 'Spaceship' is not in the schema" in str(e)
    with pytest.raises(NodeNotFound):
        seeded.get_node("new-building")


def test_unknown_relationship_type(seeded: GraphStore) -> None:
    e = rejected(seeded, [GOOD], [rel("LOVES", "p1", "b1")])
    [v] = e.violations
    assert (v.item, v.rule) == ("LOVES:p1->b1", "unknown_relationship_type")
    assert "relationship type 'LOVES' is not in the schema" in v.message


def test_missing_required_property(seeded: GraphStore) -> None:
    # A Grid needs its kind; a party member needs joined_party_on; MEMBER_OF needs role
    # (p1 is a member of br1 already: a membership of cc1 is a new one).
    e = rejected(seeded, [GOOD, node("g9", "Grid", name="九格"),
                          {"id": "pm9", "labels": ["PartyMember"], "properties": {"name": "王五"}}],
                 [rel("MEMBER_OF", "p1", "cc1", "m2")])
    got = sorted((v.item, v.rule, v.label, v.field) for v in e.violations)
    assert got == [
        ("g9", "missing_required", "Grid", "kind"),
        ("m2", "missing_required", "MEMBER_OF", "role"),
        ("pm9", "missing_required", "PartyMember", "joined_party_on"),
    ]
    assert "required property 'kind' is missing" in str(e)


def test_missing_name_is_missing_required(seeded: GraphStore) -> None:
    e = rejected(seeded, [{"id": "b9", "labels": ["Building"], "properties": {}}], [])
    assert [(v.item, v.rule, v.field) for v in e.violations] == [
        ("b9", "missing_required", "name")]


def test_wrong_property_type(seeded: GraphStore) -> None:
    e = rejected(seeded, [
        GOOD,
        node("c9", "Community", name="新二", area_km2="big"),
        node("b9", "Building", name="楼", rental="也许"),  # 是/否, yes/no are fine
        node("p9", "PartyMember", name="赵六", joined_party_on="2020-13-01"),
        node("g9", "Grid", name="格", kind="square"),
    ], [rel("MEMBER_OF", "p1", "br1", "m9", role="member", since=20200101)])
    got = sorted((v.item, v.rule, v.field) for v in e.violations)
    assert got == [
        ("b9", "wrong_type", "rental"),
        ("c9", "wrong_type", "area_km2"),
        ("g9", "not_in_enum", "kind"),
        ("m9", "wrong_type", "since"),
        ("p9", "wrong_type", "joined_party_on"),
    ]
    msgs = {v.item: v.message for v in e.violations}
    assert msgs["c9"] == "property 'area_km2' must be a number, got str (value 'big')"
    assert "must be one of ['base', 'fire', 'police', 'security', 'sub', 'traffic']" in msgs["g9"]
    assert "valid date" in msgs["p9"]


def test_unknown_property(seeded: GraphStore) -> None:
    e = rejected(seeded, [node("b9", "Building", name="楼", colour="red")], [])
    [v] = e.violations
    assert (v.item, v.rule, v.field) == ("b9", "unknown_property", "colour")
    assert "property 'colour' is not defined for Building" in v.message


def test_relationship_end_node_missing(seeded: GraphStore) -> None:
    e = rejected(seeded, [GOOD], [rel("LIVES_IN", "p1", "ghost-building")])
    [v] = e.violations
    assert (v.item, v.rule, v.field) == ("LIVES_IN:p1->ghost-building", "missing_end", "end")
    assert "end node 'ghost-building' does not exist" in v.message


def test_relationship_end_labels_not_allowed(seeded: GraphStore) -> None:
    # A branch may cover a resident group, not a building; a building may not be a member.
    e = rejected(seeded, [GOOD], [rel("COVERS", "br1", "b1"), rel("MEMBER_OF", "b1", "br1",
                                                                   role="member")])
    got = sorted((v.item, v.rule) for v in e.violations)
    assert got == [("COVERS:br1->b1", "end_not_allowed"), ("MEMBER_OF:b1->br1", "end_not_allowed")]
    msg = next(v.message for v in e.violations if v.item == "COVERS:br1->b1")
    assert msg.startswith("COVERS may not go from (Branch|PartyOrg) to (Building)")
    assert "allowed: (Branch)->(ResidentGroup)" in msg


def test_end_labels_checked_against_nodes_in_same_batch(seeded: GraphStore) -> None:
    e = rejected(seeded, [node("e1", "Enterprise", name="厂")], [rel("PART_OF", "e1", "c1")])
    assert [v.rule for v in e.violations] == ["end_not_allowed"]


def test_duplicate_ids_in_batch(seeded: GraphStore) -> None:
    e = rejected(seeded, [GOOD, node("d1", "Building", name="甲"), node("d1", "Building",
                                                                        name="乙")],
                 [rel("PART_OF", "b1", "rg1", "r1"), rel("IN_GRID", "b1", "rg1", "r1")])
    got = sorted((v.item, v.rule) for v in e.violations)
    assert got == [("d1", "duplicate_id"), ("r1", "duplicate_id")]
    assert "id 'd1' appears more than once in this batch" in str(e)


def test_missing_id_and_labels(seeded: GraphStore) -> None:
    e = rejected(seeded, [{"labels": ["Building"], "properties": {"name": "x"}},
                          {"id": "nl", "labels": [], "properties": {"name": "x"}},
                          {"id": "sl", "labels": "Building", "properties": {"name": "x"}}], [])
    assert sorted((v.item, v.rule) for v in e.violations) == [
        ("#0", "missing_id"), ("nl", "no_labels"), ("sl", "no_labels")]


def test_id_as_property_is_rejected(seeded: GraphStore) -> None:
    e = rejected(seeded, [node("b9", "Building", name="楼", id="other")], [])
    assert [(v.rule, v.field) for v in e.violations] == [("unknown_property", "id")]


def test_one_bad_item_rejects_the_whole_batch(seeded: GraphStore) -> None:
    nodes = [node(f"nb{i}", "Building", name=f"楼{i}") for i in range(100)]
    nodes.append(node("nb-bad", "Building", name="坏", floors=2.5))
    rejected(seeded, nodes, [rel("PART_OF", f"nb{i}", "rg1") for i in range(100)])
    assert seeded.get_nodes([f"nb{i}" for i in range(100)]) == {}


def test_a_membership_does_not_move_to_another_person(seeded: GraphStore) -> None:
    """A hand-edited row giving p1's membership (its id) to someone else would hand
    them p1's past as secretary: refused (a home, with no history, may move)."""
    seeded.upsert([node("p2", "PartyMember", name="李四", joined_party_on="2022-07-01")])
    e = rejected(seeded, [], [rel("MEMBER_OF", "p2", "br1", "MEMBER_OF:p1->br1",
                                  role="member")])
    assert [(v.item, v.rule) for v in e.violations] == [("MEMBER_OF:p1->br1", "cannot_move")]


def test_a_precision_the_date_contradicts(seeded: GraphStore) -> None:
    """A date known to the month is stored as its first day: 1980-05-17 said to be
    known only to the month is a contradiction, and the birth date is not shown."""
    e = rejected(seeded, [GOOD, node("p9", "Person", name="赵六", birth_date="1980-05-17",
                                     birth_date_precision="month"),
                          node("p8", "PartyMember", name="钱七", joined_party_on="2001-07-01",
                               joined_party_on_precision="year")], [])
    got = sorted((v.item, v.rule, v.field) for v in e.violations)
    assert got == [("p8", "precision", "joined_party_on_precision"),
                   ("p9", "precision", "birth_date_precision")]
    msgs = {v.item: v.message for v in e.violations}
    assert "1980" not in msgs["p9"] and "hidden" in msgs["p9"]
    assert "'2001-07-01'" in msgs["p8"]
    # the first day of the month (of the year) agrees
    seeded.upsert([node("p9", "Person", name="赵六", birth_date="1980-05-01",
                        birth_date_precision="month")])
    assert seeded.get_node("p9").properties["birth_date_precision"] == "month"
