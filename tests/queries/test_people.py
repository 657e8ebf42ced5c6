"""Candidate duplicates already in a store, and merging them with nothing lost (both
backends); the CLI audits an applied merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.model import Node
from graph.store import GraphStore
from queries.people import duplicate_people, merge_people
from tests.api.test_cli import run
from tests.graphs import idn, node, rel, tiny_street
from tests.rosters import snapshot

N1, N2 = idn("44030619800101123"), idn("44030619820202124")


def plant_legacy_copy(store: GraphStore, n: Node) -> None:
    """A node written as the loaders before issue 13 wrote them, past the write path
    (which would now find the stored person by the ID number instead)."""
    if store.backend == "embedded":
        assert isinstance(store, EmbeddedStore)
        store._db.execute("INSERT INTO nodes(id, labels, props) VALUES (?,?,?)",
                          (n.id, ";".join(n.labels), json.dumps(n.properties)))
        store._apply_to_index([n], [], {})
    else:
        from graph.neo4j_store import Neo4jStore

        assert isinstance(store, Neo4jStore)
        with store.driver.session() as s:
            s.run("CREATE (x:GovNode:Person) SET x = $props",
                  props={**n.properties, "id": n.id}).consume()


def planted(store: GraphStore) -> Any:
    """tiny_street plus: 李明 (person-000001, N1, member of br1, lives in b1, phone);
    a second 李明 (dup-b) with the same birth date and no ID number, who lives in b1
    since 2020, works at the workstation and volunteers; 王芳 (person-000002, N2, in
    br1) and a legacy copy of her (legacy-2) holding N2 too, her name typed 王 芳."""
    nodes, rels = tiny_street()
    nodes += [node("ws1", "Workstation", name="上星社区工作站"),
              node("person-000001", "PartyMember", "Resident", name="李明", id_number=N1,
                   phone="13800000001", joined_party_on="2005-07-01"),
              node("person-000002", "PartyMember", name="王芳", id_number=N2,
                   joined_party_on="2010-07-01")]
    rels += [rel("MEMBER_OF", "person-000001", "br1", role="member", since="2019-01-01"),
             rel("LIVES_IN", "person-000001", "b1", since="2019-01-01"),
             rel("MEMBER_OF", "person-000002", "br1", role="member", since="2019-01-01")]
    store.upsert(nodes, rels)
    second = store.upsert(
        [node("dup-b", "Volunteer", name="李明", birth_date="1980-01-01", gender="male",
              phone="13900000002")],
        [rel("LIVES_IN", "dup-b", "b1", since="2020-01-01"),
         rel("WORKS_AT", "dup-b", "ws1", since="2021-03-01")])
    plant_legacy_copy(store, Node("legacy-2", ("Person",), {
        "name": "王 芳", "id_number": N2, "birth_date": "1982-02-02"}))
    return second


def test_a_new_person_like_a_stored_one_is_reported_not_merged(store: GraphStore) -> None:
    second = planted(store)
    assert second.changes.candidates == {"dup-b": ["person-000001"]}
    assert store.get_node("dup-b").name == "李明"


def test_duplicates_finds_the_planted_ones(store: GraphStore) -> None:
    planted(store)
    got = [(g.ids, g.evidence, g.keep) for g in duplicate_people(store)]
    assert got == [
        (["legacy-2", "person-000002"], ["same_id_number", "same_name_birth_date"],
         "person-000002"),  # 王 芳 is 王芳 once normalised; she has the membership
        (["dup-b", "person-000001"], ["same_name_birth_date", "same_community"], "dup-b"),
    ]
    assert duplicate_people(store, limit=1)[0].evidence_zh == ["身份证号相同", "姓名、出生日期相同"]


def _rels(store: GraphStore, nid: str) -> set[tuple[Any, ...]]:
    return {(n.direction, n.rel.type, n.node.id, tuple(sorted(n.rel.properties.items())))
            for n in store.neighbours(nid)}


def test_merge_is_dry_by_default_then_loses_nothing(store: GraphStore) -> None:
    planted(store)
    before = snapshot(store)
    had = _rels(store, "dup-b") | _rels(store, "person-000001")
    dry = merge_people(store, "person-000001", "dup-b")
    assert not dry.applied and snapshot(store) == before
    assert (dry.labels_added, dry.properties_added) == (["Volunteer"], ["gender"])
    assert [(c.property, c.kept, c.dropped) for c in dry.conflicts] == [
        ("phone", "13800000001", "13900000002")]
    assert (dry.relationships_moved, dry.relationships_dropped) == (2, [])
    done = merge_people(store, "person-000001", "dup-b", apply=True)
    assert done.applied and store.get_nodes(["dup-b"]) == {}
    a = store.get_node("person-000001")
    assert set(a.labels) == {"Person", "PartyMember", "Resident", "Volunteer"}
    assert (a.properties["gender"], a.properties["phone"]) == ("male", "13800000001")
    assert _rels(store, "person-000001") == had  # every relationship, with its dates
    # the two homes are two stints in the same building, both kept
    homes = sorted((n.rel.id, n.rel.properties["since"])
                   for n in store.neighbours("person-000001", ["LIVES_IN"], "out"))
    assert homes == [("LIVES_IN:person-000001->b1", "2019-01-01"),
                     ("LIVES_IN:person-000001->b1@2020-01-01", "2020-01-01")]
    c = store.counts()
    assert c.rels == len(snapshot(store)[1])


def test_merge_of_a_legacy_copy_frees_its_id_number(store: GraphStore) -> None:
    planted(store)
    report = merge_people(store, "person-000002", "legacy-2", apply=True)
    assert [(c.property, c.kept) for c in report.conflicts] == [("name", "王芳")]
    assert store.get_nodes(["legacy-2"]) == {}
    assert store.people_by_id_number([N2]) == {N2: "person-000002"}
    assert store.get_node("person-000002").properties["birth_date"] == "1982-02-02"
    assert duplicate_people(store)[0].ids == ["dup-b", "person-000001"]


def test_merge_refuses_what_is_not_two_people(store: GraphStore) -> None:
    planted(store)
    for keep, other in (("person-000001", "person-000001"), ("person-000001", "b1")):
        with pytest.raises(InvalidParameter):
            merge_people(store, keep, other)


def test_cli_duplicates_and_an_audited_merge(tmp_path: Path) -> None:
    db, sec = tmp_path / "g.db", tmp_path / "sec.db"
    with EmbeddedStore(db) as s:
        planted(s)
    env = {"GOVGRAPH_SECURITY_DB": str(sec)}
    r = run("people", "duplicates", "--json", store=db, env=env)
    assert r.returncode == 0, r.stderr
    assert [g["ids"] for g in json.loads(r.stdout)] == [["legacy-2", "person-000002"],
                                                        ["dup-b", "person-000001"]]
    r = run("people", "merge", "person-000001", "dup-b", store=db, env=env)
    assert r.returncode == 0 and "would merge" in r.stdout
    assert "138****0001" in r.stdout and "13800000001" not in r.stdout  # conflicts masked
    r = run("people", "merge", "person-000001", "dup-b", "--apply", store=db, env=env)
    assert r.returncode == 0 and "merged" in r.stdout, r.stderr
    with EmbeddedStore(db, read_only=True) as s:
        assert s.get_nodes(["dup-b"]) == {}
    from api.security import SecurityStore

    log = SecurityStore(sec)
    (rec,), total = log.records(10, 0)
    assert (total, rec["method"], rec["path"], sorted(rec["node_ids"])) == (
        1, "CLI", "people merge person-000001 dup-b", ["dup-b", "person-000001"])
    assert log.verify()[0]
    log.close()
    r = run("people", "merge", "person-000001", "nobody", store=db, env=env)
    assert r.returncode == 1 and "Traceback" not in r.stderr
