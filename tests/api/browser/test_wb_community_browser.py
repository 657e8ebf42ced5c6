"""社区画像, 三板一队 and a node's page in real headless Chromium on the small Xinqiao
scenario, as a user's tasks: an analyst opens the community page, picks 上星, opens
the tree down to a branch and its groups, follows the gaps link; 上星's own token sees
no other community anywhere on the three pages and downloads the three-boards workbook;
the 上星 committee's page shows its chain and its members; the English toggle."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.api.browser.conftest import TOKEN, Watched, watching

HAN = re.compile(r"[\u4e00-\u9fff]")
DAY = "2026-06-30"  # the scenario's day
SHANGXING = "community-shangxing"
#: the other communities' names (新桥 is the street's too)
OTHERS = ("黄埔", "上寮", "万丰", "沙企", "新二", "community-huangpu", "committee-huangpu")


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()  # the answers of the page left behind
    w.page.goto(f"{w.base}{path}")
    _drawn(w)


def _drawn(w: Watched) -> None:
    w.page.wait_for_selector("#content > section.page, #content > .error-box")
    w.page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_an_analyst_opens_shangxing_down_to_a_branch_then_its_gaps(
        browser: Any, scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, f"/workbench/community?as_of={DAY}")
        assert page.get_attribute("#community-page", "data-community") == "community-huangpu"
        page.select_option('select[name="community"]', SHANGXING)
        w.scan_bodies()
        page.click('#community-page form button[type="submit"]')
        page.wait_for_selector(f'#community-page[data-community="{SHANGXING}"]')
        assert f"community={SHANGXING}" in page.url and f"as_of={DAY}" in page.url
        assert "上星社区" in page.inner_text("h1")
        # the committee is open; a branch is closed until clicked, then shows its groups
        committee = page.locator('details.org[data-org="committee-shangxing"]')
        assert committee.get_attribute("open") is not None
        branch = page.locator('details.org[data-org="branch-shangxing-02"]')
        groups = branch.locator(":scope > ul > li.group")
        assert branch.get_attribute("open") is None and not groups.first.is_visible()
        branch.locator(":scope > summary").click()
        assert branch.get_attribute("open") is not None
        assert groups.count() >= 1 and groups.first.is_visible()
        assert "居民小组" in groups.first.inner_text()
        # on paper every branch is open, on screen a closed one stays closed
        closed = page.locator('details.org[data-org="branch-shangxing-03"] li.group').first
        assert not closed.is_visible()
        page.emulate_media(media="print")
        assert closed.is_visible() and not page.locator("#community-page form").is_visible()
        page.emulate_media(media="screen")
        # a weak branch carries its flag and reasons; the figures sit beside the tree
        weak = page.locator("#community-tree .flag.weak").count()
        assert weak >= 1
        assert page.locator("#brief-gaps li[data-rank]").count() >= 1
        # the gaps link leads to the middle-weakening page for 上星
        w.scan_bodies()
        page.click("#brief-gaps a.more")
        page.wait_for_url(re.compile(r"/workbench/gaps\?"))
        _drawn(w)
        page.wait_for_selector("#gaps-table")
        assert f"community={SHANGXING}" in page.url
        communities = page.locator("#gaps-table tbody tr td:nth-child(4)").all_inner_texts()
        assert communities and set(communities) == {"上星社区"}


def test_shangxings_token_sees_no_other_community_and_downloads_the_boards(
        browser: Any, scenario_server: str, tmp_path: Path) -> None:
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        page = w.page
        for path in (f"/workbench/community?as_of={DAY}", f"/workbench/boards?as_of={DAY}",
                     f"/workbench/node?id=committee-shangxing&as_of={DAY}"):
            _open(w, path)
            assert page.locator("#content > .error-box").count() == 0, path
            html = page.content()
            assert "上星" in html, path
            assert not [o for o in OTHERS if o in html], (path, [o for o in OTHERS if o in html])
        # the community page of a bound token has no chooser
        _open(w, f"/workbench/community?as_of={DAY}")
        assert page.locator('#community-page select[name="community"]').count() == 0
        # the three-boards workbook: what the table shows, and nothing of another community
        _open(w, f"/workbench/boards?as_of={DAY}")
        shown = page.locator("#boards-table tbody tr td:nth-child(3)").all_inner_texts()
        assert shown
        with page.expect_download() as got:
            page.get_by_text("下载 Excel").click()
        assert got.value.suggested_filename == f"三块牌子一套人马-{DAY}.xlsx"
        saved = tmp_path / "boards.xlsx"
        got.value.save_as(saved)
        book = load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
        assert book.sheetnames == ["汇总", "上星社区"]
        rows = [r for r in book["上星社区"].iter_rows(min_row=3, values_only=True)]
        assert sorted(r[0] for r in rows) == sorted(shown)
        text = " ".join(str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True)
                        for c in r if c is not None)
        assert not [o for o in OTHERS if o in text]


def test_the_committees_page_shows_its_chain_and_its_members(browser: Any,
                                                            scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, f"/workbench/node?id=committee-shangxing&as_of={DAY}")
        assert page.inner_text("h1").startswith("中共新桥街道上星社区委员会")
        # the chain: the committee, then the street working committee, each with its leader
        steps = page.locator("#node-chain tbody tr")
        assert steps.count() == 2
        assert steps.nth(0).get_attribute("data-node") == "committee-shangxing"
        assert steps.nth(1).get_attribute("data-node") == "wc-xinqiao"
        assert "（书记）" in steps.nth(0).inner_text()
        # the timeline: the committee's own current members, as the JSON lists them
        members = page.request.get(
            f"{w.base}/api/v1/orgs/committee-shangxing/members",
            params={"include_sub": "false", "as_of": DAY},
            headers={"Authorization": f"Bearer {TOKEN['sc-analyst']}"}).json()["items"]
        entries = page.locator("#node-timeline li")
        assert entries.count() == len(members) > 0
        text = page.inner_text("#node-timeline")
        assert all(m["person"]["name"] in text for m in members)
        secretary = next(m for m in members if m["role"] == "secretary")
        assert secretary["person"]["name"] in steps.nth(0).inner_text()
        # a member's own page is one click away
        first = entries.first.locator("a")
        name = first.inner_text()
        w.scan_bodies()
        first.click()
        page.wait_for_url(re.compile(r"/workbench/node\?id=person-"))
        _drawn(w)
        assert page.inner_text("h1").startswith(name)
        assert page.locator("#node-properties .masked").count() >= 1  # masked for an analyst


def test_the_english_toggle(browser: Any, scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        for path, table in ((f"/workbench/community?community={SHANGXING}&as_of={DAY}", None),
                            (f"/workbench/boards?as_of={DAY}", "#boards-table"),
                            (f"/workbench/node?id=committee-shangxing&as_of={DAY}",
                             "#node-chain")):
            _open(w, path)
            w.scan_bodies()
            page.click("#lang-toggle")
            page.wait_for_url(re.compile(r"lang=en"))
            _drawn(w)
            assert page.get_attribute("html", "lang") == "en"
            # the interface is English: titles, headings, labels, buttons, notes
            # (a label's first line: the options of its select are names)
            chrome = " ".join([
                page.inner_text("#menu"), page.inner_text("#content h1 small"),
                *page.locator("#content h2, #content thead th, #content button, "
                              "#content .note, #content dt").all_inner_texts(),
                *(x.split("\n")[0] for x in page.locator("#content label").all_inner_texts())])
            assert not HAN.search(chrome), (path, HAN.findall(chrome)[:10])
            if table:
                assert page.locator(f"{table} tbody tr").count() >= 1
        # the tree's flags in English
        _open(w, f"/workbench/community?community={SHANGXING}&as_of={DAY}&lang=en")
        flags = page.locator("#community-tree .flag").all_inner_texts()
        assert flags and not HAN.search(" ".join(flags))
