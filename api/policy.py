"""Who may call what: the token check (:func:`get_caller`) and the roles each route lets
through (:func:`allow`), deny by default.

* Every route but ``/health*`` takes a bearer token (:func:`get_caller`): 401 without
  a valid one, 429 with ``Retry-After`` past the token's rate.
* Roles: each router, or each route where the routes of one router differ, declares
  who may call it as a dependency, ``Depends(allow("admin", "analyst"))`` (403
  otherwise). A route that declares none is refused for every role (deny by default).
  ``admin`` everything and unmasked; ``analyst`` reads everything, masked;
  ``community`` reads its own community's subgraph (``queries/scope.py``), masked;
  ``consumer`` organisations and aggregates, never a person.
* Object level: a node id in the path or query that the caller may not see answers 404,
  exactly as a node that does not exist (no existence leak); what it may see is
  :class:`api.redaction.Visibility`.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import security_of, store_of
from api.limits import buckets
from api.redaction import Visibility
from api.security import ROLES, Caller
from api.settings import get_settings
from graph.errors import NodeNotFound

__all__ = ["CallerDep", "get_caller", "current_caller", "allow", "policy_of", "EVERY_ROLE",
           "PERSON_ROLES"]

bearer = HTTPBearer(auto_error=False, description="A token from `govgraph token create`")

#: the four roles (each sees its answers redacted for it)
EVERY_ROLE = ROLES
#: the roles that may see people (a consumer never does)
PERSON_ROLES = ("admin", "analyst", "community")

_ID_PARAMS = ("node_id", "org_id", "community_id")
_ID_QUERY = ("from", "to", "community")


async def get_caller(request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
               ) -> Caller:
    """The caller of this request: token checked, rate limited, its query parameters
    known to the route, and the route declaring a policy (:func:`allow`; none: 403 for
    every role). Async: cheap look-ups (cached tokens) that would cost more as a trip
    to the thread pool."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required (govgraph token create)",
                            headers={"WWW-Authenticate": "Bearer"})
    checked: Caller | None = getattr(request.state, "checked_caller", None)
    if checked is not None:  # checked once per request, whichever dependency asked first
        return checked
    caller = getattr(request.state, "token_caller", None)  # the middleware's check
    if caller is None:
        caller = security_of(request.app).authenticate(credentials.credentials)
    if caller is None:
        raise HTTPException(401, "the token is unknown or revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    s = get_settings()
    if s.rate_limit_per_second > 0:
        wait = buckets.take(caller.token_id, s.rate_limit_per_second, s.rate_limit_burst)
        if wait:
            raise HTTPException(429, "too many requests for this token",
                                headers={"Retry-After": str(max(1, math.ceil(wait)))})
    route = request.scope.get("route")
    info = _route_info(route)
    unknown = sorted(k for k in request.query_params
                     if info is not None and k not in info.query_names)
    if unknown:
        raise HTTPException(422, f"unknown query parameter {unknown[0]!r}")
    if info is None or info.roles is None:  # deny by default: no policy, no role
        raise HTTPException(403, f"the {caller.role} role may not call this endpoint")
    request.state.checked_caller = caller
    return caller


async def current_caller(request: Request) -> Caller:
    """The caller a route's policy let through (:func:`allow`, which runs first: a
    router's dependencies come before a route's parameters); the full check when no
    policy ran. A dependency without dependencies of its own: FastAPI solves every
    sub-dependency again for each dependant that names it, cached or not, and this one
    is named by most routes."""
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is not None:
        return caller
    return await get_caller(request, await bearer(request))


CallerDep = Annotated[Caller, Depends(current_caller)]

#: the policies :func:`allow` made, and the roles each lets through
_POLICIES: dict[Callable[..., Any], frozenset[str]] = {}


def allow(*roles: str) -> Callable[..., Awaitable[Caller]]:
    """Who may call a router's routes, or one route: a dependency declared on it,
    ``APIRouter(dependencies=[Depends(allow("admin"))])``. A route's own policy narrows
    its router's (the caller's role must be in both), never widens it.

    A caller of another role gets 403; one of these roles naming (in the path or the
    query) a node it may not see gets 404, as for a node that does not exist. Only a
    request a policy let through is redacted for its caller and audited with the people
    it names; a route without a policy is refused for every role (:func:`get_caller`,
    and the guard for a route mounted without the token check)."""
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise ValueError(f"a policy names one or more of the roles {ROLES}, not {unknown}")
    allowed = frozenset(roles)

    async def policy(request: Request,
                     credentials: Annotated[HTTPAuthorizationCredentials | None,
                                            Security(bearer)]) -> Caller:
        let_through: Caller | None = getattr(request.state, "caller", None)
        if let_through is not None:
            return let_through  # by the route's other policy, which checked all
        # the token check called, not declared: as a sub-dependency FastAPI would solve
        # it (and the store's) again for each dependant naming it
        caller = await get_caller(request, credentials)
        store = store_of(request.app)
        # every policy of the route at once, before anything looks at the ids asked for
        # (a role refused is 403 whatever it names)
        declared = policy_of(request.scope.get("route"))
        if caller.role not in (allowed if declared is None else declared):
            raise HTTPException(403, f"the {caller.role} role may not call this endpoint")
        vis = Visibility(caller, store)
        if not vis.everything:
            named = [v for k, v in request.path_params.items() if k in _ID_PARAMS]
            named += [v for k, v in request.query_params.items() if k in _ID_QUERY]
            for nid in named:
                if isinstance(nid, str) and not vis.node_ok(nid):
                    raise NodeNotFound(nid)
        # only a request let through is redacted and audited by the middleware
        request.state.caller = caller
        request.state.visibility = vis
        return caller

    _POLICIES[policy] = allowed
    return policy


class _RouteInfo:
    """What the token check needs of a route, found once per route."""

    def __init__(self, query_names: frozenset[str], roles: frozenset[str] | None) -> None:
        self.query_names = query_names
        self.roles = roles


#: by id, with the route itself held: a route made and dropped (tests) leaves its id to
#: no other route, whose policy would then be read from the wrong entry
_ROUTES: dict[int, tuple[Any, _RouteInfo]] = {}


def _route_info(route: Any) -> _RouteInfo | None:
    """The query parameters a route declares (a misspelt one is refused, not ignored)
    and the roles its policy lets through (None: it declares none); None for a route
    without a dependant (no FastAPI route)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    entry = _ROUTES.get(id(route))
    if entry is not None and entry[0] is route:
        return entry[1]
    names: set[str] = set()
    roles: frozenset[str] | None = None
    todo = [dependant]
    while todo:  # the route's own parameters and its dependencies'
        d = todo.pop()
        names.update(p.alias for p in d.query_params)
        if d.call in _POLICIES:  # two policies: both must let the caller through
            roles = _POLICIES[d.call] if roles is None else roles & _POLICIES[d.call]
        todo.extend(d.dependencies)
    info = _RouteInfo(frozenset(names), roles)
    _ROUTES[id(route)] = (route, info)
    return info


def policy_of(route: Any) -> frozenset[str] | None:
    """The roles a route's policy lets through, as the route (with its router)
    declares it; None when it declares none (every role is refused)."""
    info = _route_info(route)
    return None if info is None else info.roles

