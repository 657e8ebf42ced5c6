"""The front-line forces (一线力量) and patrol-case (巡查案件) pages in real headless
Chromium on the small Xinqiao scenario, as a user's tasks: open each from the menu,
filter to 上星, read the tables (and the charts), download the report and read it back,
switch to English. Every page: no console error, no request off 127.0.0.1 (the
``watching`` context)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api.browser.conftest import TOKEN, Watched, watching
from tests.conftest import SCENARIO_DAY

SHANGXING = "community-shangxing"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def analyst(browser: Any, scenario_server: str) -> Iterator[Watched]:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        yield w


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()  # the answers of the page left behind
    w.page.goto(f"{w.base}{path}")
    w.page.wait_for_selector("#content section.page, #content .error-box")


def _filter(w: Watched, button: str = "查询", **fields: str) -> None:
    """Fill the page's filter form and submit it; wait for the new content."""
    page = w.page
    for name, value in fields.items():
        if page.locator(f'select[name="{name}"]').count():
            page.select_option(f'select[name="{name}"]', value)
        else:
            page.fill(f'input[name="{name}"]', value)
    w.scan_bodies()
    old = page.locator("#content section.page").element_handle()
    page.locator("form.filters").get_by_role("button", name=button).click()
    page.wait_for_function("el => !el.isConnected", arg=old)
    page.wait_for_selector("#content section.page, #content .error-box")


def _download(w: Watched, tmp_path: Path, label: str = "下载 Excel") -> tuple[str, Any]:
    with w.page.expect_download() as got:
        w.page.get_by_role("button", name=label).click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    return got.value.suggested_filename, load_workbook(io.BytesIO(path.read_bytes()),
                                                       read_only=True)


def _chrome(w: Watched, *tables: str) -> str:
    """The interface's text: header, title, table heads, pagers."""
    page = w.page
    text: str = page.locator("header.top").inner_text() + page.locator("h1").inner_text()
    for t in tables:
        text += page.locator(f"#{t} thead").inner_text()
    text += " ".join(page.locator(".pager").all_inner_texts())
    return text.replace("中文", "")


def test_forces_for_shangxing_downloaded_and_in_english(analyst: Watched, tmp_path: Path
                                                        ) -> None:
    w, page = analyst, analyst.page
    _open(w, "/workbench/overview")
    w.scan_bodies()
    page.click('nav#menu a[href^="/workbench/forces"]')
    page.wait_for_selector("#forces-allocation")
    assert page.locator("#forces-allocation tbody tr").count() == 7  # the seven communities
    _filter(w, community=SHANGXING, as_of=SCENARIO_DAY)
    assert f"community={SHANGXING}" in page.url and f"as_of={SCENARIO_DAY}" in page.url
    rows = page.locator("#forces-allocation tbody tr")
    assert rows.count() == 1 and rows.nth(0).get_attribute("data-community") == SHANGXING
    staff = int(rows.nth(0).locator("td").nth(0).inner_text().replace(",", ""))
    assert staff > 0
    # the departments' columns: 上星 alone, and they add up to its staff
    totals = page.locator("#forces-departments tbody tr td:last-child").all_inner_texts()
    assert sum(int(x.replace(",", "")) for x in totals) == staff
    # the staff lists: 上星's only
    for table in ("forces-not-mobilised", "forces-not-evaluated"):
        cells = page.locator(f"#{table} tbody tr td:nth-child(3)").all_inner_texts()
        assert set(cells) <= {"上星社区"}, (table, set(cells))
    # two bar charts drawn
    page.wait_for_selector(".chart svg")
    assert page.locator(".chart svg").count() == 2
    name, book = _download(w, tmp_path)
    assert name == f"下沉力量-{SCENARIO_DAY}.xlsx"
    assert book.sheetnames == ["社区配置", "差异", "未调动人员", "未纳入社区考核"]
    alloc = {r[0]: r[1] for r in book["社区配置"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert alloc == {"上星社区": staff}  # the download holds what the page shows
    # sorted by staff per 10,000 residents, the fewest first
    _filter(w, community="", sort="per_10k_residents")
    values = [float(x) for x in page.locator(
        "#forces-allocation tbody tr td:nth-child(7)").all_inner_texts()]
    assert len(values) == 7 and values == sorted(values)
    # English: every word of the interface
    w.scan_bodies()
    page.click("#lang-toggle")
    page.wait_for_selector("#forces-allocation")
    assert "lang=en" in page.url and "sort=per_10k_residents" in page.url
    chrome = _chrome(w, "forces-allocation", "forces-spread", "forces-not-mobilised",
                     "forces-not-evaluated")
    assert not HAN.search(chrome), chrome
    assert "Deployed staff" in chrome and "Last case reported" in chrome


def test_cases_for_shangxing_downloaded_and_in_english(analyst: Watched, tmp_path: Path
                                                       ) -> None:
    w, page = analyst, analyst.page
    _open(w, "/workbench/overview")
    w.scan_bodies()
    page.click('nav#menu a[href^="/workbench/cases"]')
    page.wait_for_selector("#cases-by-rate")
    _filter(w, community=SHANGXING, as_of=SCENARIO_DAY)
    assert f"community={SHANGXING}" in page.url
    # both rankings side by side: the same grids, each table in its own order
    left, right = page.locator(".side-by-side > .ranking").all()
    lbox, rbox = left.bounding_box(), right.bounding_box()
    assert lbox and rbox and rbox["y"] == lbox["y"]  # side by side
    assert rbox["x"] >= lbox["x"] + lbox["width"]
    assert left.locator("#cases-by-rate").count() == right.locator("#cases-by-score").count() == 1
    communities = set(page.locator("#cases-by-rate tbody tr td:nth-child(3)").all_inner_texts())
    assert communities == {"上星社区"}
    by_rate = page.locator("#cases-by-rate tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.entity)")
    by_score = page.locator("#cases-by-score tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.entity)")
    assert len(by_rate) == len(by_score) > 0
    ranks = [x for x in page.locator("#cases-by-rate tbody tr td:first-child").all_inner_texts()
             if x != "—"]
    assert [int(x) for x in ranks] == sorted(int(x) for x in ranks)  # street ranks, in order
    # the patrollers, where filing for the count shows: a tab away
    w.scan_bodies()
    page.locator("nav.tabs a", has_text="巡查员").click()
    page.wait_for_selector("h1:has-text('巡查员')")
    assert "grouping=patroller" in page.url and f"community={SHANGXING}" in page.url
    assert page.locator("#cases-by-score tbody tr").count() > 0
    name, book = _download(w, tmp_path)
    assert name == f"巡查案件评价-{SCENARIO_DAY}.xlsx"
    assert book.sheetnames == ["汇总", "按网格", "按承办部门", "按巡查员"]
    grids = [r for r in book["按网格"].iter_rows(min_row=3, values_only=True) if r[2]]
    # the download holds what the page shows: 上星's grids, all of them (unpaged)
    assert {r[4] for r in grids} == {"上星社区"} and len(grids) >= len(by_rate)
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert set(summary) == {"网格", "承办部门", "巡查员"}
    # English: every word of the interface, the flags too
    w.scan_bodies()
    page.click("#lang-toggle")
    page.wait_for_selector("#cases-by-score")
    assert "lang=en" in page.url and "grouping=patroller" in page.url
    chrome = _chrome(w, "cases-summary", "cases-by-rate", "cases-by-score")
    chrome += " ".join(page.locator("#cases-by-score td.reasons").all_inner_texts())
    chrome += page.locator("nav.tabs").inner_text()
    assert not HAN.search(chrome), chrome
    assert "Ranked by closure rate" in page.locator("#content").inner_text()


def test_a_community_token_sees_its_own_forces_and_cases(browser: Any,
                                                         scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        page = w.page
        _open(w, f"/workbench/forces?as_of={SCENARIO_DAY}")
        assert page.locator('select[name="community"] option').all_inner_texts() == ["上星社区"]
        assert page.locator("#forces-allocation tbody tr").count() == 1
        _open(w, f"/workbench/cases?as_of={SCENARIO_DAY}&grouping=grid")
        cells = set(page.locator("#cases-by-rate tbody tr td:nth-child(3)").all_inner_texts())
        assert cells == {"上星社区"}
