"""The HTTP API's settings (pydantic-settings; environment prefix ``GOVGRAPH_``): where it
listens, what it accepts, who may call and how often. The store's own settings are in
:mod:`graph.settings`.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.settings import Settings as StoreSettings
from graph.settings import get_settings as store_settings

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVGRAPH_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
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


_loaded: tuple[StoreSettings, Settings] | None = None


def get_settings() -> Settings:
    """The API's settings, read once, and read again whenever the store's are
    (``graph.settings.get_settings.cache_clear()``): one switch re-reads every setting,
    as ``govgraph serve --store`` and the tests that change the environment expect."""
    global _loaded
    base = store_settings()
    loaded = _loaded
    if loaded is None or loaded[0] is not base:
        loaded = _loaded = (base, Settings())
    return loaded[1]
