"""The store's settings (pydantic-settings; environment prefix ``GOVGRAPH_``): which
store, and how to reach a Neo4j server. The HTTP API's are in ``api/settings.py``."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVGRAPH_", env_file=".env", extra="ignore")

    #: A file path (embedded SQLite + networkx store) or a bolt:// / neo4j:// URL.
    store: str = "./data/govgraph.db"
    #: Neo4j credentials, used only when ``store`` is a Neo4j URL.
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    #: database name (None: the server's default)
    neo4j_database: str | None = None
    #: transaction timeout in seconds for every query
    neo4j_timeout: float = 30.0
    #: transaction timeout in seconds for a batch of a load and for schema commands
    neo4j_load_timeout: float = 300.0
    #: the memory (MiB) the embedded store's index may take; None: three quarters of
    #: this machine's (``graph/capacity.py``)
    embedded_memory_mb: int | None = Field(default=None, gt=0)


@functools.cache
def get_settings() -> Settings:
    return Settings()
