"""Authentication, authorisation, limits and the audit trail of the API: the map, and
the one call that wires them into an app (:func:`install`).

* :mod:`api.policy`: who may call what. Every route but ``/health*`` takes a bearer
  token (``get_caller``: 401 without a valid one, 429 past the token's rate); each
  router, or route, declares the roles it lets through, ``Depends(allow(...))`` (403
  otherwise); a route that declares none is refused for every role (deny by default);
  a node id the caller may not see answers 404, as one that does not exist.
* :mod:`api.redaction`: what a caller may see of an answer (``Visibility``, a
  community's scope) and the redaction of answers for it.
* :mod:`api.guard`: the ASGI middleware. Token check before a byte of the body is
  read, body caps, costly-request slots, deny by default for routes mounted without
  the token check, redaction of JSON answers, the audit record of every answer naming
  a person, every change and every refusal, security headers.
* :mod:`api.limits`: the rate buckets and costly-request slots the two above share.
* :mod:`api.security`: the token and audit stores.

``api/THREAT_MODEL.md`` says who can learn what, and which test holds each line.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.guard import Guard

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the middleware that redacts answers and writes the audit trail."""
    app.add_middleware(Guard)
