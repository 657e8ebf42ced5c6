"""The explorer in real headless Chromium: search by pinyin, expand, the chain overlay,
the community view, deep links; no console error and no request off 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.api.browser.conftest import Watched
from tests.api.test_explorer import SCRIPTS

DAY = "as_of=2024-06-30"  # the day governance() is worked out for
DOCS_PNG = Path(__file__).resolve().parents[3] / "docs" / "explorer.png"


def ready(w: Watched, focus: str | None = None, view: str = "focus") -> None:
    sel = f'body[data-state="ready"][data-view="{view}"]'
    if focus:
        sel += f'[data-focus="{focus}"]'
    w.page.wait_for_selector(sel, timeout=15_000)


def drawn(w: Watched) -> set[str]:
    ids: list[str] = w.page.evaluate("explorer.nodes.getIds()")
    return set(ids)


def node(w: Watched, nid: str) -> dict[str, Any]:
    got: dict[str, Any] = w.page.evaluate("id => explorer.nodes.get(id)", nid)
    return got


def clean(w: Watched, served: bool = True) -> None:
    assert w.errors == [], w.errors
    assert w.outside() == [], w.outside()
    if served:
        for name in SCRIPTS:
            assert any(u.endswith(f"/explorer/static/{name}") for u in w.requests), name


def test_search_by_pinyin_focuses_and_click_expands(watched: Watched) -> None:
    w, page = watched, watched.page
    page.goto(w.base + "/explorer")
    ready(w)
    assert "请搜索" in page.inner_text("#status")
    page.fill("#search", "zhangsan")
    page.press("#search", "Enter")
    ready(w, "m1")
    assert page.inner_text("#details h2") == "张三"
    assert page.locator('#results button[data-id="m1"]').count() == 1
    assert {"m1", "brOK"} <= drawn(w) and "ccA" not in drawn(w)
    assert "党员" in page.inner_text("#legend")
    assert "focus=m1" in page.url
    w.shot("search")
    # click the branch on the canvas: its properties show and its members come in
    page.wait_for_function("explorer.network().getPositions(['brOK']).brOK !== undefined")
    pos = page.evaluate("explorer.pagePosition('brOK')")
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector('#details[data-node-id="brOK"]')
    page.wait_for_function("explorer.nodes.get('ccA') !== null")
    assert {"m2", "m3", "m4", "ccA"} <= drawn(w)
    assert page.locator("#details table").count() == 1
    w.shot("expand")
    # focus another node, then back and forward
    page.evaluate("explorer.focus('brOK')")
    ready(w, "brOK")
    page.click("#back")
    ready(w, "m1")
    page.click("#forward")
    ready(w, "brOK")
    clean(w)


def test_search_community_secretary_by_pinyin_initials(watched: Watched) -> None:
    # 李书记 (sA) is the secretary of the community committee ccA
    w, page = watched, watched.page
    page.goto(w.base + "/explorer")
    ready(w)
    page.fill("#search", "lsj")
    page.press("#search", "Enter")
    ready(w, "sA")
    assert page.inner_text("#details h2") == "李书记"
    assert {"sA", "ccA"} <= drawn(w)
    clean(w)


def test_chain_overlay_highlights_the_chain(watched: Watched) -> None:
    w, page = watched, watched.page
    page.goto(w.base + "/explorer#focus=m1&depth=1")
    ready(w, "m1")
    page.check('[data-overlay="chain"]')
    page.wait_for_selector("#chain-steps li")
    chain = page.eval_on_selector_all("#chain-steps li", "els => els.map(e => e.dataset.nodeId)")
    assert chain[0] == "m1" and {"brOK", "ccA", "pwc"} <= set(chain)
    for nid in chain:
        assert node(w, nid)["chain"] is True, nid
    assert "overlays=chain" in page.url
    w.shot("chain")
    # a pasted deep link in the same tab: a branch at depth 2 with both overlays
    page.goto(w.base + f"/explorer#focus=brOK&depth=2&overlays=chain,gaps&{DAY}")
    ready(w, "brOK")
    page.wait_for_selector("#chain-steps li")
    assert node(w, "ccA")["chain"] is True and {"m1", "gA1", "pwc"} <= drawn(w)
    page.wait_for_timeout(500)  # let the layout settle for the picture
    w.shot("chain-depth2")
    if os.environ.get("GOVGRAPH_UPDATE_DOCS") == "1" or not DOCS_PNG.exists():
        DOCS_PNG.parent.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 960, "height": 600})
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS_PNG))
    clean(w)


def test_chain_break_is_marked(watched: Watched) -> None:
    w, page = watched, watched.page
    page.goto(w.base + "/explorer#focus=m6&depth=1&overlays=chain")  # brNoSec: no secretary
    ready(w, "m6")
    page.wait_for_selector("#chain-steps li.break")
    breaks = page.eval_on_selector_all("#chain-steps li.break",
                                       "els => els.map(e => e.dataset.nodeId)")
    assert breaks and all(node(w, b)["chainBreak"] for b in breaks)
    clean(w)


def test_community_view_and_gaps(watched: Watched) -> None:
    w, page = watched, watched.page
    page.goto(w.base + f"/explorer#focus=cA&depth=1&overlays=gaps&{DAY}")
    ready(w, "cA")
    page.click("#community-view")
    ready(w, view="community")
    ids = drawn(w)
    assert {"cA", "ccA", "brOK", "brNoSec", "brBig", "gA1", "gA5"} <= ids
    assert "m1" not in ids and "pwc" not in ids
    assert {"gA4", "gA6"} <= ids and node(w, "gA4")["gap"] == "hollow"  # uncovered groups
    assert "gap" not in node(w, "brOK") and "gap" not in node(w, "brEnt")  # healthy
    assert "view=community" in page.url and DAY in page.url
    assert node(w, "brNoSec")["gap"] == "weak" and "书记" in node(w, "brNoSec")["title"]
    levels = {n: node(w, n)["level"] for n in ("cA", "ccA", "brOK", "gA1")}
    assert levels == {"cA": 0, "ccA": 1, "brOK": 2, "gA1": 3}
    assert "view=community" in page.url
    w.shot("community")
    clean(w)


def test_filters_fold_english_and_png(watched: Watched) -> None:
    w, page = watched, watched.page
    page.goto(w.base + "/explorer#focus=brBig&depth=1&types=MEMBER_OF,SUB_ORG_OF")
    ready(w, "brBig")
    # brBig's 51 members are one fold ("党员 ×51"); a click on it draws them
    fold = "fold:brBig|PartyMember|MEMBER_OF"
    assert node(w, fold)["label"] == "党员 ×51" and "x00" not in drawn(w)
    assert "ccA" in drawn(w) and "gA5" not in drawn(w)  # COVERS filtered out
    page.wait_for_selector('body[data-layout="done"]')
    pos = page.evaluate(f"explorer.pagePosition({fold!r})")
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function("explorer.nodes.get('x50') !== null")
    assert {"x00", "x50", "ccA"} <= drawn(w) and "gA5" not in drawn(w)
    page.click("#lang")
    ready(w, "brBig")
    assert page.inner_text("#community-view") == "Community view"
    assert "Party member" in page.inner_text("#legend") or "PartyMember" in page.inner_text(
        "#legend")
    assert "lang=en" in page.url
    png = page.evaluate("explorer.network().canvas.frame.canvas.toDataURL('image/png')")
    assert png.startswith("data:image/png;base64,") and len(png) > 5000
    clean(w)


@pytest.mark.parametrize("depth", [1, 2])
def test_standalone_file_opens_offline(watched: Watched, tmp_path: Path, depth: int) -> None:
    w, page = watched, watched.page
    from tests.api.browser.conftest import TOKEN

    w.open_export(f"focus=m1&depth={depth}", TOKEN["analyst"], tmp_path / "view.html")
    ready(w, "m1")
    assert page.inner_text("#details h2") == "张三"
    assert {"m1", "brOK"} <= drawn(w)
    # the page's own requests (the download is not one): the file and data: URLs
    assert all(u.startswith(("file://", "data:")) for u in w.requests), w.requests
    w.shot(f"file-depth{depth}")
    clean(w, served=False)


def test_login_form(browser: Any, server: str) -> None:
    """Without a token the explorer asks for one; a wrong one is refused and asked
    again; the right one opens the graph; logging out forgets it. All of it under the
    server's Content-Security-Policy (no inline script, no eval, nothing off-site):
    the page breaks none of its rules."""
    from tests.api.browser.conftest import TOKEN

    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    errors: list[str] = []
    try:
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/explorer#focus=brOK&depth=1")
        page.wait_for_selector("#login:not([hidden])", timeout=15_000)
        assert "登录" in page.inner_text("#login")
        page.fill("#token", "gg_not-a-token")
        page.click("#login button[type=submit]")
        page.wait_for_selector("#login:not([hidden]) #login-error:has-text('令牌无效')",
                               timeout=15_000)
        page.reload()
        page.wait_for_selector("#login:not([hidden])", timeout=15_000)
        page.fill("#token", TOKEN["analyst"])
        page.click("#login button[type=submit]")
        page.wait_for_selector('body[data-state="ready"][data-focus="brOK"]', timeout=15_000)
        assert page.is_hidden("#login") and page.is_visible("#logout")
        page.click("#logout")
        page.wait_for_selector("#login:not([hidden])", timeout=15_000)
    finally:
        ctx.close()
    # the wrong token's 401 is the one error the console may show
    assert [e for e in errors if "401" not in e] == [], errors
