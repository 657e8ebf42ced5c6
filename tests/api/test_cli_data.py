"""``govgraph template / load roster|csv|popolo / export …`` end to end in subprocesses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.embedded import EmbeddedStore
from tests.api.test_cli import run
from tests.conftest import SCENARIO_DAY
from tests.rosters import idn, snapshot, write_csv

HEAD = ["姓名", "身份证号", "入党日期", "所在党组织"]


@pytest.fixture
def db(xinqiao_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "x.db"
    shutil.copy(xinqiao_path, copy)
    return copy


def _branch(db: Path) -> str:
    with EmbeddedStore(db, read_only=True) as s:
        return next(n.name for n in s.nodes("Branch") if n.id == "branch-xinqiao-01")


def test_template_then_load_roster(db: Path, tmp_path: Path) -> None:
    r = run("template", "党员", "--out", str(tmp_path / "t.xlsx"))
    assert r.returncode == 0 and "党员花名册模板" in r.stdout
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == ["党员", "填写说明"]
    branch = _branch(db)
    good = write_csv(tmp_path / "ok.csv", [HEAD, ["甲", idn("44030619800101001"),
                                                  "2001-07-01", branch]], encoding="gbk")
    r = run("load", "roster", str(good), "--kind", "party_members", "--dry-run",
            "--as-of", SCENARIO_DAY, "--keep-missing", store=db)
    assert r.returncode == 0, r.stderr
    assert "nodes +1" in r.stdout and "预计变更" in r.stdout
    r = run("load", "roster", str(good), "--kind", "党员", "--as-of", SCENARIO_DAY,
            "--keep-missing", "--json", store=db)
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["written"] and report["changes"]["rels_added"] == 1
    assert report["changes"]["rels_ended"] == 0


def test_bad_roster_exits_1_with_report_and_marked_workbook(db: Path, tmp_path: Path) -> None:
    before = EmbeddedStore(db, read_only=True)
    want = snapshot(before)
    before.close()
    bad = write_csv(tmp_path / "bad.csv", [HEAD, ["甲", "440306198001010011", "2001-07-01",
                                                  "不存在的支部"]])
    r = run("load", "roster", str(bad), "--kind", "party_members", "--lang", "en",
            "--report-xlsx", str(tmp_path / "marked.xlsx"), store=db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "nothing written" in r.stderr and "[id_number]" in r.stderr
    assert "[reference]" in r.stderr and "440306198001010011" not in r.stderr
    assert load_workbook(tmp_path / "marked.xlsx").sheetnames == ["错误清单", "bad"]
    with EmbeddedStore(db, read_only=True) as s:
        assert snapshot(s) == want
    r = run("load", "roster", str(bad), "--kind", "nonsense", store=db)
    assert r.returncode == 1 and "unknown roster kind 'nonsense'" in r.stderr


def test_graph_csv_and_popolo_round_trips(db: Path, tmp_path: Path) -> None:
    r = run("export", "csv", str(tmp_path / "csv"), store=db)
    assert r.returncode == 0 and "files" in r.stdout
    r = run("load", "csv", str(tmp_path / "csv"), store=tmp_path / "back.db")
    assert r.returncode == 0, r.stderr
    with EmbeddedStore(db, read_only=True) as a, EmbeddedStore(tmp_path / "back.db",
                                                               read_only=True) as b:
        assert snapshot(a) == snapshot(b)
    r = run("export", "popolo", str(tmp_path / "p.json"), store=db)
    assert r.returncode == 0 and "memberships" in r.stdout
    r = run("load", "popolo", str(tmp_path / "p.json"), store=tmp_path / "pop.db")
    assert r.returncode == 0, r.stderr
    r = run("load", "popolo", "tests/data/tuvalu-parliament-ep-popolo-v1.0.json",
            store=tmp_path / "tv.db")
    assert r.returncode == 1 and "legislature" in r.stderr
    r = run("load", "popolo", "tests/data/tuvalu-parliament-ep-popolo-v1.0.json",
            "--classification", "legislature=SocialOrganization",
            "--classification", "party=SocialOrganization", store=tmp_path / "tv.db")
    assert r.returncode == 0 and "106 relationships" in r.stdout  # seats and parties
    r = run("load", "popolo", "x.json", "--classification", "oops", store=tmp_path / "tv.db")
    assert r.returncode == 1 and "CLASS=Label" in r.stderr


def test_result_exports(db: Path, tmp_path: Path) -> None:
    r = run("export", "gaps", str(tmp_path / "g.xlsx"), "--as-of", SCENARIO_DAY, store=db)
    assert r.returncode == 0, r.stderr
    wb = load_workbook(tmp_path / "g.xlsx")
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 8  # + 7 communities
    r = run("export", "pairing", str(tmp_path / "p.xlsx"), "--as-of", SCENARIO_DAY, store=db)
    assert r.returncode == 0 and load_workbook(tmp_path / "p.xlsx").sheetnames[-1] == "未结对"
