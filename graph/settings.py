"""Every setting in one place (pydantic-settings; environment prefix ``GOVGRAPH_``)."""

from __future__ import annotations

import functools

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
    #: largest roster upload the API accepts (MB); bigger files: the CLI
    max_upload_mb: int = 100
    #: largest other request body (MB)
    max_body_mb: int = 1
    #: tokens and the audit log (SQLite, kept apart from the graph)
    security_db: str = "./data/security.db"
    #: requests per second per token (0: no limit), and the burst allowed
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    #: costly requests (pairing proposals, .xlsx reports, depth-3 neighbourhoods,
    #: explorer exports) at once per token, and in all; past either: 429
    costly_per_token: int = 2
    costly_total: int = 4
    host: str = "127.0.0.1"
    port: int = 8000


@functools.cache
def get_settings() -> Settings:
    return Settings()
