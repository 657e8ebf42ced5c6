"""The workbench in real headless Chromium, as a user's tasks: log in, read the street's
overview, follow a figure to the middle-weakening page, read the top gap's reasons,
open it in the graph, download the report and read it back, switch to English; and a
community token that sees its own community only. Every page: no console error, no
request off 127.0.0.1 (the ``watching`` context)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from api.security import SecurityStore
from graph.embedded import EmbeddedStore
from tests.api.browser.conftest import Watched, serving, watching
from tests.queries.test_overview import DAY, _street

HAN = re.compile(r"[\u4e00-\u9fff]")
WB: dict[str, str] = {}


@pytest.fixture(scope="module")
def wb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API over the overview's two-community street (上星 cA, 黄埔 cB); tokens for
    an admin, an analyst, a consumer and 黄埔's community in ``WB``."""
    home = tmp_path_factory.mktemp("workbench")
    store = EmbeddedStore(home / "workbench.db")
    store.upsert(*_street())
    security = SecurityStore(home / "security.db")
    for role, community in (("admin", None), ("analyst", None), ("consumer", None),
                            ("community", "cB")):
        WB[role], _ = security.create_token(role, community, label=f"workbench {role}")
    with serving(store, security) as url:
        yield url


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()  # the answers of the page left behind
    w.page.goto(f"{w.base}{path}")
    w.page.wait_for_selector("#content section.page, #content .error-box")


def test_log_in_and_read_the_overview_under_the_pages_policy(browser: Any, wb_server: str
                                                              ) -> None:
    """No token in the tab: the login form; the token typed in; the overview drawn —
    with the server's Content-Security-Policy in force (no inline script, no eval)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{wb_server}/workbench/overview?as_of={DAY}")
        page.wait_for_selector("#login:not([hidden])")
        page.fill("#token", WB["analyst"])
        page.click("#login button[type=submit]")
        page.wait_for_selector("#overview-table")
        rows = page.locator("#overview-table tbody tr")
        assert rows.count() == 2
        first = rows.nth(0).inner_text()
        assert "上星社区" in first and "100.0%" in first  # brA is weak: 1 of 1 branch
        assert page.locator("#overview-table tfoot").inner_text().startswith("街道合计")
        page.wait_for_selector(".chart svg")
        assert page.locator(".chart svg").count() == 2
        assert page.url.endswith(f"/workbench/overview?as_of={DAY}&lang=zh")
    finally:
        ctx.close()
    assert errors == [], errors


@pytest.fixture
def analyst(browser: Any, wb_server: str) -> Iterator[Watched]:
    with watching(browser, wb_server, WB["analyst"]) as w:
        yield w


def test_a_figure_leads_to_its_gaps_and_the_top_gap_to_the_graph(analyst: Watched) -> None:
    w, page = analyst, analyst.page
    _open(w, f"/workbench/overview?as_of={DAY}")
    w.scan_bodies()
    page.locator('#overview-table tr[data-community="cA"] a.figure').click()
    page.wait_for_selector("#gaps-table")
    assert "/workbench/gaps?" in page.url and "community=cA" in page.url
    rows = page.locator("#gaps-table tbody tr")
    assert rows.count() == 1  # 上星 only
    top = rows.nth(0)
    assert top.get_attribute("data-rank") == "1"
    assert "上星第一支部" in top.inner_text()
    assert "正式党员不足3人" in top.locator("td.reasons").inner_text()
    w.scan_bodies()  # before the page leaves for the explorer
    top.get_by_text("在图谱中打开").click()
    page.wait_for_url(re.compile(r"/explorer#focus=brA&overlays=gaps"))
    page.wait_for_selector('body[data-state="ready"][data-focus="brA"]', timeout=15_000)
    assert page.evaluate("explorer.nodes.get('brA') !== null")


def test_the_report_downloads_and_reads_back(analyst: Watched, tmp_path: Path) -> None:
    w, page = analyst, analyst.page
    _open(w, f"/workbench/gaps?as_of={DAY}")
    with page.expect_download() as got:
        page.get_by_text("下载 Excel").click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    assert got.value.suggested_filename == f"中间弱化问题清单-{DAY}.xlsx"
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    text = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                    for c in row if c is not None)
    assert "上星第一支部" in text and "黄埔第一支部" in text


def test_sorting_and_the_english_toggle(analyst: Watched) -> None:
    w, page = analyst, analyst.page
    _open(w, f"/workbench/gaps?as_of={DAY}&sort=community")
    names = page.locator("#gaps-table tbody tr td:nth-child(4)").all_inner_texts()
    assert names == sorted(names) and len(names) == 2
    w.scan_bodies()
    page.click("#lang-toggle")
    page.wait_for_selector("#gaps-table")
    assert "lang=en" in page.url and "sort=community" in page.url
    # every word on the page is English; only the data (names) is Chinese
    chrome = page.locator("header.top").inner_text() + page.locator("h1").inner_text() \
        + page.locator("#gaps-table thead").inner_text() + page.locator(".pager").inner_text()
    assert not HAN.search(chrome.replace("中文", "")), chrome
    assert "too few full members" in page.locator("td.reasons").first.inner_text()
    w.scan_bodies()
    page.click('nav a[href^="/workbench/overview"]')
    page.wait_for_selector("#overview-table")
    head = page.locator("#overview-table thead").inner_text()
    assert "Weak branches" in head and not HAN.search(head)


def test_a_community_token_sees_its_community_only(browser: Any, wb_server: str) -> None:
    with watching(browser, wb_server, WB["community"]) as w:
        page = w.page
        for path in (f"/workbench/overview?as_of={DAY}", f"/workbench/gaps?as_of={DAY}"):
            _open(w, path)
            html = page.content()
            assert "上星" not in html, path  # the other community: its name, branch, grid
            assert "黄埔" in html, path
        # asking for the other community by id: as if it did not exist
        _open(w, f"/workbench/gaps?as_of={DAY}&community=cA")
        assert page.locator("#content .error-box").inner_text() == "no node with id 'cA'"
        assert "上星" not in page.content()
        # the browser logs the refused request itself; nothing else went wrong
        assert all("404" in e for e in w.errors), w.errors
        w.errors.clear()


def test_a_consumer_gets_no_report_download(browser: Any, wb_server: str) -> None:
    with watching(browser, wb_server, WB["consumer"]) as w:
        _open(w, f"/workbench/gaps?as_of={DAY}")
        assert w.page.locator("[data-download]").count() == 0
        assert w.page.locator("#gaps-table tbody tr").count() == 2

