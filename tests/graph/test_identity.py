"""One person, one node; merge, never replace; history kept — whatever path writes.

Each test reproduces a defect of issue 13 on a small hand-built store (both backends):
people who came from the scenario, graph CSV or Popolo met by a roster, a name-only
CSV row or Popolo person, three successive rosters of one branch, an Excel-mangled ID
number on every path.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from graph.errors import ValidationError
from graph.store import GraphStore
from loaders.graph_csv import load_graph_csv
from loaders.popolo import load_popolo
from loaders.roster import load_roster
from queries.leadership_chain import leadership_chain
from tests.graphs import idn, node, rel, tiny_street
from tests.rosters import snapshot, write_csv

HEAD = ["姓名", "性别", "身份证号", "手机号", "入党日期", "所在党组织", "党内职务"]
P1 = idn("44030619750301123")  # 张三, the branch's secretary in tiny_street
#: (id as the scenario makes it, name, ID number, joined)
STORED = [("person-000001", "李明", idn("44030619800101123"), "2005-07-01"),
          ("person-000002", "王芳", idn("44030619820202124"), "2010-07-01"),
          ("person-000003", "陈伟", idn("44030619900303125"), "2018-07-01")]


def stored_street(store: GraphStore) -> None:
    """tiny_street, 张三 with his ID number, and three members of br1 written as the
    scenario (or a graph CSV, or Popolo) writes people: ids of their own, ID numbers,
    phones, addresses, homes, memberships since 2019."""
    nodes, rels = tiny_street()
    nodes[-1]["properties"]["id_number"] = P1
    for pid, name, number, joined in STORED:
        nodes.append(node(pid, "PartyMember", "Resident", name=name, id_number=number,
                          phone="13800000" + pid[-3:], address="新桥街道上星社区上星一巷1号",
                          joined_party_on=joined, full_member=True))
        rels += [rel("MEMBER_OF", pid, "br1", role="member", since="2019-01-01"),
                 rel("LIVES_IN", pid, "b1", since="2019-01-01")]
    store.upsert(nodes, rels)


def member_row(name: str, number: str, role: str = "", joined: str = "2005-07-01",
               phone: str = "", gender: str = "") -> list[Any]:
    return [name, gender, number, phone, joined, "上星第一支部", role]


def roster_rows() -> list[list[Any]]:
    return [HEAD, member_row("张三", P1, "书记", "2020-07-01")] + [
        member_row(name, number, joined=joined) for _, name, number, joined in STORED]


# ------------------------------------------------------------ one person, one node
def test_roster_relisting_stored_people_creates_no_node_and_ends_nothing(
        store: GraphStore, tmp_path: Path) -> None:
    """The branch's roster re-lists its four members with their real ID numbers: they
    are found by number (the ids the scenario gave them kept), no node is added and no
    membership ends. (Before: four new people with the same numbers, four ended.)"""
    stored_street(store)
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", roster_rows())
    report = load_roster(store, f, "party_members", as_of="2026-06-30")
    assert report.ok, report.lines()
    c = report.changes
    assert (c["nodes_added"], c["rels_added"], c["rels_ended"]) == (0, 0, 0)
    assert c["nodes_unchanged"] == 4 and c["rels_unchanged"] == 4
    assert snapshot(store) == before
    people = {n.id for n in store.nodes("Person")}
    assert people == {"p1", "person-000001", "person-000002", "person-000003"}


def test_a_person_found_by_id_number_gets_the_rosters_new_values(
        store: GraphStore, tmp_path: Path) -> None:
    """The same roster with a new phone for 李明 updates the stored node (no copy) and
    says so per node; 王芳's stored phone stays where her cell is empty."""
    stored_street(store)
    rows = roster_rows()
    rows[2][3] = "139 0000 0001"  # 李明's new phone, typed with spaces
    report = load_roster(store, write_csv(tmp_path / "r.csv", rows), "party_members",
                         as_of="2026-06-30")
    assert report.ok and report.changes["nodes_updated"] == 1
    (diff,) = report.diffs
    assert diff["id"] == "person-000001" and diff["given_id"].startswith("person-")
    assert diff["properties"] == {"phone": ["138****0001", "139****0001"]}  # masked
    assert store.get_node("person-000001").properties["phone"] == "13900000001"
    assert store.get_node("person-000002").properties["phone"] == "13800000002"


def test_store_finds_a_person_by_id_number_on_every_write(store: GraphStore) -> None:
    """Any writer (the API, a loader) naming a new id for a stored ID number writes into
    the stored node; its relationships follow; another node may not take the number."""
    stored_street(store)
    _, name, number, _ = STORED[0]
    result = store.upsert([node("other-id", "Volunteer", name=name, id_number=number.lower())],
                          [rel("LIVES_IN", "other-id", "b1", since="2026-01-01")])
    assert result.changes.remap == {"other-id": "person-000001"}
    assert store.get_nodes(["other-id"]) == {}
    n = store.get_node("person-000001")
    assert set(n.labels) == {"Person", "PartyMember", "Resident", "Volunteer"}
    with pytest.raises(ValidationError) as e:
        store.upsert([node("person-000002", "Person", name="王芳", id_number=number)])
    assert "id_number_taken" in [v.rule for v in e.value.violations]


# ------------------------------------------------------------ merge, never replace
def test_name_only_csv_row_keeps_every_property_and_label(store: GraphStore,
                                                          tmp_path: Path) -> None:
    """A one-row ``id,name`` graph CSV naming a stored party member: nothing of hers is
    wiped, her membership still leads up (the chain has no break). Before: id_number,
    phone, address and the PartyMember label gone, MEMBER_OF left hanging."""
    stored_street(store)
    before = snapshot(store)
    chain = leadership_chain(store, "person-000002", "2026-06-30")
    d = tmp_path / "csv"
    d.mkdir()
    with open(d / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id:ID", "name"], ["person-000002", "王芳"]])
    report = load_graph_csv(store, d)
    assert report.ok and report.written, report.lines()
    assert report.changes["nodes_unchanged"] == 1
    assert snapshot(store) == before
    after = leadership_chain(store, "person-000002", "2026-06-30")
    assert after == chain
    assert [(s.node.id, s.leader.name if s.leader else None) for s in after.steps][:2] == [
        ("person-000002", None), ("br1", "张三")]


def test_csv_rename_is_reported_and_replace_is_explicit(store: GraphStore,
                                                       tmp_path: Path) -> None:
    stored_street(store)
    d = tmp_path / "csv"
    d.mkdir()
    with open(d / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id:ID", ":LABEL", "name"],
                                 ["person-000002", "Person", "王 芳芳"]])
    dry = load_graph_csv(store, d, dry_run=True)
    assert dry.ok and not dry.written
    assert [(i.rule, i.value) for i in dry.issues] == [("renames", "王芳芳")]
    assert dry.diffs[0]["properties"]["name"] == ["王芳", "王芳芳"]
    assert store.get_node("person-000002").name == "王芳"  # dry: nothing written
    replaced = load_graph_csv(store, d, replace=True)
    assert replaced.ok and replaced.written
    n = store.get_node("person-000002")
    assert (n.labels, n.properties) == (("Person",), {"name": "王芳芳",
                                                      "name_as_typed": "王 芳芳"})


def test_popolo_person_with_a_name_only_keeps_everything(store: GraphStore,
                                                         tmp_path: Path) -> None:
    stored_street(store)
    before = snapshot(store)
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"persons": [{"id": "person-000003", "name": "陈伟"}]},
                            ensure_ascii=False), encoding="utf-8")
    report = load_popolo(store, f)
    assert report.ok and report.written, report.lines()
    assert snapshot(store) == before


def test_popolo_reload_reports_a_renamed_shared_organisation(store: GraphStore,
                                                             tmp_path: Path) -> None:
    """Estonia's file and then Ireland's both have an organisation IND: the second load
    says it renames it (before: silently)."""
    def popolo(name: str) -> Path:
        f = tmp_path / f"{name}.json"
        f.write_text(json.dumps({"organizations": [
            {"id": "IND", "name": name, "classification": "party"}]}), encoding="utf-8")
        return f

    classes = {"party": "SocialOrganization"}
    assert load_popolo(store, popolo("Independent"), classifications=classes).ok
    again = load_popolo(store, popolo("Independents"), classifications=classes,
                        dry_run=True)
    assert again.ok and [(i.rule, i.value) for i in again.issues] == [
        ("renames", "Independents")]
    assert store.get_node("IND").name == "Independent"


# ------------------------------------------------------------ history
def test_three_rosters_keep_every_secretary(store: GraphStore, tmp_path: Path) -> None:
    """January: 甲 secretary; April: 乙 (甲 a member again); July: 丙, written 支部书记.
    As of a day between two rosters the chain names that roster's secretary; before
    January, 张三 (tiny_street), whose membership January's roster ended.
    (Before: a role change overwrote the membership, so the past secretaries were lost.)"""
    store.upsert(*tiny_street())
    a, b, c = idn("44030619800101001"), idn("44030619820202002"), idn("44030619830303003")

    def roster(day: str, roles: tuple[str, str, str]) -> None:
        rows = [HEAD] + [member_row(n, x, role) for n, x, role in
                         zip(("甲", "乙", "丙"), (a, b, c), roles, strict=True)]
        r = load_roster(store, write_csv(tmp_path / f"{day}.csv", rows), "party_members",
                        as_of=day)
        assert r.ok, r.lines()

    roster("2026-01-01", ("书记", "", ""))
    roster("2026-04-01", ("党员", "书记", ""))
    roster("2026-07-01", ("", "党员", "支部书记"))

    def secretary(day: str) -> str | None:
        step = leadership_chain(store, "br1", day).steps[0]
        return step.leader.name if step.leader else None

    assert [secretary(d) for d in ("2025-12-31", "2026-02-15", "2026-05-01", "2026-08-01")
            ] == ["张三", "甲", "乙", "丙"]
    people = {n.name: n.id for n in store.nodes("PartyMember")}

    def stints(name: str) -> list[tuple[Any, ...]]:
        return sorted((n.rel.properties.get("since"), n.rel.properties.get("until"),
                       n.rel.properties["role"], n.rel.properties.get("title"))
                      for n in store.neighbours(people[name], ["MEMBER_OF"], "out"))

    # 甲 joined 2005: a member since, secretary from January's roster to April's
    assert stints("甲") == [("2005-07-01", "2026-01-01", "member", None),
                           ("2026-01-01", "2026-04-01", "secretary", None),
                           ("2026-04-01", None, "member", None)]
    assert stints("丙") == [("2005-07-01", "2026-07-01", "member", None),
                           ("2026-07-01", None, "secretary", "支部书记")]


# ------------------------------------------------------------ Excel-mangled numbers
MANGLED = "5.11025E+17"


def test_excel_mangled_id_number_refused_by_the_store(store: GraphStore) -> None:
    store.upsert(*tiny_street())
    with pytest.raises(ValidationError) as e:
        store.upsert([node("x", "Person", name="甲", id_number=MANGLED,
                           phone="1.70675E+10")])
    got = sorted((v.field, v.rule) for v in e.value.violations)
    assert got == [("id_number", "id_number_as_number"), ("phone", "excel_number")]
    assert all("Excel" in v.message and "hidden: personal data" in v.message
               for v in e.value.violations)


def test_excel_mangled_id_number_refused_by_roster_csv_and_popolo(store: GraphStore,
                                                                  tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    roster = load_roster(store, write_csv(tmp_path / "r.csv", [
        HEAD, member_row("甲", MANGLED, phone="1.70675E+10")]), "party_members")
    assert sorted((i.cell, i.rule) for i in roster.issues) == [
        ("C2", "id_number_as_number"), ("D2", "excel_number")]
    assert "Excel" in roster.issues[0].message_zh
    d = tmp_path / "csv"
    d.mkdir()
    with open(d / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id:ID", ":LABEL", "name", "id_number", "phone"],
                                 ["x", "Person", "甲", MANGLED, "1.70675E+10"]])
    graph_csv = load_graph_csv(store, d)
    assert sorted(i.rule for i in graph_csv.issues) == ["excel_number", "id_number_as_number"]
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps({"persons": [{"id": "x", "name": "甲", "identifiers": [
        {"scheme": "gb11643", "identifier": MANGLED}]}]}), encoding="utf-8")
    popolo = load_popolo(store, pf)
    assert [i.rule for i in popolo.issues] == ["id_number_as_number"]
    assert not (roster.written or graph_csv.written or popolo.written)
    assert snapshot(store) == before


def test_a_stream_of_batches_finds_what_it_wrote_itself(store: GraphStore) -> None:
    """Batches streamed into an empty store (a first load, a restore; on Neo4j the
    writer overlaps the next batch's planning and asks the server only about items
    given again): a person of batch 1 given again in batch 4 under another id (her
    ID number) is one node with both batches' properties; a membership of batch 1
    whose role changes in batch 4 keeps its past."""
    number = STORED[0][2]
    batches: list[tuple[list[Any], list[Any]]] = [
        ([node("br1", "Branch", name="一支部"),
          node("p1", "PartyMember", name="李明", id_number=number, joined_party_on="2005-07-01")],
         [rel("MEMBER_OF", "p1", "br1", role="member", since="2019-01-01")]),
        ([node("b1", "Building", name="一号楼")], []),
        ([node(f"x{i}", "Person", name=f"居民{i}") for i in range(3)],
         [rel("LIVES_IN", f"x{i}", "b1") for i in range(3)]),
        ([node("roster-1", "Resident", name="李明", id_number=number, phone="13800000001")],
         [rel("MEMBER_OF", "roster-1", "br1", role="secretary", since="2026-01-01"),
          rel("LIVES_IN", "roster-1", "b1", since="2026-01-01")]),
    ]
    stream = getattr(store, "upsert_stream", None)
    if stream is not None:
        done = stream(iter(batches))
        assert done.changes.remap == {"roster-1": "p1"}
    else:
        for nodes, rels in batches:
            store.upsert(nodes, rels)
    assert store.get_nodes(["roster-1"]) == {}
    p1 = store.get_node("p1")
    assert set(p1.labels) == {"Person", "PartyMember", "Resident"}
    assert (p1.properties["phone"], p1.properties["joined_party_on"]) == (
        "13800000001", "2005-07-01")
    stints = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"),
                     n.rel.properties["role"])
                    for n in store.neighbours("p1", ["MEMBER_OF"], "out"))
    assert stints == [("2019-01-01", "2026-01-01", "member"), ("2026-01-01", None, "secretary")]
    assert [n.node.id for n in store.neighbours("p1", ["LIVES_IN"], "out")] == ["b1"]
    assert store.counts().nodes == 6


# ------------------------------------------------------------ review: hostile inputs
def test_a_mistyped_id_number_does_not_take_someone_over(store: GraphStore,
                                                         tmp_path: Path) -> None:
    """A row for 李四 carrying 张三's ID number (a typo): refused, 张三 untouched. A
    real rename passes with allow_rename; the gender must agree with the number."""
    stored_street(store)
    before = snapshot(store)
    rows = [HEAD, member_row("李四", P1, "党员", "2020-07-01")]
    report = load_roster(store, write_csv(tmp_path / "r.csv", rows), "party_members",
                         as_of="2026-06-30")
    assert [(i.cell, i.rule) for i in report.issues] == [("C2", "name_mismatch")]
    assert "张三" in report.issues[0].message_zh and P1 not in str(report.to_dict())
    assert snapshot(store) == before
    rows[1][1] = "女"  # P1's 17th digit is odd: a man
    report = load_roster(store, write_csv(tmp_path / "g.csv", rows), "party_members",
                         as_of="2026-06-30", allow_rename=True)
    assert ("B2", "gender_mismatch") in [(i.cell, i.rule) for i in report.issues]
    rows[1][1] = ""
    renamed = load_roster(store, write_csv(tmp_path / "ok.csv", rows), "party_members",
                          as_of="2026-06-30", allow_rename=True, end_missing=False)
    assert renamed.ok and store.get_node("p1").name == "李四"
    assert [i.rule for i in renamed.issues] == ["renames"]


def test_full_width_digits_are_the_same_person(store: GraphStore, tmp_path: Path) -> None:
    """An ID number typed with a Chinese input method's full-width digits is the same
    number (before: it passed the check as typed and made a second 张三)."""
    stored_street(store)
    wide = P1.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [HEAD, member_row("张三", wide, "书记", "２０２０-０７-０１",
                             "１３８ ００００ ００００")]
    report = load_roster(store, write_csv(tmp_path / "w.csv", rows), "party_members",
                         as_of="2026-06-30", end_missing=False)
    assert report.ok and report.changes["nodes_added"] == 0, report.lines()
    p1 = store.get_node("p1").properties
    assert (p1["id_number"], p1["phone"]) == (P1, "13800000000")
    assert p1["birth_date"].isascii()


def test_no_message_gives_digits_of_an_id_number(store: GraphStore, tmp_path: Path) -> None:
    """Beside the masked value (440306********1234) a message that named the birth date
    part or the check digit gave the number back; an integer was echoed whole."""
    store.upsert(*tiny_street())
    typo = "440306199013011234"  # month 13
    report = load_roster(store, write_csv(tmp_path / "r.csv", [HEAD, member_row("甲", typo)]),
                         "party_members")
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "19901301" not in text and "1990" not in text and "440306********1234" in text
    with pytest.raises(ValidationError) as e:
        store.upsert([node("x", "Person", name="甲", id_number=440306199001011236)])
    assert "440306199001011236" not in str(e.value)
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"persons": [{"id": "x", "name": "甲", "identifiers": [
        {"scheme": "身份证号", "identifier": "440306199001011236"}]}]}), encoding="utf-8")
    assert load_popolo(store, f).ok
    x = store.get_node("x").properties
    assert x["id_number"] == "440306199001011236" and "identifiers" not in x  # masked


def test_a_stored_birth_date_the_row_contradicts_writes_nothing(store: GraphStore,
                                                               tmp_path: Path) -> None:
    """张三 is stored with a birth date; a roster names him by his id and gives an ID
    number saying another birthday: refused in the checks, nothing written (before:
    the store refused it halfway through the load, after earlier batches)."""
    store.upsert(*tiny_street())
    store.upsert([node("p1", "PartyMember", name="张三", birth_date="1975-03-01",
                       joined_party_on="2020-07-01")])
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", [["编号", *HEAD], ["person-x", *member_row(
        "李明", STORED[0][2])], ["p1", *member_row("张三", idn("44030619900101123"))]])
    report = load_roster(store, f, "party_members", as_of="2026-06-30", batch_size=1)
    assert [(i.row, i.rule) for i in report.issues] == [(3, "birth_date_mismatch")]
    assert not report.written and snapshot(store) == before


def test_an_invalid_id_number_twice_is_reported_once_per_row(store: GraphStore) -> None:
    """Two new people with the same mistyped ID number: each gets the number's own
    error, not also 'the same person' (the number identifies nobody)."""
    store.upsert(*tiny_street())
    bad = P1[:17] + ("0" if P1[17] != "0" else "1")  # a wrong check digit
    with pytest.raises(ValidationError) as e:
        store.upsert([node("x1", "Person", name="甲", id_number=bad),
                      node("x2", "Person", name="乙", id_number=bad)])
    assert sorted((v.item, v.rule) for v in e.value.violations) == [
        ("x1", "id_number"), ("x2", "id_number")]


def test_the_chain_names_the_secretary_who_took_the_post_last(store: GraphStore) -> None:
    """Two open secretary stints in one branch (an old store, or a hand-edited graph
    CSV, that never ended the first): the chain names the later one, on either backend
    and whatever order the store returns them in (before: the first found)."""
    store.upsert(*tiny_street())  # 张三 (p1) secretary of br1 since 2021
    store.upsert([node("p9", "PartyMember", name="李四", joined_party_on="2010-07-01")],
                 [rel("MEMBER_OF", "p9", "br1", role="secretary", since="2024-05-01")])
    step = next(s for s in leadership_chain(store, "br1", as_of="2025-01-01").steps
                if s.node.id == "br1")
    assert step.leader is not None and (step.leader.id, step.leader.role) == ("p9", "secretary")
    early = next(s for s in leadership_chain(store, "br1", as_of="2023-01-01").steps
                 if s.node.id == "br1")
    assert early.leader is not None and early.leader.id == "p1"
