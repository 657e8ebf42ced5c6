"""Leadership chain (领导链): from any node up to the street working committee, and on
to the district committee when the graph holds the district.

Each step names the node, the relationship that reached it and the person leading
it (secretary of a party organisation, responsible worker of a grid, head of a
building, post holder of a group or organisation). A missing link is reported as a
break with its reason, never skipped: a missing leader is a break and the walk goes
on; a missing way up is a break and the walk takes the fallback route the domain
names (a group no branch covers → its community; an enterprise without a party
organisation → its community) or stops there.

>>> from tests.graphs import tiny_street
>>> from graph.embedded import EmbeddedStore
>>> import tempfile, os
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert(*tiny_street())
>>> c = leadership_chain(s, "p1", as_of="2024-01-01")
>>> [(st.node.id, st.reached_by.type if st.reached_by else None) for st in c.steps]
[('p1', None), ('br1', 'MEMBER_OF'), ('cc1', 'SUB_ORG_OF'), ('pwc', 'SUB_ORG_OF')]
>>> [(b.node_id, b.reason) for b in c.breaks]
[('cc1', 'no_secretary'), ('pwc', 'no_secretary')]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from graph.cypher import load_cypher
from graph.masking import HOME_TYPES
from graph.model import Adjacent
from graph.schema import Schema
from graph.store import CypherStore, GraphReader, runs_cypher
from graph.subgraph import rows_to_subgraph
from queries.common import (
    NodeRef,
    current,
    day_of,
    latest_secretary,
    node_ref,
    parent_org,
    party_level,
)

__all__ = ["leadership_chain", "without_homes", "LeadershipChain", "ChainStep", "ChainBreak",
           "Leader", "Via", "BREAK_REASONS"]

#: Every break reason with its Chinese and English text.
BREAK_REASONS: dict[str, tuple[str, str]] = {
    "no_secretary": ("党组织无书记", "party organisation without a secretary"),
    "grid_without_worker": ("网格无责任网格员", "grid without a responsible grid worker"),
    "building_without_head": ("楼栋无楼栋长", "building without a building head"),
    "group_without_leader": ("居民小组无组长", "resident group without a leader post"),
    "group_not_covered": ("居民小组无党支部覆盖", "resident group no branch covers"),
    "no_party_org": ("未建立党组织", "organisation without an embedded party organisation"),
    "not_evaluated": ("社区党委未考核评议", "not evaluated by the community committee"),
    "no_current_membership": ("无现行组织关系", "party member without a current membership"),
    "org_without_parent": ("党组织无上级", "party organisation without a parent organisation"),
    "building_not_in_grid": ("楼栋未划入网格", "building in no grid nor resident group"),
    "grid_not_in_community": ("网格未归属社区", "grid in no community"),
    "community_without_committee": ("社区无党委领导", "community no committee leads"),
    "not_led": ("无党组织领导", "organisation no party organisation leads"),
    "unattached": ("无上级关系", "node with no link upwards"),
    "cycle": ("关系成环", "the links upwards form a cycle"),
}


class Via(BaseModel):
    """The relationship that reached a step, from the node ``from_id``."""

    type: str
    name_zh: str
    from_id: str
    direction: Literal["out", "in"]  # as seen from ``from_id``


class Leader(BaseModel):
    id: str
    name: str
    role: str  # secretary / responsible / building_head / a post title


class ChainBreak(BaseModel):
    node_id: str
    reason: str
    message_zh: str
    message: str


class ChainStep(BaseModel):
    node: NodeRef
    reached_by: Via | None
    leader: Leader | None
    breaks: list[ChainBreak]


class LeadershipChain(BaseModel):
    start: NodeRef
    as_of: str
    steps: list[ChainStep]
    breaks: list[ChainBreak]
    reached_top: bool  # the last step is the district committee or a working committee
    complete: bool  # reached the top without any break


_ORG_LABELS = ("Enterprise", "StationedUnit", "JointStockCompany", "IndustrialPark",
               "SocialOrganization")
_LED_LABELS = ("Workstation", "ResidentsCommittee", "JointStockCompany")
#: where a chain ends: the district committee, or a street working committee that has
#: none above it (a graph of one street)
_TOPS = frozenset({"WorkingCommittee", "DistrictCommittee"})


class _Walk:
    def __init__(self, store: GraphReader, day: str) -> None:
        self.store, self.day = store, day
        self.steps: list[ChainStep] = []
        self.seen: set[str] = set()
        self.names = {r: d.name_zh for r, d in store.schema.relationships.items()}

    # -- building blocks -------------------------------------------------
    def brk(self, node_id: str, reason: str) -> ChainBreak:
        zh, en = BREAK_REASONS[reason]
        b = ChainBreak(node_id=node_id, reason=reason, message_zh=zh, message=en)
        self.steps[-1].breaks.append(b)
        return b

    def add(self, node_id: str, via: Adjacent | None, from_id: str | None) -> bool:
        """Append a step; False when the node was already on the chain (a cycle)."""
        if node_id in self.seen:
            self.brk(self.steps[-1].node.id, "cycle")
            return False
        self.seen.add(node_id)
        node = self.store.get_node(node_id)
        reached = None
        if via is not None and from_id is not None:
            reached = Via(type=via.rel.type, name_zh=self.names[via.rel.type], from_id=from_id,
                          direction=via.direction)
        self.steps.append(ChainStep(node=node_ref(self.store.schema, node), reached_by=reached,
                                    leader=None, breaks=[]))
        return True

    def cur(self, node_id: str, types: list[str], direction: Literal["out", "in"],
            labels: list[str] | None = None) -> list[Adjacent]:
        return current(self.store.adjacent(node_id, types, direction, labels), self.day)

    def lead(self, person_id: str, role: str) -> None:
        p = self.store.get_node(person_id)
        self.steps[-1].leader = Leader(id=p.id, name=p.name, role=role)

    def post_holder(self, node_id: str) -> bool:
        posts = self.cur(node_id, ["HOLDS_POST"], "in")
        if posts:
            self.lead(posts[0].other, str(posts[0].rel.properties.get("title", "")))
        return bool(posts)

    # -- one handler per kind of node; each returns the next hop or None --
    def next_hop(self, nid: str, labels: tuple[str, ...]) -> Adjacent | None:
        labs = set(labels)
        if "PartyOrg" in labs:
            return self.party_org(nid, labs)
        if "Person" in labs:
            return self.person(nid, labs)
        if "Building" in labs:
            return self.building(nid)
        if "Grid" in labs:
            return self.grid(nid)
        if "ResidentGroup" in labs:
            return self.group(nid)
        if "Community" in labs:
            up = self.cur(nid, ["LEADS"], "in", ["Committee"])
            if not up:
                self.brk(nid, "community_without_committee")
            return up[0] if up else None
        if labs & set(_ORG_LABELS) or labs & set(_LED_LABELS):
            return self.organisation(nid, labs)
        if "Street" in labs:
            up = self.cur(nid, ["LEADS"], "in", ["WorkingCommittee"])
            return up[0] if up else None
        if "District" in labs:
            up = self.cur(nid, ["LEADS"], "in", ["DistrictCommittee"])
            return up[0] if up else None
        if "Department" in labs:  # a committee's working department (the 组织部)
            up = self.cur(nid, ["PART_OF"], "out", ["PartyOrg"])
            if up:
                self.post_holder(nid)
                return up[0]
        if "Activity" in labs:
            up = self.cur(nid, ["HELD"], "in")
            return up[0] if up else None
        if "Case" in labs:  # a patrol case: up through its grid
            up = self.cur(nid, ["IN_GRID"], "out")
            return up[0] if up else None
        self.brk(nid, "unattached")
        return None

    def party_org(self, nid: str, labs: set[str]) -> Adjacent | None:
        sec = latest_secretary(self.cur(nid, ["MEMBER_OF"], "in"))
        if sec is not None:
            self.lead(sec.other, "secretary")
        else:
            self.brk(nid, "no_secretary")
        if labs & _TOPS:  # the top, or (a working committee) under the district's
            return parent_org(self.store, nid, self.day, alliance=False)
        up = parent_org(self.store, nid, self.day)
        if up is None:
            self.brk(nid, "org_without_parent")
        return up

    def person(self, nid: str, labs: set[str]) -> Adjacent | None:
        if "PartyMember" in labs:
            orgs = self.cur(nid, ["MEMBER_OF"], "out")
            if orgs:
                return min(orgs, key=lambda a: (party_level(a.other_labels), a.other))
            self.brk(nid, "no_current_membership")
        if "DeployedStaff" in labs:
            return self.deployed(nid)
        for rtype in ("LIVES_IN", "RESPONSIBLE_FOR", "HEADS", "WORKS_AT", "HOLDS_POST"):
            hops = self.cur(nid, [rtype], "out")
            if hops:
                return hops[0]
        self.brk(nid, "unattached")
        return None

    def deployed(self, nid: str) -> Adjacent | None:
        """Deployed staff → department, and → community → the committee evaluating."""
        for dept in self.cur(nid, ["FROM_DEPT"], "out")[:1]:
            self.add(dept.other, dept, nid)
            self.post_holder(dept.other)
        comms = self.cur(nid, ["DEPLOYED_TO"], "out")
        if not comms:
            self.brk(self.steps[-1].node.id, "unattached")
            return None
        if not self.add(comms[0].other, comms[0], nid):
            return None
        up = self.cur(comms[0].other, ["LEADS"], "in", ["Committee"])
        if not up:
            self.brk(comms[0].other, "community_without_committee")
            return None
        if not self.add(up[0].other, up[0], comms[0].other):
            return None
        committee = up[0].other
        evaluated = any(a.other == nid for a in self.store.adjacent(committee, ["EVALUATES"],
                                                                    "out"))
        if not evaluated:
            self.brk(committee, "not_evaluated")
        return self.party_org(committee, set(up[0].other_labels))

    def building(self, nid: str) -> Adjacent | None:
        heads = self.cur(nid, ["HEADS"], "in")
        if heads:
            self.lead(heads[0].other, "building_head")
        else:
            self.brk(nid, "building_without_head")
        grids = self.cur(nid, ["IN_GRID"], "out")
        if grids:
            base = [g for g in grids if self.store.get_node(g.other).properties.get("kind")
                    == "base"]
            return (base or grids)[0]
        groups = self.cur(nid, ["PART_OF"], "out", ["ResidentGroup"])
        if groups:
            return groups[0]
        self.brk(nid, "building_not_in_grid")
        return None

    def grid(self, nid: str) -> Adjacent | None:
        workers = self.cur(nid, ["RESPONSIBLE_FOR"], "in")
        if workers:
            self.lead(workers[0].other, "responsible")
        else:
            self.brk(nid, "grid_without_worker")
        up = self.cur(nid, ["PART_OF"], "out", ["Grid"]) or self.cur(nid, ["IN"], "out")
        if not up:
            self.brk(nid, "grid_not_in_community")
        return up[0] if up else None

    def group(self, nid: str) -> Adjacent | None:
        if not self.post_holder(nid):
            self.brk(nid, "group_without_leader")
        covers = self.cur(nid, ["COVERS"], "in")
        if covers:
            return covers[0]
        self.brk(nid, "group_not_covered")
        up = self.cur(nid, ["PART_OF"], "out", ["Community"])
        return up[0] if up else None

    def organisation(self, nid: str, labs: set[str]) -> Adjacent | None:
        self.post_holder(nid)
        orgs = self.cur(nid, ["EMBEDDED_IN"], "in")
        if orgs:
            return min(orgs, key=lambda a: (party_level(a.other_labels), a.other))
        led = self.cur(nid, ["LEADS"], "in")
        if led:
            return led[0]
        if labs & set(_LED_LABELS) and not labs & set(_ORG_LABELS):
            self.brk(nid, "not_led")
            return None
        self.brk(nid, "no_party_org")
        up = self.cur(nid, ["IN"], "out", ["Community"])
        return up[0] if up else None


CYPHER = load_cypher(Path(__file__).with_suffix(".cypher"))
#: relationship types the walk follows from the lower node to the upper one ...
UP = ["MEMBER_OF", "SUB_ORG_OF", "ALLIANCE_MEMBER", "LIVES_IN", "IN_GRID", "PART_OF", "IN",
      "FROM_DEPT", "DEPLOYED_TO", "RESPONSIBLE_FOR", "HEADS", "WORKS_AT", "HOLDS_POST"]
#: ... and those it follows backwards (the upper node is the start of them)
DOWN = ["LEADS", "COVERS", "EMBEDDED_IN", "HELD"]


def _fetch_context(store: CypherStore, node_id: str) -> GraphReader:
    """On Neo4j: one round trip for everything the walk may look at."""
    rows = store.read_cypher(CYPHER["upward_context"], id=node_id, up=UP, down=DOWN)
    nodes: dict[str, dict[str, Any]] = {}
    rels = []
    if not rows:
        start = store.read_cypher(CYPHER["start_node"], id=node_id)
        nodes.update({r["id"]: r for r in start})
    for r in rows:
        nodes[r["nid"]] = {"id": r["nid"], "labels": r["nlabels"], "props": r["nprops"]}
        nodes[r["mid"]] = {"id": r["mid"], "labels": r["mlabels"], "props": r["mprops"]}
        rels.append({"type": r["type"], "start": r["start"], "end": r["end"],
                     "props": r["rprops"]})
    return rows_to_subgraph(store.schema, nodes.values(), rels)


def leadership_chain(store: GraphReader, node_id: str,
                     as_of: dt.date | str | None = None) -> LeadershipChain:
    """The chain from ``node_id`` up to the street working committee (the district
    committee in a district's graph), as of a date.

    On Neo4j the part of the graph the walk needs is fetched with one Cypher query
    (``leadership_chain.cypher``) and walked in Python, the same code as embedded.
    Raises :class:`graph.errors.NodeNotFound` for an unknown id.
    """
    day = day_of(as_of)
    if runs_cypher(store):
        store = _fetch_context(store, node_id)
    start = store.get_node(node_id)
    w = _Walk(store, day)
    w.add(node_id, None, None)
    nid, labels = node_id, start.labels
    while True:
        hop = w.next_hop(nid, labels)
        if hop is None:
            break
        if not w.add(hop.other, hop, w.steps[-1].node.id):
            break
        nid, labels = hop.other, hop.other_labels
    breaks = [b for st in w.steps for b in st.breaks]
    top = bool(_TOPS & set(w.steps[-1].node.labels))
    return LeadershipChain(start=w.steps[0].node, as_of=day, steps=w.steps, breaks=breaks,
                           reached_top=top, complete=top and not breaks)


def without_homes(chain: LeadershipChain, schema: Schema) -> LeadershipChain:
    """The chain as a caller whose addresses are masked sees it: a person's home
    (``LIVES_IN``, ``HEADS`` — :data:`graph.masking.HOME_TYPES`) only to the community.

    From a person whose first link up is a home, the steps between the person and the
    community (the building, its grid) and their breaks are left out, the community
    reached from the person by the home link; a building's head is not named.
    ``complete`` and ``reached_top`` are those of the whole chain.
    """
    steps = [s.model_copy() for s in chain.steps]
    if len(steps) > 1 and steps[1].reached_by and steps[1].reached_by.type in HOME_TYPES:
        home = steps[1].reached_by
        k = next((i for i, s in enumerate(steps) if "Community" in s.node.labels), None)
        if k is None:
            steps = steps[:1]
        else:
            steps = [steps[0], steps[k].model_copy(update={"reached_by": Via(
                type=home.type, name_zh=schema.relationships[home.type].name_zh,
                from_id=steps[0].node.id, direction="out")})] + steps[k + 1:]
    for i, s in enumerate(steps):
        if s.leader is not None and s.leader.role == "building_head":
            steps[i] = s.model_copy(update={"leader": Leader(id="", name="（已遮蔽）",
                                                             role="building_head")})
    kept = {s.node.id for s in steps}
    return chain.model_copy(update={
        "steps": steps, "breaks": [b for b in chain.breaks if b.node_id in kept]})
