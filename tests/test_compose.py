"""docker-compose.yml agrees with the settings and with the Neo4j the tests run.
(No Docker engine here: the file is checked, not started.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from api.settings import Settings as ApiSettings
from graph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def test_neo4j_image_is_the_tested_version() -> None:
    pom = (ROOT / "scripts" / "neo4j" / "pom.xml").read_text(encoding="utf-8")
    tested = re.search(r"<neo4j.version>(\d+)\.(\d+)\.\d+</neo4j.version>", pom)
    assert tested is not None
    image = compose()["services"]["neo4j"]["image"]
    assert image == f"neo4j:{tested[1]}.{tested[2]}-community"


def test_api_env_names_exist_in_settings() -> None:
    env = compose()["services"]["api"]["environment"]
    fields = {f"GOVGRAPH_{name.upper()}" for name in
              [*Settings.model_fields, *ApiSettings.model_fields]}
    assert set(env) <= fields, set(env) - fields
    assert env["GOVGRAPH_STORE"].startswith("bolt://neo4j:")
    # the API's user and password are the ones Neo4j's NEO4J_AUTH sets
    auth = compose()["services"]["neo4j"]["environment"]["NEO4J_AUTH"]
    user, password = auth.split("/", 1)
    assert env["GOVGRAPH_NEO4J_USER"] == user and env["GOVGRAPH_NEO4J_PASSWORD"] == password
    assert "${NEO4J_PASSWORD" in password
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^NEO4J_PASSWORD=.{8,}$", example, re.M)


def test_neo4j_memory_is_set_from_the_env_with_defaults() -> None:
    env = compose()["services"]["neo4j"]["environment"]
    assert env["NEO4J_server_memory_heap_max__size"] == "${NEO4J_HEAP:-1G}"
    assert env["NEO4J_server_memory_pagecache_size"] == "${NEO4J_PAGECACHE:-512M}"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^# NEO4J_HEAP=\d+G$", example, re.M)
    assert re.search(r"^# NEO4J_PAGECACHE=\d+G$", example, re.M)


def test_api_is_built_and_waits_for_neo4j() -> None:
    api = compose()["services"]["api"]
    assert api["build"] == "."
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "neo4j-data:/data" in compose()["services"]["neo4j"]["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "govgraph serve --host 0.0.0.0 --port 8000" in dockerfile
    assert api["ports"] == ["127.0.0.1:8000:8000"]
