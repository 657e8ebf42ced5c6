"""Every label and relationship type a ``.cypher`` file names exists in the schema.

Cypher takes a misspelt label as a label nobody has: the query runs and finds nothing,
so a rename in the schema YAML would silently empty a Neo4j answer. This test reads
each query as the store runs it (macros expanded, comments gone) and checks the names.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from graph.cypher import load_cypher
from graph.schema import get_schema
from tests.conftest import ROOT

#: the store's own labels, outside the governance schema (graph/neo4j_store.py)
STORE_LABELS = frozenset({"GovNode", "GovMeta"})

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_COMMENT = re.compile(r"(?m)//.*$")
#: ``(n:A:B)``, ``WHERE n:A``, ``[r:T|U]``, ``-[:T]->``: a name right after ':' or '|'
_NAMED = re.compile(r"[:|][ \t]*([A-Za-z_][A-Za-z0-9_]*)")
#: ``type(r) = 'MEMBER_OF'``: a relationship type as a string
_TYPE_STRING = re.compile(r"'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})'")
#: ``{id: $id}``, ``{since: x}``: map keys are followed by ': ' — not names
_MAP_KEY = re.compile(r"\b[a-z_][A-Za-z0-9_]*\s*:\s")


def names_in(text: str) -> set[str]:
    """The labels and types a query's text names."""
    no_comments = _COMMENT.sub("", text)
    types = set(_TYPE_STRING.findall(no_comments))
    bare = _MAP_KEY.sub(" ", _STRING.sub("''", no_comments))
    bare = re.sub(r"\{\{[a-z_]+\}\}", "", bare)  # slots: filled from the schema at run time
    return types | {n for n in _NAMED.findall(bare) if not n.islower()}


def test_the_reader_finds_names_where_cypher_puts_them() -> None:
    text = ("MATCH (b:Branch:PartyOrg {id: $id})<-[m:MEMBER_OF|HOLDS_POST]-(p)\n"
            "// a comment naming :Nothing\n"
            "WHERE p:PartyMember AND type(m) = 'COVERS' AND p.name = 'Not:Label'\n"
            "RETURN {since: m.since, n: {{labels}}}")
    assert names_in(text) == {"Branch", "PartyOrg", "MEMBER_OF", "HOLDS_POST", "PartyMember",
                              "COVERS"}


CYPHER_FILES = subprocess.run(["git", "ls-files", "*.cypher"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.split()


def test_every_cypher_file_is_checked() -> None:
    assert {"graph/neo4j_store.cypher", "queries/middle_weakening.cypher",
            "queries/pairing.cypher"} <= set(CYPHER_FILES)


@pytest.mark.parametrize("path", CYPHER_FILES)
def test_labels_and_types_exist_in_the_schema(path: str) -> None:
    schema = get_schema()
    known = set(schema.labels) | set(schema.relationships) | STORE_LABELS
    unknown = {f"{q.name}: {n}" for q in load_cypher(ROOT / path).values()
               for n in names_in(q.text) if n not in known}
    assert not unknown, f"{path} names what the schema does not have: {sorted(unknown)}"


def test_a_misspelt_label_is_caught() -> None:
    schema = get_schema()
    known = set(schema.labels) | set(schema.relationships) | STORE_LABELS
    assert names_in("MATCH (b:Brnach)-[:SUB_ORG_OF]->(c) RETURN b") - known == {"Brnach"}
