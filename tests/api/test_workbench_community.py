"""社区画像 and its organisation tree (``/communities/{id}/tree``) on a hand-built street:
the overview's two communities (上星 cA, 黄埔 cB) with a deeper party structure in 上星,
every figure worked out by hand below."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.workbench.text import TEXT
from graph.store import GraphStore
from queries.community_tree import community_tree
from tests.api_helpers import client_for, security_store
from tests.graphs import node, rel
from tests.queries.test_overview import DAY, _street

HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")
#: a square of about 110 m × 100 m near the street's centre
SQUARE = ('{"type":"Polygon","coordinates":[[[113.835,22.725],[113.836,22.725],'
          '[113.836,22.726],[113.835,22.726],[113.835,22.725]]]}')
#: people of 上星 (the names a page of 黄埔's or a consumer's must not show)
A_PEOPLE = ("上星书记", "上星党员", "上星新党员", "上星总支书记", "上星二支部委员", "上星组长",
            "上星居民甲", "上星居民乙", "上星下沉干部", "上星网格员")


def tree_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The overview's street (``_street``) and, in 上星 (cA), as of 2024-06-30:

    ccA (no member, so no secretary) ← gbA 上星东片党总支 (secretary mA4, since 2020)
    ← brA2 上星第二支部 (deputy mA5 only; covers gA2) ← pgA 上星第二支部第一党小组 (no
    member); ccA ← brA (secretary mA1, members mA2 mA3; covers gA); brOld left ccA in
    2022 (not in the tree). Resident groups: gA (brA), gA2 (brA2), gA3 (nothing: hollow),
    gA4 (brA covered it until 2023; its leader mA6 holds 组长: uncovered, not hollow).
    ccA leads rcA and wsA; mA1 also heads wsA (站长), so holds posts in brA, rcA, cA
    (社区书记) and wsA: four organisations. gridA and cA have a boundary.

    Middle weakening in cA: brA too few full members (none is marked full) and inactive
    (no activity); brA2 no secretary, too few full members, inactive, no new member
    (mA5 joined 2000); gA3 hollow: three gaps.
    """
    nodes, rels = _street()
    # the committees' names are the names people use (no shorter one derived)
    short = {"pwc": "新桥街道党工委", "ccA": "上星社区党委", "ccB": "黄埔社区党委"}
    nodes = [dict(n, properties={**n["properties"], "short_name": short[n["id"]]})
             if n["id"] in short else n for n in nodes]
    nodes = [dict(n, properties={**n["properties"], "geometry": SQUARE})
             if n["id"] in ("gridA", "cA") else n for n in nodes]
    nodes += [
        node("gbA", "GeneralBranch", name="中共上星社区东片总支部委员会",
             short_name="上星东片党总支"),
        node("brA2", "Branch", name="上星第二支部"),
        node("pgA", "PartyGroup", name="上星第二支部第一党小组"),
        node("brOld", "Branch", name="上星旧支部"),
        node("gA2", "ResidentGroup", name="上星二组"),
        node("gA3", "ResidentGroup", name="上星三组"),
        node("gA4", "ResidentGroup", name="上星四组"),
        node("wsA", "Workstation", name="上星社区工作站"),
        node("mA4", "PartyMember", name="上星总支书记", joined_party_on="1990-07-01"),
        node("mA5", "PartyMember", name="上星二支部委员", joined_party_on="2000-07-01"),
        node("mA6", "Person", name="上星组长"),
    ]
    rels += [
        rel("SUB_ORG_OF", "gbA", "ccA", since="2020-01-01"),
        rel("SUB_ORG_OF", "brA2", "gbA", since="2020-01-01"),
        rel("SUB_ORG_OF", "pgA", "brA2", since="2021-01-01"),
        rel("SUB_ORG_OF", "brOld", "ccA", since="2010-01-01", until="2022-01-01"),
        rel("MEMBER_OF", "mA4", "gbA", role="secretary", since="2020-01-01"),
        rel("MEMBER_OF", "mA5", "brA2", role="deputy", since="2020-01-01"),
        rel("COVERS", "brA2", "gA2", since="2020-01-01"),
        rel("COVERS", "brA", "gA4", since="2015-01-01", until="2023-01-01"),
        rel("PART_OF", "gA2", "cA"), rel("PART_OF", "gA3", "cA"), rel("PART_OF", "gA4", "cA"),
        rel("HOLDS_POST", "mA6", "gA4", title="组长", since="2019-01-01"),
        rel("LEADS", "ccA", "wsA"),
        rel("HOLDS_POST", "mA1", "wsA", title="站长", since="2022-03-01"),
        rel("HOLDS_POST", "mA1", "gA", title="组长", since="2016-01-01", until="2020-01-01"),
    ]
    return nodes, rels


def _ids(refs: list[Any]) -> list[str]:
    return [r.id for r in refs]


def test_the_tree_by_hand(store: GraphStore) -> None:
    store.upsert(*tree_street())
    t = community_tree(store, "cA", DAY)
    c = t.committee
    assert c is not None and c.org.id == "ccA"
    assert (c.members, c.members_total, c.has_secretary) == (0, 5, False)
    # the general branch before the branch; brOld left in 2022
    assert [k.org.id for k in c.children] == ["gbA", "brA"]
    gb, br = c.children
    assert (gb.members, gb.members_total, gb.has_secretary, _ids(gb.groups)) == (1, 2, True, [])
    assert (br.members, br.has_secretary, _ids(br.groups)) == (3, True, ["gA"])  # gA4 ended
    (br2,) = gb.children
    assert (br2.org.id, br2.members, br2.has_secretary, _ids(br2.groups)) == (
        "brA2", 1, False, ["gA2"])
    assert [(p.org.id, p.members, p.children) for p in br2.children] == [("pgA", 0, [])]
    assert _ids(t.groups) == ["gA", "gA2", "gA3", "gA4"]
    assert _ids(t.uncovered) == ["gA3", "gA4"]
    assert _ids(t.led) == ["rcA", "wsA"] and t.alliance == [] and t.organisations == 5
    # before brA2 and its group existed: the tree of 2019
    old = community_tree(store, "cA", "2019-06-30")
    assert old.committee is not None
    assert [k.org.id for k in old.committee.children] == ["brA", "brOld"]


def test_the_tree_route(store: GraphStore) -> None:
    store.upsert(*tree_street())
    sec = security_store()
    with client_for(store, "consumer", security=sec) as c:
        r = c.get("/api/v1/communities/cA/tree", params={"as_of": DAY})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["committee"]["members_total"] == 5 and "redacted" not in body  # no person
        assert c.get("/api/v1/communities/ccA/tree").status_code == 422
        assert c.get("/api/v1/communities/nope/tree").status_code == 404
        assert c.get("/api/v1/communities/cA/tree", params={"as_of": "2024-13-01"}
                     ).status_code == 422
    with client_for(store, "community", community="cB", security=sec) as c:
        assert c.get("/api/v1/communities/cA/tree").status_code == 404
        body = c.get("/api/v1/communities/cB/tree", params={"as_of": DAY}).json()
        assert [k["org"]["id"] for k in body["committee"]["children"]] == ["brB"]


def _page(c: Any, **params: str) -> str:
    r = c.get("/api/v1/workbench/community", params={"as_of": DAY, **params})
    assert r.status_code == 200, r.text[:500]
    text: str = r.text
    return text


def _section(html: str, sid: str) -> str:
    start = html.index(f'id="{sid}"')
    return html[start:html.index("</section>", start)]


def _org(html: str, oid: str) -> str:
    """The summary (or leaf) of one organisation of the tree, up to what is under it."""
    start = html.index(f'data-org="{oid}"')
    ends = [i for i in (html.find("</summary>", start), html.find("</div>", start)) if i > 0]
    return TAG.sub(" ", html[start:min(ends)])


def test_the_page_for_an_analyst(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c)  # no community asked: the first, 上星
        assert 'data-community="cA"' in html and '"coordinates"' not in html
        assert '<option value="cA" selected>上星社区</option>' in html
        assert '<option value="cB">黄埔社区</option>' in html
        # the tree: the committee open, each organisation with its flags
        assert '<details class="org" data-org="ccA" open>' in html
        assert "无书记" in _org(html, "ccA") and "含下级共 5 人" in _org(html, "ccA")
        gb = _org(html, "gbA")
        assert "上星东片党总支" in gb and "党总支" in gb and "无书记" not in gb
        br2 = _org(html, "brA2")
        assert "软弱涣散" in br2 and "支部无书记" in br2 and "正式党员不足3人" in br2
        br = _org(html, "brA")
        assert "软弱涣散" in br and "90天内未开展组织生活" in br and "支部无书记" not in br
        assert '<div class="org leaf" data-org="pgA">' in html
        assert "brOld" not in html
        uncovered = html[html.index('id="community-uncovered"'):]
        g3, g4 = (uncovered[uncovered.index(f'data-group="{g}"'):].split("</li>")[0]
                  for g in ("gA3", "gA4"))
        assert "空心小组" in g3 and "无支部覆盖" in g3
        assert "空心小组" not in g4 and "无支部覆盖" in g4
        assert "党支部 2 个，软弱涣散 2 个（100.0%）；居民小组 4 个，空心 1 个（25.0%）" in html
        # three boards in brief: mA1 in brA, rcA, cA and wsA
        boards = TAG.sub(" ", _section(html, "brief-boards"))
        assert "上星书记" in boards and " 4 " in boards and "站长" in boards
        assert "/workbench/boards?community=cA&amp;as_of=2024-06-30&amp;lang=zh" in html
        # the gaps: three, all shown, each with its reasons
        gaps = _section(html, "brief-gaps")
        assert "共 3 个问题" in gaps and gaps.count("<li data-rank=") == 3
        assert 'href="/workbench/gaps?community=cA&amp;as_of=2024-06-30&amp;lang=zh"' in gaps
        # the overview's figures: mA2 and mA3 new, mA3 paired; gridA lacks a police
        # officer and bA a head; one deployed staff per 60,000 residents; one case late
        figures = {sid: re.findall(r"<dd>([^<]*)</dd>", _section(html, sid))
                   for sid in ("brief-pairing", "brief-grids", "brief-forces", "brief-cases")}
        assert figures == {"brief-pairing": ["2", "1", "1"], "brief-grids": ["1", "0", "1", "1"],
                           "brief-forces": ["1", "0.17"], "brief-cases": ["1"]}
        for page in ("pairing", "forces", "cases"):
            assert f'href="/workbench/{page}?community=cA&amp;as_of=2024-06-30' in html
        assert 'href="/workbench/grids?community=cA&amp;as_of=2024-06-30' in html
        assert 'data-community="cA"' in _page(c, community="")  # none chosen: the first
        # 黄埔 chosen: its own tree, none of 上星's
        html = _page(c, community="cB")
        assert 'data-org="brB"' in html and "上星第二支部" not in html


def test_a_community_token_sees_its_own_only(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "community", community="cB", security=security_store()) as c:
        html = _page(c)
        assert 'data-community="cB"' in html and "<select" not in html  # no chooser
        assert "黄埔书记" in html and "上星" not in html
        assert c.get("/api/v1/workbench/community", params={"community": "cA"}
                     ).status_code == 404


def test_a_consumer_sees_organisations_and_counts_no_person(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "consumer", security=security_store()) as c:
        html = _page(c)
        assert 'data-org="brA2"' in html and "软弱涣散" in html  # flags from the gaps
        assert "人员信息不对您的角色显示" in html and "error-box" not in html
        assert not [n for n in (*A_PEOPLE, "无权查看") if n in html]
        assert "/workbench/boards" not in html  # not a page of the consumer's


@pytest.mark.parametrize("role", ["admin", "consumer"])
def test_in_english_every_word(store: GraphStore, role: str) -> None:
    store.upsert(*tree_street())
    with client_for(store, role, security=security_store()) as c:
        html = _page(c, lang="en")
    text = TAG.sub(" ", html)
    names = {n["properties"]["name"] for n in tree_street()[0]} | {"上星东片党总支"}
    left = sorted(w for w in TEXT["zh"].values() if HAN.search(w) and "{" not in w
                  and w in text and not any(w in n for n in names))
    assert left == []
    assert "Organisation tree" in html and "weak" in html and "hollow group" in html
    assert "2 branches, 2 weak (100.0%); 4 resident groups, 1 hollow (25.0%)." in html


def test_hostile_names_stay_text(store: GraphStore) -> None:
    nodes, rels = tree_street()
    nodes = [dict(n, properties={**n["properties"], "name": "<script>alert(1)</script>支部"})
             if n["id"] == "brA2" else n for n in nodes]
    store.upsert(nodes, rels)
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c)
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;支部" in html
        assert c.get("/api/v1/workbench/community", params={"community": "<script>"}
                     ).status_code == 404
        assert c.get("/api/v1/workbench/community", params={"as_of": "yesterday"}
                     ).status_code == 422
        r = c.get("/api/v1/workbench/community", params={"community": "cA/tree"})
        assert r.status_code == 404 and "no node with id &#39;cA/tree&#39;" in r.text
        r = c.get("/api/v1/workbench/community", params={"community": "brA"})
        assert r.status_code == 422 and "error-box" in r.text  # not a community
