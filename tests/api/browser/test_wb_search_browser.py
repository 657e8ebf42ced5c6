"""Search in real headless Chromium on the small Xinqiao scenario, as a user's tasks:
type 上星党委 in the header box, pick the committee from the suggestions and land on
its node page; ask for every result instead and read the search page, the committee
first; look through one type; with 上星's token, find no other community's people; in
English.
Every page: no console error, no request off 127.0.0.1 (``watching``).

The node page (/workbench/node) is another module's: these tests check the address
the suggestion leads to and that the page there is drawn, not what it shows."""

from __future__ import annotations

import re
from typing import Any

from api.redaction import Visibility
from api.security import Caller
from graph.store import GraphStore
from tests.api.browser.conftest import TOKEN, Watched, watching

COMMITTEE = "committee-shangxing"
SUGGESTION = "#suggestions a[role=option]"


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()
    w.page.goto(f"{w.base}{path}")
    w.page.wait_for_selector("#content > section.page, #content > .error-box")


def _type(w: Watched, text: str) -> None:
    """Typed into the header's box key by key, as a person does, then waited on until
    the list answers the whole text: a pause between keys longer than the box's delay
    draws the list for the first keys (上) while the rest is still to be asked."""
    box = w.page.locator("#search-box input[type=search]")
    box.click()
    box.press_sequentially(text, delay=30)
    w.page.wait_for_function(
        "q => document.querySelector('#suggestions a.suggest-all')?.dataset.q === q", arg=text)
    w.page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_type_a_short_name_and_pick_the_committee(browser: Any, scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, "/workbench/overview")
        _type(w, "上星党委")
        first = page.locator(SUGGESTION).first
        assert first.get_attribute("data-id") == COMMITTEE
        assert "中共新桥街道上星社区委员会" in first.inner_text()
        assert "上星社区党委" in first.inner_text()  # the name people use, beside it
        w.scan_bodies()
        first.click()
        page.wait_for_url(re.compile(rf"/workbench/node\?id={COMMITTEE}&lang=zh$"))
        page.wait_for_selector("#content > section.page, #content > .error-box")


def test_choose_a_suggestion_with_the_keyboard(browser: Any, scenario_server: str) -> None:
    """↓ twice then ↑ chooses the first suggestion (the committee); ↑ from the first
    goes round to the last (every result), ↓ back to the first; Enter opens it. Esc
    closes the list."""
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, "/workbench/overview")
        _type(w, "上星党委")
        box = page.locator("#search-box input[type=search]")
        chosen = f"{SUGGESTION}[aria-selected=true]"
        box.press("Escape")
        assert page.locator(SUGGESTION).count() == 0
        _open(w, "/workbench/overview")
        _type(w, "上星党委")
        for key in ("ArrowDown", "ArrowDown", "ArrowUp"):
            box.press(key)
        assert page.locator(chosen).count() == 1
        assert page.locator(chosen).get_attribute("data-id") == COMMITTEE
        box.press("ArrowUp")
        assert "suggest-all" in (page.locator(chosen).get_attribute("class") or "")
        box.press("ArrowDown")
        assert page.locator(chosen).get_attribute("data-id") == COMMITTEE
        assert box.get_attribute("aria-activedescendant") == page.locator(
            chosen).get_attribute("id")
        w.scan_bodies()
        box.press("Enter")
        page.wait_for_url(re.compile(rf"/workbench/node\?id={COMMITTEE}&lang=zh$"))
        page.wait_for_selector("#content > section.page, #content > .error-box")


def test_ask_for_every_result_and_read_the_search_page(browser: Any, scenario_server: str
                                                       ) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, "/workbench/overview")
        _type(w, "上星党委")
        w.scan_bodies()
        page.click(f"{SUGGESTION}.suggest-all")  # 查看“上星党委”的全部结果
        page.wait_for_url(re.compile(r"/workbench/search\?q="))
        page.wait_for_selector("table.search-hits")
        assert page.locator("h1").inner_text() == "搜索：上星党委"
        first = page.locator("table.search-hits tbody tr").first
        assert first.get_attribute("data-id") == COMMITTEE
        assert "简称" in first.inner_text()  # found by its short name
        # 上星: the community and its committee before any building
        _type_in_page(w, "上星")
        groups = page.locator("#content h2[data-group]").evaluate_all(
            "hs => hs.map(h => h.dataset.group)")
        assert groups[0] == "Community" and groups.index("PartyOrg") < groups.index("Building")
        party = page.locator("#search-group-PartyOrg tbody tr").first
        assert party.get_attribute("data-id") == COMMITTEE  # 上星党委: the nearest name
        # one type in full, then back
        page.get_by_text(re.compile(r"^查看全部 \d+ 条$")).last.click()
        page.wait_for_selector("#search-results")
        assert "group=" in page.url
        page.get_by_text("返回全部类型").click()
        page.wait_for_selector("#search-group-Community")
        # in English
        w.scan_bodies()
        page.click("#lang-toggle")
        page.wait_for_url(re.compile(r"lang=en"))
        page.wait_for_selector("table.search-hits")
        assert page.locator("h1").inner_text() == "Search: 上星"
        assert page.locator("#content h2[data-group=Community]").inner_text().startswith(
            "Community")


def _type_in_page(w: Watched, text: str) -> None:
    """A new search from the page's own form."""
    w.scan_bodies()
    box = w.page.locator("#content form input[name=q]")
    box.fill(text)
    box.press("Enter")
    w.page.wait_for_selector(f'#content h1:text-is("搜索：{text}")')


def test_a_communitys_token_finds_its_own_people_only(browser: Any, scenario_server: str,
                                                      xinqiao: GraphStore) -> None:
    vis = Visibility(Caller("t", "community", "community-shangxing"), xinqiao)
    people = [n for n in xinqiao.nodes("Person")]
    theirs = next(n for n in people if not vis.node_ok(n.id, n.labels)
                  and len(n.name) >= 2 and all(
                      not vis.node_ok(m.id, m.labels) for m in people if m.name == n.name))
    mine = next(n for n in people if vis.node_ok(n.id, n.labels))
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        _open(w, f"/workbench/search?q={theirs.name}")
        assert w.page.locator("#search-none").count() == 1
        assert theirs.id not in w.page.content()
        _type(w, theirs.name)
        assert w.page.locator(f"{SUGGESTION}[data-id]").count() == 0
        _open(w, f"/workbench/search?q={mine.name}")
        ids = w.page.locator("table.search-hits tbody tr").evaluate_all(
            "rs => rs.map(r => r.dataset.id)")
        assert mine.id in ids
        assert all(vis.node_ok(i, xinqiao.get_node(i).labels) for i in ids)
