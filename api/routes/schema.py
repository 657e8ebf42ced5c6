"""The schema as data: labels and relationship types with their Chinese names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(prefix="/api/v1", tags=["schema"])


@router.get("/schema")
def get_schema_doc(store: StoreDep) -> dict[str, Any]:
    """Every label (Chinese and English name, properties, style) and relationship type
    (allowed start and end labels, properties), straight from the schema files."""
    return store.schema.public()
