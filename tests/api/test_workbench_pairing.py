"""The pairing page (新老结对) without a browser, on a street worked out by hand (as of
2024-06-30; joined 2022 = new, 1990 = veteran, 2012 = neither):

    上星社区 (cA): branches 上星第一支部 (bA1), 上星第二支部 (bA2); homes h1, h2 in
      resident group 上星一组 (g1), h1 in grid 上星网格一, h2 in 上星网格二.
      老党员甲 VA1 (bA1, veteran, lives h1)      老党员乙 VA2 (bA2, veteran)
      新党员一 NA1 (bA1, new, deputy secretary: a management post, lives h2)
      新党员二 NA2 (bA2, new)                   新党员三 NA3 (bA1, new)
      老党员丙 VA3 (bA2, joined 2012: no veteran) already mentors 已结对党员 KA1 (bA2, new)
    黄埔社区 (cB): branch 黄埔第一支部 (bB1); 新党员四 NB1 (new): no veteran there.

With two mentees a veteran (the default) every new member of 上星 gets her best
mentor: VA1 → NA1 scores 4 (same branch) + 2 (same group) = 6, VA1 → NA3 4 (same
branch), VA2 → NA2 4 (same branch): 3 pairs, total 14, one of them a post holder.
KA1's pair is kept (VA3 → KA1, same branch, 4); NB1 is left unpaired: no veteran in
the community. With one mentee a veteran, NA1 (the post holder) and NA2 are paired and
NA3 is left over (capacity exhausted)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.security import SecurityStore
from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import client_for, clients_for, security_store
from tests.graphs import idn, rel
from tests.queries.test_pairing import MID, NEW, VET, Street

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

DAY = "2024-06-30"
URL = "/api/v1/workbench/pairing"
NAMES = {"cA": "上星社区", "cB": "黄埔社区", "bA1": "上星第一支部", "bA2": "上星第二支部",
         "bB1": "黄埔第一支部", "g1": "上星一组", "grid1": "上星网格一", "grid2": "上星网格二",
         "VA1": "老党员甲", "VA2": "老党员乙", "VA3": "老党员丙", "NA1": "新党员一",
         "NA2": "新党员二", "NA3": "新党员三", "KA1": "已结对党员", "NB1": "新党员四"}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def pairing_street(rename: dict[str, str] | None = None) -> Street:
    s = Street()
    for c in ("cA", "cB"):
        s.community(c)
    s.branch("bA1", "cA")
    s.branch("bA2", "cA")
    s.branch("bB1", "cB")
    s.home("h1", "g1", "grid1", "cA")
    s.home("h2", "g1", "grid2", "cA")
    s.member("VA1", "bA1", VET, home="h1")
    s.member("VA2", "bA2", VET)
    s.member("NA1", "bA1", NEW, role="deputy", home="h2")
    s.member("NA2", "bA2", NEW)
    s.member("NA3", "bA1", NEW)
    s.member("VA3", "bA2", MID)
    s.member("KA1", "bA2", NEW)
    s.member("NB1", "bB1", NEW)
    s.rels.append(rel("MENTORS", "VA3", "KA1", since="2023-01-01", score=4.0))
    names = {**NAMES, **(rename or {})}
    for n in s.nodes:
        if n["id"] in names:
            n["properties"]["name"] = names[n["id"]]
        if n["id"] == "NA1":  # personal numbers the masked roles' answers must not show
            n["properties"].update(id_number=idn("44030619600101123"), phone="13912345678")
    return s


@pytest.fixture
def street(store: GraphStore) -> GraphStore:
    return pairing_street().load(store)


@pytest.fixture
def sec() -> SecurityStore:
    return security_store()


@pytest.fixture
def clients(street: GraphStore, sec: SecurityStore) -> Iterator[dict[str, TestClient]]:
    roles = {
        "admin": ("admin", None), "analyst": ("analyst", None), "consumer": ("consumer", None),
        "cA": ("community", "cA"), "cB": ("community", "cB")}
    with clients_for(street, roles, security=sec) as made:
        yield made


def _get(c: TestClient, **params: Any) -> str:
    r = c.get(URL, params=params)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    text: str = r.text
    return text


def _rows(html: str, table: str) -> list[str]:
    """The text of each body row of the table with id ``table``."""
    m = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table {table}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    return [" ".join(unescape(TAG.sub(" ", r)).split()) for r in rows]


def _proposed(c: TestClient, **params: Any) -> str:
    return _get(c, propose="true", as_of=DAY, **params)


def _mentors(store: GraphStore) -> set[tuple[str, str, str | None]]:
    return {(r.start, r.end, r.properties.get("since")) for r in store.rels("MENTORS")}


def test_before_proposing_the_page_explains_and_writes_nothing(
        clients: dict[str, TestClient]) -> None:
    html = _get(clients["analyst"])
    assert 'id="pairing-hint"' in html and "pairing-pairs" not in html
    assert "入党不满 5 年，或年龄不超过 35 岁" in html
    # the communities to choose from, by name; a community token is offered its own only
    assert '<option value="cA">上星社区</option>' in html and "黄埔社区" in html
    html = _get(clients["cA"])
    assert '<option value="cA" selected>上星社区</option>' in html and "黄埔" not in html
    assert "全部社区" not in html


def test_the_proposal_is_the_jsons(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    j = c.post("/api/v1/pairings/proposals", json={"as_of": DAY}).json()
    html = _proposed(c, community="")  # the form's "all communities"
    assert _rows(html, "pairing-pairs") == [
        "上星社区 新党员一 是 老党员甲 6 同一支部；同一居民小组",
        "上星社区 新党员三 老党员甲 4 同一支部",
        "上星社区 新党员二 老党员乙 4 同一支部"]
    assert [(p["mentee"]["name"], p["mentor"]["name"], p["score"]) for p in j["pairs"]] == [
        ("新党员一", "老党员甲", 6), ("新党员三", "老党员甲", 4), ("新党员二", "老党员乙", 4)]
    assert _rows(html, "pairing-unpaired") == ["黄埔社区 新党员四 本社区无老党员"]
    assert [u["member"]["id"] for u in j["unpaired"]] == ["NB1"]
    assert _rows(html, "pairing-kept") == ["上星社区 已结对党员 老党员丙 4 同一支部"]
    assert ("本方案新结对 3 对（其中任职新党员 1 人），匹配总分 14；"
            "保持现有结对 1 对；未能结对 1 人") in html
    assert j["objective"] == {"management_paired": 1, "paired": 3, "total_score": 14}
    # the analyst may look, not accept: no check boxes, no accept form
    assert 'name="pair"' not in html and "pairing/accept" not in html
    # its .xlsx, asked with the page's parameters
    assert ('data-download="/api/v1/pairings/proposals.xlsx?as_of=2024-06-30&amp;capacity=2&amp;'
            'new_years=5&amp;veteran_years=20&amp;young_age=35"' in html)
    assert "data-print" in html


def test_the_rules_move_the_proposal(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _proposed(c, capacity=1, community="cA")
    assert _rows(html, "pairing-pairs") == [
        "上星社区 新党员一 是 老党员甲 6 同一支部；同一居民小组",
        "上星社区 新党员二 老党员乙 4 同一支部"]
    assert _rows(html, "pairing-unpaired") == ["上星社区 新党员三 老党员帮带名额已满"]
    assert "capacity=1" in html and "community=cA" in html  # the page's URL keeps them
    # veterans as 35 years in the party: VA1 and VA2 (34 years) are none; NA1 … unpaired
    html = _proposed(c, veteran_years=35, community="cA")
    assert _rows(html, "pairing-pairs") == ["无"]
    assert len(_rows(html, "pairing-unpaired")) == 3
    # the .xlsx is asked with the same rules
    assert re.search(r'data-download="[^"]*veteran_years=35', html)
    # sorted by score, the best pair first; a page of its own for each table
    html = _proposed(c, sort="score")
    assert _rows(html, "pairing-pairs")[0].startswith("上星社区 新党员一")


def test_only_band_tops_are_offered_as_young_age(clients: dict[str, TestClient]) -> None:
    """A masked caller's ages come from the age band: the route takes a band's top only,
    so the page offers those and refuses any other (no finer test of a birth date)."""
    c = clients["analyst"]
    html = _get(c)
    offered = re.findall(r'<option value="(\d+)"', html.split('name="young_age"')[1]
                         .split("</select>")[0])
    assert offered == ["17", "24", "35", "44", "54", "64"]
    assert c.get(URL, params={"young_age": 30, "propose": "true"}).status_code == 422
    html = _proposed(c, young_age=24)  # a band's top, sent as the form sends it
    assert "或年龄不超过 24 岁" in html and '<option value="24" selected>' in html
    assert "young_age=24" in html


def test_the_admin_accepts_the_ticked_pairs(clients: dict[str, TestClient],
                                            street: GraphStore, sec: SecurityStore) -> None:
    c = clients["admin"]
    html = _proposed(c)
    form = re.search(r'<form id="pairing-accept"[^>]*hx-post="([^"]*)"[^>]*hx-confirm="([^"]*)"',
                     html)
    assert form, "no accept form with a confirmation"
    assert form.group(2).startswith("确认接受所选结对")
    boxes = re.findall(r'<input type="checkbox" name="pair" value="([^"]*)"', html)
    assert len(boxes) == 3
    values = [b.replace("&#34;", '"') for b in boxes]
    assert values == ['["VA1", "NA1", 6]', '["VA1", "NA3", 4]', '["VA2", "NA2", 4]']
    before = _mentors(street)
    assert before == {("VA3", "KA1", "2023-01-01")}
    # tick the first and the third, accept from the proposal's day
    r = c.post(form.group(1).replace("&amp;", "&"),
               data={"pair": [values[0], values[2]], "since": DAY, "again": "propose=true"})
    assert r.status_code == 201, r.text
    assert _mentors(street) == before | {("VA1", "NA1", DAY), ("VA2", "NA2", DAY)}
    scores = {(x.start, x.end): x.properties.get("score") for x in street.rels("MENTORS")}
    assert scores[("VA1", "NA1")] == 6.0 and scores[("VA2", "NA2")] == 4.0
    assert "已写入 2 条结对帮带关系（MENTORS），自 2024-06-30 起" in r.text
    assert _rows(r.text, "pairing-written") == [f"MENTORS:VA1->NA1:{DAY}",
                                                f"MENTORS:VA2->NA2:{DAY}"]
    # the audit record of the write, named on the page
    items, _ = sec.records(limit=50)
    written = [x for x in items if x["method"] == "POST" and x["path"] == "/api/v1/pairings"]
    assert len(written) == 1 and written[0]["status"] == 201 and written[0]["role"] == "admin"
    assert f'data-audit-seq="{written[0]["seq"]}"' in r.text
    assert "propose=true" in r.text  # propose again
    # proposed again, the accepted pairs are kept and NA3 pairs with the slot left
    html = _proposed(c)
    assert _rows(html, "pairing-pairs") == ["上星社区 新党员三 老党员甲 4 同一支部"]
    assert len(_rows(html, "pairing-kept")) == 3


def test_nobody_but_an_admin_accepts(clients: dict[str, TestClient], street: GraphStore,
                                     sec: SecurityStore) -> None:
    before = _mentors(street)
    pair = '["VA1", "NA1", 6]'
    for who in ("analyst", "cA", "consumer"):
        r = clients[who].post(f"{URL}/accept", data={"pair": pair, "since": DAY})
        assert r.status_code == 403, (who, r.text)  # the JSON route's refusal, boxed
        assert 'class="error-box"' in r.text
    assert _mentors(street) == before  # nothing written
    refused = [x for x in sec.records(limit=100)[0] if x["path"] == "/api/v1/pairings"]
    assert {x["status"] for x in refused} == {403} and len(refused) == 3


def test_a_bad_selection_is_refused_not_a_500(clients: dict[str, TestClient],
                                              street: GraphStore) -> None:
    c = clients["admin"]
    before = _mentors(street)
    r = c.post(f"{URL}/accept", data={"since": DAY})
    assert r.status_code == 422 and "请至少勾选一对结对" in r.text
    r = c.post(f"{URL}/accept", data={"pair": "VA1->NA1"})
    assert r.status_code == 422 and "所选结对无法识别" in r.text
    r = c.post(f"{URL}/accept", content=b"\xff\xfe", headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    r = c.post(f"{URL}/accept", data={"pair": '["VA1", "nobody", 1]'})
    assert r.status_code == 404 and "nobody" in r.text  # the JSON route's answer
    r = c.post(f"{URL}/accept", data={"pair": '["VA1", "bA1", 1]'})
    assert r.status_code == 409  # a branch is no party member
    r = c.post(f"{URL}/accept", data={"pair": '["VA1", "NA1", 6]', "since": "yesterday"})
    assert r.status_code == 422
    assert _mentors(street) == before
    for params in ({"capacity": -1}, {"as_of": "2024-13-01"}, {"sort": "x"}, {"page": 0},
                   {"lang": "fr"}, {"young_age": "x"}):
        assert c.get(URL, params={"propose": "true", **params}).status_code == 422, params


def test_a_community_token_sees_its_community_only(clients: dict[str, TestClient]) -> None:
    html = _proposed(clients["cA"])
    assert len(_rows(html, "pairing-pairs")) == 3 and "新党员四" not in html
    assert "黄埔" not in html
    assert "community=cA" in html  # the .xlsx of its own community
    html = _proposed(clients["cB"])
    assert _rows(html, "pairing-pairs") == ["无"]
    assert _rows(html, "pairing-unpaired") == ["黄埔社区 新党员四 本社区无老党员"]
    assert "上星" not in html
    assert not [n for i, n in NAMES.items() if i[:2] in ("VA", "NA", "KA") and n in html]
    # asking for the other community: as if it did not exist
    assert clients["cB"].get(URL, params={"community": "cA", "propose": "true"}
                             ).status_code == 404
    # its .xlsx holds its community alone
    x = clients["cB"].get("/api/v1/pairings/proposals.xlsx", params={"as_of": DAY})
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    text = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                    for v in row if v is not None)
    assert "新党员四" in text and "上星" not in text


def test_a_consumer_sees_no_people(clients: dict[str, TestClient]) -> None:
    r = clients["consumer"].get(URL, params={"propose": "true", "as_of": DAY})
    assert r.status_code == 403 and "新党员" not in r.text
    assert "error-box" in r.text
    # the page is not offered to it, and refuses it before the form, as the route would
    r = clients["consumer"].get(URL)
    assert r.status_code == 403 and "the consumer role may not call this endpoint" in r.text
    assert "pairing" not in clients["consumer"].get("/api/v1/workbench/menu").text


def test_masked_roles_see_no_personal_numbers(clients: dict[str, TestClient]) -> None:
    """client_for scans every non-admin answer for ID and mobile numbers; NA1 has both."""
    for who in ("analyst", "cA"):
        html = _proposed(clients[who])
        assert "新党员一" in html and "13912345678" not in html


def test_in_english_every_word_is_english(clients: dict[str, TestClient]) -> None:
    html = _proposed(clients["admin"], lang="en")
    text = TAG.sub(" ", html)
    names = set(NAMES.values())
    interface = sorted(w for w in set(TEXT["zh"].values())
                       if HAN.search(w) and "{" not in w and not any(w in n for n in names))
    left = [w for w in interface if w in text]
    assert not left, left[:10]
    for n in names:
        text = text.replace(n, "")
    assert not HAN.search(text), HAN.findall(text)[:20]
    assert "same branch; same resident group" in text and "no veteran in the community" in text
    assert "Accept the selected pairs?" in html


def test_hostile_names_stay_text(store: GraphStore) -> None:
    pairing_street({"NA1": "<script>alert(1)</script>", "VA1": '"><img src=x>'}).load(store)
    with client_for(store, "admin", security=security_store()) as c:
        html = _proposed(c)
        assert "<script>alert" not in html and "<img src=x>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dynamic_words_exist() -> None:
    for key in ("pairing_sort_community", "pairing_sort_score", "pairing_sort_management"):
        assert key in TEXT["zh"] and key in TEXT["en"]
