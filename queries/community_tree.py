"""A community's party organisation as a tree (社区组织架构): the committee leading it,
the general branches, branches and party groups under it (``SUB_ORG_OF``, as of a day),
the resident groups each covers (``COVERS``), and the community's groups no one covers.

No person is in it — only organisations, places and counts — so every role may read it
whole (the middle-weakening report and the community summary say who leads what).

>>> from tests.graphs import tiny_street
>>> from graph.embedded import EmbeddedStore
>>> import tempfile, os
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert(*tiny_street())
>>> t = community_tree(s, "c1", "2024-01-01")
>>> t.committee.org.id, [(b.org.id, b.members, b.has_secretary, [g.id for g in b.groups])
...                      for b in t.committee.children]
('cc1', [('br1', 1, True, ['rg1'])])
>>> [g.id for g in t.uncovered], t.committee.members_total
([], 1)
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from graph.errors import InvalidParameter
from graph.model import Adjacent
from graph.store import GraphReader
from queries.common import NodeRef, current, day_of, node_ref, party_level

__all__ = ["community_tree", "CommunityTree", "TreeOrg"]

#: what a committee leads besides its community (三块牌子: the workstation, the residents'
#: committee, the joint-stock company)
_LED = ("Workstation", "ResidentsCommittee", "JointStockCompany")


class TreeOrg(BaseModel):
    """A party organisation of the tree, with its sub-organisations."""

    org: NodeRef
    members: int  # current members of this organisation itself
    members_total: int  # ... and of every organisation under it
    has_secretary: bool
    groups: list[NodeRef]  # resident groups it covers now
    embedded_in: list[NodeRef]  # the enterprise or unit it is in (非公党组织)
    children: list[TreeOrg]


class CommunityTree(BaseModel):
    community: NodeRef
    as_of: str
    committee: TreeOrg | None
    led: list[NodeRef]  # what the committee leads besides the community
    alliance: list[NodeRef]  # party organisations in its alliance (区域化党建)
    groups: list[NodeRef]  # every resident group of the community
    uncovered: list[NodeRef]  # ... that no organisation of the tree covers
    organisations: int  # party organisations in the tree


def _by_level(orgs: list[Adjacent], embedded: set[str]) -> list[str]:
    """General branches before branches before party groups; a community's own before
    those embedded in a unit; then by id."""
    return [a.other for a in sorted(orgs, key=lambda a: (
        -party_level(a.other_labels), a.other in embedded, a.other))]


def community_tree(store: GraphReader, community_id: str,
                   as_of: dt.date | str | None = None) -> CommunityTree:
    """The tree of ``community_id`` on ``as_of`` (default today). NodeNotFound for an
    unknown id, InvalidParameter for a node that is not a community. A community no
    committee leads has ``committee`` None and every group uncovered."""
    day = day_of(as_of)
    node = store.get_node(community_id)
    if "Community" not in node.labels:
        raise InvalidParameter(f"{community_id!r} is not a community")
    leads = sorted(a.other for a in current(
        store.adjacent(community_id, ["LEADS"], "in", ["Committee"]), day))
    committee = leads[0] if leads else None
    groups = sorted(a.other for a in current(
        store.adjacent(community_id, ["PART_OF"], "in", ["ResidentGroup"]), day))

    children: dict[str, list[Adjacent]] = {}
    orgs: list[str] = []
    if committee is not None:  # the hierarchy, one level (one round trip) at a time
        seen, frontier = {committee}, [committee]
        orgs.append(committee)
        while frontier:
            level = store.adjacent_many(frontier, ["SUB_ORG_OF"], "in", ["PartyOrg"])
            frontier = []
            for parent in sorted(level):
                for a in current(level[parent], day):
                    if a.other not in seen:  # a cycle or a second parent: once
                        seen.add(a.other)
                        children.setdefault(parent, []).append(a)
                        frontier.append(a.other)
                        orgs.append(a.other)
            frontier.sort()
    members = store.adjacent_many(orgs, ["MEMBER_OF"], "in") if orgs else {}
    covers = store.adjacent_many(orgs, ["COVERS"], "out", ["ResidentGroup"]) if orgs else {}
    inside = store.adjacent_many(orgs, ["EMBEDDED_IN"], "out") if orgs else {}
    led: list[str] = []
    alliance: list[str] = []
    if committee is not None:
        led = sorted(a.other for a in current(store.adjacent(committee, ["LEADS"], "out",
                                                             list(_LED)), day))
        alliance = sorted(a.other for a in current(
            store.adjacent(committee, ["ALLIANCE_MEMBER"], "in", ["PartyOrg"]), day))
    covered = {o: sorted({a.other for a in current(covers.get(o, []), day)}) for o in orgs}
    embedded = {o: sorted({a.other for a in current(inside.get(o, []), day)}) for o in orgs}
    refs = {i: node_ref(store.schema, n) for i, n in store.get_nodes(sorted(
        {community_id, *orgs, *groups, *led, *alliance,
         *(g for gs in covered.values() for g in gs),
         *(u for us in embedded.values() for u in us)})).items()}
    is_embedded = {o for o, us in embedded.items() if us}

    def build(oid: str) -> TreeOrg:
        now = current(members.get(oid, []), day)
        kids = [build(c) for c in _by_level(children.get(oid, []), is_embedded)]
        own = len({a.other for a in now})
        return TreeOrg(
            org=refs[oid], members=own, members_total=own + sum(k.members_total for k in kids),
            has_secretary=any(a.rel.properties.get("role") == "secretary" for a in now),
            groups=[refs[g] for g in covered[oid] if g in refs],
            embedded_in=[refs[u] for u in embedded[oid] if u in refs], children=kids)

    tree = build(committee) if committee is not None else None
    all_covered = {g for gs in covered.values() for g in gs}
    return CommunityTree(
        community=refs[community_id], as_of=day, committee=tree,
        led=[refs[i] for i in led if i in refs],
        alliance=[refs[i] for i in alliance if i in refs],
        groups=[refs[g] for g in groups if g in refs],
        uncovered=[refs[g] for g in groups if g not in all_covered and g in refs],
        organisations=len(orgs))
