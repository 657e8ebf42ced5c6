"""The grids page (网格) in real headless Chromium on the small Xinqiao scenario, as a
user's tasks: filter the grids to 上星 and download each section's report and read it
back; with 上星's own token, find no other community's grid or name on any section or
in any download; as an admin, accept the integration after the confirmation (and, once
dismissed, nothing written).

The acceptance writes 1,428 sub-grids (357 base grids × 4 kinds): it runs on a copy of
the scenario of its own, so the shared ``scenario_server`` keeps its grids as drawn for
the other pages' tests."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from api.redaction import Visibility
from api.security import Caller, SecurityStore
from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from tests.api.browser.conftest import TOKEN, Watched, serving, watching

SHANGXING = "community-shangxing"
OWN: dict[str, str] = {}


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()  # the answers of the page left behind
    w.page.goto(f"{w.base}{path}")
    w.page.wait_for_selector("#content section.page, #content .error-box")


def _tab(w: Watched, section: str, table: str) -> None:
    w.scan_bodies()
    w.page.click(f'#grids-page nav.tabs a[href*="section={section}"]')
    w.page.wait_for_selector(f'#grids-page[data-section="{section}"] #{table}')


def _download(w: Watched, tmp_path: Path) -> tuple[str, list[list[str]]]:
    """Click the section's Excel button; (file name, every sheet's rows as text)."""
    with w.page.expect_download() as got:
        w.page.get_by_role("button", name="下载 Excel").click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    rows = [[ws.title, *("" if c is None else str(c) for c in row)]
            for ws in book.worksheets for row in ws.iter_rows(values_only=True)]
    return got.value.suggested_filename, rows


def _column(w: Watched, table: str, n: int) -> list[str]:
    texts: list[str] = w.page.locator(f"#{table} tbody tr td:nth-child({n})").all_inner_texts()
    return texts


def test_filter_to_shangxing_and_read_each_report_back(browser: Any, scenario_server: str,
                                                       tmp_path: Path) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _open(w, "/workbench/grids")
        assert page.locator("#grids-special tbody tr").count() == 20  # a page of 78
        page.select_option('#grids-page select[name="community"]', SHANGXING)
        page.click('#grids-page form.filters button[type="submit"]')
        page.wait_for_selector(f'#grids-page option[value="{SHANGXING}"][selected]',
                               state="attached")
        assert "community=community-shangxing" in page.url
        communities = _column(w, "grids-special", 3)
        assert communities and set(communities) == {"上星社区"}
        first = _column(w, "grids-special", 1)[0]
        name, rows = _download(w, tmp_path)
        assert name == "网格交叉分析.xlsx"
        assert any(r[0] == "专业网格与基础网格交叉" and r[1] == first for r in rows)

        _tab(w, "integration", "grids-changes")
        assert "community=community-shangxing" in page.url  # the filter kept
        assert set(_column(w, "grids-changes", 3)) == {"上星社区"}
        first = _column(w, "grids-changes", 1)[0]
        name, rows = _download(w, tmp_path)
        assert name == "多网合一方案.xlsx"
        assert any(r[0] == "专业网格边界调整" and r[1] == first for r in rows)
        # the download is 上星's: its sub-grids as the JSON names them, not the street's
        subs = page.request.get(
            f"{scenario_server}/api/v1/grids/integration?community={SHANGXING}",
            headers={"Authorization": f"Bearer {TOKEN['sc-analyst']}"}).json()["sub_grids"]
        assert subs and {s["community"] for s in subs} == {SHANGXING}
        assert sum(r[0] == "子网格" for r in rows) == 2 + len(subs) < 2 + 357 * 4
        assert page.locator("[hx-post]").count() == 0  # an analyst accepts nothing

        _tab(w, "duty", "grids-duty")
        assert set(_column(w, "grids-duty", 2)) == {"上星社区"}
        first = _column(w, "grids-duty", 1)[0]
        as_of = page.input_value('#grids-page input[name="as_of"]')
        name, rows = _download(w, tmp_path)
        assert name == f"定岗定责定人-{as_of}.xlsx"
        assert any(r[0] == "缺岗网格" and r[1] == first for r in rows)
        # printing: the controls go, the tables stay
        page.emulate_media(media="print")
        assert not page.locator("#grids-page form.filters").is_visible()
        assert page.locator("#grids-duty").is_visible()
        page.emulate_media(media="screen")


def _hidden_names(store: GraphStore) -> set[str]:
    """The names of the grids and communities 上星's token may not see (a name a visible
    grid shares tells nothing)."""
    vis = Visibility(Caller("t", "community", SHANGXING), store)
    hidden: set[str] = set()
    shown: set[str] = set()
    for lab in ("Grid", "Community"):
        for n in store.nodes(lab):
            (shown if vis.node_ok(n.id, n.labels) else hidden).add(n.name)
    return hidden - shown


def test_shangxings_token_sees_no_other_communitys_grids(browser: Any, scenario_server: str,
                                                         xinqiao: GraphStore,
                                                         tmp_path: Path) -> None:
    hidden = _hidden_names(xinqiao)
    assert len(hidden) > 300 and "黄埔社区" in hidden  # the check has something to find
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        page = w.page
        _open(w, "/workbench/grids")
        for section, table in (("overlaps", "grids-special"), ("integration", "grids-changes"),
                               ("duty", "grids-duty")):
            if section != "overlaps":
                _tab(w, section, table)
            shown = [page.inner_text("#content")]
            while page.locator("#grids-page .pager a", has_text="下一页").count():
                w.scan_bodies()
                page.click("#grids-page .pager a:has-text('下一页')")
                page.wait_for_function("() => !document.querySelector('.htmx-request')")
                shown.append(page.inner_text("#content"))
            text = "\n".join(shown)
            assert "上星社区" in text, section
            leaked = sorted(n for n in hidden if n in text)
            assert not leaked, (section, leaked[:5])
            _, rows = _download(w, tmp_path)
            leaked = sorted({n for r in rows for c in r[1:] for n in hidden if n and n in c})
            assert not leaked, (section, "xlsx", leaked[:5])
        # only its own community to choose
        assert page.locator('#grids-page select[name="community"] option').all_inner_texts() \
            == ["上星社区"]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, xinqiao_path: Path
               ) -> Iterator[str]:
    """A writable copy of the scenario of this module's own (an admin token in OWN)."""
    home = tmp_path_factory.mktemp("browser-grids")
    shutil.copy(xinqiao_path, home / "xinqiao.db")
    security = SecurityStore(home / "security.db")
    OWN["admin"], _ = security.create_token("admin", label="browser grids")
    with serving(EmbeddedStore(home / "xinqiao.db"), security) as url:
        yield url


def test_the_admin_accepts_the_integration_after_confirming(browser: Any, own_server: str
                                                            ) -> None:
    with watching(browser, own_server, OWN["admin"]) as w:
        page = w.page
        auth = {"Authorization": f"Bearer {OWN['admin']}"}
        proposal = page.request.get(f"{own_server}/api/v1/grids/integration", headers=auth)
        sub = proposal.json()["sub_grids"][0]["id"]
        assert page.request.get(f"{own_server}/api/v1/nodes/{sub}", headers=auth).status == 404
        _open(w, "/workbench/grids?section=integration")
        asked: list[str] = []

        def dismiss(d: Any) -> None:
            asked.append(d.message)
            d.dismiss()

        button = page.get_by_role("button", name="接受方案，写入子网格")
        # dismissed: nothing is sent, nothing written
        page.once("dialog", dismiss)
        button.click()
        page.wait_for_timeout(500)
        assert asked and "1428 个子网格" in asked[0]
        assert page.inner_text("#grids-accepted") == ""
        assert page.request.get(f"{own_server}/api/v1/nodes/{sub}", headers=auth).status == 404
        # accepted: the sub-grids written, and the page says so
        page.once("dialog", lambda d: d.accept())
        button.click()
        page.wait_for_selector("#grids-accepted .accepted", timeout=60_000)
        assert page.inner_text("#grids-accepted") == "已写入 1428 个子网格。"
        node = page.request.get(f"{own_server}/api/v1/nodes/{sub}", headers=auth)
        assert node.status == 200 and node.json()["properties"]["kind"] == "sub"
        assert re.fullmatch(r"grid-base-\d+~[a-z]+", sub)
