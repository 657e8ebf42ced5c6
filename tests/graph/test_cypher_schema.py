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


def _package_sources() -> list[str]:
    out = subprocess.run(["git", "ls-files", "graph/*.py", "queries/*.py", "api/*.py",
                          "loaders/*.py"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return [p for p in out if (ROOT / p).exists()]


def built_text(source: str) -> list[str]:
    """Where a module hands the driver a query text built in Python (an f-string,
    ``+``, ``%`` or ``.format``) or casts to ``LiteralString`` itself."""
    import ast

    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "run" and node.args:
            arg = node.args[0]
            built = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
                and arg.func.attr == "format")
            if built:
                found.append(f"line {node.lineno}: run() of a built text")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "cast" and node.args \
                and "LiteralString" in ast.unparse(node.args[0]):
            found.append(f"line {node.lineno}: cast to LiteralString")
    return found


def test_query_text_only_from_cypher_files() -> None:
    """The README's promise: labels and types in query text come only from the schema,
    values are always parameters. Text reaches the driver only from a ``.cypher`` file
    through graph/cypher.py, the one place that makes it a ``LiteralString``."""
    offenders = {p: f for p in _package_sources() if p != "graph/cypher.py"
                 if (f := built_text((ROOT / p).read_text(encoding="utf-8")))}
    assert not offenders
    assert built_text((ROOT / "graph/cypher.py").read_text(encoding="utf-8")) != []


def test_a_built_query_text_is_caught() -> None:
    assert built_text("tx.run(f'MATCH (n:{label}) RETURN n')\n") == [
        "line 1: run() of a built text"]
    assert built_text("session.run('MATCH (n) WHERE n.id = ' + x)\n") == [
        "line 1: run() of a built text"]
    assert built_text("tx.run(Q['get'].literal, {'id': x})\n") == []
