"""The API's settings apart from the store's (issue 16)."""

from __future__ import annotations

import pytest

from api import settings as api_settings
from graph import settings as store_settings

#: the API's settings the CLI still reads through graph.settings (to go once it reads
#: api.settings)
COMPAT = ("host", "port", "security_db")


def test_the_store_settings_hold_no_http_setting() -> None:
    http = set(api_settings.Settings.model_fields) - set(COMPAT)
    assert not http & set(store_settings.Settings.model_fields)
    assert "store" not in api_settings.Settings.model_fields


def test_the_compatible_names_match_the_apis() -> None:
    for name in COMPAT:
        assert (store_settings.Settings.model_fields[name].default
                == api_settings.Settings.model_fields[name].default), name


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
