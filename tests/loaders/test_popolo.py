"""Popolo JSON: round trips, a real published file, bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.schema import get_schema
from graph.store import GraphStore
from loaders.popolo import export_popolo, load_popolo, schema_check
from tests.graphs import governance
from tests.rosters import snapshot

TUVALU = Path(__file__).resolve().parents[1] / "data" / "tuvalu-parliament-ep-popolo-v1.0.json"
POPOLO_TYPES = ("MEMBER_OF", "HOLDS_POST", "SUB_ORG_OF", "PART_OF")


def _popolo_part(store: GraphStore, doc: dict[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The nodes a Popolo export holds and the relationships among them it carries."""
    nodes, rels = snapshot(store)
    ids = {o["id"] for o in doc["organizations"]} | {p["id"] for p in doc["persons"]}
    return ({i: v for i, v in nodes.items() if i in ids},
            {i: v for i, v in rels.items()
             if v[0] in POPOLO_TYPES and v[1] in ids and v[2] in ids
             and (v[0] in ("MEMBER_OF", "HOLDS_POST") or v[1] in {o["id"] for o in
                                                                  doc["organizations"]})})


def test_mapping_names_schema_labels() -> None:
    schema_check(get_schema())


def test_round_trip_on_every_backend(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*governance())
    export_popolo(store, tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    # hand-checkable bits of the export: the committee's branch has a parent, 张 …
    orgs = {o["id"]: o for o in doc["organizations"]}
    assert orgs["brOK"]["classification"] == "party branch"
    assert orgs["brOK"]["parent_id"] == "ccA"
    assert orgs["gA5"]["classification"] == "resident group"  # l5 holds a post there
    post = next(m for m in doc["memberships"] if m["person_id"] == "l5")
    assert (post["organization_id"], post["role"], post["start_date"]) == (
        "gA5", "组长", "2020-01-01")
    assert {p["id"]: p for p in doc["posts"]}[post["post_id"]]["label"] == "组长"
    want = _popolo_part(store, doc)
    with EmbeddedStore(tmp_path / "back.db") as back:
        report = load_popolo(back, tmp_path / "a.json")
        assert report.ok and report.written and report.warnings == 0, report.lines()
        assert _popolo_part(back, doc) == want
        export_popolo(back, tmp_path / "b.json")
    again = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in again.items() if k != "meta"} == {
        k: v for k, v in doc.items() if k != "meta"}


def test_round_trip_of_the_scenario(xinqiao: GraphStore, tmp_path: Path) -> None:
    n = export_popolo(xinqiao, tmp_path / "x.json")
    assert n["organizations"] >= 7 and n["memberships"] > n["persons"] // 2
    doc = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    with EmbeddedStore(tmp_path / "back.db") as back:
        assert load_popolo(back, tmp_path / "x.json").ok
        assert _popolo_part(back, doc) == _popolo_part(xinqiao, doc)


def test_real_popolo_file_needs_its_classifications_mapped(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        report = load_popolo(s, TUVALU)
        assert sorted((i.value, i.rule) for i in report.issues if i.severity == "error") == [
            ("legislature", "unknown_classification"), ("party", "unknown_classification")]
        assert s.counts().nodes == 0


def test_real_popolo_file_of_the_parliament_of_tuvalu(tmp_path: Path) -> None:
    """EveryPolitician's Tuvalu file (terms 9-11): 28 persons, 2 organizations, 53
    memberships of the parliament with dates mostly from their legislative period,
    each on behalf of the party (Independent): 53 seats and 53 affiliations; two birth
    dates are only years, kept to the year; what the graph has no place for is
    counted."""
    with EmbeddedStore(tmp_path / "g.db") as s:
        report = load_popolo(s, TUVALU, classifications={"legislature": "SocialOrganization",
                                                         "party": "SocialOrganization"})
        assert report.ok and report.written, report.lines()
        c = s.counts()
        assert (c.labels["Person"], c.labels["SocialOrganization"], c.rels) == (28, 2, 106)
        assert c.relationships == {"HOLDS_POST": 106}
        assert len(s.neighbours("party/independent", ["HOLDS_POST"], "in")) == 53
        assert s.get_node("party/independent").properties["identifiers"] == "wikidata:Q327591"
        italeli = next(n for n in s.nodes("Person") if n.name == "Isaia Italeli")
        assert (italeli.properties["birth_date"],
                italeli.properties["birth_date_precision"]) == ("1960-01-01", "year")
        dropped = {i.sheet: i.value for i in report.issues if i.rule == "not_kept"}
        assert dropped["areas"] == "10" and dropped["memberships.area_id"] == "53"
        assert dropped["persons.images"] == "5" and report.errors == 0
        parliament = "153fea0b-2fd9-4947-8cde-0ed2db820827"
        assert s.get_node(parliament).name == "Parliament"
        # Satini Manuella: a by-election on 2014-09-19 in term 10 (ends 2015-03-30),
        # then term 11 (from 2015-03-31, no end)
        seats = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"),
                        n.rel.properties["title"])
                       for n in s.neighbours("0b718e1b-c6fc-4f80-9271-6366cba6dc5c",
                                             ["HOLDS_POST"], "out", ["SocialOrganization"])
                       if n.node.id == parliament)
        assert seats == [("2014-09-19", "2015-03-30", "member"), ("2015-03-31", None, "member")]
        manuella = s.get_node("0b718e1b-c6fc-4f80-9271-6366cba6dc5c")
        assert (manuella.name, manuella.properties["gender"],
                manuella.properties["birth_date"]) == ("Satini Manuella", "male", "1958-08-21")
        # one person in all three terms: three stints, term 11 still open
        stints = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"))
                        for n in s.neighbours("24a6181f-f327-40e2-bd8c-627c16107805",
                                              ["HOLDS_POST"], "out") if n.node.id == parliament)
        assert stints == [("2006-08-03", "2010-09-16"), ("2010-09-16", "2015-03-30"),
                          ("2015-03-31", None)]


@pytest.mark.parametrize("doc, rule, where", [
    ("not json", "not_json", None),
    ({"hello": 1}, "not_popolo", None),
    ({"persons": [{"id": "p1", "name": "甲"}],
      "organizations": [{"id": "o1", "name": "一支部", "classification": "党支部"}],
      "memberships": [{"person_id": "p2", "organization_id": "o1", "role": "书记",
                       "start_date": "2020-01-01"}]}, "missing_end", "memberships[0]"),
    ({"persons": [{"id": "p1", "name": "甲"}],
      "organizations": [{"id": "o1", "name": "一支部", "classification": "party branch"}],
      "memberships": [{"person_id": "p1", "organization_id": "o1", "role": "组长",
                       "start_date": "2020-01-01"}]}, "not_in_enum", "memberships[0]"),
    ({"persons": [{"id": "p1", "name": "甲"}],
      "organizations": [{"id": "o1", "name": "一支部", "classification": "party branch"}],
      "memberships": [{"person_id": "p1", "organization_id": "o1", "role": "member"}]},
     "missing_required", "persons[0]"),  # a party member needs joined_party_on
    ({"organizations": [{"name": "无编号"}]}, "missing_id", "organizations[0]"),
])
def test_bad_popolo_writes_nothing(tmp_path: Path, doc: object, rule: str,
                                   where: str | None) -> None:
    f = tmp_path / "p.json"
    f.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False),
                 encoding="utf-8")
    with EmbeddedStore(tmp_path / "g.db") as s:
        report = load_popolo(s, f)
        assert not report.ok and s.counts().nodes == 0
        assert (where, rule) in [(i.sheet, i.rule) for i in report.issues]


def test_party_membership_in_chinese(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps({
        "persons": [{"id": "p1", "name": "甲", "gender": "female",
                     "identifiers": [{"scheme": "gb11643", "identifier": "11010519491231002X"}],
                     "contact_details": [{"type": "cell", "value": "13812345678"}]}],
        "organizations": [{"id": "c1", "name": "社区党委", "classification": "党委"},
                          {"id": "o1", "name": "一支部", "classification": "党支部",
                           "parent_id": "c1"}],
        "memberships": [{"person_id": "p1", "organization_id": "o1", "role": "书记",
                         "start_date": "2020-01-01"}]}, ensure_ascii=False), encoding="utf-8")
    with EmbeddedStore(tmp_path / "g.db") as s:
        assert load_popolo(s, f).ok
        p = s.get_node("p1")
        assert set(p.labels) == {"Person", "PartyMember"}
        assert (p.properties["joined_party_on"], p.properties["id_number"],
                p.properties["phone"]) == ("2020-01-01", "11010519491231002X", "13812345678")
        (m,) = s.neighbours("p1", ["MEMBER_OF"], "out")
        assert m.rel.properties == {"role": "secretary", "since": "2020-01-01"}
        (up,) = s.neighbours("o1", ["SUB_ORG_OF"], "out")
        assert up.node.id == "c1" and up.node.has("Committee")


ESTONIA = Path(__file__).resolve().parents[1] / "data" / "estonia-riigikogu-ep-popolo-v1.0.json"


def test_real_popolo_file_of_estonia_keeps_parties_identifiers_and_says_what_it_drops(
        store: GraphStore, tmp_path: Path) -> None:
    """EveryPolitician's Riigikogu file: 193 persons, the legislature and 7 parties, 299
    memberships of the legislature each on behalf of a party. Each becomes a seat
    (HOLDS_POST) and a party membership (MEMBER_OF) for the same dates; identifiers
    stay; phones without a country code and what the graph has no place for are
    counted. Exported back: all 8 organisations (before: 1, the parties had no
    memberships of their own)."""
    report = load_popolo(store, ESTONIA, classifications={"legislature": "SocialOrganization",
                                                          "party": "PartyOrg"})
    assert report.ok and report.written, report.lines()
    c = store.counts()
    assert (c.labels["Person"], c.labels["PartyMember"], c.labels["PartyOrg"],
            c.labels["SocialOrganization"]) == (193, 193, 7, 1)
    assert c.relationships == {"HOLDS_POST": 299, "MEMBER_OF": 299}
    # Urve Palo sat for SDE four times: two stints in term 12 (from its start,
    # 2011-03-27), two in term 13 (from its start 2015-03-30, and from 2015-09-15)
    palo = "cdb00a6d-65c7-4f22-a8d5-57dd296b30a3"
    party = sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"))
                   for n in store.neighbours(palo, ["MEMBER_OF"], "out"))
    assert party == [("SDE", "2011-03-27", "2013-03-15"), ("SDE", "2013-06-15", "2014-03-26"),
                     ("SDE", "2015-03-30", "2015-04-08"), ("SDE", "2015-09-15", None)]
    assert store.get_node(palo).properties["joined_party_on"] == "2011-03-27"
    assert store.get_node("KESK").properties["identifiers"] == "wikidata:Q928652"
    dropped = {i.sheet: int(i.value or 0) for i in report.issues if i.rule == "not_kept"}
    assert (dropped["persons.contact_details.phone"], dropped["persons.contact_details.email"],
            dropped["persons.images"], dropped["areas"]) == (111, 124, 181, 12)
    n = export_popolo(store, tmp_path / "back.json")
    assert (n["organizations"], n["persons"]) == (8, 193)
    doc = json.loads((tmp_path / "back.json").read_text(encoding="utf-8"))
    kesk = next(o for o in doc["organizations"] if o["id"] == "KESK")
    assert kesk["identifiers"] == [{"scheme": "wikidata", "identifier": "Q928652"}]
    again = load_popolo(store, tmp_path / "back.json")
    assert again.ok and again.changes["nodes_updated"] == 0, again.lines()
    assert again.changes["rels_added"] == 0
