"""The workbench's pages read the JSON API in-process, as the caller.

A fragment is rendered from the answer of one JSON route, asked through the whole
application with the caller's own ``Authorization`` header: the same token check,
role policy, community scope, redaction and audit record as if the browser had asked
for the JSON itself. The HTML can therefore show no more than the JSON would, and the
templates hold no access rule of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.types import Message

__all__ = ["Answer", "call_json"]

#: request headers passed on to the JSON route (the token, why, the language)
_PASSED = (b"authorization", b"x-purpose", b"accept-language")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the parsed JSON, or None
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str:
        d = self.body.get("detail") if isinstance(self.body, dict) else None
        return d if isinstance(d, str) else f"HTTP {self.status}"


async def call_json(request: Request, method: str, path: str,
                    params: dict[str, Any] | None = None, body: Any = None) -> Answer:
    """``method path?params`` (with a JSON ``body``) answered by this application for the
    caller of ``request``."""
    query = urlencode([(k, v) for k, v in (params or {}).items() if v not in (None, "")],
                      doseq=True)
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [(k, v) for k, v in request.scope["headers"] if k in _PASSED]
    headers.append((b"accept", b"application/json"))
    if body is not None:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": request.scope.get("scheme", "http"),
        "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "headers": headers,
        "client": request.scope.get("client"), "server": request.scope.get("server"),
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    status = 500
    got: dict[str, str] = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            got.update((k.decode("latin-1").lower(), v.decode("latin-1"))
                       for k, v in message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)
    raw = b"".join(chunks)
    parsed: Any = None
    if got.get("content-type", "").startswith("application/json") and raw:
        parsed = json.loads(raw)
    return Answer(status, parsed, got)
