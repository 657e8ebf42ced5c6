"""The pairing page (新老结对) in real headless Chromium on the small Xinqiao scenario, as
a user's tasks: an admin proposes pairing for 上星 and accepts two pairs (MENTORS written,
audited); an analyst sees the proposal without check boxes and downloads it as .xlsx.
Every page: no console error, no request off 127.0.0.1 (the ``watching`` context).

The scenario server is writable and shared by the session: the test checks what it
wrote (the pairs it ticked), not the store's totals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.api.browser.conftest import TOKEN, Watched, watching
from tests.conftest import SCENARIO_DAY

SHANGXING = "community-shangxing"


def _open(w: Watched, path: str) -> None:
    w.scan_bodies()  # the answers of the page left behind
    w.page.goto(f"{w.base}{path}")
    w.page.wait_for_selector("#content section.page, #content .error-box")


def _propose_for_shangxing(w: Watched) -> None:
    """Choose 上星 and the scenario's day in the form, then propose."""
    page = w.page
    _open(w, "/workbench/pairing")
    assert page.locator("#pairing-hint").is_visible()  # nothing proposed yet
    page.select_option('select[name="community"]', SHANGXING)
    page.fill('input[name="as_of"]', SCENARIO_DAY)
    w.scan_bodies()
    page.get_by_role("button", name="生成结对方案").click()
    page.wait_for_selector("#pairing-pairs")
    assert "propose=true" in page.url and f"community={SHANGXING}" in page.url


def _proposal(w: Watched, token: str) -> dict[str, Any]:
    r = w.page.request.post(f"{w.base}/api/v1/pairings/proposals",
                            headers={"Authorization": f"Bearer {token}"},
                            data={"community": SHANGXING, "as_of": SCENARIO_DAY})
    assert r.ok, r.text()
    body: dict[str, Any] = r.json()
    return body


def test_propose_for_shangxing_and_accept_two_pairs_as_admin(browser: Any,
                                                             scenario_server: str) -> None:
    token = TOKEN["sc-admin"]
    with watching(browser, scenario_server, token) as w:
        page = w.page
        before = _proposal(w, token)
        kept_before = {(p["mentor"]["id"], p["mentee"]["id"]) for p in before["kept"]}
        _propose_for_shangxing(w)
        rows = page.locator("#pairing-pairs tbody tr")
        assert rows.count() == 20  # the first page of the plan
        assert page.locator("#pairing-objective").inner_text().startswith(
            f"本方案新结对 {before['objective']['paired']} 对")
        # every row: 上星, a new member, a veteran, the reasons in Chinese
        first = rows.nth(0).inner_text()
        assert "上星社区" in first and any(r in first for r in ("同一支部", "同一社区",
                                                                "同一居民小组", "同一网格"))
        # tick the first and the third pair
        chosen = [(rows.nth(i).get_attribute("data-mentor"),
                   rows.nth(i).get_attribute("data-mentee")) for i in (0, 2)]
        unticked = (rows.nth(1).get_attribute("data-mentor"),
                    rows.nth(1).get_attribute("data-mentee"))
        button = page.locator("#pairing-accept-button")
        assert button.is_disabled()  # nothing ticked yet
        for i in (0, 2):
            rows.nth(i).locator('input[name="pair"]').check()
        assert button.is_enabled()
        assert page.locator("#pairing-accept").get_attribute("hx-confirm", timeout=1000) \
            .startswith("确认接受所选 2 对结对")
        asked: list[str] = []

        def confirm(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", confirm)
        w.scan_bodies()
        button.click()
        page.wait_for_selector("#pairing-result .accepted")
        assert asked and asked[0].startswith("确认接受所选 2 对结对")
        result = page.locator("#pairing-result").inner_text()
        assert f"已写入 2 条结对帮带关系（MENTORS），自 {SCENARIO_DAY} 起" in result
        ids = page.locator("#pairing-written tbody td").all_inner_texts()
        assert ids == [f"MENTORS:{m}->{n}:{SCENARIO_DAY}" for m, n in chosen]
        seq = page.locator("[data-audit-seq]").get_attribute("data-audit-seq")
        assert seq and f"审计记录 #{seq}" in result
        # the accepted rows are marked and can't be ticked again
        for i in (0, 2):
            assert "accepted" in (rows.nth(i).get_attribute("class") or "")
            assert rows.nth(i).locator('input[name="pair"]').is_disabled()

        # in the API: exactly the two ticked pairs are now current MENTORS (kept), the
        # one between them is not
        after = _proposal(w, token)
        kept_after = {(p["mentor"]["id"], p["mentee"]["id"]) for p in after["kept"]}
        assert kept_after - kept_before == set(chosen)
        assert unticked not in kept_after
        for mentor, mentee in chosen:
            r = page.request.get(f"{w.base}/api/v1/nodes/{mentor}/neighbors",
                                 params={"type": "MENTORS", "direction": "out"},
                                 headers={"Authorization": f"Bearer {token}"})
            assert r.ok, r.text()
            rels = [x for x in r.json()["relationships"] if x["type"] == "MENTORS"
                    and x["end"] == mentee]
            assert [x["properties"].get("since") for x in rels] == [SCENARIO_DAY]
        # the audit log holds the write, by this token, under the number the page showed
        r = page.request.get(f"{w.base}/api/v1/audit", params={"limit": 200},
                             headers={"Authorization": f"Bearer {token}"})
        assert r.ok and r.json()["intact"]
        record = next(x for x in r.json()["items"] if str(x["seq"]) == seq)
        assert (record["method"], record["path"], record["status"], record["role"]) == (
            "POST", "/api/v1/pairings", 201, "admin")

        # proposed again: the two pairs are kept, no longer proposed
        w.scan_bodies()
        page.get_by_role("button", name="重新生成方案").click()
        page.locator("#pairing-result .accepted").wait_for(state="detached")
        page.wait_for_selector("#pairing-pairs")
        proposed = {(r.get_attribute("data-mentor"), r.get_attribute("data-mentee"))
                    for r in page.locator("#pairing-pairs tbody tr[data-mentor]").all()}
        assert not proposed & set(chosen)


def test_an_analyst_reads_the_plan_without_check_boxes_and_downloads_it(
        browser: Any, scenario_server: str, tmp_path: Path) -> None:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as w:
        page = w.page
        _propose_for_shangxing(w)
        assert page.locator('input[name="pair"]').count() == 0
        assert page.locator("#pairing-accept, #pairing-accept-button").count() == 0
        names = page.locator("#pairing-pairs tbody tr td:nth-child(2)").all_inner_texts()
        assert len(names) == 20
        # the unpaired and why
        assert page.locator("#pairing-unpaired").is_visible()
        # the second page of the plan
        w.scan_bodies()
        page.locator('nav[data-table="pairing-pairs"] a', has_text="下一页").click()
        page.wait_for_selector('nav[data-table="pairing-pairs"] >> text=第 2 页')
        assert "page=2" in page.url
        second = page.locator("#pairing-pairs tbody tr td:nth-child(2)").all_inner_texts()
        assert second and second != names
        # the download, read back
        with page.expect_download() as got:
            page.get_by_role("button", name="下载 Excel").click()
        path = tmp_path / got.value.suggested_filename
        got.value.save_as(path)
        assert got.value.suggested_filename == f"新老党员结对方案-{SCENARIO_DAY}.xlsx"
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
        assert book.sheetnames[0] == "汇总" and "上星社区" in book.sheetnames
        rows = [r for r in book["上星社区"].iter_rows(min_row=3, values_only=True) if r[0]]
        proposed = {(r[2], r[0]) for r in rows if r[7] == "新结对"}  # (mentee, mentor)
        plan = _proposal(w, TOKEN["sc-analyst"])
        assert proposed == {(p["mentee"]["name"], p["mentor"]["name"]) for p in plan["pairs"]}
        summary = [r for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0]]
        assert [r[:2] for r in summary] == [("上星社区", len(plan["pairs"]))]


def test_in_english_and_for_a_community_token(browser: Any, scenario_server: str) -> None:
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        page = w.page
        _open(w, f"/workbench/pairing?as_of={SCENARIO_DAY}&lang=en")
        options = page.locator('select[name="community"] option').all_inner_texts()
        assert options == ["上星社区"]  # its own community, nothing else to choose
        w.scan_bodies()
        page.get_by_role("button", name="Propose pairs").click()
        page.wait_for_selector("#pairing-pairs")
        head = page.locator("#pairing-pairs thead").inner_text()
        assert "New member" in head and "Veteran mentor" in head
        reasons = page.locator("#pairing-pairs td.reasons").all_inner_texts()
        assert reasons and all(r.startswith("same ") for r in reasons), reasons[:3]
        assert page.locator('input[name="pair"]').count() == 0
        communities = set(page.locator("#pairing-pairs tbody td:nth-child(1)").all_inner_texts())
        assert communities == {"上星社区"}
