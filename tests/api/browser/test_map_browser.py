"""The explorer's map view in real headless Chromium, over the hand-drawn grid map of
tests/queries/test_grid_map.py: polygons per kind, each layer off and on, each overlay on
(exactly the expected grids), hover and click, English, a community's token, and the
standalone file; no console error and no request off 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.browser.conftest import TOKEN, Watched, watching

DAY = "as_of=2026-06-30"  # the day tests/queries/test_grid_map.py works the map out for
#: polygons per kind in map_street() (g0 has no geometry: not drawn)
KINDS = {"community": 2, "base": 5, "sub": 1, "security": 1, "fire": 1, "police": 1,
         "traffic": 1}
#: overlay -> the grids it highlights
OVERLAYS = {
    "overlaps": {"f1", "p1", "s1", "t1"},  # special grids with OVERLAPS
    "missing": {"b1", "b2", "b3", "b4", "b5"},  # every base grid lacks someone
    "backlog": {"b1", "b2", "b4", "p1"},  # open cases 30+ days old
}


@pytest.fixture
def mapped(browser: Any, map_server: str) -> Iterator[Watched]:
    with watching(browser, map_server, TOKEN["map"]) as w:
        yield w


def ready(w: Watched) -> None:
    w.page.wait_for_selector('body[data-state="ready"][data-view="map"]', timeout=15_000)


def counts(w: Watched) -> dict[str, int]:
    return {k: w.page.locator(f'#map path.grid[data-kind="{k}"]').count() for k in KINDS}


def ids(w: Watched, selector: str) -> set[str]:
    got: list[str] = w.page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id)")
    assert len(got) == len(set(got)), got  # each grid highlighted once
    return set(got)


def test_map_layers_and_overlays(mapped: Watched) -> None:
    w, page = mapped, mapped.page
    page.goto(w.base + f"/explorer#view=map&{DAY}")
    ready(w)
    assert page.is_visible("#map svg") and page.is_hidden("#graph")
    assert counts(w) == KINDS
    assert page.locator("#map path.overlay").count() == 0
    assert "12 个图形" in page.inner_text("#status") and "1 个网格没有边界" in page.inner_text(
        "#status")
    layers = page.inner_text("#map-layers")
    assert all(name in layers for name in ("社区", "基础网格", "安格", "消格", "警格", "交格",
                                           "子网格"))
    w.shot("map")
    labels = "#map text.map-label"
    assert page.eval_on_selector_all(labels, "els => els.map(e => e.dataset.labelOf)") == [
        "c1", "c2"]  # each community named on the map, with its layer
    for kind in KINDS:
        page.uncheck(f'[data-map-layer="{kind}"]')
        assert counts(w) == {**KINDS, kind: 0}, kind
        assert page.locator(labels).count() == (0 if kind == "community" else 2)
        assert "layers=" in page.url
        page.check(f'[data-map-layer="{kind}"]')
        assert counts(w) == KINDS, kind
    assert "layers=" not in page.url  # every layer on again: the default
    for overlay, expected in OVERLAYS.items():
        page.check(f'[data-map-overlay="{overlay}"]')
        assert ids(w, f"#map path.overlay.ov-{overlay}") == expected, overlay
        assert ids(w, "#map path.overlay") == expected, overlay  # nothing else drawn
        if overlay == "overlaps":
            assert ids(w, "#map path.ov-crossing") == {"f1"}  # crosses c1 and c2
        if overlay == "missing":
            got = page.eval_on_selector_all("#map path.ov-missing", "els => Object.fromEntries("
                                            "els.map(e => [e.dataset.id, e.dataset.missing]))")
            assert got == {"b1": "grid_worker", "b2": "building_heads",
                           "b3": "grid_worker police_officer",
                           "b4": "grid_worker police_officer", "b5": "police_officer"}
        if overlay == "backlog":
            shade = page.eval_on_selector_all("#map path.ov-backlog", "els => Object.fromEntries("
                                              "els.map(e => [e.dataset.id, [e.dataset.backlog, "
                                              "Number(e.getAttribute('fill-opacity'))]]))")
            assert {k: v[0] for k, v in shade.items()} == {"b1": "1", "b2": "1", "b4": "2",
                                                           "p1": "1"}
            assert shade["b4"][1] > shade["b1"][1] == shade["p1"][1]  # darker = more
        w.shot(f"map-{overlay}")
        page.uncheck(f'[data-map-overlay="{overlay}"]')
        assert page.locator("#map path.overlay").count() == 0
    # overlays stay over a hidden layer; a deep link keeps them
    page.check('[data-map-overlay="backlog"]')
    assert "map_overlays=backlog" in page.url
    page.uncheck('[data-map-layer="base"]')
    assert ids(w, "#map path.ov-backlog") == OVERLAYS["backlog"]
    link = page.url
    page.goto(w.base + f"/explorer#view=map&{DAY}")  # the hash alone: the page stays
    page.wait_for_function("!location.hash.includes('map_overlays')")
    ready(w)
    page.wait_for_function("document.querySelectorAll('#map path.overlay').length === 0")
    assert counts(w) == KINDS
    page.goto(link)  # the deep link pasted back
    page.wait_for_function("document.querySelectorAll('#map path.overlay').length > 0")
    ready(w)
    assert counts(w) == {**KINDS, "base": 0}
    assert ids(w, "#map path.ov-backlog") == OVERLAYS["backlog"]
    assert page.is_checked('[data-map-overlay="backlog"]')
    assert not page.is_checked('[data-map-layer="base"]')
    assert all(u.startswith(w.base) for u in w.requests)


def test_map_hover_click_and_english(mapped: Watched) -> None:
    w, page = mapped, mapped.page
    page.goto(w.base + f"/explorer#view=map&{DAY}")
    ready(w)
    page.hover('#map path.grid[data-id="b5"]')  # its centre: inside b5, off t1's outline
    page.wait_for_selector('#details[data-node-id="b5"]')
    text = page.inner_text("#details")
    for want in ("基础网格", "所属社区\tc2", "0.75", "交叉重叠\t1", "缺少\t民警", "积压案件\t0"):
        assert want in text, (want, text)
    # a special grid takes the pointer on its outline: click f1's west edge
    box = page.locator('#map path.grid[data-id="f1"]').bounding_box()
    y = box["y"] + box["height"] / 2
    x = next(box["x"] + dx for dx in range(-4, 6) if page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).dataset.id", [box["x"] + dx, y]) == "f1")
    page.mouse.click(x, y)
    page.wait_for_selector('#details[data-node-id="f1"]')
    text = page.inner_text("#details")
    assert "消格" in text and "跨社区\t是" in text and "交叉重叠\t2" in text
    assert page.locator('#map path.grid.selected[data-id="f1"]').count() == 1
    box = page.locator('#map path.grid[data-id="b4"]').bounding_box()  # east of sb4, north of f1
    page.hover('#map path.grid[data-id="b4"]', position={"x": box["width"] * 0.85,
                                                        "y": box["height"] * 0.2})
    page.wait_for_selector('#details[data-node-id="b4"]')
    assert "缺少\t网格员、民警" in page.inner_text("#details")
    assert "积压案件\t2" in page.inner_text("#details")
    page.click("#lang")
    ready(w)
    assert "lang=en" in page.url and "view=map" in page.url
    assert counts(w) == KINDS
    layers = page.inner_text("#map-layers")
    assert "Base grid" in layers and "Police grid" in layers and "Community" in layers
    assert "Case backlog" in page.inner_text("#map-overlays")
    page.hover('#map path.grid[data-id="b5"]')
    page.wait_for_selector('#details[data-node-id="b5"]')
    assert "Missing\tpolice officer" in page.inner_text("#details")


def test_map_for_a_community_token(browser: Any, map_server: str) -> None:
    with watching(browser, map_server, TOKEN["map-c2"]) as w:
        w.page.goto(w.base + f"/explorer#view=map&{DAY}")
        ready(w)
        assert counts(w) == {"community": 1, "base": 2, "sub": 1, "security": 0, "fire": 0,
                             "police": 0, "traffic": 1}
        assert ids(w, "#map path.grid") == {"c2", "b4", "b5", "sb4", "t1"}


def test_map_in_the_standalone_file(mapped: Watched, tmp_path: Path) -> None:
    w, page = mapped, mapped.page
    w.open_export("focus=c1&depth=1", TOKEN["map"], tmp_path / "map.html")
    page.wait_for_selector('body[data-state="ready"][data-focus="c1"]', timeout=15_000)
    page.click("#map-view")
    ready(w)
    assert counts(w) == KINDS
    page.check('[data-map-overlay="overlaps"]')
    assert ids(w, "#map path.ov-crossing") == {"f1"}
    assert all(u.startswith(("file://", "data:")) for u in w.requests), w.requests
