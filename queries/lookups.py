"""Relationship look-ups for the organisation department.

Neighbourhoods (depth ≤ 3), shortest paths over chosen relationship types, the
members of an organisation with its sub-organisations, and the posts people hold
across organisations ("three boards, one team", 三块牌子一套人马).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidParameter
from graph.model import Adjacent, Direction, Node
from graph.store import GraphReader
from queries.common import (
    NodeRef,
    committee_of_org,
    community_of_committee,
    current,
    day_of,
    node_ref,
    org_view,
)

__all__ = ["neighbourhood", "shortest_path", "org_members", "posts_of", "three_boards",
           "RelRef", "Neighbourhood", "Path", "Membership", "Post", "PostHolder",
           "MAX_DEPTH", "MAX_NODES"]

MAX_DEPTH = 3
MAX_NODES = 2_000  # cap of one neighbourhood
MAX_PATH = 10


class RelRef(BaseModel):
    id: str
    type: str
    type_zh: str
    start: str
    end: str
    properties: dict[str, object]


class Neighbourhood(BaseModel):
    center: NodeRef
    depth: int
    nodes: list[NodeRef]  # the center first, then by distance and id
    distance: dict[str, int]
    relationships: list[RelRef]
    truncated: bool
    limit: int


class Path(BaseModel):
    found: bool
    length: int | None
    nodes: list[NodeRef]
    relationships: list[RelRef]
    types: list[str] | None


class Membership(BaseModel):
    person: NodeRef
    organisation: NodeRef
    role: str
    role_zh: str
    since: str | None
    until: str | None


class Post(BaseModel):
    organisation: NodeRef
    kind: Literal["party_role", "post"]
    title: str
    since: str | None


class PostHolder(BaseModel):
    person: NodeRef
    community: NodeRef
    organisations: int
    posts: list[Post]


def _check_types(store: GraphReader, types: Sequence[str] | None) -> None:
    if types:
        unknown = set(types) - set(store.schema.relationships)
        if unknown:
            raise InvalidParameter(f"unknown relationship type(s) {sorted(unknown)}")


def _check_labels(store: GraphReader, labels: Sequence[str] | None) -> None:
    if labels:
        unknown = set(labels) - set(store.schema.labels)
        if unknown:
            raise InvalidParameter(f"unknown label(s) {sorted(unknown)}")


def _rel_ref(store: GraphReader, rel) -> RelRef:  # type: ignore[no-untyped-def]
    return RelRef(id=rel.id, type=rel.type,
                  type_zh=store.schema.relationships[rel.type].name_zh,
                  start=rel.start, end=rel.end, properties=dict(rel.properties))


def _allowed(store: GraphReader, types: Sequence[str] | None, exclude: Sequence[str]
             ) -> list[str] | None:
    """``types`` (every type when None) without ``exclude``; None when nothing is left
    out."""
    if not exclude:
        return list(types) if types else None
    return [t for t in (types or sorted(store.schema.relationships)) if t not in exclude]


def neighbourhood(store: GraphReader, node_id: str, depth: int = 1,
                  types: Sequence[str] | None = None, labels: Sequence[str] | None = None,
                  direction: Direction = "both", limit: int = 500,
                  exclude: Sequence[str] = ()) -> Neighbourhood:
    """Nodes within ``depth`` hops (≤ 3), over ``types`` but not ``exclude``, keeping
    nodes with ``labels``.

    Breadth first; nodes at the same distance in id order; stops at ``limit`` nodes
    (≤ 2,000) and says so with ``truncated``.
    """
    if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise InvalidParameter(f"depth={depth!r} must be from 1 to {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NODES:
        raise InvalidParameter(f"limit={limit} must be from 1 to {MAX_NODES}")
    _check_types(store, types)
    _check_labels(store, labels)
    center = store.get_node(node_id)
    types = _allowed(store, types, exclude)
    dist = {node_id: 0}
    order = [node_id]
    rels: dict[str, RelRef] = {}
    truncated = False
    frontier = [node_id]
    for d in range(1, depth + 1 if types != [] else 1):
        nxt: list[str] = []
        level = store.adjacent_many(frontier, types, direction, labels)  # one round trip
        for nid in frontier:
            for a in level.get(nid, []):
                if a.other not in dist:
                    if len(order) >= limit:
                        truncated = True
                        continue
                    dist[a.other] = d
                    order.append(a.other)
                    nxt.append(a.other)
                if a.rel.id not in rels and a.other in dist:
                    rels[a.rel.id] = _rel_ref(store, a.rel)
        frontier = sorted(nxt)
        if truncated:
            break
    order = [node_id] + sorted(order[1:], key=lambda i: (dist[i], i))
    found = store.get_nodes(order)
    return Neighbourhood(
        center=node_ref(store.schema, center), depth=depth,
        nodes=[node_ref(store.schema, found[i]) for i in order], distance=dist,
        relationships=sorted(rels.values(), key=lambda r: r.id), truncated=truncated,
        limit=limit)


def shortest_path(store: GraphReader, source: str, target: str,
                  types: Sequence[str] | None = None, max_length: int = 6,
                  exclude: Sequence[str] = ()) -> Path:
    """A shortest path ignoring direction over ``types`` (all when None) but not
    ``exclude``, up to ``max_length`` relationships; among equal paths the one through
    smaller ids."""
    if not 1 <= max_length <= MAX_PATH:
        raise InvalidParameter(f"max_length={max_length} must be from 1 to {MAX_PATH}")
    _check_types(store, types)
    store.get_node(source)
    store.get_node(target)
    tlist = _allowed(store, types, exclude)
    prev: dict[str, tuple[str, object] | None] = {source: None}
    frontier = [source]
    # Breadth first, one level (one round trip) at a time; visiting the level in order
    # and each node's relationships by (other id, rel id) makes the path deterministic.
    for _ in range(max_length if tlist != [] else 0):
        if target in prev or not frontier:
            break
        level = store.adjacent_many(frontier, tlist, "both")
        nxt = []
        for nid in frontier:
            for a in sorted(level.get(nid, []), key=lambda a: (a.other, a.rel.id)):
                if a.other not in prev:
                    prev[a.other] = (nid, a.rel)
                    nxt.append(a.other)
        frontier = nxt
    if target not in prev:
        return Path(found=False, length=None, nodes=[], relationships=[], types=tlist)
    ids, rels = [target], []
    step = prev[target]
    while step is not None:
        ids.append(step[0])
        rels.append(step[1])
        step = prev[step[0]]
    ids.reverse()
    rels.reverse()
    found = store.get_nodes(ids)
    return Path(found=True, length=len(rels),
                nodes=[node_ref(store.schema, found[i]) for i in ids],
                relationships=[_rel_ref(store, r) for r in rels], types=tlist)


def org_members(store: GraphReader, org_id: str, include_sub: bool = True,
                as_of: dt.date | str | None = None) -> list[Membership]:
    """Current members of a party organisation and (default) all its sub-organisations,
    ordered by organisation then person id."""
    day = day_of(as_of)
    org = store.get_node(org_id)
    if "PartyOrg" not in org.labels:
        raise InvalidParameter(f"{org_id!r} is not a party organisation")
    orgs, frontier = [org_id], [org_id]
    seen = {org_id}
    while include_sub and frontier:
        level = store.adjacent_many(frontier, ["SUB_ORG_OF"], "in")
        frontier = []
        for o in sorted(level):
            for a in current(level[o], day):
                if a.other not in seen:
                    seen.add(a.other)
                    frontier.append(a.other)
                    orgs.append(a.other)
    roles = store.schema.relationships["MEMBER_OF"].properties["role"].enum or {}
    out = []
    refs: dict[str, NodeRef] = {}
    by_org = store.adjacent_many(sorted(orgs), ["MEMBER_OF"], "in")
    nodes = store.get_nodes(sorted({*orgs, *(a.other for adj in by_org.values() for a in adj)}))
    for i in nodes:
        refs.setdefault(i, node_ref(store.schema, nodes[i]))
    for o in sorted(orgs):
        members = current(by_org.get(o, []), day)
        for m in sorted(members, key=lambda m: (m.other, m.rel.id)):
            role = str(m.rel.properties.get("role", "member"))
            out.append(Membership(person=refs[m.other], organisation=refs[o], role=role,
                                  role_zh=roles.get(role, role),
                                  since=m.rel.properties.get("since"),
                                  until=m.rel.properties.get("until")))
    return out


def _posts(store: GraphReader, rels: list[Adjacent], orgs: dict[str, Node], day: str
           ) -> list[Post]:
    roles = store.schema.relationships["MEMBER_OF"].properties["role"].enum or {}
    posts = []
    for a in current(rels, day):
        p = a.rel.properties
        if a.rel.type == "MEMBER_OF":
            if p.get("role", "member") == "member":
                continue
            kind, title = "party_role", roles.get(str(p["role"]), str(p["role"]))
        else:
            kind, title = "post", str(p.get("title", ""))
        posts.append(Post(organisation=node_ref(store.schema, orgs[a.other]),
                          kind=kind, title=title, since=p.get("since")))  # type: ignore[arg-type]
    return sorted(posts, key=lambda p: (p.organisation.id, p.title))


def posts_of(store: GraphReader, person_id: str, as_of: dt.date | str | None = None
             ) -> list[Post]:
    """Posts a person holds now: party roles other than member, and HOLDS_POST."""
    day = day_of(as_of)
    store.get_node(person_id)
    rels = store.adjacent(person_id, ["MEMBER_OF", "HOLDS_POST"], "out")
    return _posts(store, rels, store.get_nodes(a.other for a in rels), day)


def three_boards(store: GraphReader, community: str | None = None, min_orgs: int = 2,
                 as_of: dt.date | str | None = None) -> list[PostHolder]:
    """People holding posts in ``min_orgs``+ organisations of one community
    (三块牌子一套人马): the committee's secretary who also heads the workstation and
    the residents' committee, and the like. Most organisations first, then by id.

    A party organisation's community is that of the committee it is under; a group
    or organisation's, the community it is part of or in, or whose committee leads it.
    """
    if not 2 <= min_orgs <= 20:
        raise InvalidParameter(f"min_orgs={min_orgs} must be from 2 to 20")
    day = day_of(as_of)
    if community is not None and "Community" not in store.get_node(community).labels:
        raise InvalidParameter(f"{community!r} is not a community")
    org_ids = sorted({o.id for lab in ("PartyOrg", "Workstation", "ResidentsCommittee",
                                        "JointStockCompany", "ResidentGroup", "Community")
                      for o in store.nodes(lab)})
    holders = sorted({a.other for adj in store.adjacent_many(
        org_ids, ["MEMBER_OF", "HOLDS_POST"], "in").values() for a in current(adj, day)
        if a.rel.type == "HOLDS_POST" or a.rel.properties.get("role") != "member"})
    held = store.adjacent_many(holders, ["MEMBER_OF", "HOLDS_POST"], "out")
    orgs = store.get_nodes(sorted({a.other for adj in held.values() for a in adj}))
    hierarchy = org_view(store, day)
    ups = store.adjacent_many(sorted(orgs), ["PART_OF", "IN", "LEADS"], "both")
    comm_of: dict[str, str | None] = {}
    for oid, node in orgs.items():
        c: str | None = None
        if "Community" in node.labels:
            c = oid
        elif "PartyOrg" in node.labels:
            committee = committee_of_org(hierarchy, oid, day)
            c = community_of_committee(hierarchy, committee) if committee else None
        else:
            adj = ups.get(oid, [])
            up = [a.other for a in adj if a.direction == "out" and a.rel.type in ("PART_OF", "IN")
                  and "Community" in a.other_labels]
            led = [a.other for a in adj if a.direction == "in" and a.rel.type == "LEADS"
                   and "Committee" in a.other_labels]
            if up:
                c = min(up)
            elif led:
                c = community_of_committee(hierarchy, min(led))
        comm_of[oid] = c
    people = store.get_nodes(holders)
    communities = store.get_nodes(sorted({c for c in comm_of.values() if c}))
    out = []
    for pid in holders:
        by_comm: dict[str, list[Post]] = {}
        for post in _posts(store, held.get(pid, []), orgs, day):
            c = comm_of.get(post.organisation.id)
            if c is not None and (community is None or c == community):
                by_comm.setdefault(c, []).append(post)
        for c, posts in sorted(by_comm.items()):
            n = len({p.organisation.id for p in posts})
            if n >= min_orgs:
                out.append(PostHolder(person=node_ref(store.schema, people[pid]),
                                      community=node_ref(store.schema, communities[c]),
                                      organisations=n, posts=posts))
    out.sort(key=lambda h: (-h.organisations, h.community.id, h.person.id))
    return out
