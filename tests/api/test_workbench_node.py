"""节点: a node's page on the community page's hand-built street (``tree_street``):
properties under the schema's names and masked for the role, a boundary drawn as an SVG
(never the GeoJSON), memberships and posts as a timeline, the leadership chain, and a
node out of sight answered as one that does not exist."""

from __future__ import annotations

import re

import pytest

from api.workbench.svgmap import svg_map
from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api.test_workbench_community import A_PEOPLE, HAN, SQUARE, TAG, tree_street
from tests.api_helpers import client_for, security_store
from tests.graphs import idn
from tests.queries.test_overview import DAY

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only


def _page(c: object, node_id: str, status: int = 200, **params: str) -> str:
    r = c.get("/api/v1/workbench/node", params={"id": node_id, "as_of": DAY,  # type: ignore[attr-defined]
                                                **params})
    assert r.status_code == status, r.text[:500]
    text: str = r.text
    return text


def _timeline(html: str) -> list[str]:
    """The timeline's entries as text, one line each."""
    if 'id="node-timeline"' not in html:
        return []
    part = html[html.index('id="node-timeline"'):html.index("</ol>", html.index("node-timeline"))]
    return [" ".join(TAG.sub(" ", "<li" + li).split()) for li in part.split("<li")[1:]]


def _chain(html: str) -> list[list[str]]:
    part = html[html.index('id="node-chain"'):]
    part = part[part.index("<tbody>"):part.index("</tbody>")]
    return [[" ".join(TAG.sub(" ", "<td" + td).split()) for td in row.split("<td")[1:]]
            for row in part.split("<tr")[1:]]


def test_a_person_for_an_analyst(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c, "mA1")
    assert "<h1>上星书记 <small>党员 · 截至日期 2024-06-30</small></h1>" in html
    # personal numbers masked, and said so (idn("44030619750101123") ends 1123 + its digit)
    number = idn("44030619750101123")
    assert f"<th scope=\"row\">身份证号</th><td>440306********{number[-4:]} " in html
    assert "<th scope=\"row\">联系电话</th><td>138****1001 " in html
    assert html.count('<span class="masked">已脱敏</span>') == 3  # + the birth date's band
    assert "<td>45-54岁 <span" in html
    # current posts by organisation id: the party role in words, the others as written
    posts = html[html.index('<ul class="posts">'):html.index("</ul>", html.index("posts"))]
    assert [" ".join(TAG.sub(" ", li).split()) for li in posts.split("<li>")[1:]] == [
        "上星第一支部 书记 2015-01-01", "上星社区 社区书记 2021-01-01",
        "上星居委会 主任 2021-01-01", "上星社区工作站 站长 2022-03-01"]
    # every stint, oldest first (then by organisation); the group leader's ended in 2020
    assert _timeline(html) == [
        "2015-01-01 — 至今 上星第一支部 书记 现任",
        "2016-01-01 — 2020-01-01 上星一组 组长 已结束",
        "2021-01-01 — 至今 上星社区 社区书记 现任",
        "2021-01-01 — 至今 上星居委会 主任 现任",
        "2022-03-01 — 至今 上星社区工作站 站长 现任"]
    # the chain: member of the branch, its committee (no secretary: a break), the street's
    assert _chain(html) == [
        ["1", "上星书记", "党员", "—", "—", "—"],
        ["2", "上星第一支部", "党支部", "党员隶属", "上星书记（书记）", "—"],
        ["3", "上星社区党委", "党委", "隶属于", "—", "党组织无书记"],
        ["4", "新桥街道党工委", "党工委", "隶属于", "街道书记（书记）", "—"]]
    assert "领导链有 1 处断点。" in html
    assert 'href="/explorer#focus=mA1&amp;lang=zh"' in html


def test_an_organisation_its_members_and_a_boundary(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c, "brA")
        assert _timeline(html) == [
            "2015-01-01 — 至今 上星书记 书记 现任",
            "2023-07-01 — 至今 上星党员 党员 现任",
            "2024-01-01 — 至今 上星新党员 党员 现任"]
        html = _page(c, "wsA")  # no party organisation: the posts held in it
        assert "在本组织任职的人员" in html
        assert _timeline(html) == ["2022-03-01 — 至今 上星书记 站长 现任"]
        html = _page(c, "gridA")
    assert '"coordinates"' not in html and "113.835" not in html
    assert html.count('<svg class="map"') == 1 and "<figcaption>边界</figcaption>" in html
    assert ">20 m</text>" in html  # the scale bar: the longest round length ≤ ~103 m / 3
    assert "<th scope=\"row\">网格类型</th><td>基础网格</td>" in html  # the kind's Chinese name


def test_the_map_keeps_the_shape() -> None:
    svg = str(svg_map(SQUARE))
    # ~103 m wide and ~111 m high: fitted into 296 × 180 by its height, centred
    path = re.search(r'<path d="([^"]+)"', svg)
    assert path is not None
    xs = [float(v) for v in re.findall(r"([\d.]+) [\d.]+", path.group(1))]
    ys = [float(v) for v in re.findall(r"[\d.]+ ([\d.]+)", path.group(1))]
    assert (min(ys), max(ys)) == (12.0, 192.0)
    width = max(xs) - min(xs)
    assert abs(width / 180 - 102.6 / 110.6) < 0.01 and abs((min(xs) + max(xs)) / 2 - 160) < 0.1
    # a hole stays a hole; a point is no boundary
    holed = ('{"type":"Polygon","coordinates":[[[0,0],[0.01,0],[0.01,0.01],[0,0.01],[0,0]],'
             '[[0.004,0.004],[0.006,0.004],[0.006,0.006],[0.004,0.004]]]}')
    assert str(svg_map(holed)).count("Z") == 2
    assert svg_map('{"type":"Point","coordinates":[113.8,22.7]}') is None


def test_out_of_sight_is_not_found(store: GraphStore) -> None:
    store.upsert(*tree_street())
    sec = security_store()
    with client_for(store, "community", community="cB", security=sec) as c:
        hidden = _page(c, "mA1", 404)
        missing = _page(c, "zzz", 404)
        assert hidden.replace("mA1", "zzz") == missing
        assert "error-box" in hidden and "上星" not in hidden
        html = _page(c, "brB")  # its own: shown
        assert "黄埔书记" in html and "上星" not in html
    with client_for(store, "consumer", security=sec) as c:
        assert _page(c, "mA1", 404).replace("mA1", "zzz") == _page(c, "zzz", 404)
        html = _page(c, "brA")  # an organisation: no member named, a note instead
        assert 'id="node-people-hidden"' in html and "error-box" not in html
        assert not [n for n in (*A_PEOPLE, "无权查看") if n in html]
        html = _page(c, "cA")
        assert 'id="node-people-hidden"' in html
        assert not [n for n in (*A_PEOPLE, "无权查看") if n in html]
    with client_for(store, "analyst", security=sec) as c:
        assert c.get("/api/v1/workbench/node").status_code == 422  # no id
        # an id no route's path takes: not found, as any other (not another route)
        assert _page(c, "brA/neighbors", 404).replace("brA/neighbors", "zzz") == _page(
            c, "zzz", 404)
        html = _page(c, "<script>", 404)
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_in_english_every_word(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        pages = [_page(c, i, lang="en") for i in ("mA1", "brA", "gridA", "wsA")]
    names = {n["properties"]["name"] for n in tree_street()[0]}
    titles = {"社区书记", "主任", "站长", "组长"}  # posts as written: data
    for html in pages:
        text = TAG.sub(" ", html)
        left = sorted(w for w in TEXT["zh"].values() if HAN.search(w) and "{" not in w
                      and w in text and not any(w in n for n in names | titles))
        assert left == []
    person = pages[0]
    assert "<th scope=\"row\">ID number</th>" in person and "aged 45–54" in person
    assert "2015-01-01 — now 上星第一支部 secretary current" in _timeline(person)
    assert ["3", "上星社区党委", "Party committee", "sub-organisation of", "—",
            "party organisation without a secretary"] in _chain(person)
    assert "<th scope=\"row\">Kind</th><td>base</td>" in pages[2]
