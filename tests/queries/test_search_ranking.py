"""The ranking of search, on a small street whose right answers are worked out by hand
(the comments say why each comes where it does), on every backend.

The street: 新桥街道 with 上星 and 黄埔; each community's committee and first branch
under their official names (中共…委员会); 上星's workstation; two buildings on 上星东路
whose ids sort before every other (a-…) yet come last (buildings rank last); a person
literally named 上星 (an exact name beats everything); 张三, 王芳 and 王芳芳."""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import GraphStore
from queries.search import SearchHit, search, search_grouped
from tests.graphs import node

BRANCH_A, BRANCH_B = "br-shangxing-1", "br-huangpu-1"
COMMITTEE_A, COMMITTEE_B = "cc-shangxing", "cc-huangpu"


def street() -> list[dict[str, Any]]:
    return [
        node("st", "Street", name="新桥街道"),
        node("c-shangxing", "Community", name="上星社区"),
        node("c-huangpu", "Community", name="黄埔社区"),
        node(COMMITTEE_A, "Committee", name="中共新桥街道上星社区委员会"),
        node(COMMITTEE_B, "Committee", name="中共新桥街道黄埔社区委员会"),
        node(BRANCH_A, "Branch", name="中共上星社区第一支部委员会"),
        node(BRANCH_B, "Branch", name="中共黄埔社区第一支部委员会"),
        node("ws-shangxing", "Workstation", name="上星社区工作站"),
        node("a-bldg-1", "Building", name="上星东路1号"),
        node("a-bldg-2", "Building", name="上星东路2号"),
        node("m-person", "Resident", name="上星"),
        node("p-zhangsan", "Resident", name="张三"),
        node("p-wangfang", "Resident", name="王芳"),
        node("p-wangfangfang", "Resident", name="王芳芳"),
    ]


@pytest.fixture
def s(store: GraphStore) -> GraphStore:
    store.upsert(street())
    return store


def found(store: GraphStore, q: str, **kw: object) -> list[tuple[str, str]]:
    hits: list[SearchHit] = search(store, q, **kw)  # type: ignore[arg-type]
    return [(h.node.id, h.match) for h in hits]


def ids(store: GraphStore, q: str, **kw: object) -> list[str]:
    return [i for i, _ in found(store, q, **kw)]


def test_short_names_find_the_committee(s: GraphStore) -> None:
    # 上星社区党委 and 上星党委 are the committee's short names (exact: kind 2); no
    # other name is within one typo of them (黄埔社区党委 is two characters off)
    assert found(s, "上星社区党委") == [(COMMITTEE_A, "short_name")]
    assert found(s, "上星党委") == [(COMMITTEE_A, "short_name")]
    # 党委 is inside both committees' short names: organisations, by id
    assert found(s, "党委") == [(COMMITTEE_B, "short_name_contains"),
                               (COMMITTEE_A, "short_name_contains")]
    # 第一支部 is both first branches' short name; by id
    assert found(s, "第一支部") == [(BRANCH_B, "short_name"), (BRANCH_A, "short_name")]
    # a substring of the official names (3 characters and up)
    assert ids(s, "社区党委") == [COMMITTEE_B, COMMITTEE_A]


def test_the_community_and_its_organisations_come_before_buildings(s: GraphStore) -> None:
    # 1 the person named 上星 (exact name); 2 the community (its short name is 上星);
    # 3 the organisations holding 上星, the nearest name first: 上星党委 (4 characters),
    # 上星工作站 (5), 上星第一支部 (6); 4 the buildings starting with it (their ids a-…
    # sort first, but buildings rank last), by id
    assert found(s, "上星") == [
        ("m-person", "name"), ("c-shangxing", "short_name"),
        (COMMITTEE_A, "short_name_prefix"), ("ws-shangxing", "short_name_prefix"),
        (BRANCH_A, "short_name_prefix"),
        ("a-bldg-1", "name_prefix"), ("a-bldg-2", "name_prefix")]
    hits = search(s, "上星")
    assert [h.score for h in hits] == [95, 80, 60, 60, 60, 50, 50]  # the list's order
    assert ids(s, "上星", limit=3) == ["m-person", "c-shangxing", COMMITTEE_A]


def test_pinyin_and_initials(s: GraphStore) -> None:
    # every key spelled shangxing…: organisations, an exact spelling first, then the
    # nearest (shangxing 9 letters, shangxingdangwei 16, shangxingdiyizhibu 18,
    # shangxinggongzuozhan 20); then the person, then buildings by id
    assert found(s, "shangxing") == [
        ("c-shangxing", "pinyin"), (COMMITTEE_A, "pinyin_prefix"),
        (BRANCH_A, "pinyin_prefix"), ("ws-shangxing", "pinyin_prefix"),
        ("m-person", "pinyin"), ("a-bldg-1", "pinyin_prefix"), ("a-bldg-2", "pinyin_prefix")]
    # sx: the initials of 上星 (the community's short name and the person) and the
    # start of the others' (sxdw 4, sxgzz 5, sxdyzb 6 …)
    assert found(s, "sx") == [
        ("c-shangxing", "initials"), (COMMITTEE_A, "initials_prefix"),
        ("ws-shangxing", "initials_prefix"), (BRANCH_A, "initials_prefix"),
        ("m-person", "initials"), ("a-bldg-1", "initials_prefix"),
        ("a-bldg-2", "initials_prefix")]
    assert found(s, "sxdw") == [(COMMITTEE_A, "initials")]  # 上星党委
    assert found(s, "wf") == [("p-wangfang", "initials"), ("p-wangfangfang", "initials_prefix")]


def test_names_and_prefixes_of_people(s: GraphStore) -> None:
    assert found(s, "王芳") == [("p-wangfang", "name"), ("p-wangfangfang", "name_prefix")]
    assert found(s, "张三") == [("p-zhangsan", "name")]


def test_typos(s: GraphStore) -> None:
    # one character off the committee's short name (委 → 季)
    assert found(s, "上星社区党季") == [(COMMITTEE_A, "typo")]
    # two letters swapped in shangxing: the community's short name and the person
    assert found(s, "shangxnig") == [("c-shangxing", "typo"), ("m-person", "typo")]
    assert found(s, "zhangsna") == [("p-zhangsan", "typo")]
    # two edits: nothing
    assert found(s, "shangxnag") == [] and found(s, "上星社区党季季") == []
    # too short to guess at: 4 letters
    assert found(s, "zhag") == []


def test_labels_and_the_callers_scope_come_before_the_limit(s: GraphStore) -> None:
    assert ids(s, "上星", labels=["Community"]) == ["c-shangxing"]
    assert ids(s, "上星", labels=["Building"]) == ["a-bldg-1", "a-bldg-2"]
    hidden = {"m-person", "c-shangxing"}
    assert ids(s, "上星", limit=2, visible=lambda i, _labels: i not in hidden) == [
        COMMITTEE_A, "ws-shangxing"]
    assert ids(s, "上星", people=False) == [
        "c-shangxing", COMMITTEE_A, "ws-shangxing", BRANCH_A, "a-bldg-1", "a-bldg-2"]


def test_grouped_by_type_with_counts(s: GraphStore) -> None:
    g = search_grouped(s, "上星", per_group=1)
    # groups in the order of their best hit; counts of all, one hit each
    assert [(x.group, x.count, [h.node.id for h in x.hits]) for x in g.groups] == [
        ("Person", 1, ["m-person"]), ("Community", 1, ["c-shangxing"]),
        ("PartyOrg", 2, [COMMITTEE_A]), ("Workstation", 1, ["ws-shangxing"]),
        ("Building", 2, ["a-bldg-1"])]
    assert (g.total, g.complete) == (7, True)
    assert [x.group_zh for x in g.groups][:3] == ["人员", "社区", "党组织"]
    # a hidden node is in no count
    g = search_grouped(s, "上星", visible=lambda i, _labels: i != BRANCH_A)
    assert [(x.group, x.count) for x in g.groups if x.group == "PartyOrg"] == [("PartyOrg", 1)]
    assert g.total == 6


def test_the_short_name_shown_is_the_nodes_own_else_the_derived_one(s: GraphStore) -> None:
    s.upsert([node(BRANCH_B, "Branch", name="中共黄埔社区第一支部委员会",
                   short_name="黄埔一支部")])
    shown = {h.node.id: h.node.short_name for h in search(s, "第一支部")}
    assert shown == {BRANCH_A: "上星第一支部", BRANCH_B: "黄埔一支部"}
    assert search(s, "张三")[0].node.short_name is None  # a person has none
    # the stored short name is searched too
    assert ids(s, "黄埔一支部") == [BRANCH_B]
