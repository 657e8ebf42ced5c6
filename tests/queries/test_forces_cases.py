"""Front-line forces and patrol cases on hand-built streets (answers worked out by hand
in the docstrings), on the scenario against what it planted, over the API and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from graph.store import GraphStore
from queries.cases import case_evaluation
from queries.forces import forces_report
from tests.conftest import SCENARIO_DAY, scenario_planted
from tests.graphs import node, rel

DAY = "2026-06-30"  # the window of the last 90 days is (2026-04-01, 2026-06-30]


def forces_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """c1: 2 km², 40,000 residents, base grids g1 g2, workstation duties 100, police grid
    p1; c2: 8 km², 20,000 residents, base grids g3-g6, duties 50, police grid p2.
    Departments d1 城管办, d2 执法队. Deployed staff:
    s1 (c1, d1, rated by kc1) reported a case on 2026-06-01: mobilised;
    s2 (c1, d2, rated by kc2, the wrong committee) attended an activity on 2026-04-02
    (89 days before): mobilised, not evaluated;
    s3 (c1, d1, rated by kc1): activity on 2026-04-01 (exactly 90 days: outside), case on
    2026-03-01, grid g1 until 2026-05-01: not mobilised;
    s4 (c2, d1, rated by kc2) responsible for g3 now: mobilised;
    s5 left c2 on 2026-01-01: not counted;
    s6 (c2, d2): nothing, rated by nobody.
    Police chiefs pc1 (p1, rated by kc1) and pc2 (p2, rated by nobody)."""
    nodes = [node("c1", "Community", area_km2=2.0, population=40_000),
             node("c2", "Community", area_km2=8.0, population=20_000),
             node("kc1", "Committee"), node("kc2", "Committee"),
             node("w1", "Workstation", duties_count=100), node("w2", "Workstation",
                                                                duties_count=50),
             node("d1", "Department", name="城管办"), node("d2", "Department", name="执法队"),
             node("p1", "Grid", kind="police"), node("p2", "Grid", kind="police"),
             node("pc1", "PoliceChief"), node("pc2", "PoliceChief"),
             node("case1", "Case", reported_on="2026-06-01"),
             node("case2", "Case", reported_on="2026-03-01"),
             node("act1", "Activity", kind="other", date="2026-04-02"),
             node("act2", "Activity", kind="other", date="2026-04-01")]
    nodes += [node(f"g{i}", "Grid", kind="base") for i in range(1, 7)]
    nodes += [node(f"s{i}", "DeployedStaff") for i in range(1, 7)]
    rels = [rel("LEADS", "kc1", "c1"), rel("LEADS", "kc2", "c2"), rel("LEADS", "kc1", "w1"),
            rel("LEADS", "kc2", "w2"), rel("IN", "p1", "c1"), rel("IN", "p2", "c2"),
            rel("RESPONSIBLE_FOR", "pc1", "p1"), rel("RESPONSIBLE_FOR", "pc2", "p2"),
            rel("EVALUATES", "kc1", "pc1", weight=0.3)]
    rels += [rel("IN", f"g{i}", "c1" if i <= 2 else "c2") for i in range(1, 7)]
    for s, c, d in (("s1", "c1", "d1"), ("s2", "c1", "d2"), ("s3", "c1", "d1"),
                    ("s4", "c2", "d1"), ("s5", "c2", "d1"), ("s6", "c2", "d2")):
        rels += [rel("FROM_DEPT", s, d),
                 rel("DEPLOYED_TO", s, c, since="2020-01-01",
                     **({"until": "2026-01-01"} if s == "s5" else {}))]
    rels += [rel("EVALUATES", "kc1", "s1", weight=0.3), rel("EVALUATES", "kc2", "s2", weight=0.3),
             rel("EVALUATES", "kc1", "s3", weight=0.2), rel("EVALUATES", "kc2", "s4", weight=0.4),
             rel("REPORTED_BY", "case1", "s1"), rel("ATTENDED", "s2", "act1"),
             rel("ATTENDED", "s3", "act2"), rel("REPORTED_BY", "case2", "s3"),
             rel("RESPONSIBLE_FOR", "s3", "g1", since="2024-01-01", until="2026-05-01"),
             rel("RESPONSIBLE_FOR", "s4", "g3", since="2024-01-01")]
    return nodes, rels


def test_forces_report(store: GraphStore) -> None:
    """Staff c1 3 (s1-s3), c2 2 (s4, s6). Per km² 1.5 / 0.25; per 10,000 residents 0.75
    / 1.0; per base grid 1.5 / 0.5; per 100 duties 3.0 / 4.0. Split of 5 by area 2:8 →
    1, 4; by residents 3.33, 1.67 → 3, 2; by grids 1.67, 3.33 → 2, 3; by duties → 3, 2."""
    store.upsert(*forces_street())
    r = forces_report(store, DAY)
    assert r.staff == 5
    got = [(a.community.id, a.staff, a.base_grids, a.duties, a.per_km2, a.per_10k_residents,
            a.per_grid, a.per_100_duties, a.by_need, a.by_department) for a in r.allocation]
    assert got == [
        ("c1", 3, 2, 100, 1.5, 0.75, 1.5, 3.0,
         {"area": 1, "residents": 3, "grids": 2, "duties": 3}, {"城管办": 2, "执法队": 1}),
        ("c2", 2, 4, 50, 0.25, 1.0, 0.5, 4.0,
         {"area": 4, "residents": 2, "grids": 3, "duties": 2}, {"城管办": 1, "执法队": 1})]
    assert [(s.measure, s.lowest, s.highest, s.ratio) for s in r.spread] == [
        ("area", 0.25, 1.5, 6.0), ("residents", 0.75, 1.0, 1.333),
        ("grids", 0.5, 1.5, 3.0), ("duties", 3.0, 4.0, 1.333)]
    assert [(x.person.id, x.department.id if x.department else None,
             x.community.id if x.community else None, x.last_case, x.last_activity)
            for x in r.not_mobilised] == [("s3", "d1", "c1", "2026-03-01", "2026-04-01"),
                                          ("s6", "d2", "c2", None, None)]
    assert [(x.person.id, x.role, x.community.id if x.community else None,
             [c.id for c in x.evaluated_by]) for x in r.not_evaluated] == [
        ("s2", "deployed_staff", "c1", ["kc2"]), ("s6", "deployed_staff", "c2", []),
        ("pc2", "police_chief", "c2", [])]
    # a year earlier s3 still had his grid, s5 was still there (and idle); the
    # activities and cases had not happened
    old = forces_report(store, "2025-06-30")
    assert [x.person.id for x in old.not_mobilised] == ["s1", "s2", "s5", "s6"]
    assert [x.person.id for x in forces_report(store, DAY, days=91).not_mobilised] == ["s6"]


def cases_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Grids g1, g2 (c1); departments d1, d2; patrollers pA, pB, pC. As of 2026-06-30,
    the window (2025-06-30, 2026-06-30]:
    k1  g1 占道经营 d1 pA  01-10 → 01-12 q3  recurs: k2 comes exactly 90 days later
    k2  g1 占道经营 d1 pA  04-12 → 04-14 q3
    k3  g1 违法建设 d2 pB  02-01, open (149 days: backlog)
    k4  g2 违法建设 d2 pB  05-31, open (30 days: backlog, just)
    k5  g2 违规张贴 d1 pC  06-10 → 06-10 q1  recurs: k6 ten days later
    k6  g2 违规张贴 d1 pC  06-20 → 06-20 q1
    k7  g2 环境卫生 d1 pC  06-25 → 07-05: open as of the day (5 days)
    k10 g2 噪音扰民 d2 pB  03-01 → 03-21 q5
    k8 (2025-06-01) and k9 (2026-07-02) are outside the window."""
    nodes = [node("c1", "Community"), node("g1", "Grid", kind="base"),
             node("g2", "Grid", kind="base"), node("d1", "Department"),
             node("d2", "Department"), node("pA", "GridWorker"), node("pB", "GridWorker"),
             node("pC", "DeployedStaff")]
    rels = [rel("IN", "g1", "c1"), rel("IN", "g2", "c1")]
    for cid, grid, cat, dept, who, rep, closed, q in (
            ("k1", "g1", "占道经营", "d1", "pA", "2026-01-10", "2026-01-12", 3),
            ("k2", "g1", "占道经营", "d1", "pA", "2026-04-12", "2026-04-14", 3),
            ("k3", "g1", "违法建设", "d2", "pB", "2026-02-01", None, None),
            ("k4", "g2", "违法建设", "d2", "pB", "2026-05-31", None, None),
            ("k5", "g2", "违规张贴", "d1", "pC", "2026-06-10", "2026-06-10", 1),
            ("k6", "g2", "违规张贴", "d1", "pC", "2026-06-20", "2026-06-20", 1),
            ("k7", "g2", "环境卫生", "d1", "pC", "2026-06-25", "2026-07-05", 4),
            ("k8", "g1", "占道经营", "d1", "pA", "2025-06-01", "2025-06-02", 3),
            ("k9", "g2", "环境卫生", "d1", "pA", "2026-07-02", None, None),
            ("k10", "g2", "噪音扰民", "d2", "pB", "2026-03-01", "2026-03-21", 5)):
        nodes.append(node(cid, "Case", category=cat, reported_on=rep, closed_on=closed,
                          quality=q, status="closed" if closed else "open"))
        rels += [rel("IN_GRID", cid, grid), rel("HANDLED_BY", cid, dept),
                 rel("REPORTED_BY", cid, who)]
    for n in nodes:
        n["properties"] = {k: v for k, v in n["properties"].items() if v is not None}
    return nodes, rels


def _rows(e: Any, grouping: str) -> list[tuple[Any, ...]]:
    rk = next(r for r in e.rankings if r.grouping == grouping)
    return [(x.entity.id, x.cases, x.closed, x.open, x.backlog, x.closure_rate, x.quality,
             x.days_to_close, x.recurrence_rate, x.score, x.rank_by_closure_rate,
             x.rank_by_score, x.flags) for x in rk.rows]


def test_case_evaluation(store: GraphStore) -> None:
    """g1: k1 k2 k3 — closure 2/3, quality 3, days 2, 2, 149 → median 2, recurrence 1/2,
    score (0.5 + (1 - 2/30) + 0.5) / 3 = 0.6444. g2: k4 k5 k6 k7 k10 — closure 3/5,
    quality 7/3, days 30, 0, 0, 5, 20 → 5, recurrence 1/3 (k5), score (1/3 + 5/6 + 2/3) /
    3 = 0.6111. d1: k1 k2 k5 k6 k7 — 4/5, quality 2, days 2, 2, 0, 0, 5 → 2, recurrence
    2/4, score (0.25 + 0.9333 + 0.5) / 3 = 0.5611. d2: k3 k4 k10 — 1/3, quality 5, days
    149, 30, 20 → 30 (efficiency 0), no recurrence, score 2/3: first by score, last by
    closure rate. Patrollers: pA k1 k2 (1.0, score 0.6444), pB k3 k4 k10 (1/3, 0.6667),
    pC k5 k6 k7 (2/3, quality 1, days 0, 0, 5 → 0, recurrence 1/2, score 0.5)."""
    store.upsert(*cases_street())
    e = case_evaluation(store, DAY, min_cases=2)
    assert (e.cases, e.since) == (8, "2025-06-30")
    assert _rows(e, "grid") == [
        ("g1", 3, 2, 1, 1, 0.6667, 3.0, 2.0, 0.5, 0.6444, 1, 1, ["backlog", "recurring"]),
        ("g2", 5, 3, 2, 1, 0.6, 2.333, 5.0, 0.3333, 0.6111, 2, 2, ["backlog", "recurring"])]
    assert _rows(e, "department") == [
        ("d2", 3, 1, 2, 2, 0.3333, 5.0, 30.0, 0.0, 0.6667, 2, 1, ["backlog"]),
        ("d1", 5, 4, 1, 0, 0.8, 2.0, 2.0, 0.5, 0.5611, 1, 2, ["recurring"])]
    assert _rows(e, "patroller") == [
        ("pB", 3, 1, 2, 2, 0.3333, 5.0, 30.0, 0.0, 0.6667, 3, 1, ["backlog"]),
        ("pA", 2, 2, 0, 0, 1.0, 3.0, 2.0, 0.5, 0.6444, 1, 2, ["recurring"]),
        ("pC", 3, 2, 1, 0, 0.6667, 1.0, 0.0, 0.5, 0.5, 2, 3, ["recurring"])]
    by = {r.grouping: r for r in e.rankings}
    # ranks by closure rate (pA 1, pB 3, pC 2) against score (2, 1, 3): r = -1/2
    assert by["patroller"].rank_correlation == -0.5
    assert by["patroller"].disagree == ["pA", "pB", "pC"]
    assert by["department"].rank_correlation is None  # two are too few
    # with three cases needed pA is listed last, unranked; pB and pC swap places
    e3 = case_evaluation(store, DAY, min_cases=3)
    assert [(x[0], x[-3], x[-2]) for x in _rows(e3, "patroller")] == [
        ("pB", 2, 1), ("pC", 1, 2), ("pA", None, None)]
    # 89 days of recurrence no longer reach k2 from k1; k5 still recurs
    e89 = case_evaluation(store, DAY, recur_days=89, min_cases=2)
    assert [(x[0], x[8]) for x in _rows(e89, "grid")] == [("g1", 0.0), ("g2", 0.3333)]
    # a case's leadership chain goes up through its grid (g1 has no worker: a break)
    from queries.leadership_chain import leadership_chain

    chain = leadership_chain(store, "k1", DAY)
    assert [s.node.id for s in chain.steps] == ["k1", "g1", "c1"]
    assert "grid_without_worker" in [b.reason for b in chain.breaks]
    # a day earlier k4 is 29 days old: no longer a backlog (k3 still is)
    assert [x[4] for x in _rows(case_evaluation(store, "2026-06-29", min_cases=2), "grid")] \
        == [1, 0]


def test_scenario_forces_and_cases(xinqiao: GraphStore) -> None:
    """What the scenario planted: exactly its idle and unevaluated staff, its busy grid
    workers and grids without a worker, staff split by population (even per resident,
    four times apart per km²), and the case patterns closure rate alone misses."""
    from queries.grid_duty import grid_duty

    planted = scenario_planted(xinqiao)
    f = forces_report(xinqiao, SCENARIO_DAY)
    assert f.staff == 531
    assert [x.person.id for x in f.not_mobilised] == planted["not_mobilised"]
    assert sorted(x.person.id for x in f.not_evaluated) == planted["not_evaluated"]
    spread = {s.measure: s.ratio for s in f.spread}
    assert spread["residents"] is not None and spread["residents"] < 1.1
    assert spread["area"] is not None and spread["area"] > 3
    xiner = next(a for a in f.allocation if a.community.id == "community-xiner")
    assert xiner.by_need["area"] > 2 * xiner.staff  # 12 km²: the most short-handed by area
    d = grid_duty(xinqiao, SCENARIO_DAY)
    assert {b.person.id: b.grids for b in d.busy_workers} == planted["busy_grid_workers"]
    assert sorted(g.grid.id for g in d.gaps if "grid_worker" in g.missing) == \
        planted["grids_without_worker"]
    assert sorted(b for g in d.gaps for b in g.buildings_without_head) == \
        planted["buildings_without_head"]

    p = planted["cases"]
    e = case_evaluation(xinqiao, SCENARIO_DAY)
    assert e.cases == p["count"]
    by = {r.grouping: r for r in e.rankings}

    def flagged(grouping: str, flag: str) -> list[str]:
        return sorted(x.entity.id for x in by[grouping].rows if flag in x.flags)

    assert flagged("patroller", "filing_for_count") == p["trivial_patrollers"]
    assert flagged("department", "backlog") == sorted(p["backlog_departments"])
    assert flagged("grid", "recurring") == p["recurring_grids"]
    # the filers for the count rank in the top half by closure rate and in the bottom
    # fifth by score
    rows = {x.entity.id: x for x in by["patroller"].rows}
    n = by["patroller"].ranked
    for pid in p["trivial_patrollers"]:
        rank = rows[pid].rank_by_closure_rate
        assert rank is not None
        assert rank <= n / 2 < n * 0.8 <= (rows[pid].rank_by_score or 0)
        assert pid in by["patroller"].disagree
    # departments: the backlogged ones last by closure rate; 城管办, fast but its cases
    # come back, drops from near the top by closure rate to the bottom half by score
    dept = {x.entity.id: x for x in by["department"].rows}
    assert {d for d, x in dept.items() if (x.rank_by_closure_rate or 0) >= 6} == set(
        p["backlog_departments"])
    assert (dept["dept-cgb"].rank_by_closure_rate or 9) <= 3
    assert (dept["dept-cgb"].rank_by_score or 0) >= 4


def test_forces_and_cases_api(store: GraphStore) -> None:
    from tests.api_helpers import client_for

    nodes, rels = forces_street()
    cn, cr = cases_street()
    store.upsert(nodes + [n for n in cn if n["id"] not in {"c1", "d1", "d2", "g1", "g2"}],
                 rels + [r for r in cr if r["type"] != "IN"])
    with client_for(store, "analyst") as c:
        r = c.get("/api/v1/forces", params={"as_of": DAY})
        assert r.status_code == 200
        assert [x["person"]["id"] for x in r.json()["not_mobilised"]] == ["s3", "s6"]
        x = c.get("/api/v1/forces.xlsx", params={"as_of": DAY})
        assert x.status_code == 200 and "filename*=UTF-8''" in x.headers["content-disposition"]
        wb = load_workbook(io.BytesIO(x.content))
        assert wb.sheetnames == ["社区配置", "差异", "未调动人员", "未纳入社区考核"]
        assert [c.value for c in wb["未调动人员"][3]][:4] == ["s3", "s3", "城管办", "c1"]
        e = c.get("/api/v1/cases/evaluation", params={"as_of": DAY, "min_cases": 2})
        assert e.status_code == 200
        dept = next(r for r in e.json()["rankings"] if r["grouping"] == "department")
        assert [(x["entity"]["id"], x["rank_by_closure_rate"], x["rank_by_score"])
                for x in dept["rows"]] == [("d2", 2, 1), ("d1", 1, 2)]
        x = c.get("/api/v1/cases/evaluation.xlsx", params={"as_of": DAY, "min_cases": 2})
        wb = load_workbook(io.BytesIO(x.content))
        assert wb.sheetnames == ["汇总", "按网格", "按承办部门", "按巡查员"]
        assert [c.value for c in wb["按承办部门"][3]][:4] == [1, 2, "执法队", "d2"]
        for bad in ({"days": 0}, {"as_of": "2026-02-30"}):
            r = c.get("/api/v1/forces", params=bad)
            assert r.status_code == 422 and str(next(iter(bad))) in r.text
        assert c.get("/api/v1/cases/evaluation", params={"min_cases": 0}).status_code == 422
    with client_for(store, "community", "c2") as c:  # c2's own staff only
        f = c.get("/api/v1/forces", params={"as_of": DAY}).json()
        assert [a["community"]["id"] for a in f["allocation"]] == ["c2"]
        assert [x["person"]["id"] for x in f["not_mobilised"]] == ["s6"]
        wb = load_workbook(io.BytesIO(c.get("/api/v1/forces.xlsx",
                                            params={"as_of": DAY}).content))
        assert [r[0].value for r in wb["未调动人员"].iter_rows(min_row=3)] == ["s6"]
    with client_for(store, "consumer") as c:  # organisations and aggregates only
        e = c.get("/api/v1/cases/evaluation", params={"as_of": DAY, "min_cases": 2}).json()
        assert next(r for r in e["rankings"] if r["grouping"] == "patroller")["rows"] == []
        assert len(next(r for r in e["rankings"] if r["grouping"] == "grid")["rows"]) == 2


def test_forces_and_cases_cli(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from tests.api.test_cli import run

    db = tmp_path / "f.db"
    with EmbeddedStore(db) as s:
        s.upsert(*cases_street())
    r = run("cases", "--as-of", DAY, "--json", store=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cases"] == 8
    r = run("cases", "--as-of", DAY, "--by", "patroller", "--xlsx", str(tmp_path / "c.xlsx"),
            store=db)
    assert r.returncode == 0 and (tmp_path / "c.xlsx").exists()
    assert "巡查员" in r.stdout
    r = run("cases", "--by", "street", store=db)
    assert r.returncode == 2 and "--by 'street'" in r.stdout + r.stderr
    r = run("forces", "--as-of", "2026-13-01", store=db)
    assert r.returncode != 0 and "--as-of" in r.stderr and "Traceback" not in r.stderr
    r = run("forces", "--as-of", DAY, "--json", store=db)
    assert r.returncode == 0 and json.loads(r.stdout)["staff"] == 0


CASE_HEAD = ["案件编号", "案件名称", "案件类别", "上报日期", "办结日期", "办理状态", "质量评分",
             "所在网格", "上报人", "承办部门"]


def test_cases_roster(store: GraphStore, tmp_path: Path) -> None:
    """The hand-built cases loaded from a roster (CSV as a grid platform exports it)
    give the evaluation worked out above; a file with a bad row writes nothing."""
    from loaders.roster import load_roster
    from tests.rosters import snapshot, write_csv

    nodes, rels = cases_street()
    store.upsert([n for n in nodes if "Case" not in n["labels"]],
                 [r for r in rels if r["type"] == "IN"])
    rows = [CASE_HEAD]
    by_case: dict[str, dict[str, str]] = {}
    for r in rels:
        if r["type"] != "IN":
            case = r["start"]
            by_case.setdefault(case, {})[r["type"]] = r["end"]
    for n in nodes:
        if "Case" in n["labels"]:
            p, links = n["properties"], by_case[n["id"]]
            rows.append([n["id"], f"{p['category']}（{n['id']}）", p["category"],
                         p["reported_on"], p.get("closed_on", ""),
                         "已办结" if p["status"] == "closed" else "未办结", p.get("quality", ""),
                         links["IN_GRID"], links["REPORTED_BY"], links["HANDLED_BY"]])
    report = load_roster(store, write_csv(tmp_path / "cases.csv", rows), "cases",
                         as_of="2026-07-05")
    assert report.ok and report.written, report.issues
    assert store.get_node("k7").properties["closed_on"] == "2026-07-05"
    assert _rows(case_evaluation(store, DAY, min_cases=2), "department") == [
        ("d2", 3, 1, 2, 2, 0.3333, 5.0, 30.0, 0.0, 0.6667, 2, 1, ["backlog"]),
        ("d1", 5, 4, 1, 0, 0.8, 2.0, 2.0, 0.5, 0.5611, 1, 2, ["recurring"])]

    # the platform corrects k1's grid and department: the links move (no history kept)
    rows[1][7], rows[1][9] = "g2", "d2"
    report = load_roster(store, write_csv(tmp_path / "cases2.csv", rows), "cases",
                         as_of="2026-07-06")
    assert report.ok and report.changes["rels_updated"] == 2, report.changes
    assert [(a.rel.type, a.other) for a in store.adjacent("k1", direction="out")] == [
        ("HANDLED_BY", "d2"), ("IN_GRID", "g2"), ("REPORTED_BY", "pA")]

    before = snapshot(store)
    bad = write_csv(tmp_path / "bad.csv", [
        CASE_HEAD,
        ["x1", "甲", "占道经营", "2026-03-05", "2026-03-01", "已办结", 3, "g1", "pA", "d1"],
        ["x2", "乙", "占道经营", "2026-03-05", "2026-03-06", "已办结", 7, "g1", "pA", "d1"],
        ["x3", "丙", "占道经营", "2026-03-05", "", "已办结", "", "g1", "pA", "d1"],
        ["x4", "丁", "占道经营", "2026-03-05", "", "未办结", "", "g9", "pA", "d1"]])
    report = load_roster(store, bad, "cases", as_of="2026-07-05")
    assert not report.ok and not report.written
    assert [(i.cell, i.rule) for i in report.issues] == [
        ("E2", "closed_before_reported"), ("G3", "quality_range"), ("F4", "closed_without_date"),
        ("H5", "reference")]
    assert "早于上报日期 2026-03-05" in report.issues[0].message_zh
    assert snapshot(store) == before


def test_forces_narrowed_to_a_community(store: GraphStore) -> None:
    """``community`` narrows the rows, JSON and .xlsx alike (the page's download holds
    what the page shows): forces_street's c2 has s6 idle, as c2's own token sees. (In
    cases_street both grids are c1's; departments serve the street and stay; ranks
    stay the street's.)"""
    from tests.api_helpers import client_for

    store.upsert(*forces_street())
    with client_for(store, "analyst") as c:
        f = c.get("/api/v1/forces", params={"as_of": DAY, "community": "c2"}).json()
        assert [a["community"]["id"] for a in f["allocation"]] == ["c2"]
        assert [x["person"]["id"] for x in f["not_mobilised"]] == ["s6"]
        assert all(x["community"]["id"] == "c2" for x in f["not_evaluated"])
        wb = load_workbook(io.BytesIO(c.get("/api/v1/forces.xlsx", params={
            "as_of": DAY, "community": "c2"}).content))
        assert [r[0].value for r in wb["未调动人员"].iter_rows(min_row=3)] == ["s6"]


def test_cases_narrowed_to_a_community(store: GraphStore) -> None:
    from tests.api_helpers import client_for

    store.upsert(*cases_street())
    with client_for(store, "analyst") as c:
        whole = c.get("/api/v1/cases/evaluation", params={"as_of": DAY, "min_cases": 2}).json()
        for community, grids in (("c1", ["g1", "g2"]), ("elsewhere", [])):
            e = c.get("/api/v1/cases/evaluation", params={
                "as_of": DAY, "min_cases": 2, "community": community}).json()
            by = {r["grouping"]: r for r in e["rankings"]}
            assert sorted(x["entity"]["id"] for x in by["grid"]["rows"]) == grids
            assert by["department"] == next(
                r for r in whole["rankings"] if r["grouping"] == "department")
            assert all(i in {x["entity"]["id"] for x in by["patroller"]["rows"]}
                       for i in by["patroller"]["disagree"])
        e = c.get("/api/v1/cases/evaluation", params={
            "as_of": DAY, "min_cases": 2, "community": "elsewhere"}).json()
        assert next(r for r in e["rankings"] if r["grouping"] == "patroller")["rows"] == []
        wb = load_workbook(io.BytesIO(c.get("/api/v1/cases/evaluation.xlsx", params={
            "as_of": DAY, "min_cases": 2, "community": "elsewhere"}).content))
        assert wb["按网格"].max_row <= 2
