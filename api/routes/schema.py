"""The schema as data: labels and relationship types with their Chinese names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.auth import EVERY_ROLE, allow
from api.deps import StoreDep

router = APIRouter(tags=["schema"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/schema")
def get_schema_doc(store: StoreDep) -> dict[str, Any]:
    """Every label (Chinese and English name, properties, style) and relationship type
    (allowed start and end labels, properties), straight from the schema files."""
    return store.schema.public()
