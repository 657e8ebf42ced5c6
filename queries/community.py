"""One community at a glance: its structure, forces, and the health of its party
organisation (the middle-weakening summary and the post holders)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from graph.errors import InvalidParameter
from graph.store import GraphReader
from queries.common import NodeRef, current, day_of, node_ref, secretary_of
from queries.lookups import PostHolder, org_members, three_boards
from queries.middle_weakening import CommunitySummary, middle_weakening

__all__ = ["community_overview", "CommunityOverview"]


class CommunityOverview(BaseModel):
    community: NodeRef
    as_of: str
    properties: dict[str, object]
    committee: NodeRef | None
    secretary: NodeRef | None
    counts: dict[str, int]
    grids_by_kind: dict[str, int]
    party_structure: CommunitySummary | None
    post_holders: list[PostHolder]


def community_overview(store: GraphReader, community_id: str,
                       as_of: dt.date | str | None = None) -> CommunityOverview:
    day = day_of(as_of)
    node = store.get_node(community_id)
    if "Community" not in node.labels:
        raise InvalidParameter(f"{community_id!r} is not a community")
    schema = store.schema
    led = store.adjacent(community_id, ["LEADS"], "in", ["Committee"])
    committee = led[0].other if led else None
    sec = secretary_of(store, committee, day) if committee else None
    inbound = store.adjacent(community_id, None, "in")
    grids = [a.other for a in inbound if a.rel.type == "IN" and "Grid" in a.other_labels]
    kinds: dict[str, int] = {}
    buildings: set[str] = set()
    for g in store.get_nodes(grids).values():
        k = str(g.properties.get("kind"))
        kinds[k] = kinds.get(k, 0) + 1
        buildings.update(a.other for a in store.adjacent(g.id, ["IN_GRID"], "in", ["Building"]))
    residents = sum(store.count_current(sorted(buildings), "LIVES_IN", "in", ["Resident"],
                                        day).values())
    members = {m.person.id for m in org_members(store, committee, True, day)} if committee \
        else set()

    def count(rtype: str, label: str) -> int:
        return len(current([a for a in inbound if a.rel.type == rtype
                            and label in a.other_labels], day))

    counts = {
        "resident_groups": count("PART_OF", "ResidentGroup"),
        "grids": len(grids),
        "buildings": len(buildings),
        "residents": residents,
        "party_members": len(members),
        "deployed_staff": count("DEPLOYED_TO", "DeployedStaff"),
        "enterprises": count("IN", "Enterprise"),
        "stationed_units": count("IN", "StationedUnit"),
    }
    summary = middle_weakening(store, community_id, day).summary
    return CommunityOverview(
        community=node_ref(schema, node), as_of=day, properties=dict(node.properties),
        committee=node_ref(schema, store.get_node(committee)) if committee else None,
        secretary=node_ref(schema, store.get_node(sec[0])) if sec else None,
        counts=counts, grids_by_kind=dict(sorted(kinds.items())),
        party_structure=summary[0] if summary else None,
        post_holders=three_boards(store, community_id, 2, day))
