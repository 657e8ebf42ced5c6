"""Rosters: all-or-nothing, incremental updates (what disappeared ends, what comes back
starts again), partial rosters, dry runs, one person in two rosters, every roster kind
(party organisations, posts, grids, deployed staff, buildings, enterprises, 两长两员 and
grid workers) and a template for each that loads back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from loaders.roster import ID_KEY_META, load_roster, person_id
from tests.graphs import tiny_street
from tests.loaders.roster_helpers import HEAD, A, B, C, D, issues, member
from tests.rosters import id_key, snapshot, write_csv


# ------------------------------------------------------------ writing
def test_one_bad_row_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A), member("乙", B),
                                       member("丙", C, joined="2001-7-32"), member("丁", D)])
    report = load_roster(store, f, "party_members")
    assert issues(report) == [("E4", "入党日期", "date")] and not report.written
    assert snapshot(store) == before and store.get_meta(ID_KEY_META) is None


def test_incremental_update_ends_what_disappeared(store: GraphStore, tmp_path: Path) -> None:
    """v1 (2026-01-01): 甲 乙 丙 in 上星第一支部. v2 (2026-06-30): 甲 has a new phone, 乙 is
    gone, 丙 is unchanged, 丁 is new. 张三 (p1, already in the graph as the branch's
    secretary) is in neither roster: the branch is named, so his membership ends too."""
    from queries.lookups import org_members

    store.upsert(*tiny_street())
    v1 = write_csv(tmp_path / "v1.csv", [HEAD, member("甲", A), member("乙", B),
                                         member("丙", C, role="书记")])
    r1 = load_roster(store, v1, "party_members", as_of="2026-01-01")
    # three memberships, and 丙 a member (since joining) before the secretary's stint
    assert r1.ok and r1.changes["nodes_added"] == 3 and r1.changes["rels_added"] == 4
    assert r1.changes["rels_ended"] == 1  # 张三
    key = id_key(store)
    a, b, c, d = (person_id(key, x) for x in (A, B, C, D))
    v2 = write_csv(tmp_path / "v2.csv", [HEAD, member("甲", A, phone="13900000000"),
                                         member("丙", C, role="书记"), member("丁", D)])
    r2 = load_roster(store, v2, "party_members", as_of="2026-06-30")
    assert r2.changes == {"nodes_added": 1, "nodes_updated": 1, "nodes_unchanged": 1,
                          "rels_added": 1, "rels_updated": 0, "rels_unchanged": 2,
                          "rels_ended": 1}
    assert store.get_node(a).properties["phone"] == "13900000000"
    assert store.get_node(b).name == "乙"  # kept: only the membership ends
    (mb,) = store.neighbours(b, ["MEMBER_OF"], "out")
    # joined 2001-07-01, their first membership: it began then (入党日期)
    assert mb.rel.properties == {"role": "member", "since": "2001-07-01", "until": "2026-06-30"}
    (md,) = store.neighbours(d, ["MEMBER_OF"], "out")
    # 丁 joined in 2001 but the January roster did not list him: he came after it
    assert md.rel.properties["since"] == "2026-06-30"
    march = {m.person.id for m in org_members(store, "br1", as_of="2026-03-01")}
    july = {m.person.id for m in org_members(store, "br1", as_of="2026-07-01")}
    assert march == {a, b, c} and july == {a, c, d}
    before = snapshot(store)
    r3 = load_roster(store, v2, "party_members", as_of="2026-07-31")
    assert r3.changes == {"nodes_added": 0, "nodes_updated": 0, "nodes_unchanged": 3,
                          "rels_added": 0, "rels_updated": 0, "rels_unchanged": 3,
                          "rels_ended": 0}
    assert snapshot(store) == before
    # 乙 comes back in August: a new membership, the old one stays ended
    v4 = write_csv(tmp_path / "v4.csv", [HEAD, member("甲", A, phone="13900000000"),
                                         member("乙", B), member("丙", C, role="书记"),
                                         member("丁", D)])
    assert load_roster(store, v4, "party_members", as_of="2026-08-01").changes[
        "rels_added"] == 1
    stints = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"))
                    for n in store.neighbours(b, ["MEMBER_OF"], "out"))
    assert stints == [("2001-07-01", "2026-06-30"), ("2026-08-01", None)]


def test_partial_roster_keeps_the_rest(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A)])
    report = load_roster(store, f, "party_members", as_of="2026-06-30", end_missing=False)
    assert report.changes["rels_ended"] == 0
    (m,) = store.neighbours("p1", ["MEMBER_OF"], "out")
    assert "until" not in m.rel.properties


def test_dry_run_reports_changes_and_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A)])
    report = load_roster(store, f, "party_members", dry_run=True)
    assert report.ok and not report.written
    assert (report.changes["nodes_added"], report.changes["rels_added"],
            report.changes["rels_ended"]) == (1, 1, 1)
    assert snapshot(store) == before


def test_one_person_in_two_rosters_is_one_node(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    res = write_csv(tmp_path / "res.csv", [["姓名", "身份证号", "住址", "居住楼栋", "户籍人口"],
                                           ["甲", A, "上星社区上星一巷1号", "上星一巷1号", "是"]])
    assert load_roster(store, res, "居民", as_of="2026-06-30").ok
    pm = write_csv(tmp_path / "pm.csv", [HEAD, member("甲", A)])
    assert load_roster(store, pm, "党员", as_of="2026-06-30").ok
    key = id_key(store)
    node = store.get_node(person_id(key, A))
    assert set(node.labels) == {"Person", "Resident", "PartyMember"}
    assert node.properties["address"] == "上星社区上星一巷1号"  # kept from the first roster
    assert node.properties["household_registered"] is True
    assert {n.rel.type for n in store.neighbours(node.id, direction="out")} == {
        "LIVES_IN", "MEMBER_OF"}


def test_party_orgs_reference_rows_later_in_the_file(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    f = write_csv(tmp_path / "o.csv", [
        ["党组织名称", "组织类别", "上级党组织", "成立日期"],
        ["上星第一支部第一党小组", "党小组", "上星第二支部", "2020-01-01"],
        ["上星第二支部", "党支部", "上星社区党委", "2015-05-01"]])
    report = load_roster(store, f, "party_orgs", as_of="2026-06-30")
    assert report.ok, report.lines()
    groups = list(store.nodes("PartyGroup"))
    assert [g.name for g in groups] == ["上星第一支部第一党小组"]
    (up,) = store.neighbours(groups[0].id, ["SUB_ORG_OF"], "out")
    assert up.node.name == "上星第二支部" and up.node.has("Branch")
    (up2,) = store.neighbours(up.node.id, ["SUB_ORG_OF"], "out")
    assert up2.node.id == "cc1"


def test_posts_roster_names_existing_people(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    store.upsert([{"id": "rc1", "labels": ["ResidentsCommittee"],
                   "properties": {"name": "上星社区居委会"}}])
    f = write_csv(tmp_path / "p.csv", [["人员编号", "姓名", "任职单位", "职务名称", "任职日期"],
                                       ["p1", "张三", "上星社区居委会", "主任", "2021-05-01"],
                                       ["p1", "李四", "上星社区居委会", "委员", ""],
                                       ["p9", "王五", "上星社区居委会", "委员", ""]])
    report = load_roster(store, f, "posts")
    assert issues(report) == [(None, "姓名", "name_mismatch"), (None, "人员编号", "reference")]
    f = write_csv(tmp_path / "p2.csv", [["人员编号", "姓名", "任职单位", "职务名称", "任职日期"],
                                        ["p1", "张三", "上星社区居委会", "主任", "2021-05-01"]])
    assert load_roster(store, f, "职务", as_of="2026-06-30").ok
    (post,) = store.neighbours("p1", ["HOLDS_POST"], "out")
    assert post.node.id == "rc1" and post.rel.properties == {"title": "主任",
                                                             "since": "2021-05-01"}


def test_template_filled_in_loads(street: EmbeddedStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from loaders.xlsx import write_template

    path = write_template("party_members", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb["党员"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["编号", "姓名*", "性别"] and "所在党组织*" in headers
    assert ws["D2"].value == "110105********002X"  # a sample, never a real number
    ws.delete_rows(2)
    values = {"姓名*": "甲", "公民身份号码": A, "入党日期*": "2001-07-01",
              "所在党组织*": "上星第一支部", "性别": "男"}
    ws.append([values.get(h) for h in headers])
    wb.save(path)
    report = load_roster(street, path, "party_members")
    assert report.ok and report.changes["nodes_added"] == 1, report.lines()
    assert "填写说明" not in report.sheets


def test_grids_and_deployed_staff(store: GraphStore, tmp_path: Path) -> None:
    """Grid kinds by their Chinese names; a deployed officer moved to another community
    ends the first deployment (one current community per person)."""
    store.upsert(*tiny_street())
    store.upsert([{"id": "c2", "labels": ["Community"], "properties": {"name": "新二社区"}},
                  {"id": "d1", "labels": ["Department"], "properties": {"name": "城管执法队"}}])
    grids = write_csv(tmp_path / "g.csv", [
        ["网格编号", "网格名称", "网格类型", "面积(平方公里)", "所在社区", "上级网格"],
        ["g-b1", "上星第1基础网格", "基础网格", "0.08", "上星社区", ""],
        ["g-p1", "上星警格", "警格", "", "上星社区", ""],
        ["g-x", "错类型", "大网格", "", "上星社区", ""]])
    report = load_roster(store, grids, "网格")
    assert issues(report) == [("C4", "网格类型", "enum")]
    grids.write_text("\n".join(grids.read_text(encoding="utf-8").splitlines()[:3]) + "\n",
                     encoding="utf-8")
    assert load_roster(store, grids, "grids", as_of="2026-01-01").ok
    g = store.get_node("g-p1")
    assert (g.properties["kind"], store.get_node("g-b1").properties["area_km2"]) == (
        "police", 0.08)
    head = ["姓名", "身份证号", "用工性质", "派出部门", "下沉社区", "下沉日期", "负责网格"]
    v1 = write_csv(tmp_path / "s1.csv", [head, ["王", A, "公务员", "城管执法队", "上星社区",
                                                "2025-03-01", "上星第1基础网格"]])
    assert load_roster(store, v1, "deployed_staff", as_of="2026-01-01").ok
    v2 = write_csv(tmp_path / "s2.csv", [head, ["王", A, "公务员", "城管执法队", "新二社区",
                                                "", ""]])
    assert load_roster(store, v2, "deployed_staff", as_of="2026-06-30").ok
    key = id_key(store)
    stints = sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"))
                    for n in store.neighbours(person_id(key, A), ["DEPLOYED_TO"], "out"))
    assert stints == [("c1", "2025-03-01", "2026-06-30"), ("c2", "2026-06-30", None)]
    assert store.get_node(person_id(key, A)).properties["employment"] == "civil_servant"


def test_buildings_and_enterprises(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "b.csv", [["楼栋名称", "出租屋", "层数", "所属居民小组"],
                                       ["上星一巷2号", "是", "8", "上星一组"]])
    assert load_roster(street, f, "楼栋").ok
    (b,) = [n for n in street.nodes("Building") if n.name == "上星一巷2号"]
    assert (b.properties["rental"], b.properties["floors"]) == (True, 8)
    (up,) = street.neighbours(b.id, ["PART_OF"], "out")
    assert up.node.id == "rg1" and up.rel.properties == {}
    f = write_csv(tmp_path / "e.csv", [["统一社会信用代码", "企业名称", "职工人数", "所在社区"],
                                       ["91440300MA5X", "新桥电子", "1,200", "c1"]])
    assert load_roster(street, f, "企业").ok
    e = street.get_node("91440300MA5X")
    assert e.properties == {"name": "新桥电子", "employees": 1200}
    assert [n.node.id for n in street.neighbours(e.id, ["IN"], "out")] == ["c1"]


# ------------------------------------------------------------ 两长两员 and grid workers
def test_building_heads_roster_one_person_several_buildings(store: GraphStore,
                                                            tmp_path: Path) -> None:
    """楼栋长: a row per building; 甲 heads two. The next roster gives 二号楼 to 乙: 甲's
    HEADS of it ends on that roster's date, his 一号楼 stays."""
    store.upsert(*tiny_street())
    store.upsert([{"id": "b2", "labels": ["Building"], "properties": {"name": "上星一巷2号"}}])
    head = ["姓名", "身份证号", "联系电话", "负责楼栋", "任职日期"]
    v1 = write_csv(tmp_path / "h1.csv", [head,
                                         ["甲", A, "13812345678", "上星一巷1号", "2022-03-01"],
                                         ["甲", A, "", "上星一巷2号", "2023-05-01"]])
    r1 = load_roster(store, v1, "楼栋长", as_of="2026-01-01")
    assert r1.ok and (r1.changes["nodes_added"], r1.changes["rels_added"]) == (1, 2), r1.lines()
    v2 = write_csv(tmp_path / "h2.csv", [head, ["甲", A, "", "上星一巷1号", "2022-03-01"],
                                         ["乙", B, "", "上星一巷2号", ""]])
    r2 = load_roster(store, v2, "building_heads", as_of="2026-06-30")
    assert r2.ok and r2.changes["rels_ended"] == 1 and r2.changes["rels_added"] == 1
    people = {n.name: n.id for n in store.nodes("BuildingHead")}
    heads = sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"))
                   for p in people.values() for n in store.neighbours(p, ["HEADS"], "out"))
    assert heads == [("b1", "2022-03-01", None), ("b2", "2023-05-01", "2026-06-30"),
                     ("b2", "2026-06-30", None)]
    clash = write_csv(tmp_path / "h3.csv", [head, ["甲", A, "13812345678", "上星一巷1号", ""],
                                            ["甲", A, "13900000000", "上星一巷2号", ""]])
    assert [(i.cell, i.rule) for i in load_roster(store, clash, "楼栋长").issues] == [
        ("C3", "conflicting_rows")]


def test_a_grid_no_longer_on_a_workers_rows_is_ended(store: GraphStore, tmp_path: Path
                                                     ) -> None:
    """网格员: a row per grid. 甲 looked after 一格 and 二格; the next roster lists him
    with 一格 only, and nobody with 二格 (merged into another grid). His rows are all his
    grids: 二格 ends on that roster's date (before: it stayed his, since no row named
    二格). 乙, not on the roster at all, keeps 三格: the roster is not about him."""
    store.upsert(*tiny_street())
    store.upsert([{"id": g, "labels": ["Grid"], "properties": {"name": n, "kind": "base"}}
                  for g, n in (("g1", "上星一格"), ("g2", "上星二格"), ("g3", "上星三格"))])
    head = ["姓名", "身份证号", "负责网格", "任职日期"]
    v1 = write_csv(tmp_path / "w1.csv", [head, ["甲", A, "上星一格", "2024-01-01"],
                                         ["甲", A, "上星二格", "2024-01-01"],
                                         ["乙", B, "上星三格", "2024-01-01"]])
    assert load_roster(store, v1, "网格员", as_of="2026-01-01").ok
    v2 = write_csv(tmp_path / "w2.csv", [head, ["甲", A, "上星一格", ""]])
    r2 = load_roster(store, v2, "grid_workers", as_of="2026-06-30")
    assert r2.ok and (r2.changes["rels_ended"], r2.changes["rels_added"]) == (1, 0)
    people = {n.name: n.id for n in store.nodes("GridWorker")}
    grids = sorted((p, n.node.id, n.rel.properties.get("until"))
                   for p, pid in people.items()
                   for n in store.neighbours(pid, ["RESPONSIBLE_FOR"], "out"))
    assert grids == [("乙", "g3", None), ("甲", "g1", None), ("甲", "g2", "2026-06-30")]
    again = load_roster(store, v2, "grid_workers", as_of="2026-06-30")
    assert again.ok and again.changes["rels_ended"] == 0


@pytest.mark.parametrize("kind, label, rel_type, column, target", [
    ("shop_managers", "ShopManager", "WORKS_AT", "所在门店", "ent1"),
    ("property_staff", "PropertyStaff", "WORKS_AT", "所在物业公司", "pc1"),
    ("security_guards", "SecurityGuard", "WORKS_AT", "所在单位", "ent1"),
    ("grid_workers", "GridWorker", "RESPONSIBLE_FOR", "负责网格", "grid1"),
])
def test_the_other_role_rosters(street: EmbeddedStore, tmp_path: Path, kind: str, label: str,
                                rel_type: str, column: str, target: str) -> None:
    street.upsert([{"id": "ent1", "labels": ["Enterprise"], "properties": {"name": "星光商行"}},
                   {"id": "pc1", "labels": ["PropertyCompany"],
                    "properties": {"name": "新桥物业公司"}},
                   {"id": "grid1", "labels": ["Grid"],
                    "properties": {"name": "上星一格", "kind": "base"}}])
    name = street.get_node(target).name
    f = write_csv(tmp_path / "r.csv", [["姓名", "身份证号", column, "任职日期"],
                                       ["甲", A, name, "2024-01-01"]])
    report = load_roster(street, f, kind, as_of="2026-06-30")
    assert report.ok, report.lines()
    (p,) = street.nodes(label)
    (link,) = street.neighbours(p.id, [rel_type], "out")
    assert (link.node.id, link.rel.properties) == (target, {"since": "2024-01-01"})


def test_every_roster_kind_has_a_template_that_loads_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from loaders.roster_mapping import get_mapping, mapping_kinds
    from loaders.xlsx import write_template

    for kind, zh, _ in mapping_kinds():
        path = write_template(kind, tmp_path / f"{kind}.xlsx")
        wb = load_workbook(path)
        assert wb.sheetnames == [zh, "填写说明"]
        headers = [str(c.value).rstrip("*") for c in wb[zh][1]]
        assert headers == [c.header for c in get_mapping(kind).all_columns]
