"""Fixtures the loaders' modules share: ``street``, the tiny street in an embedded store
(the roster modules), and ``run``, the scenario generated once per module (the scenario
modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from tests.graphs import tiny_street
from tests.loaders.scenario_helpers import Run, make_run


@pytest.fixture
def street(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "g.db")
    s.upsert(*tiny_street())
    return s


@pytest.fixture(scope="module")
def run() -> Run:
    return make_run()
