"""The guard: an ASGI middleware around every request, in this order.

Before a byte of the body is read: a guarded path without a valid token answers 401
(past the rate per client address, 429 unrecorded), a roster upload by anyone but an
admin 403, a costly request past its slots 429; every body is then capped as it
streams in (413). After the route: an answer that no policy let through is refused
(403, deny by default); a checked request's JSON answer is redacted for its caller
(:mod:`api.redaction`); and every answer that carries a person, every change and
every refusal is appended to the audit log with the caller, endpoint, node ids and
the ``X-Purpose`` header. Every answer gets the security headers.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import API_PREFIX, security_of
from api.limits import buckets, costly, slots
from api.redaction import Visibility, body_strings, people_of, redact
from api.security import Caller, clean_text
from api.settings import get_settings
from graph.errors import StoreUnavailable
from graph.store import GraphStore

__all__ = ["Guard", "REFUSED"]


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


class Guard:
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
                if settings.rate_limit_per_second > 0 and buckets.take(
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
            if not slots.take(held, settings.costly_per_token, settings.costly_total):
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
                slots.give(held)

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
                labels = await _labels_of(vis.store, body_strings(body, named))
                if vis.everything:
                    people |= people_of(labels)
                else:
                    data, kept, _ = redact(json.loads(body), vis, scope["path"], labels)
                    people |= kept
                    body = json.dumps(data, ensure_ascii=False).encode()
            elif named:
                people |= people_of(await _labels_of(vis.store, set(named)))
        except StoreUnavailable as e:  # nothing unredacted leaves
            status, body = 503, json.dumps({"detail": str(e)}).encode()
            start = {**start, "status": 503}
            out_headers = [(b"content-type", b"application/json"), (b"retry-after", b"5")]
        out_headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": out_headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        if people or scope["method"] not in ("GET", "HEAD") or status in REFUSED:
            _audit(scope, headers, caller, people, status)
