"""Shared fixtures. ``store`` is parametrised over every backend: a backend joins the
contract suite by adding one entry to ``BACKENDS``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore


def _embedded(tmp_path: Path) -> GraphStore:
    return EmbeddedStore(tmp_path / "contract.db")


BACKENDS: dict[str, Callable[[Path], GraphStore]] = {"embedded": _embedded}


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    s = BACKENDS[request.param](tmp_path)
    try:
        yield s
    finally:
        s.close()
