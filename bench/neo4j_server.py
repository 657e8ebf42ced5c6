"""Start (or reuse) a Neo4j for a benchmark, with scripts/neo4j-server."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def neo4j(uri: str | None = None, password: str | None = None, heap: str = "2g",
          pagecache: str = "2g") -> Iterator[tuple[str, str]]:
    """(uri, password): the given server, or a fresh one stopped afterwards."""
    if uri:
        yield uri, password or os.environ.get("GOVGRAPH_NEO4J_PASSWORD", "govgraph-test")
        return
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, GOVGRAPH_NEO4J_HOME=home, GOVGRAPH_NEO4J_HEAP=heap,
                   GOVGRAPH_NEO4J_HEAP_INITIAL=heap, GOVGRAPH_NEO4J_PAGECACHE=pagecache)
        started = subprocess.run([str(ROOT / "scripts" / "neo4j-server"), "start"], env=env,
                                 capture_output=True, text=True, check=True)
        try:
            yield (started.stdout.strip().splitlines()[-1],
                   (Path(home) / "password").read_text().strip())
        finally:
            subprocess.run([str(ROOT / "scripts" / "neo4j-server"), "stop"], env=env,
                           capture_output=True, check=False)
