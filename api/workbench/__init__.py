"""The organisation department's workbench (工作台): server-rendered pages over the API.

- :mod:`api.workbench.pages` — the page shells (``/workbench/...``) and their static
  files: no data in them, open without a token like the explorer's page;
- :mod:`api.workbench.fragments` — the pages' content (``/api/v1/workbench/...``), one
  module a page, HTML rendered from the JSON API's answers asked in-process as the caller
  (:mod:`api.workbench.internal`), so a page shows no more than the JSON would;
- ``templates/`` (Jinja2) and ``static/`` (htmx and ECharts, vendored and pinned, with
  their licences; the workbench's own script and style sheet);
- :mod:`api.workbench.text` — every word in Chinese and English (each page's in
  :mod:`api.workbench.words`); :mod:`api.workbench.common` — what page modules share.
"""
