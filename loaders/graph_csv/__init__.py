"""The graph as CSV in neo4j-admin import's header convention, both ways.

One file per node label (``nodes_<Label>.csv``: ``id:ID``, ``:LABEL`` with every
label ``;``-separated, typed property columns such as ``joined_party_on:date``)
and one per relationship type (``rels_<TYPE>.csv``: ``:START_ID``, ``:END_ID``,
``:TYPE``, ``id`` and the properties). ``:LABEL`` includes ``GovNode``, the label
the Neo4j backend gives every node, so ``neo4j-admin database import full`` of an
export makes a database govgraph opens as it is (``scripts/neo4j-server import``).

Loading reads any neo4j-admin-style CSV: node files are told by an ``:ID`` column,
relationship files by ``:START_ID``/``:END_ID``; types ``string int long short byte
float double boolean date``; ``:IGNORE`` columns skipped. Values follow the schema's
rules whatever the column's type says, as on every path (graph/values.py): a hand
edit may say 男, 基础网格, 是 or 2026/11/26, and an ID number Excel turned into
5.11025E+17 is refused. Everything is checked against the schema and the stored graph
before anything is written (pass 1 keeps only ids, labels and ID numbers); pass 2
writes in batches through the store's write path, which merges into what is stored
(a person is found by ID number; an empty field keeps the stored value; ``replace``
makes the files' items exactly what is stored). A boundary (``geometry``) may be
GeoJSON text or WKT; it is stored and exported as GeoJSON.

Modules: :mod:`~loaders.graph_csv.convention` (the header convention and cell escaping),
:mod:`~loaders.graph_csv.export`, :mod:`~loaders.graph_csv.load`.
"""

from loaders.graph_csv.convention import BASE_LABEL, header_field, neutralise, restore
from loaders.graph_csv.export import export_graph_csv
from loaders.graph_csv.load import load_graph_csv

__all__ = ["BASE_LABEL", "export_graph_csv", "header_field", "load_graph_csv", "neutralise",
           "restore"]
