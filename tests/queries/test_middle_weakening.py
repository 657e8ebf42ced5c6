"""Middle weakening on the hand-built community of tests.graphs.governance()."""

from __future__ import annotations

import math

import pytest

from graph.errors import InvalidParameter, NodeNotFound
from graph.store import GraphStore
from queries.middle_weakening import MiddleWeakening, Thresholds, middle_weakening
from tests.graphs import governance, node, rel

DAY = "2024-06-30"


@pytest.fixture
def gov(store: GraphStore) -> GraphStore:
    store.upsert(*governance())
    return store


def flags(report: MiddleWeakening) -> dict[str, list[str]]:
    return {b.branch.id: [r.reason for r in b.reasons] for b in report.weak_branches}


def test_every_branch_flag(gov: GraphStore) -> None:
    r = middle_weakening(gov, as_of=DAY)
    assert flags(r) == {
        "brBig": ["too_many_members"],
        "brFew": ["too_few_members"],
        "brIdle": ["no_resident_group", "inactive", "no_new_members"],
        "brNoSec": ["no_secretary"],
    }
    few = next(b for b in r.weak_branches if b.branch.id == "brFew")
    assert few.secretary is not None
    assert (few.members, few.full_members, few.secretary.id) == (3, 2, "m8")
    assert few.reasons[0].detail == "2 full member(s), fewer than 3"
    big = next(b for b in r.weak_branches if b.branch.id == "brBig")
    assert big.community is not None and big.committee is not None
    assert big.members == 51 and big.community.id == "cA" and big.committee.id == "ccA"


def test_hollow_groups(gov: GraphStore) -> None:
    r = middle_weakening(gov, as_of=DAY)
    # gA5 has a leader and a branch, gA6 a party member living in it: neither is hollow.
    assert [g.group.id for g in r.hollow_groups] == ["gA4"]
    assert r.hollow_groups[0].residents == 2  # r43 moved out in 2023


def test_gaps_ranked_by_severity(gov: GraphStore) -> None:
    r = middle_weakening(gov, as_of=DAY)
    got = [(g.rank, g.kind, g.branch.id if g.branch else None, [x.id for x in g.groups],
            g.residents_affected) for g in r.gaps]
    assert got == [
        (1, "no_branch", None, ["gA4"], 2),          # 3 + 2 + log10(3) = 5.477
        (2, "no_group", "brIdle", [], 0),            # 2 + 2 + 1 = 5
        (3, "weak_branch", "brNoSec", ["gA2"], 9),   # 3 + log10(10) = 4
        (4, "weak_branch", "brFew", ["gA3"], 0),     # 3
        (5, "weak_branch", "brBig", ["gA5"], 0),     # 1
    ]
    assert r.gaps[0].severity == pytest.approx(5 + math.log10(3), abs=1e-4)
    assert r.gaps[0].committee is not None
    assert r.gaps[0].committee.id == "ccA" and r.gaps[0].reasons == ["hollow", "no_branch"]
    assert r.gaps[2].severity == 4.0


def test_summary_per_community(gov: GraphStore) -> None:
    [s] = middle_weakening(gov, as_of=DAY).summary
    assert (s.community.id, s.branches, s.weak_branches, s.groups, s.hollow_groups) == (
        "cA", 6, 4, 6, 1)
    assert s.weak_branch_share == round(4 / 6, 4) and s.hollow_group_share == round(1 / 6, 4)
    assert (s.gaps, s.residents_affected) == (5, 11)


def test_as_of_moves_results(gov: GraphStore) -> None:
    # On 2023-06-30 m14 was still a member (joined the party 2022): brIdle has a new
    # member; its last activity (2023-01-01) is 180 days old: still inactive. brOK's and
    # the others' activities have not happened yet: they are inactive then.
    r = middle_weakening(gov, as_of="2023-06-30")
    f = flags(r)
    assert f["brIdle"] == ["no_resident_group", "inactive"]
    assert "inactive" in f["brOK"]
    # On 2023-02-01 brIdle's meeting is 31 days old.
    assert flags(middle_weakening(gov, as_of="2023-02-01"))["brIdle"] == [
        "no_resident_group"]
    # r43 still lived in gA4 before March 2023.
    assert middle_weakening(gov, as_of="2023-02-01").hollow_groups[0].residents == 3


def test_thresholds_are_parameters(gov: GraphStore) -> None:
    r = middle_weakening(gov, as_of=DAY, thresholds=Thresholds(min_full_members=2,
                                                               max_members=60))
    assert "brFew" not in flags(r) and "brBig" not in flags(r)
    r = middle_weakening(gov, as_of=DAY, thresholds=Thresholds(inactive_days=30))
    assert flags(r)["brEnt"] == ["inactive"]  # its meeting was 2024-04-10
    with pytest.raises(InvalidParameter, match="inactive_days"):
        Thresholds(inactive_days=-1)


def test_ended_memberships_do_not_count(gov: GraphStore) -> None:
    # End brOK's only secretary and one of its full members: it loses both.
    gov.upsert([], [rel("MEMBER_OF", "m1", "brOK", role="secretary", since="2015-01-01",
                        until="2024-03-01"),
                    rel("MEMBER_OF", "m2", "brOK", role="member", since="2015-01-01",
                        until="2024-03-01")])
    assert flags(middle_weakening(gov, as_of=DAY))["brOK"] == ["no_secretary",
                                                               "too_few_members"]
    # Before they left, brOK had both; only its May meeting had not happened yet.
    assert flags(middle_weakening(gov, as_of="2024-02-29"))["brOK"] == ["inactive"]


def test_community_filter(gov: GraphStore) -> None:
    gov.upsert([node("cB", "Community", name="上寮社区"), node("gB1", "ResidentGroup")],
               [rel("PART_OF", "gB1", "cB")])
    r = middle_weakening(gov, community="cB", as_of=DAY)
    assert r.weak_branches == [] and [g.group.id for g in r.hollow_groups] == ["gB1"]
    assert [s.community.id for s in r.summary] == ["cB"]
    assert r.gaps[0].committee is None  # no committee leads cB
    with pytest.raises(NodeNotFound):
        middle_weakening(gov, community="nowhere")
    with pytest.raises(InvalidParameter, match="not a community"):
        middle_weakening(gov, community="brOK")


def test_newest_joining_date_known_to_the_month_on_the_cutoff(store: GraphStore) -> None:
    """As of 2024-06-30 no_new_members looks back to 2019-06-30. The branch's newest
    member joined "2019.06": taken as 2019-06-01, the branch is flagged, and the report
    says which day it assumed."""
    store.upsert([node("pwc", "WorkingCommittee"), node("c1", "Community"),
                  node("cc1", "Committee"), node("b1", "Branch"),
                  node("m1", "PartyMember", joined_party_on="2019.06", full_member=True)],
                 [rel("LEADS", "cc1", "c1"), rel("SUB_ORG_OF", "cc1", "pwc"),
                  rel("SUB_ORG_OF", "b1", "cc1"),
                  rel("MEMBER_OF", "m1", "b1", role="secretary", since="2019-07-01")])
    r = middle_weakening(store, as_of="2024-06-30")
    (b,) = r.weak_branches
    assert "no_new_members" in [x.reason for x in b.reasons]
    assert [(a.node.id, a.given, a.assumed, a.cutoff) for a in r.assumptions] == [
        ("b1", "2019-06", "2019-06-01", "2019-06-30")]
