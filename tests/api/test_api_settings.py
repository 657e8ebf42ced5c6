"""The API's settings apart from the store's (issue 16)."""

from __future__ import annotations

import pytest

from api import settings as api_settings
from graph import settings as store_settings


def test_the_store_settings_hold_no_http_setting() -> None:
    http = set(api_settings.Settings.model_fields)
    assert not http & set(store_settings.Settings.model_fields)
    assert {"host", "port", "security_db", "max_body_mb"} <= http
    assert "store" not in api_settings.Settings.model_fields


def test_clearing_the_store_settings_rereads_the_apis(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    before = api_settings.get_settings()
    assert api_settings.get_settings() is before  # read once
    monkeypatch.setenv("GOVGRAPH_MAX_BODY_MB", "7")
    store_settings.get_settings.cache_clear()
    try:
        assert api_settings.get_settings().max_body_mb == 7
    finally:
        monkeypatch.delenv("GOVGRAPH_MAX_BODY_MB")
        store_settings.get_settings.cache_clear()
    assert api_settings.get_settings().max_body_mb == before.max_body_mb
