"""The search page and the header box's suggestions without a browser: what the JSON
finds, grouped and counted the same; a community token's page holds its own community
only, a consumer's no person; English with no Chinese word of the interface; hostile
names stay text; an empty, short or over-long text is never an error box."""

from __future__ import annotations

import re

from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import client_for, security_store
from tests.graphs import node, two_communities
from tests.queries.test_search_ranking import COMMITTEE_A, street

PAGE = "/api/v1/workbench/search"
SUGGEST = "/api/v1/workbench/search/suggest"
ROW = re.compile(r'<tr data-id="([^"]+)"')
TAG = re.compile(r"<[^>]+>")
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_page_shows_what_the_json_finds_grouped_and_counted(store: GraphStore) -> None:
    store.upsert(street())
    with client_for(store, "analyst") as c:
        for q in ("上星党委", "上星", "sx", "上星社区党季"):
            j = c.get("/api/v1/search/grouped", params={"q": q}).json()
            html = c.get(PAGE, params={"q": q}).text
            # the groups in the JSON's order, each with its count and its hits in order
            shown = re.findall(r'<h2 data-group="([^"]+)">[^<]+<small>(\d+)</small>', html)
            assert shown == [(g["group"], str(g["count"])) for g in j["groups"]], q
            assert ROW.findall(html) == [h["node"]["id"] for g in j["groups"]
                                         for h in g["hits"]], q
            assert f'共 {j["total"]} 条' in html
        html = c.get(PAGE, params={"q": "上星党委"}).text
        assert ROW.findall(html)[0] == COMMITTEE_A
        # each hit: its node page and the graph
        assert f'href="/workbench/node?id={COMMITTEE_A}&amp;lang=zh"' in html
        assert f'href="/explorer#focus={COMMITTEE_A}&amp;lang=zh"' in html
        assert "<td>简称</td>" in html  # matched by its short name
        q = "%E4%B8%8A%E6%98%9F%E5%85%9A%E5%A7%94"  # 上星党委
        assert f'data-page-url="/workbench/search?q={q}&amp;lang=zh"' in html


def test_one_type_in_full_paged(store: GraphStore) -> None:
    store.upsert(street() + [node(f"b{i:02d}", "Building", name=f"上星西路{i}号")
                             for i in range(30)])
    with client_for(store, "analyst") as c:
        html = c.get(PAGE, params={"q": "上星"}).text
        assert "查看全部 32 条" in html  # 2 + 30 buildings, 5 shown
        page1 = c.get(PAGE, params={"q": "上星", "group": "Building"}).text
        got = ROW.findall(page1)
        assert got == [h["node"]["id"] for h in c.get("/api/v1/search", params={
            "q": "上星", "label": "Building", "limit": 100}).json()][:20]
        assert "第 1 页，共 2 页（32 条）" in page1
        page2 = c.get(PAGE, params={"q": "上星", "group": "Building", "page": 2}).text
        assert len(ROW.findall(page2)) == 12 and not set(ROW.findall(page2)) & set(got)


def test_suggestions_as_you_type(store: GraphStore) -> None:
    store.upsert(street())
    with client_for(store, "analyst") as c:
        for q in ("", "  ", "x" * 51):  # nothing typed yet, or too much: nothing
            r = c.get(SUGGEST, params={"q": q, "lang": "zh"})
            assert (r.status_code, r.text) == (200, ""), q
        assert c.get(SUGGEST).text == ""  # no q at all
        html = c.get(SUGGEST, params={"q": "上星党委", "lang": "zh"}).text
        links = re.findall(r'<a href="([^"]+)" role="option"', html)
        assert links[0] == f"/workbench/node?id={COMMITTEE_A}&amp;lang=zh"
        assert links[-1].startswith("/workbench/search?q=")  # every result
        assert "党委 · 上星党委</small>" in html  # its type, and the name people use
        one = c.get(SUGGEST, params={"q": "上", "lang": "zh"}).text  # one character
        assert 'data-id="c-shangxing"' in one
        none = c.get(SUGGEST, params={"q": "没有这个", "lang": "en"}).text
        assert "Nothing matches" in none and "data-id" not in none
        many = c.get(SUGGEST, params={"q": "上星", "lang": "zh"}).text
        assert len(re.findall(r'data-id="', many)) == 7  # all it finds (at most 8)


def test_empty_and_over_long_texts_on_the_page(store: GraphStore) -> None:
    store.upsert(street())
    with client_for(store, "analyst") as c:
        r = c.get(PAGE, params={"lang": "zh"})
        assert r.status_code == 200 and "输入名称" in r.text and "<table" not in r.text
        r = c.get(PAGE, params={"q": "x" * 60})
        assert r.status_code == 200 and 'id="search-too-long"' in r.text
        r = c.get(PAGE, params={"q": "没有这个"})
        assert 'id="search-none"' in r.text
        assert c.get(PAGE, params={"q": "上星", "page": 0}).status_code == 422  # no 500


def test_a_community_token_sees_its_own_and_a_consumer_no_person(store: GraphStore) -> None:
    store.upsert(*two_communities())
    sec = security_store()
    with client_for(store, "community", "cA", security=sec) as c:
        html = c.get(PAGE, params={"q": "居民甲"}).text
        assert ROW.findall(html) == ["rA1"] and "黄埔" not in html and "rB1" not in html
        assert "共 1 条" in html  # the other community's resident is in no count
        assert "rB1" not in c.get(SUGGEST, params={"q": "居民甲"}).text
    with client_for(store, "analyst", security=sec) as c:
        assert ROW.findall(c.get(PAGE, params={"q": "居民甲"}).text) == ["rA1", "rB1"]
    with client_for(store, "consumer", security=sec) as c:
        html = c.get(PAGE, params={"q": "居民甲"}).text
        assert ROW.findall(html) == [] and 'id="search-none"' in html
        html = c.get(PAGE, params={"q": "上星"}).text
        assert '<h2 data-group="Person"' not in html and ROW.findall(html)


def test_english_has_no_chinese_word_of_the_interface(store: GraphStore) -> None:
    store.upsert(street())
    names = {n["properties"]["name"] for n in street()}  # a name stays as it is
    words = [w for w in TEXT["zh"].values()
             if HAN.search(w) and "{" not in w and not any(w in n for n in names)]
    with client_for(store, "analyst") as c:
        for url, params in ((PAGE, {"q": "上星"}), (PAGE, {"q": "上星", "group": "PartyOrg"}),
                            (PAGE, {}), (PAGE, {"q": "没有"}), (SUGGEST, {"q": "上星"})):
            html = c.get(url, params={**params, "lang": "en"}).text
            text = TAG.sub(" ", html)
            assert not [w for w in words if w in text], (url, params)
        html = c.get(PAGE, params={"q": "上星", "lang": "en"}).text
        assert ">Party organisation <small>" in html or ">Party organization <small>" in html
        assert "start of a short name" in html


def test_hostile_names_stay_text(store: GraphStore) -> None:
    store.upsert([node("evil", "Community", name='<script>alert(1)</script>上星社区'),
                  node("evil2", "Resident", name='<img src=x onerror="alert(2)">上星')])
    with client_for(store, "analyst") as c:
        for url in (PAGE, SUGGEST):
            html = c.get(url, params={"q": "上星"}).text
            assert "<script>" not in html and "<img" not in html, url
            assert "&lt;script&gt;alert(1)&lt;/script&gt;上星社区" in html, url
        html = c.get(PAGE, params={"q": '"><script>x</script>'}).text
        assert "<script>x" not in html
