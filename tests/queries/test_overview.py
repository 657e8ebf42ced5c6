"""The street overview on the two-community fixture, every figure worked out by hand."""

from __future__ import annotations

from typing import Any

from graph.store import GraphStore
from queries.middle_weakening import middle_weakening
from queries.overview import street_overview
from tests.api_helpers import client_for, security_store
from tests.graphs import idn, node, rel, two_communities

DAY = "2024-06-30"


def _street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """two_communities(), and in 上星 (cA): a third member mA3 of brA who joined on
    2024-01-01 and has mA1 as mentor since 2024-02-01 (mA2, joined 2023-07-01, is new
    but has none); 60,000 residents; two open cases in gridA, reported 2024-05-01
    (older than 30 days on the day: backlog) and 2024-06-20 (too recent), and one closed
    on 2024-06-01 (not open)."""
    nodes, rels = two_communities()
    nodes = [dict(n, properties={**n["properties"], "population": 60_000})
             if n["id"] == "cA" else n for n in nodes]
    nodes += [node("mA3", "PartyMember", name="上星新党员", joined_party_on="2024-01-01",
                   id_number=idn("44030620000101321")),
              node("k1", "Case", name="案1", status="open", reported_on="2024-05-01"),
              node("k2", "Case", name="案2", status="open", reported_on="2024-06-20"),
              node("k3", "Case", name="案3", status="closed", reported_on="2024-04-01",
                   closed_on="2024-06-01")]
    rels += [rel("MEMBER_OF", "mA3", "brA", role="member", since="2024-01-01"),
             rel("MENTORS", "mA1", "mA3", since="2024-02-01"),
             rel("IN_GRID", "k1", "gridA"), rel("IN_GRID", "k2", "gridA"),
             rel("IN_GRID", "k3", "gridA")]
    return nodes, rels


def test_each_figure_by_hand(store: GraphStore) -> None:
    store.upsert(*_street())
    o = street_overview(store, DAY)
    a, b = o.communities  # by id: cA, cB
    assert a.community is not None and a.community.id == "cA"
    # members: mA1, mA2, mA3 (the street secretary sW is in the working committee)
    assert (a.party_members, b.party_members) == (3, 2)
    # new since 2019-06-30: mA2 and mA3 (mB2 in B); mentored: mA3 only
    assert (a.new_members, a.new_members_paired) == (2, 1)
    assert (b.new_members, b.new_members_paired) == (1, 0)
    # gridA: a grid worker (gwA), no police officer, bA has no head
    assert a.base_grids == 1
    assert a.base_grids_missing == {"grid_worker": 0, "police_officer": 1,
                                    "building_heads": 1}
    # one deployed staff each; 1 per 60,000 residents in A; B has no population
    assert (a.deployed_staff, a.residents, a.staff_per_10k_residents) == (1, 60_000, 0.1667)
    assert (b.residents, b.staff_per_10k_residents) == (None, None)
    assert (a.case_backlog, b.case_backlog) == (1, 0)
    # the party structure figures are the middle-weakening summary's
    summary = {s.community.id: s for s in middle_weakening(store, None, DAY).summary}
    for row in (a, b):
        assert row.community is not None
        s = summary[row.community.id]
        assert (row.branches, row.weak_branches, row.groups, row.hollow_groups) == (
            s.branches, s.weak_branches, s.groups, s.hollow_groups)
    # totals: sums, shares of the sums, staff per the residents known (60,000)
    t = o.totals
    assert t.community is None
    assert (t.party_members, t.new_members, t.new_members_paired, t.case_backlog) == (
        5, 3, 1, 1)
    assert t.base_grids_missing == {"grid_worker": 0, "police_officer": 2,
                                    "building_heads": 2}
    assert (t.deployed_staff, t.residents, t.staff_per_10k_residents) == (2, 60_000, 0.3333)
    assert t.weak_branch_share == round(t.weak_branches / t.branches, 4)


def test_a_shorter_window_and_one_community(store: GraphStore) -> None:
    store.upsert(*_street())
    o = street_overview(store, DAY, community="cA", new_years=1, backlog_days=5)
    (a,) = o.communities
    # joined since 2023-06-30: mA2 (2023-07-01) and mA3; cases reported by 2024-06-25
    assert (a.new_members, a.new_members_paired, a.case_backlog) == (2, 1, 2)
    assert o.totals.party_members == 3


def test_a_community_token_sees_its_community_only(store: GraphStore) -> None:
    store.upsert(*_street())
    sec = security_store()
    with client_for(store, "community", community="cB", security=sec) as c:
        r = c.get("/api/v1/overview", params={"as_of": DAY})
        assert r.status_code == 200, r.text
        body = r.json()
        assert [row["community"]["id"] for row in body["communities"]] == ["cB"]
        assert body["totals"]["party_members"] == 2
    with client_for(store, "consumer", security=sec) as c:
        body = c.get("/api/v1/overview", params={"as_of": DAY}).json()
        assert [row["community"]["id"] for row in body["communities"]] == ["cA", "cB"]
