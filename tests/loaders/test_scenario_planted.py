"""The built-in Xinqiao scenario's planted problems, checked against a plain
re-implementation of the definitions in docs/domain.md §5, written here without reusing
the generator's code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from tests.loaders.scenario_helpers import (
    AS_OF,
    COMMUNITY_NAMES,
    A,
    Run,
    current,
    make_run,
    of_type,
    with_label,
)


# ---------------------------------------------------------------- planted problems
def five_years_before(d: dt.date) -> str:
    try:
        return d.replace(year=d.year - 5).isoformat()
    except ValueError:
        return d.replace(year=d.year - 5, day=28).isoformat()


def recompute_branch_reasons(run: Run, as_of: dt.date = AS_OF) -> dict[str, list[str]]:
    """docs/domain.md §5.2, written out plainly."""
    by_id = run["by_id"]
    a = as_of.isoformat()
    window_start = (as_of - dt.timedelta(days=90)).isoformat()
    new_since = five_years_before(as_of)
    out = {}
    for branch in with_label(run, "Branch"):
        b = branch["id"]
        members = [(r["start"], r["properties"]["role"]) for r in of_type(run, "MEMBER_OF")
                   if r["end"] == b and current(r, a)]
        reasons = []
        if not any(role == "secretary" for _, role in members):
            reasons.append("no_secretary")
        full = [p for p, _ in members if by_id[p]["properties"].get("full_member") is True]
        if len(full) < 3:
            reasons.append("too_few_members")
        if len(members) > 50:
            reasons.append("too_many_members")
        embedded = any(r["start"] == b for r in of_type(run, "EMBEDDED_IN"))
        covers = [r for r in of_type(run, "COVERS") if r["start"] == b and current(r, a)]
        if not embedded and not covers:
            reasons.append("no_resident_group")
        dates = [by_id[r["end"]]["properties"]["date"] for r in of_type(run, "HELD")
                 if r["start"] == b]
        if not any(window_start < d <= a for d in dates):
            reasons.append("inactive")
        if not any(by_id[p]["properties"]["joined_party_on"] > new_since for p, _ in members):
            reasons.append("no_new_members")
        out[b] = sorted(reasons)
    return out


def test_planted_branches_match_definition(run: Run) -> None:
    planted = run["sc"].planted["branches"]
    got = recompute_branch_reasons(run)
    assert {b: r for b, r in got.items() if r} == planted["weak"]
    assert sorted(b for b, r in got.items() if not r) == planted["healthy"]
    n = len(got)
    assert 0.12 <= len(planted["weak"]) / n <= 0.18
    assert all(1 <= len(r) <= 2 for r in planted["weak"].values())
    every = {x for r in planted["weak"].values() for x in r}
    assert every == {"no_secretary", "too_few_members", "too_many_members",
                     "no_resident_group", "inactive", "no_new_members"}


@pytest.mark.parametrize("seed,as_of", [(11, dt.date(2024, 2, 29)), (2, dt.date(2017, 1, 1))])
def test_planted_branches_other_seeds_and_dates(seed: int, as_of: dt.date) -> None:
    other = make_run(seed, as_of)
    got = recompute_branch_reasons(other, as_of)
    planted = other["sc"].planted["branches"]
    assert {b: r for b, r in got.items() if r} == planted["weak"]
    assert sorted(b for b, r in got.items() if not r) == planted["healthy"]


def test_healthy_branches_are_comfortable(run: Run) -> None:
    by_id = run["by_id"]
    recent = (AS_OF - dt.timedelta(days=30)).isoformat()
    three_years = AS_OF.replace(year=AS_OF.year - 3).isoformat()
    for b in run["sc"].planted["branches"]["healthy"]:
        members = [r for r in of_type(run, "MEMBER_OF") if r["end"] == b and current(r)]
        assert sum(by_id[r["start"]]["properties"]["full_member"] for r in members) >= 5
        assert len(members) <= 40
        assert any(by_id[r["start"]]["properties"]["joined_party_on"] > three_years
                   for r in members)
        dates = [by_id[r["end"]]["properties"]["date"] for r in of_type(run, "HELD")
                 if r["start"] == b]
        assert any(recent < d <= A for d in dates)


def test_planted_hollow_groups(run: Run) -> None:
    planted = run["sc"].planted["resident_groups"]
    pms = {n["id"] for n in with_label(run, "PartyMember")}
    member_now = {r["start"] for r in of_type(run, "MEMBER_OF") if current(r)}
    group_of = {r["start"]: r["end"] for r in of_type(run, "PART_OF")
                if r["start"].startswith("building-")}
    posts: defaultdict[str, int] = defaultdict(int)
    lived: defaultdict[str, int] = defaultdict(int)
    covered: defaultdict[str, int] = defaultdict(int)
    for r in of_type(run, "HOLDS_POST"):
        if r["end"].startswith("group-") and current(r):
            posts[r["end"]] += 1
    for r in of_type(run, "LIVES_IN"):
        if r["start"] in pms and current(r):
            lived[group_of[r["end"]]] += 1
    for r in of_type(run, "COVERS"):
        if current(r):
            covered[r["end"]] += 1
    groups = [g["id"] for g in with_label(run, "ResidentGroup")]
    hollow = sorted(g for g in groups if not posts[g] and not lived[g] and not covered[g])
    assert hollow == planted["hollow"]
    assert sorted(set(groups) - set(hollow)) == planted["healthy"]
    assert 0.07 <= len(hollow) / len(groups) <= 0.13
    for g in planted["healthy"]:  # healthy on all three counts, not just one
        assert posts[g] and lived[g] and covered[g]
        living_members = [r["start"] for r in of_type(run, "LIVES_IN")
                          if current(r) and group_of[r["end"]] == g and r["start"] in member_now]
        assert living_members


def test_other_planted_sets(run: Run) -> None:
    p = run["sc"].planted
    base = {g["id"] for g in with_label(run, "Grid") if g["properties"]["kind"] == "base"}
    staffed = {r["end"] for r in of_type(run, "RESPONSIBLE_FOR")}
    assert sorted(base - staffed) == p["grids_without_worker"]
    assert 10 <= len(p["grids_without_worker"]) <= 20
    assert sorted({g["id"] for g in with_label(run, "Grid")} - staffed) == \
        p["grids_without_worker"]
    headed = {r["end"] for r in of_type(run, "HEADS")}
    buildings = {b["id"] for b in with_label(run, "Building")}
    assert sorted(buildings - headed) == p["buildings_without_head"]
    grid_com = {r["start"]: r["end"] for r in of_type(run, "IN")}
    overl = defaultdict(set)
    for r in of_type(run, "OVERLAPS"):
        overl[r["start"]].add(grid_com[r["end"]])
    assert sorted(g for g, cs in overl.items() if len(cs) >= 2) == p["crossing_special_grids"]
    assert p["crossing_special_grids"]
    evaluated = {r["end"] for r in of_type(run, "EVALUATES")}
    rated = {n["id"] for n in run["nodes"]
             if "DeployedStaff" in n["labels"] or "PoliceChief" in n["labels"]}
    assert sorted(rated - evaluated) == p["not_evaluated"]
    assert 0 < len(p["not_evaluated"]) < 60


def test_new_and_veteran_members_per_community(run: Run) -> None:
    by_id = run["by_id"]
    new_since = five_years_before(AS_OF)
    vet_before = AS_OF.replace(year=AS_OF.year - 20).isoformat()
    sub = {r["start"]: r["end"] for r in of_type(run, "SUB_ORG_OF")}
    leads = {r["start"]: r["end"] for r in of_type(run, "LEADS")
             if r["end"].startswith("community-")}

    def community(org: str) -> str | None:
        while org not in leads and org in sub:
            org = sub[org]
        return leads.get(org)

    seen: defaultdict[str, dict[str, int]] = defaultdict(
        lambda: {"new": 0, "vet": 0, "probationary": 0})
    for r in of_type(run, "MEMBER_OF"):
        if not current(r):
            continue
        c = community(r["end"])
        props = by_id[r["start"]]["properties"]
        if c is None:
            continue
        if props["joined_party_on"] > new_since:
            seen[c]["new"] += 1
        if props["joined_party_on"] <= vet_before:
            seen[c]["vet"] += 1
        if not props["full_member"]:
            seen[c]["probationary"] += 1
    assert set(seen) == set(COMMUNITY_NAMES)
    assert all(v["new"] and v["vet"] and v["probationary"] for v in seen.values())
    assert run["sc"].planted["new_members_with_posts"]
    # mentoring pairs: veteran -> new, inside one community; do-not-pair likewise
    mentors = of_type(run, "MENTORS")
    assert 20 <= sum(current(r) for r in mentors) <= 40
    assert 5 <= len(of_type(run, "DO_NOT_PAIR")) <= 15
    home: dict[str, str | None] = {}
    for r in of_type(run, "MEMBER_OF"):
        if current(r):
            home.setdefault(r["start"], community(r["end"]))
    for r in mentors + of_type(run, "DO_NOT_PAIR"):
        assert home[r["start"]] == home[r["end"]] is not None
        assert by_id[r["start"]]["properties"]["joined_party_on"] <= vet_before
        assert by_id[r["end"]]["properties"]["joined_party_on"] > new_since
    load = Counter(r["start"] for r in mentors if current(r))
    assert max(load.values()) <= 2
