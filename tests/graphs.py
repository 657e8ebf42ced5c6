"""Small named graphs for tests, each readable and checkable by hand."""

from __future__ import annotations

from typing import Any

from graph.formats import check_digit


def idn(first17: str) -> str:
    """A valid 18-digit ID number (GB 11643) from its first 17 digits."""
    return first17 + check_digit(first17)


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


def governance() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One community (上星, cA) worked out by hand for the query tests; as of 2024-06-30.

    Party structure: pwc (secretary sW) ← ccA (secretary sA since 2022) ← branches:
      brOK     secretary m1; full m1 m2 m3, probationary m4 (joined 2023); covers gA1;
               activity 2024-05-01                                   → healthy
      brNoSec  deputy m5, full m5 m6 m7 (m7 joined 2021); covers gA2 → no_secretary
      brFew    secretary m8, full m8 m9, probationary m10 (2023); covers gA3
                                                                     → too_few_members
      brIdle   secretary m11, full m11 m12 m13 (joined ≤ 2000); m14 joined 2022 but left
               2024-01-01; last activity 2023-01-01; covers nothing
                            → no_resident_group, inactive, no_new_members
      brEnt    embedded in enterprise e1; secretary + 3 full, one new; covers nothing
                                                                     → healthy
      brBig    51 members (secretary x00), joined 2022; covers gA5   → too_many_members
    Resident groups: gA1..gA3 covered; gA4 hollow (building bA4: r41, r42 live there,
    r43 moved out 2023); gA5 covered by brBig and has leader l5; gA6 uncovered, no post,
    but party member m2 lives there (bA6) → not hollow.
    Grids: gridA1 (base, worker w1) ← sub grid gsub; gridA2 (base, no worker).
    Buildings: bA1 (head h1) in gridA1, part of gA1; bA2 (no head) in gridA2, part of
    gA2 with 9 residents r21..r29. Residents r1 in bA1.
    Enterprise e1 (with brEnt), e2 (no party org). Deployed staff d1 (evaluated), d2 (not)
    from department dept1, deployed to cA.
    """
    N: list[dict[str, Any]] = []
    R: list[dict[str, Any]] = []

    def pm(pid: str, joined: str, full: bool = True, **kw: Any) -> None:
        N.append(node(pid, "PartyMember", joined_party_on=joined, full_member=full, **kw))

    def member(pid: str, org: str, role: str = "member", since: str = "2015-01-01",
               **kw: Any) -> None:
        R.append(rel("MEMBER_OF", pid, org, role=role, since=since, **kw))

    def activity(aid: str, org: str, day: str) -> None:
        N.append(node(aid, "Activity", kind="members_meeting", date=day))
        R.append(rel("HELD", org, aid))

    N += [node("st", "Street", name="新桥街道"),
          node("pwc", "WorkingCommittee", name="新桥街道党工委"),
          node("cA", "Community", name="上星社区"), node("ccA", "Committee", name="上星社区党委"),
          node("e1", "Enterprise", name="星光电子厂"), node("e2", "Enterprise", name="小卖部"),
          node("dept1", "Department", name="城管办")]
    R += [rel("LEADS", "pwc", "st"), rel("PART_OF", "cA", "st"), rel("SUB_ORG_OF", "ccA", "pwc"),
          rel("LEADS", "ccA", "cA"), rel("IN", "e1", "cA"), rel("IN", "e2", "cA")]
    pm("sW", "1990-07-01", name="王书记")
    member("sW", "pwc", "secretary")
    pm("sA", "1995-07-01", name="李书记")
    member("sA", "ccA", "secretary", since="2022-01-01")

    for b in ("brOK", "brNoSec", "brFew", "brIdle", "brEnt", "brBig"):
        N.append(node(b, "Branch"))
        R.append(rel("SUB_ORG_OF", b, "ccA"))
    R.append(rel("EMBEDDED_IN", "brEnt", "e1"))
    # brOK
    pm("m1", "2001-07-01", name="张三")
    pm("m2", "1998-07-01", name="张四")
    pm("m3", "2010-07-01")
    pm("m4", "2023-07-01", full=False)
    member("m1", "brOK", "secretary")
    for m in ("m2", "m3", "m4"):
        member(m, "brOK")
    activity("a-ok", "brOK", "2024-05-01")
    # brNoSec
    pm("m5", "2000-07-01")
    pm("m6", "2005-07-01")
    pm("m7", "2021-07-01")
    member("m5", "brNoSec", "deputy")
    member("m6", "brNoSec")
    member("m7", "brNoSec")
    activity("a-nosec", "brNoSec", "2024-06-01")
    # brFew
    pm("m8", "2003-07-01")
    pm("m9", "2004-07-01")
    pm("m10", "2023-01-01", full=False)
    member("m8", "brFew", "secretary")
    member("m9", "brFew")
    member("m10", "brFew")
    activity("a-few", "brFew", "2024-06-15")
    # brIdle
    for m, j in (("m11", "1990-07-01"), ("m12", "1995-07-01"), ("m13", "2000-07-01")):
        pm(m, j)
    pm("m14", "2022-07-01")
    member("m11", "brIdle", "secretary")
    member("m12", "brIdle")
    member("m13", "brIdle")
    member("m14", "brIdle", since="2022-07-01", until="2024-01-01")
    activity("a-idle", "brIdle", "2023-01-01")
    # brEnt
    for m, j in (("e-s", "1999-07-01"), ("e-2", "2006-07-01"), ("e-3", "2022-07-01")):
        pm(m, j)
        member(m, "brEnt", "secretary" if m == "e-s" else "member")
    activity("a-ent", "brEnt", "2024-04-10")
    # brBig: 51 members
    for i in range(51):
        pm(f"x{i:02d}", "2022-03-01")
        member(f"x{i:02d}", "brBig", "secretary" if i == 0 else "member")
    activity("a-big", "brBig", "2024-06-20")

    # Resident groups and buildings
    for g in ("gA1", "gA2", "gA3", "gA4", "gA5", "gA6"):
        N.append(node(g, "ResidentGroup"))
        R.append(rel("PART_OF", g, "cA"))
    R += [rel("COVERS", "brOK", "gA1"), rel("COVERS", "brNoSec", "gA2"),
          rel("COVERS", "brFew", "gA3"), rel("COVERS", "brBig", "gA5")]
    N += [node("l5", "Person", name="组长五")]
    R += [rel("HOLDS_POST", "l5", "gA5", title="组长", since="2020-01-01")]

    N += [node("gridA1", "Grid", kind="base", name="上星1格"),
          node("gridA2", "Grid", kind="base", name="上星2格"),
          node("gsub", "Grid", kind="sub", name="上星1格-子格"),
          node("w1", "GridWorker", name="网格员一"), node("h1", "BuildingHead", name="楼长一")]
    R += [rel("IN", "gridA1", "cA"), rel("IN", "gridA2", "cA"), rel("PART_OF", "gsub", "gridA1"),
          rel("RESPONSIBLE_FOR", "w1", "gridA1", since="2019-01-01")]
    for b, grid, grp in (("bA1", "gridA1", "gA1"), ("bA2", "gridA2", "gA2"),
                         ("bA4", "gridA1", "gA4"), ("bA6", "gridA1", "gA6")):
        N.append(node(b, "Building"))
        R += [rel("IN_GRID", b, grid), rel("PART_OF", b, grp)]
    R.append(rel("HEADS", "h1", "bA1"))
    N.append(node("r1", "Resident", name="居民一"))
    R.append(rel("LIVES_IN", "r1", "bA1", since="2018-01-01"))
    for i in range(1, 10):
        N.append(node(f"r2{i}", "Resident"))
        R.append(rel("LIVES_IN", f"r2{i}", "bA2", since="2019-01-01"))
    for r, until in (("r41", None), ("r42", None), ("r43", "2023-03-01")):
        N.append(node(r, "Resident"))
        R.append(rel("LIVES_IN", r, "bA4", since="2015-01-01", until=until))
    R.append(rel("LIVES_IN", "m2", "bA6", since="2010-01-01"))

    # Deployed staff
    N += [node("d1", "DeployedStaff", name="下沉一"), node("d2", "DeployedStaff", name="下沉二"),
          node("chief1", "Person", name="城管办主任")]
    R += [rel("FROM_DEPT", "d1", "dept1"), rel("FROM_DEPT", "d2", "dept1"),
          rel("DEPLOYED_TO", "d1", "cA", since="2020-01-01"),
          rel("DEPLOYED_TO", "d2", "cA", since="2020-01-01"),
          rel("EVALUATES", "ccA", "d1", weight=0.3),
          rel("HOLDS_POST", "chief1", "dept1", title="主任")]
    # None-valued properties are simply absent.
    for item in R:
        item["properties"] = {k: v for k, v in item["properties"].items() if v is not None}
    return N, R


def two_communities() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two communities of one street, the same shape each, people with ID numbers and
    phones (for access tests): community cX (X = A, B) with committee ccX, branch brX
    (secretary mX1, member mX2), resident group gX, building bX, base grid gridX,
    enterprise eX; residents rX1 and rX2 live in bX; dX is deployed to cX; gwX is
    responsible for gridX; mX1 also chairs the residents' committee rcX."""
    nodes = [node("st", "Street", name="新桥街道"),
             node("pwc", "WorkingCommittee", name="新桥街道党工委"),
             node("sW", "PartyMember", name="街道书记", joined_party_on="1990-07-01",
                  id_number=idn("44030619700101123"), phone="13900000001")]
    rels = [rel("LEADS", "pwc", "st"),
            rel("MEMBER_OF", "sW", "pwc", role="secretary", since="2020-01-01")]
    for x, name, seed in (("A", "上星", 1), ("B", "黄埔", 2)):
        nodes += [
            node(f"c{x}", "Community", name=f"{name}社区"),
            node(f"cc{x}", "Committee", name=f"{name}社区党委"),
            node(f"br{x}", "Branch", name=f"{name}第一支部"),
            node(f"g{x}", "ResidentGroup", name=f"{name}一组"),
            node(f"b{x}", "Building", name=f"{name}一巷1号"),
            node(f"grid{x}", "Grid", name=f"{name}网格1", kind="base"),
            node(f"e{x}", "Enterprise", name=f"{name}电子厂"),
            node(f"rc{x}", "ResidentsCommittee", name=f"{name}居委会"),
            node(f"m{x}1", "PartyMember", "Resident", name=f"{name}书记",
                 joined_party_on="1995-07-01", id_number=idn(f"44030619750{seed}01123"),
                 phone=f"1380000{seed}001", birth_date=f"1975-0{seed}-01"),
            node(f"m{x}2", "PartyMember", name=f"{name}党员", joined_party_on="2023-07-01",
                 id_number=idn(f"44030619990{seed}02123"), phone=f"1380000{seed}002"),
            node(f"r{x}1", "Resident", name=f"{name}居民甲",
                 id_number=idn(f"44030619800{seed}03123"), phone=f"1370000{seed}003",
                 address=f"新桥街道{name}社区一巷1号101"),
            node(f"r{x}2", "Resident", name=f"{name}居民乙", phone=f"1370000{seed}004"),
            node(f"d{x}", "DeployedStaff", name=f"{name}下沉干部", phone=f"1360000{seed}005"),
            node(f"gw{x}", "GridWorker", name=f"{name}网格员", phone=f"1350000{seed}006"),
        ]
        rels += [
            rel("PART_OF", f"c{x}", "st"), rel("SUB_ORG_OF", f"cc{x}", "pwc"),
            rel("LEADS", f"cc{x}", f"c{x}"), rel("SUB_ORG_OF", f"br{x}", f"cc{x}"),
            rel("COVERS", f"br{x}", f"g{x}", since="2018-01-01"),
            rel("PART_OF", f"g{x}", f"c{x}"), rel("PART_OF", f"b{x}", f"g{x}"),
            rel("IN", f"grid{x}", f"c{x}"), rel("IN_GRID", f"b{x}", f"grid{x}"),
            rel("IN", f"e{x}", f"c{x}"), rel("LEADS", f"cc{x}", f"rc{x}"),
            rel("MEMBER_OF", f"m{x}1", f"br{x}", role="secretary", since="2015-01-01"),
            rel("MEMBER_OF", f"m{x}2", f"br{x}", role="member", since="2023-07-01"),
            rel("HOLDS_POST", f"m{x}1", f"rc{x}", title="主任", since="2021-01-01"),
            rel("HOLDS_POST", f"m{x}1", f"c{x}", title="社区书记", since="2021-01-01"),
            rel("LIVES_IN", f"m{x}1", f"b{x}"), rel("LIVES_IN", f"r{x}1", f"b{x}"),
            rel("LIVES_IN", f"r{x}2", f"b{x}"),
            rel("DEPLOYED_TO", f"d{x}", f"c{x}", since="2024-01-01"),
            rel("RESPONSIBLE_FOR", f"gw{x}", f"grid{x}"),
        ]
    return nodes, rels
