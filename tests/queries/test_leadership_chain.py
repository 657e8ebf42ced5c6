"""Leadership chains on tests.graphs.governance(), each worked out by hand."""

from __future__ import annotations

import pytest

from graph.errors import NodeNotFound
from graph.store import GraphStore
from queries.leadership_chain import leadership_chain
from tests.graphs import governance, node, rel

DAY = "2024-06-30"


@pytest.fixture
def gov(store: GraphStore) -> GraphStore:
    store.upsert(*governance())
    return store


def walk(gov: GraphStore, start: str, day: str = DAY) -> list[tuple[str, str | None, str | None]]:
    """(node, relationship that reached it, leader) per step."""
    c = leadership_chain(gov, start, as_of=day)
    return [(s.node.id, s.reached_by.type if s.reached_by else None,
             s.leader.id if s.leader else None) for s in c.steps]


def breaks(gov: GraphStore, start: str, day: str = DAY) -> list[tuple[str, str]]:
    return [(b.node_id, b.reason) for b in leadership_chain(gov, start, as_of=day).breaks]


def test_party_member_chain_complete(gov: GraphStore) -> None:
    assert walk(gov, "m2") == [("m2", None, None), ("brOK", "MEMBER_OF", "m1"),
                               ("ccA", "SUB_ORG_OF", "sA"), ("pwc", "SUB_ORG_OF", "sW")]
    c = leadership_chain(gov, "m2", as_of=DAY)
    assert c.complete and c.reached_top and c.breaks == []
    leader = c.steps[1].leader
    assert leader is not None
    assert leader.role == "secretary" and c.steps[1].node.label_zh == "党支部"


def test_branch_without_secretary_is_a_break(gov: GraphStore) -> None:
    assert walk(gov, "m6")[1] == ("brNoSec", "MEMBER_OF", None)
    assert breaks(gov, "m6") == [("brNoSec", "no_secretary")]
    c = leadership_chain(gov, "m6", as_of=DAY)
    assert c.reached_top and not c.complete
    assert c.breaks[0].message_zh == "党组织无书记"


def test_resident_chain_through_building_and_grid(gov: GraphStore) -> None:
    assert walk(gov, "r1") == [("r1", None, None), ("bA1", "LIVES_IN", "h1"),
                               ("gridA1", "IN_GRID", "w1"), ("cA", "IN", None),
                               ("ccA", "LEADS", "sA"), ("pwc", "SUB_ORG_OF", "sW")]
    assert breaks(gov, "r1") == []
    led = leadership_chain(gov, "r1", as_of=DAY).steps[4].reached_by
    assert led is not None
    assert (led.from_id, led.direction) == ("cA", "in")  # the committee leads the community


def test_building_without_head_and_grid_without_worker(gov: GraphStore) -> None:
    assert [s[0] for s in walk(gov, "r21")] == ["r21", "bA2", "gridA2", "cA", "ccA", "pwc"]
    assert breaks(gov, "r21") == [("bA2", "building_without_head"),
                                  ("gridA2", "grid_without_worker")]


def test_sub_grid_goes_through_its_base_grid(gov: GraphStore) -> None:
    assert [s[0] for s in walk(gov, "gsub")] == ["gsub", "gridA1", "cA", "ccA", "pwc"]
    assert breaks(gov, "gsub") == [("gsub", "grid_without_worker")]


def test_enterprise_with_and_without_party_org(gov: GraphStore) -> None:
    assert walk(gov, "e1") == [("e1", None, None), ("brEnt", "EMBEDDED_IN", "e-s"),
                               ("ccA", "SUB_ORG_OF", "sA"), ("pwc", "SUB_ORG_OF", "sW")]
    assert [s[0] for s in walk(gov, "e2")] == ["e2", "cA", "ccA", "pwc"]
    assert breaks(gov, "e2") == [("e2", "no_party_org")]


def test_deployed_staff_department_and_evaluating_committee(gov: GraphStore) -> None:
    assert walk(gov, "d1") == [("d1", None, None), ("dept1", "FROM_DEPT", "chief1"),
                               ("cA", "DEPLOYED_TO", None), ("ccA", "LEADS", "sA"),
                               ("pwc", "SUB_ORG_OF", "sW")]
    assert leadership_chain(gov, "d1", as_of=DAY).complete
    assert breaks(gov, "d2") == [("ccA", "not_evaluated")]
    reached = leadership_chain(gov, "d1", as_of=DAY).steps[2].reached_by
    assert reached is not None
    assert reached.from_id == "d1"  # deployed to, from the staff member, not the department


def test_hollow_group_falls_back_to_its_community(gov: GraphStore) -> None:
    assert [s[0] for s in walk(gov, "gA4")] == ["gA4", "cA", "ccA", "pwc"]
    assert breaks(gov, "gA4") == [("gA4", "group_without_leader"), ("gA4", "group_not_covered")]
    assert walk(gov, "gA5")[:2] == [("gA5", None, "l5"), ("brBig", "COVERS", "x00")]


def test_every_party_organisation(gov: GraphStore) -> None:
    assert walk(gov, "ccA") == [("ccA", None, "sA"), ("pwc", "SUB_ORG_OF", "sW")]
    assert walk(gov, "pwc") == [("pwc", None, "sW")]
    assert leadership_chain(gov, "pwc", as_of=DAY).complete


def test_as_of_and_ended_membership(gov: GraphStore) -> None:
    # sA became committee secretary in 2022.
    assert breaks(gov, "m2", day="2021-06-30") == [("ccA", "no_secretary")]
    # m14 left brIdle on 2024-01-01 and lives nowhere in the graph.
    assert walk(gov, "m14", day="2023-06-30")[1] == ("brIdle", "MEMBER_OF", "m11")
    assert breaks(gov, "m14") == [("m14", "no_current_membership"), ("m14", "unattached")]
    c = leadership_chain(gov, "m14", as_of=DAY)
    assert not c.reached_top and len(c.steps) == 1


def test_missing_parent_and_cycle(gov: GraphStore) -> None:
    gov.upsert([node("orphan", "Branch"), node("loop1", "Branch"), node("loop2", "Branch")],
               [rel("SUB_ORG_OF", "loop1", "loop2"), rel("SUB_ORG_OF", "loop2", "loop1")])
    assert breaks(gov, "orphan") == [("orphan", "no_secretary"), ("orphan", "org_without_parent")]
    assert [s[0] for s in walk(gov, "loop1")] == ["loop1", "loop2"]
    assert breaks(gov, "loop1")[-1] == ("loop2", "cycle")


def test_unknown_node(gov: GraphStore) -> None:
    with pytest.raises(NodeNotFound):
        leadership_chain(gov, "nobody")


def test_dangling_places_and_unled_organisations(gov: GraphStore) -> None:
    gov.upsert([node("lone-bld", "Building"), node("lone-grid", "Grid", kind="base"),
                node("cZ", "Community", name="无党委社区"), node("grid-z", "Grid", kind="base"),
                node("ws", "Workstation", name="工作站"),
                node("r-lone", "Resident"), node("bld-g", "Building")],
               [rel("IN", "grid-z", "cZ"), rel("LIVES_IN", "r-lone", "lone-bld"),
                rel("PART_OF", "bld-g", "gA1")])
    assert breaks(gov, "r-lone") == [("lone-bld", "building_without_head"),
                                     ("lone-bld", "building_not_in_grid")]
    assert breaks(gov, "lone-grid") == [("lone-grid", "grid_without_worker"),
                                        ("lone-grid", "grid_not_in_community")]
    assert breaks(gov, "grid-z") == [("grid-z", "grid_without_worker"),
                                     ("cZ", "community_without_committee")]
    assert breaks(gov, "ws") == [("ws", "not_led")]
    # a building in no grid but in a resident group goes up through the group
    assert [s[0] for s in walk(gov, "bld-g")] == ["bld-g", "gA1", "brOK", "ccA", "pwc"]
