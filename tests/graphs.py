"""Small named graphs for tests, each readable and checkable by hand."""

from __future__ import annotations

from typing import Any


def node(nid: str, *labels: str, **props: Any) -> dict[str, Any]:
    props.setdefault("name", nid)
    return {"id": nid, "labels": list(labels), "properties": props}


def rel(type_: str, start: str, end: str, rid: str | None = None, **props: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"type": type_, "start": start, "end": end, "properties": props}
    if rid:
        d["id"] = rid
    return d


def tiny_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """新桥街道 with one community, its committee, one branch, one group, one member.

    street ← community ← group ← building ← (lives in) 张三
    working committee ← committee ← branch (张三 is secretary) → covers group
    """
    nodes = [
        node("street", "Street", name="新桥街道", area_km2=30.0),
        node("pwc", "WorkingCommittee", name="新桥街道党工委"),
        node("c1", "Community", name="上星社区", village_converted=True),
        node("cc1", "Committee", name="上星社区党委"),
        node("br1", "Branch", name="上星第一支部"),
        node("rg1", "ResidentGroup", name="上星一组"),
        node("b1", "Building", name="上星一巷1号", rental=True),
        node("p1", "PartyMember", "Resident", name="张三", joined_party_on="2020-07-01",
             full_member=True, phone="13800000000"),
    ]
    rels = [
        rel("PART_OF", "c1", "street"),
        rel("SUB_ORG_OF", "cc1", "pwc"),
        rel("LEADS", "cc1", "c1"),
        rel("SUB_ORG_OF", "br1", "cc1"),
        rel("COVERS", "br1", "rg1", since="2018-01-01"),
        rel("PART_OF", "rg1", "c1"),
        rel("PART_OF", "b1", "rg1"),
        rel("LIVES_IN", "p1", "b1", since="2019-03-01"),
        rel("MEMBER_OF", "p1", "br1", role="secretary", since="2021-01-01"),
    ]
    return nodes, rels
