"""Counts of the graph, with the schema's Chinese display names.

>>> import tempfile, os
>>> from graph.embedded import EmbeddedStore
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert([{"id": "g1", "labels": ["Grid"], "properties": {"name": "一格", "kind": "base"}},
...               {"id": "p1", "labels": ["BuildingHead", "ShopManager"],
...                "properties": {"name": "张三"}}])
>>> st = graph_stats(s)
>>> st.grids_by_kind[0].kind, st.grids_by_kind[0].count, st.two_heads_two_staff
('base', 1, 1)
"""

from __future__ import annotations

from pydantic import BaseModel

from graph.store import GraphReader

__all__ = ["LabelCount", "TypeCount", "GridKindCount", "GraphStats", "graph_stats",
           "TWO_HEADS_TWO_STAFF"]

#: The four "two heads, two staff" (两长两员) roles.
TWO_HEADS_TWO_STAFF = ("BuildingHead", "ShopManager", "PropertyStaff", "SecurityGuard")


class LabelCount(BaseModel):
    label: str
    name_zh: str
    name_en: str
    count: int


class TypeCount(BaseModel):
    type: str
    name_zh: str
    name_en: str
    count: int


class GridKindCount(BaseModel):
    kind: str
    name_zh: str
    count: int


class GraphStats(BaseModel):
    nodes: int
    relationships: int
    labels: list[LabelCount]
    relationship_types: list[TypeCount]
    grids_by_kind: list[GridKindCount]
    two_heads_two_staff: int


def graph_stats(store: GraphReader) -> GraphStats:
    """Counts per label (every label in the schema, zeros included) and per type."""
    schema = store.schema
    c = store.counts()
    labels = [
        LabelCount(label=name, name_zh=d.name_zh, name_en=d.name_en,
                   count=c.labels.get(name, 0))
        for name, d in schema.labels.items()
    ]
    types = [
        TypeCount(type=name, name_zh=d.name_zh, name_en=d.name_en,
                  count=c.relationships.get(name, 0))
        for name, d in schema.relationships.items()
    ]
    kind_def = schema.labels["Grid"].properties["kind"]
    by_kind = dict.fromkeys(kind_def.enum or {}, 0)
    for g in store.nodes("Grid"):
        k = str(g.properties.get("kind"))
        by_kind[k] = by_kind.get(k, 0) + 1
    grids = [
        GridKindCount(kind=k, name_zh=(kind_def.enum or {}).get(k, k), count=n)
        for k, n in by_kind.items()
    ]
    return GraphStats(nodes=c.nodes, relationships=c.rels, labels=labels,
                      relationship_types=types, grids_by_kind=grids,
                      two_heads_two_staff=store.count_any(TWO_HEADS_TWO_STAFF))
