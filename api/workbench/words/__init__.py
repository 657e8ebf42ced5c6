"""Each workbench page's words: a module a page with ``ZH`` and ``EN`` (the same keys),
merged into :data:`api.workbench.text.TEXT` at import."""
