"""Authentication, authorisation, limits and the audit trail of the API.

* Every route but ``/health*`` takes a bearer token (:func:`get_caller`): 401 without
  a valid one, 429 with ``Retry-After`` past the token's rate.
* Roles: each router, or each route where the routes of one router differ, declares
  who may call it as a dependency, ``Depends(allow("admin", "analyst"))`` (403
  otherwise). A route that declares none is refused for every role (deny by default).
  ``admin`` everything and unmasked; ``analyst`` reads everything, masked;
  ``community`` reads its own community's subgraph (``queries/scope.py``), masked;
  ``consumer`` organisations and aggregates, never a person.
* Object level: a node id in the path or query that the caller may not see answers 404,
  exactly as a node that does not exist (no existence leak). Responses are then
  redacted (:func:`redact`): nodes the caller may not see leave lists, fields holding
  one get a placeholder, relationships touching one go, a path through one is cut and
  says so (``cut``), and ``redacted`` counts what went.
* Every response that carries a person, and every change, is appended to the audit
  log with the caller, endpoint, node ids and the ``X-Purpose`` header.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs, unquote

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import API_PREFIX, StoreDep, security_of
from api.security import ROLES, Caller, clean_text
from api.settings import get_settings
from graph.errors import NodeNotFound, StoreUnavailable
from graph.store import GraphStore

__all__ = ["CallerDep", "get_caller", "allow", "policy_of", "EVERY_ROLE", "PERSON_ROLES",
           "redact", "install", "PLACEHOLDER", "Visibility", "visible"]

bearer = HTTPBearer(auto_error=False, description="A token from `govgraph token create`")

#: the four roles (each sees its answers redacted for it)
EVERY_ROLE = ROLES
#: the roles that may see people (a consumer never does)
PERSON_ROLES = ("admin", "analyst", "community")

M = TypeVar("M", bound=BaseModel)

PLACEHOLDER = {"id": "", "name": "（无权查看）", "label": "", "label_zh": "无权查看",
               "labels": []}


class _Buckets:
    """Token buckets per token id: ``rate`` requests per second, bursts of ``burst``."""

    def __init__(self) -> None:
        self._b: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float, burst: int) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._b.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens >= 1:
                self._b[key] = (tokens - 1, now)
                return 0.0
            self._b[key] = (tokens, now)
            return (1 - tokens) / rate


_buckets = _Buckets()


class _Slots:
    """Costly requests in flight, per token and in all (a rate counts requests, not what
    they cost: ten pairing workbooks at once held the server for 36 s)."""

    def __init__(self) -> None:
        self._per: dict[str, int] = {}
        self._total = 0
        self._lock = threading.Lock()

    def take(self, key: str, per_token: int, total: int) -> bool:
        with self._lock:
            if self._per.get(key, 0) >= per_token or self._total >= total:
                return False
            self._per[key] = self._per.get(key, 0) + 1
            self._total += 1
            return True

    def give(self, key: str) -> None:
        with self._lock:
            self._total -= 1
            left = self._per.pop(key) - 1
            if left:
                self._per[key] = left


_slots = _Slots()


def costly(path: str, query: bytes) -> bool:
    """The requests whose cost is far above a look-up's."""
    if path.endswith(".xlsx") or path in (f"{API_PREFIX}/pairings/proposals",
                                          "/explorer/export.html"):
        return True
    return path.endswith("/neighbors") and "3" in parse_qs(query.decode("latin-1")).get(
        "depth", ())


class Visibility:
    """What one caller may see of the graph."""

    def __init__(self, caller: Caller, store: GraphStore) -> None:
        self.caller = caller
        self.store = store
        self._scope: frozenset[str] | None = None
        if caller.role == "community" and caller.community:
            from queries.scope import community_scope

            self._scope = community_scope(store, caller.community)

    @property
    def everything(self) -> bool:
        return self.caller.role in ("admin", "analyst")

    def node_ok(self, node_id: str, labels: list[str] | tuple[str, ...] | None = None) -> bool:
        if self.everything:
            return True
        if self.caller.role == "consumer":
            if labels is None:
                try:
                    labels = self.store.get_node(node_id).labels
                except NodeNotFound:
                    return True  # the route answers 404 itself
            return "Person" not in labels
        return self._scope is not None and node_id in self._scope


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
    caller = getattr(request.state, "token_caller", None)  # the middleware's check
    if caller is None:
        caller = security_of(request.app).authenticate(credentials.credentials)
    if caller is None:
        raise HTTPException(401, "the token is unknown or revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    s = get_settings()
    if s.rate_limit_per_second > 0:
        wait = _buckets.take(caller.token_id, s.rate_limit_per_second, s.rate_limit_burst)
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
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]

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

    async def policy(request: Request, caller: CallerDep, store: StoreDep) -> Caller:
        if getattr(request.state, "caller", None) is not None:
            return caller  # let through by the route's other policy, which checked all
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


# ------------------------------------------------------------------ redaction
def _is_node(d: Any) -> bool:
    """A node as answers show it: a NodeRef (id, name, labels …) or a leader (id, name,
    role)."""
    return isinstance(d, dict) and isinstance(d.get("id"), str) and "name" in d and (
        "labels" in d or "role" in d)


def _placeholder(d: dict[str, Any]) -> dict[str, Any]:
    """The same fields, emptied: the answer keeps its shape (and its schema)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k == "name":
            out[k] = PLACEHOLDER["name"]
        elif k == "label_zh":
            out[k] = PLACEHOLDER["label_zh"]
        elif isinstance(v, str):
            out[k] = ""
        elif isinstance(v, list):
            out[k] = []
        else:
            out[k] = v
    return out


def _labels(d: dict[str, Any]) -> list[str]:
    return [x["label"] if isinstance(x, dict) else str(x) for x in d.get("labels") or []]


def _is_rel(d: Any) -> bool:
    return isinstance(d, dict) and "start" in d and "end" in d and "type" in d


def _strings(v: Any, found: set[str]) -> None:
    """Every string of an answer, dict keys included (any of them may be an id)."""
    if isinstance(v, str):
        if 0 < len(v) <= 200:
            found.add(v)
    elif isinstance(v, list):
        for x in v:
            _strings(x, found)
    elif isinstance(v, dict):
        for k, x in v.items():
            _strings(k, found)
            _strings(x, found)


_JSON_STRING = re.compile(rb'"((?:[^"\\]|\\.)*)"')


def _body_strings(body: bytes, extra: Any = ()) -> set[str]:
    """Every string literal of a JSON body, keys included, found by one regular
    expression over the bytes (no parse: for an answer only audited, not redacted)."""
    found: set[str] = set(extra)
    if b"\\" not in body:
        # no escape anywhere: every quote opens or closes a string, so the pieces
        # between quotes alternate outside / inside (a split in C, not a regex)
        for raw in set(body.split(b'"')[1::2]):
            if 0 < len(raw) <= 800:
                found.add(raw.decode("utf-8", "replace"))
        return found
    for raw in set(_JSON_STRING.findall(body)):
        if not 0 < len(raw) <= 800:  # an id is at most 200 characters
            continue
        if b"\\" in raw:
            try:
                found.add(json.loads(b'"' + raw + b'"'))
            except ValueError:
                continue
        else:
            found.add(raw.decode("utf-8", "replace"))
    return found


def _candidates(data: Any, extra: Any = ()) -> set[str]:
    """The strings of an answer (and ``extra``: the path's ids), any of which may be
    the id of a node the caller must not see, or of a person the audit must name."""
    found: set[str] = set(extra)
    _strings(data, found)
    return found


class _Redactor:
    """Redaction by ids, not by shapes: every string of the answer that is the id of a
    node the caller may not see is found first (one look-up in the store), then goes
    wherever it is — a node or a row naming it leaves its list, a bare id leaves its
    list or becomes "" in a field, a key naming it leaves its dict."""

    def __init__(self, vis: Visibility, data: Any,
                 labels: dict[str, tuple[str, ...]] | None = None) -> None:
        self.vis = vis
        self.count = 0
        self.people: set[str] = set()
        if labels is None:
            labels = vis.store.node_labels(_candidates(data))
        self.hidden: set[str] = {i for i, ls in labels.items()
                                 if not vis.node_ok(i, list(ls))}

    def hidden_node(self, d: dict[str, Any]) -> bool:
        if not d.get("id"):
            return False
        if d["id"] in self.hidden:
            return True
        labels = _labels(d) if "labels" in d else None
        if self.vis.node_ok(d["id"], labels):
            if labels is None or "Person" in labels:  # a leader is a person
                self.people.add(d["id"])
            return False
        self.hidden.add(d["id"])
        return True

    def _names_hidden(self, d: dict[str, Any]) -> bool:
        """A row about a hidden node: a node in it, or a field holding its bare id."""
        return any((_is_node(x) and self.hidden_node(x))
                   or (isinstance(x, str) and x in self.hidden)
                   or (isinstance(x, dict) and x.get("id") in self.hidden)
                   for x in d.values())

    def walk(self, v: Any) -> Any:
        if isinstance(v, list):
            out = []
            for item in v:
                if isinstance(item, str) and item in self.hidden:
                    self.count += 1
                    continue
                if isinstance(item, dict) and (
                        (_is_node(item) and self.hidden_node(item))
                        or item.get("id") in self.hidden
                        or (not _is_node(item) and self._names_hidden(item))):
                    self.count += 1
                    continue
                out.append(self.walk(item))
            return out
        if isinstance(v, dict):
            out_d: dict[str, Any] = {}
            for k, x in v.items():
                if k in self.hidden:
                    self.count += 1
                elif (_is_node(x) and self.hidden_node(x)) or (
                        isinstance(x, dict) and x.get("id") in self.hidden):
                    self.count += 1
                    out_d[k] = _placeholder(x)
                elif isinstance(x, str) and x in self.hidden:
                    self.count += 1
                    out_d[k] = ""
                else:
                    out_d[k] = self.walk(x)
            return out_d
        return v

    def drop_rels(self, v: Any) -> Any:
        if isinstance(v, list):
            kept = [self.drop_rels(x) for x in v
                    if not (_is_rel(x) and (x["start"] in self.hidden or x["end"] in self.hidden))]
            self.count += len(v) - len(kept)
            return kept
        if isinstance(v, dict):
            return {k: self.drop_rels(x) for k, x in v.items()}
        return v


def redact(data: Any, vis: Visibility, path: str = "",
           labels: dict[str, tuple[str, ...]] | None = None) -> tuple[Any, set[str], int]:
    """(redacted data, person ids left in it, how many items went); ``labels``: those
    of the answer's :func:`_candidates`, when the caller has looked them up."""
    r = _Redactor(vis, data, labels)
    out = r.walk(data)
    if labels is not None:  # people named by a bare id, or in a path parameter
        r.people |= {i for i, ls in labels.items() if "Person" in ls and i not in r.hidden}
    if r.hidden:
        out = r.drop_rels(out)
    if r.count and isinstance(out, dict):
        out["redacted"] = r.count
        if path == f"{API_PREFIX}/paths" and out.get("found"):
            out.update(found=False, length=None, nodes=[], relationships=[], cut=True)
    return out, r.people, r.count


def visible(request: Request, items: list[M]) -> list[M]:
    """The rows of a list the caller may see, before it is counted and paginated (so
    ``total`` counts what the caller may see): a row naming a hidden node goes."""
    vis: Visibility | None = getattr(request.state, "visibility", None)
    if vis is None or vis.everything:
        return items
    rows = [x.model_dump(mode="json") for x in items]
    hidden = _Redactor(vis, rows).hidden
    out = []
    for x, row in zip(items, rows, strict=True):
        names: set[str] = set()
        _strings(row, names)
        if not names & hidden:
            out.append(x)
    return out


def redacted_model(request: Request, model: M) -> M:
    """A query result as the caller may see it (for downloads, which the JSON
    redaction of :class:`_Guard` does not reach); the people left in it are audited."""
    vis: Visibility = request.state.visibility
    data = model.model_dump(mode="json")
    labels = vis.store.node_labels(_candidates(data))
    if vis.everything:
        people = _people(labels)
    else:
        data, people, _ = redact(data, vis, labels=labels)
    request.state.audit_ids = sorted(people | set(getattr(request.state, "audit_ids", ())))
    return type(model).model_validate(data)


def _people(labels: dict[str, tuple[str, ...]]) -> set[str]:
    return {i for i, ls in labels.items() if "Person" in ls}


#: answers that refuse: audited too (probing is worth knowing about)
REFUSED = frozenset({401, 403, 404, 429})


async def _labels_of(store: GraphStore, ids: set[str]) -> dict[str, tuple[str, ...]]:
    if not ids:
        return {}
    if not store.reads_block:
        return store.node_labels(ids)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(store.node_labels, ids)


def _audit(scope: Scope, headers: Headers, caller: Caller | None, people: set[str],
           status: int) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    security = security_of(scope["app"])
    purpose = clean_text(unquote(headers.get("x-purpose") or "")) or None
    security.audit(caller, scope["method"],
                   clean_text(scope["path"] + (f"?{query}" if query else "")), purpose,
                   sorted(people), status)


class _TooLarge(HTTPException):
    def __init__(self, mb: int) -> None:
        super().__init__(413, f"request body larger than {mb} MB")


def _guarded(path: str) -> bool:
    """Paths that take a token (everything but health, the explorer's page shell and
    its static files, and the API's own description)."""
    return path.startswith("/api/") or path == "/explorer/export.html"


def _token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


_CSP = {
    # the API's own description: swagger-ui's start-up script is inline
    "docs": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    # a self-contained download: its scripts and styles inline, and nothing fetched
    "export": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
              "img-src data: blob:; frame-ancestors 'none'; base-uri 'none'; "
              "form-action 'none'",
    "page": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: "
            "blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


def _with_headers(path: str, send: Send) -> Send:
    """Every answer: ``nosniff``, no referrer, a Content-Security-Policy (never framed,
    scripts only from this server); answers that may carry personal data (the API and
    exports) are never stored by a browser or a proxy."""
    kind = ("docs" if path in ("/docs", "/redoc") or path.startswith("/docs/")
            else "export" if path == "/explorer/export.html" else "page")
    private = path.startswith("/api/") or kind == "export"
    extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
             (b"content-security-policy", _CSP[kind].encode())]

    async def out(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {k.lower() for k, _ in headers}
            headers += [h for h in extra if h[0] not in names]
            if private and b"cache-control" not in names:
                headers.append((b"cache-control", b"no-store"))
            message = {**message, "headers": headers}
        await send(message)
    return out


class _Guard:
    """Pure ASGI (Starlette's BaseHTTPMiddleware costs a task and a copy per request).

    Before a byte of the body is read: a guarded path without a valid token answers
    401, a roster upload by anyone but an admin 403, and every body is capped as it
    streams in (``Content-Length`` or chunked alike): ``GOVGRAPH_MAX_BODY_MB``, or
    ``GOVGRAPH_MAX_UPLOAD_MB`` for an admin's roster upload. Then, for a request the auth
    dependency let through, it redacts the JSON answer for the caller and writes the
    audit record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        send = _with_headers(scope["path"], send)
        settings = get_settings()
        mb = settings.max_body_mb
        limit = mb << 20
        path = scope["path"]
        if _guarded(path):
            token = _token(headers)
            caller = security_of(scope["app"]).authenticate(token) if token else None
            if caller is None:
                # refusals without a token are limited per client address, as tokens
                # are per token: a flood neither grows the audit log nor costs much
                client = (scope.get("client") or ("?", 0))[0]
                if settings.rate_limit_per_second > 0 and _buckets.take(
                        f"ip:{client}", settings.rate_limit_per_second,
                        settings.rate_limit_burst):
                    await JSONResponse({"detail": "too many requests without a valid "
                                        "token from this address"}, status_code=429,
                                       headers={"Retry-After": "1"})(scope, receive, send)
                    return
                _audit(scope, headers, None, set(), 401)
                await JSONResponse(
                    {"detail": "a bearer token is required (govgraph token create)"
                     if token is None else "the token is unknown or revoked"},
                    status_code=401, headers={"WWW-Authenticate": "Bearer" if token is None
                                              else 'Bearer error="invalid_token"'},
                )(scope, receive, send)
                return
            scope.setdefault("state", {})["token_caller"] = caller
            if path.startswith(f"{API_PREFIX}/rosters/") and scope["method"] == "POST":
                if caller.role != "admin":
                    _audit(scope, headers, caller, set(), 403)
                    await JSONResponse(
                        {"detail": f"the {caller.role} role may not call this endpoint"},
                        status_code=403)(scope, receive, send)
                    return
                mb = settings.max_upload_mb
                limit = (mb << 20) + (64 << 10)  # the file, and its multipart framing
        held = None
        if _guarded(path) and costly(path, scope.get("query_string", b"")):
            held = scope["state"]["token_caller"].token_id
            if not _slots.take(held, settings.costly_per_token, settings.costly_total):
                _audit(scope, headers, scope["state"]["token_caller"], set(), 429)
                await JSONResponse(
                    {"detail": "too many costly requests at once (pairing, .xlsx reports, "
                     f"depth 3, exports): at most {settings.costly_per_token} per token, "
                     f"{settings.costly_total} in all; retry when one has finished"},
                    status_code=429, headers={"Retry-After": "2"})(scope, receive, send)
                return
        try:
            await self._guarded_call(scope, receive, send, headers, mb, limit)
        finally:
            if held is not None:
                _slots.give(held)

    async def _guarded_call(self, scope: Scope, receive: Receive, send: Send,
                            headers: Headers, mb: int, limit: int) -> None:
        path = scope["path"]
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await JSONResponse({"detail": _TooLarge(mb).detail},
                               status_code=413)(scope, receive, send)
            return
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(mb)
            return message

        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        passthrough = refused = False

        async def capture(message: Message) -> None:
            nonlocal passthrough, refused
            if refused:
                return
            if message["type"] == "http.response.start":
                state = scope.get("state", {})
                if state.get("caller") is None:
                    passthrough = True  # not a checked request: nothing to redact
                    status = message["status"]
                    if _guarded(path) and 200 <= status < 300:
                        # a route that no policy let through (mounted without the
                        # token check): deny by default, its answer never leaves
                        refused = True
                        await self._refuse(scope, receive, send, headers, state["token_caller"])
                        return
                    if status in REFUSED and _guarded(path):
                        _audit(scope, headers, state.get("token_caller"), set(), status)
                    await send(message)
                else:
                    start.update(message)
                return
            if passthrough or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish(scope, headers, start, b"".join(chunks), send)

        try:
            await self.app(scope, capped, capture)
        except _TooLarge as e:  # raised while a body was read outside a route
            if start or passthrough:
                raise
            await JSONResponse({"detail": e.detail}, status_code=413)(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, headers: Headers,
                      caller: Caller) -> None:
        _audit(scope, headers, caller, set(), 403)
        await JSONResponse({"detail": f"the {caller.role} role may not call this endpoint"},
                           status_code=403)(scope, receive, send)

    async def _finish(self, scope: Scope, headers: Headers, start: dict[str, Any],
                      body: bytes, send: Send) -> None:
        state = scope["state"]
        caller: Caller = state["caller"]
        vis: Visibility = state["visibility"]
        people: set[str] = set(state.get("audit_ids", ()))
        status = int(start.get("status", 200))
        out_headers = [(k, v) for k, v in start.get("headers", [])
                       if k.lower() != b"content-length"]
        ctype = next((v for k, v in out_headers if k.lower() == b"content-type"), b"")
        named = [v for v in scope.get("path_params", {}).values() if isinstance(v, str)]
        try:
            if status >= 400:
                pass  # an error names at most what was asked for
            elif ctype.startswith(b"application/json"):
                labels = await _labels_of(vis.store, _body_strings(body, named))
                if vis.everything:
                    people |= _people(labels)
                else:
                    data, kept, _ = redact(json.loads(body), vis, scope["path"], labels)
                    people |= kept
                    body = json.dumps(data, ensure_ascii=False).encode()
            elif named:
                people |= _people(await _labels_of(vis.store, set(named)))
        except StoreUnavailable as e:  # nothing unredacted leaves
            status, body = 503, json.dumps({"detail": str(e)}).encode()
            start = {**start, "status": 503}
            out_headers = [(b"content-type", b"application/json"), (b"retry-after", b"5")]
        out_headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": out_headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        if people or scope["method"] not in ("GET", "HEAD") or status in REFUSED:
            _audit(scope, headers, caller, people, status)


def install(app: FastAPI) -> None:
    """Add the middleware that redacts answers and writes the audit trail."""
    app.add_middleware(_Guard)
