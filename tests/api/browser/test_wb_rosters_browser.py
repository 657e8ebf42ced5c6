"""The roster upload page (名册导入) in real headless Chromium on the small Xinqiao
scenario, as the admin's task: "upload a roster with one bad cell, see the cell, upload
the fixed file, confirm" — then the API shows the added member once, and the same file
again changes nothing. Non-admins: no roster page in the menu, and the page answers
the 403 box.

The roster adds one member, 林晓测 (joined 2010: neither a new member nor a veteran,
so no pairing changes), to 上星社区第二党支部 (29 members, healthy) as a partial
roster (nothing else ended): little for the other pages' tests on the shared server
to notice."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from tests.api.browser.conftest import TOKEN, Watched, watching
from tests.graphs import idn

NAME = "林晓测"
BRANCH = "branch-shangxing-02"
GOOD = idn("44030619880808123")
BAD = GOOD[:-1] + ("1" if GOOD[-1] != "1" else "2")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roster(path: Path, id_number: str) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "党员"
    ws.append(["姓名", "公民身份号码", "入党日期", "所在党组织", "党内职务"])
    ws.append([NAME, id_number, "2010-07-01", "上星社区第二党支部", "党员"])
    wb.save(path)
    return path


def _members_named(w: Watched, name: str) -> int:
    r = w.page.request.get(f"{w.base}/api/v1/orgs/{BRANCH}/members",
                           params={"limit": 500, "include_sub": "false"},
                           headers={"Authorization": f"Bearer {TOKEN['sc-admin']}"})
    assert r.ok, r.status
    return sum(m["person"]["name"] == name for m in r.json()["items"])


def _report(w: Watched, selector: str) -> None:
    w.page.wait_for_selector(f"#roster-result .roster-report{selector}")


def test_upload_a_bad_cell_see_it_fix_it_confirm(browser: Any, scenario_server: str,
                                                 tmp_path: Path) -> None:
    with watching(browser, scenario_server, TOKEN["sc-admin"]) as w:
        page = w.page
        w.scan_bodies()
        page.goto(f"{scenario_server}/workbench/overview")
        page.wait_for_selector("#content section.page")
        w.scan_bodies()
        page.click('#menu a[href^="/workbench/rosters?"]')
        page.wait_for_selector("#roster-form")
        assert _members_named(w, NAME) == 0
        # the kind's template, downloaded and read back
        with page.expect_download() as got:
            page.locator('button[data-download="/api/v1/rosters/party_members/template"]').click()
        assert got.value.suggested_filename == "党员花名册模板.xlsx"
        book = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
        assert book.sheetnames == ["党员", "填写说明"]

        # 1. the file with one bad cell, chosen in the file input: its cell named
        page.select_option('#roster-form select[name="kind"]', "party_members")
        page.check('#roster-form input[name="keep_missing"]')
        page.set_input_files("#roster-file", str(_roster(tmp_path / "名册.xlsx", BAD)))
        assert page.inner_text("#roster-file-name") == "名册.xlsx"
        page.click('#roster-form button[type="submit"]')
        _report(w, '[data-ok="false"]')
        row = page.locator("#roster-issues tbody tr")
        assert row.count() == 1
        cells = row.locator("td").all_inner_texts()
        assert cells[:4] == ["错误", "党员", "B2", "公民身份号码"]
        assert cells[5] == "id_number" and "公民身份号码" in cells[6]
        assert "未写入任何数据" in page.inner_text("#roster-result")
        assert page.locator("[data-roster-confirm]").count() == 0
        # the file back with the bad cell marked
        with page.expect_download() as got:
            page.click("[data-roster-annotated]")
        assert got.value.suggested_filename == "党员花名册-错误标注.xlsx"
        marked = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
        assert marked["错误清单"]["B2"].value == "B2"
        assert marked["党员"]["B2"].comment is not None
        assert _members_named(w, NAME) == 0  # nothing written
        # the refused upload is the one error the browser logged (422, twice: the
        # report, the marked file)
        assert w.errors and all("422" in e for e in w.errors), w.errors
        w.errors.clear()

        # 2. the fixed file, dropped on the zone: the dry run shows what it adds
        fixed = _roster(tmp_path / "名册-改.xlsx", GOOD).read_bytes()
        page.evaluate("""([b64, name, type]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type }));
            document.querySelector('.drop-zone').dispatchEvent(
              new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }""", [base64.b64encode(fixed).decode(), "名册-改.xlsx", XLSX])
        assert page.inner_text("#roster-file-name") == "名册-改.xlsx"
        assert page.inner_text("#roster-result") == ""  # the old report is gone
        w.scan_bodies()
        page.click('#roster-form button[type="submit"]')
        _report(w, '[data-ok="true"][data-written="false"]')
        changes = page.locator("#roster-changes tbody tr").all_inner_texts()
        assert changes[0].split() == ["新增人员或对象", "1"]
        assert changes[3].split() == ["新增关系", "1"]
        assert changes[6].split() == ["结束关系（名册中已没有）", "0"]  # a partial roster
        assert _members_named(w, NAME) == 0  # a dry run writes nothing

        # 3. confirm: the same file, held by the page, written
        w.scan_bodies()
        page.click("[data-roster-confirm]")
        _report(w, '[data-written="true"]')
        assert "已写入" in page.inner_text("#roster-result")
        assert page.locator("[data-roster-confirm]").count() == 0
        assert _members_named(w, NAME) == 1

        # 4. the same file again: nothing to write, still one 林晓测
        w.scan_bodies()
        page.click('#roster-form button[type="submit"]')
        _report(w, '[data-ok="true"][data-written="false"]')
        assert "没有需要写入的变更" in page.inner_text("#roster-result")
        assert page.locator("#roster-changes tbody tr").first.inner_text().split() == [
            "新增人员或对象", "0"]
        assert page.locator("[data-roster-confirm]").count() == 0
        assert _members_named(w, NAME) == 1


def test_in_english(browser: Any, scenario_server: str, tmp_path: Path) -> None:
    with watching(browser, scenario_server, TOKEN["sc-admin"]) as w:
        page = w.page
        page.goto(f"{scenario_server}/workbench/rosters?lang=en")
        page.wait_for_selector("#roster-form")
        assert page.inner_text('#roster-form button[type="submit"]') == "Check (dry run)"
        page.select_option('#roster-form select[name="kind"]', "party_members")
        page.set_input_files("#roster-file", str(_roster(tmp_path / "r.xlsx", BAD)))
        page.click('#roster-form button[type="submit"]')
        _report(w, '[data-ok="false"]')
        assert "nothing was written" in page.inner_text("#roster-result")
        heads = page.locator("#roster-issues thead th").all_inner_texts()
        assert heads == ["Level", "Sheet", "Cell", "Header", "Value", "Rule", "Message"]
        assert w.errors and all("422" in e for e in w.errors), w.errors
        w.errors.clear()


def test_no_roster_page_for_anyone_but_an_admin(browser: Any, scenario_server: str) -> None:
    for who in ("sc-analyst", "sc-shangxing", "sc-consumer"):
        with watching(browser, scenario_server, TOKEN[who]) as w:
            page = w.page
            page.goto(f"{scenario_server}/workbench/overview")
            page.wait_for_selector("#menu a")
            assert page.locator('#menu a[href^="/workbench/rosters"]').count() == 0, who
            w.scan_bodies()
            page.goto(f"{scenario_server}/workbench/rosters")
            page.wait_for_selector("#content .error-box")
            assert "may not call this endpoint" in page.inner_text("#content .error-box")
            assert page.locator("#roster-form").count() == 0
            assert all("403" in e for e in w.errors), w.errors
            w.errors.clear()
