"""Nodes, their neighbourhoods, search and paths."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from api.deps import StoreDep, run_heavy, run_query
from api.models import NodePublic, node_public
from api.params import Day, LabelName, RelType, values
from api.policy import EVERY_ROLE, PERSON_ROLES, CallerDep, allow
from api.redaction import Visibility
from api.security import Caller
from graph.masking import HOME_TYPES
from queries.lookups import MAX_DEPTH, Neighbourhood, Post, neighbourhood, posts_of, shortest_path
from queries.lookups import Path as GraphPath
from queries.search import MAX_LIMIT, SearchGroups, SearchHit, search, search_grouped

router = APIRouter(tags=["nodes"], dependencies=[Depends(allow(*EVERY_ROLE))])

NodeId = Annotated[str, Path(min_length=1, max_length=200, description="Node id")]


def hidden_homes(caller: Caller, types: list[str] | None) -> tuple[str, ...]:
    """The relationship types a walk leaves out for this caller: a person's home
    (``LIVES_IN``, ``HEADS``) is an address, shown only to the admin role; asking for
    one by name is refused."""
    if caller.role == "admin":
        return ()
    asked = sorted(set(types or ()) & set(HOME_TYPES))
    if asked:
        raise HTTPException(403, f"relationship type(s) {asked} link a person to their "
                                 f"home (an address): only the admin role may follow them")
    return HOME_TYPES


@router.get("/nodes/{node_id}", response_model=NodePublic)
async def get_node(node_id: NodeId, store: StoreDep, caller: CallerDep) -> NodePublic:
    """One node with its labels' Chinese names; sensitive properties masked (for every
    role but admin)."""
    node = await run_query(store, store.get_node, node_id)
    return node_public(store.schema, node, unmask=caller.role == "admin")


@router.get("/nodes/{node_id}/neighbors", response_model=Neighbourhood)
async def get_neighbours(
    node_id: NodeId, store: StoreDep, caller: CallerDep,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    type: Annotated[list[RelType] | None, Query(description="Relationship types to follow")
                    ] = None,
    label: Annotated[list[LabelName] | None, Query(
        description="Keep neighbours with these labels")] = None,
    direction: Literal["out", "in", "both"] = "both",
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> Neighbourhood:
    """The neighbourhood within ``depth`` hops (at most 3), capped at ``limit`` nodes
    (``truncated`` says when the cap cut it). A person's home (``LIVES_IN``,
    ``HEADS``) is followed for the admin role only."""
    run = run_heavy if depth >= 3 else partial(run_query, store)
    types = values(type)
    return await run(neighbourhood, store, node_id, depth, types, values(label),
                     direction, limit, hidden_homes(caller, types))


SearchText = Annotated[str, Query(
    min_length=1, max_length=50,
    description="What people type: a name or short name (上星党委, 第一支部), any part of "
                "a name (3 characters and up; any part of an organisation's or place's), "
                "full pinyin or initials (shangxing, sxdw), with a small typo")]


def _scope(request: Request) -> tuple[Callable[[str, list[str]], bool] | None, object, bool]:
    """The caller's scope as search takes it (``visible``, ``scope``, ``people``):
    filtered before anything is counted, the answers kept per role and community,
    people left out for a role that sees none."""
    vis: Visibility = request.state.visibility
    if vis.everything:
        return None, None, True
    return vis.node_ok, (vis.caller.role, vis.caller.community), vis.caller.role != "consumer"


@router.get("/search", response_model=list[SearchHit])
async def search_nodes(
    request: Request,
    store: StoreDep,
    q: SearchText,
    label: Annotated[list[LabelName] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> list[SearchHit]:
    """Find nodes by what people type: 张三, zhangsan and zs all find 张三; 上星党委 and
    上星社区党委 the committee 中共新桥街道上星社区委员会. Best first: the exact name, an
    exact short name, a name or short name starting with or holding the text, pinyin or
    initials, a typo (one edit or two neighbours swapped); within each, organisations
    and places, then people, then buildings, then the rest; then by id. ``score`` follows
    that order. Only what the caller may see is ranked, counted and limited."""
    visible, scope, people = _scope(request)
    return await run_query(store, partial(search, store, q, values(label), limit, visible,
                                          scope, people))


@router.get("/search/grouped", response_model=SearchGroups)
async def search_nodes_grouped(
    request: Request,
    store: StoreDep,
    q: SearchText,
    label: Annotated[list[LabelName] | None, Query()] = None,
    per_group: Annotated[int, Query(ge=1, le=MAX_LIMIT,
                                    description="Hits shown per group")] = 5,
) -> SearchGroups:
    """The same search grouped by type (the root label: Community, PartyOrg, Person,
    Building …), groups in the order of their best hit, each with the number of
    matches the caller may see and its best ``per_group`` hits. At most 1,000 matches
    are counted: past that ``complete`` is false and the counts are lower bounds."""
    visible, scope, people = _scope(request)
    return await run_query(store, partial(search_grouped, store, q, values(label),
                                          per_group, visible, scope, people))


@router.get("/paths", response_model=GraphPath)
def get_path(
    store: StoreDep,
    caller: CallerDep,
    source: Annotated[str, Query(alias="from", min_length=1, max_length=200)],
    target: Annotated[str, Query(alias="to", min_length=1, max_length=200)],
    type: Annotated[list[RelType] | None, Query(description="Relationship types allowed")
                    ] = None,
    max_length: Annotated[int, Query(ge=1, le=10)] = 6,
) -> GraphPath:
    """A shortest path between two nodes, in either direction, over chosen types (a
    person's home, ``LIVES_IN`` and ``HEADS``, for the admin role only)."""
    types = values(type)
    return shortest_path(store, source, target, types, max_length,
                         hidden_homes(caller, types))


@router.get("/people/{node_id}/posts", response_model=list[Post],
            dependencies=[Depends(allow(*PERSON_ROLES))])
def get_posts(node_id: NodeId, store: StoreDep, as_of: Day | None = None) -> list[Post]:
    """Posts a person holds across organisations (party roles and other posts)."""
    return posts_of(store, node_id, as_of)
