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


SCENARIO_DAY = "2026-06-30"


@pytest.fixture(scope="session")
def xinqiao_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Xinqiao scenario (5,000 residents) in an embedded store file, built once."""
    import datetime as dt

    from loaders.xinqiao import XinqiaoScenario, load_scenario

    path = tmp_path_factory.mktemp("xinqiao") / "xinqiao.db"
    with EmbeddedStore(path) as s:
        load_scenario(s, scenario=XinqiaoScenario(residents=5_000, seed=7,
                                                  as_of=dt.date.fromisoformat(SCENARIO_DAY)))
    return path


@pytest.fixture(scope="session")
def xinqiao(xinqiao_path: Path) -> Iterator[GraphStore]:
    """The small scenario, opened read-only (tests must not change it)."""
    s = EmbeddedStore(xinqiao_path, read_only=True)
    yield s
    s.close()
