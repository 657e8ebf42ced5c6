"""Schemathesis against the OpenAPI document: every operation, all checks (server
errors, status codes, content types, response schemas, schema-valid requests accepted
and schema-violating ones refused, auth ignored …), a fixed seed, authenticated as an
admin (writes included), a community and a consumer."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import schemathesis
from hypothesis import HealthCheck, seed, settings

from api.app import create_app
from api.security import SecurityStore
from graph.embedded import EmbeddedStore
from tests.graphs import two_communities

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase, OpenApiSchema

_dir = Path(tempfile.mkdtemp(prefix="govgraph-schemathesis-"))
_store = EmbeddedStore(_dir / "g.db")
_store.upsert(*two_communities())
_security = SecurityStore(_dir / "security.db")
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def _schema(role: str) -> OpenApiSchema:
    """The app's schema, every request authenticated with a fresh token of ``role``."""
    token = _security.create_token(role, "cA" if role == "community" else None,
                                   label=f"schemathesis {role}")[0]
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_store, _security))

    @schema.auth()
    class Bearer:
        def get(self, case: OpenApiCase, ctx: schemathesis.AuthContext) -> str:
            return token

        def set(self, case: OpenApiCase, data: str, ctx: schemathesis.AuthContext) -> None:
            case.headers["Authorization"] = f"Bearer {data}"  # as schemathesis's own

    return schema


admin, community, consumer = _schema("admin"), _schema("community"), _schema("consumer")


@admin.parametrize()
@seed(20261129)
@FUZZ
def test_api_as_admin(case: OpenApiCase) -> None:
    case.call_and_validate()


@community.parametrize()
@seed(20261129)
@FUZZ
def test_api_as_community(case: OpenApiCase) -> None:
    case.call_and_validate()


@consumer.parametrize()
@seed(20261129)
@FUZZ
def test_api_as_consumer(case: OpenApiCase) -> None:
    case.call_and_validate()
