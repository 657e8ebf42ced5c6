"""The schema as data: labels and relationship types with their Chinese names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.deps import StoreDep
from api.policy import EVERY_ROLE, allow

router = APIRouter(tags=["schema"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/schema")
def get_schema_doc(store: StoreDep) -> dict[str, Any]:
    """Every label (Chinese and English name, properties, style) and relationship type
    (allowed start and end labels, properties), straight from the schema files."""
    return store.schema.public()
