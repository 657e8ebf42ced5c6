"""Every workbench page in real Chromium on the small Xinqiao scenario, whichever
module adds it: reached from the menu (or, for a page reached by links, by its
address), drawn without a console error or a request off 127.0.0.1, and turned into
English by the toggle — the menu, the title, the tables' headings and the buttons then
English (every word of a page's HTML: tests/api/test_workbench_every_page.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.workbench.fragments import PAGES
from api.workbench.text import TEXT
from tests.api.browser.conftest import TOKEN, Watched, watching

HAN = re.compile(r"[\u4e00-\u9fff]")
SUBJECT = {"node": "id=committee-shangxing", "search": "q=%E4%B8%8A%E6%98%9F%E5%85%9A%E5%A7%94"}


def _drawn(w: Watched) -> None:
    w.page.wait_for_selector("#content > section.page, #content > .error-box")
    w.page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert w.page.locator("#content > .error-box").count() == 0, \
        w.page.inner_text("#content")


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_from_the_menu_then_in_english(browser: Any, scenario_server: str,
                                                 name: str) -> None:
    page_ = PAGES[name]
    with watching(browser, scenario_server, TOKEN["sc-admin"]) as w:
        page = w.page
        if page_.order is None:
            page.goto(f"{scenario_server}/workbench/{name}?{SUBJECT.get(name, '')}")
        else:
            page.goto(f"{scenario_server}/workbench/overview")
            _drawn(w)
            w.scan_bodies()
            page.click(f'#menu a[href^="/workbench/{name}?"]')
            page.wait_for_url(re.compile(f"/workbench/{name}"))
        _drawn(w)
        assert page.title().startswith(TEXT["zh"][f"page_{name}"])
        w.scan_bodies()
        page.click("#lang-toggle")
        page.wait_for_url(re.compile(r"lang=en"))
        _drawn(w)
        assert page.title().startswith(TEXT["en"][f"page_{name}"])
        assert page.get_attribute("html", "lang") == "en"
        # the interface in English: the menu, the tables' headings, the buttons (data
        # — names of people, organisations, places — stays Chinese)
        chrome = " ".join([page.inner_text("#menu"), *page.locator(
            "#content thead th, #content button").all_inner_texts()])
        # a heading may be data: a community's name heading its column
        for data in page.locator("#content option, #content td").all_inner_texts():
            if data.strip():
                chrome = chrome.replace(data.strip(), " ")
        assert not HAN.search(chrome), (name, chrome[:300])
