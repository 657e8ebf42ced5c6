"""Response models shared by several routers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from graph.masking import mask_properties
from graph.model import Node
from graph.schema import Schema

T = TypeVar("T")

__all__ = ["LabelPublic", "NodePublic", "Page", "node_public", "paginate"]


class LabelPublic(BaseModel):
    label: str
    name_zh: str


class NodePublic(BaseModel):
    id: str
    name: str
    label: str
    label_zh: str
    labels: list[LabelPublic]
    properties: dict[str, Any]
    property_names_zh: dict[str, str]
    masked: list[str]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def node_public(schema: Schema, node: Node, unmask: bool = False) -> NodePublic:
    """A node for a response; sensitive properties masked unless ``unmask`` (admins)."""
    label = schema.display_label(node.labels)
    pdefs = schema.node_properties(node.labels)
    props = dict(node.properties) if unmask else mask_properties(schema, node)
    masked = [] if unmask else sorted(
        k for k in node.properties if k in schema.sensitive_properties(node.labels))
    return NodePublic(
        id=node.id, name=node.name, label=label, label_zh=schema.labels[label].name_zh,
        labels=[LabelPublic(label=lab, name_zh=schema.labels[lab].name_zh)
                for lab in node.labels],
        properties=props,
        property_names_zh={k: pdefs[k].name_zh or k for k in props if k in pdefs},
        masked=masked)


def paginate(items: list[T], limit: int, offset: int) -> Page[T]:
    return Page[T](items=items[offset:offset + limit], total=len(items), limit=limit,
                   offset=offset)
