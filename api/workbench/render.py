"""Templates: one Jinja2 environment, HTML escaped everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.workbench.text import TEXT, Lang, t

__all__ = ["render", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False)  # for data- attributes
_env.filters["pct"] = lambda v: f"{v * 100:.1f}%" if v is not None else "—"
_env.filters["num"] = lambda v: "—" if v is None else (
    f"{v:,.2f}" if isinstance(v, float) else f"{v:,}")


def render(name: str, lang: Lang, status: int = 200, **context: Any) -> HTMLResponse:
    """``name`` rendered in ``lang`` (``t(key)`` in a template is that language's word)."""
    html = _env.get_template(name).render(
        lang=lang, other="en" if lang == "zh" else "zh",
        t=lambda key, **kw: t(lang, key, **kw), words=TEXT[lang], **context)
    return HTMLResponse(html, status_code=status)
