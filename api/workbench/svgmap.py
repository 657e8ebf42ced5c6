"""A boundary (a ``geojson`` property) as a small inline SVG map drawn on the server: the
page never carries the raw GeoJSON, and the browser needs no map library.

The outline is projected as :mod:`graph.geo` does (metres east and north of the
street's centre), fitted into the picture with its aspect kept, north up, with a scale
bar. Only numbers the server computed go into the SVG.

>>> svg = svg_map('{"type":"Polygon","coordinates":[[[113.83,22.72],[113.84,22.72],'
...               '[113.84,22.73],[113.83,22.72]]]}')
>>> svg.startswith('<svg class="map"') and 'coordinates' not in svg
True
>>> svg_map("not a boundary") is None, svg_map(None) is None
(True, True)
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from graph.geo import from_geojson

__all__ = ["svg_map", "WIDTH", "HEIGHT"]

WIDTH, HEIGHT, PAD = 320, 220, 12
#: scale bar lengths to choose from, in metres
_BARS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


def _polygons(g: BaseGeometry) -> list[Polygon]:
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return list(g.geoms)
    return []


def _bar(metres: float) -> int:
    """The longest round length at most a third of ``metres``."""
    return max((b for b in _BARS if b <= metres / 3), default=_BARS[0])


def svg_map(raw: Any, label: str = "") -> Markup | None:
    """The boundary ``raw`` (GeoJSON text or object, longitude/latitude) as an SVG
    element, or None when it is no polygon that can be drawn."""
    if raw is None:
        return None
    try:
        polys = _polygons(from_geojson(raw))
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    polys = [p for p in polys if not p.is_empty]
    if not polys:
        return None
    x0 = min(p.bounds[0] for p in polys)
    y0 = min(p.bounds[1] for p in polys)
    x1 = max(p.bounds[2] for p in polys)
    y1 = max(p.bounds[3] for p in polys)
    w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    scale = min((WIDTH - 2 * PAD) / w, (HEIGHT - 2 * PAD - 16) / h)
    dx = (WIDTH - w * scale) / 2
    dy = (HEIGHT - 16 - h * scale) / 2

    def ring(coords: Any) -> str:
        pts = [f"{dx + (x - x0) * scale:.1f} {dy + (y1 - y) * scale:.1f}" for x, y in coords]
        return "M" + " L".join(pts) + " Z"

    d = " ".join(ring(r.coords) for p in polys for r in (p.exterior, *p.interiors))
    bar = _bar(w)
    length = bar * scale
    text = f"{bar // 1000} km" if bar >= 1000 else f"{bar} m"
    y = HEIGHT - 8
    return Markup(
        f'<svg class="map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{Markup.escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<path d="{d}" fill="#fde68a" fill-opacity="0.6" fill-rule="evenodd" '
        f'stroke="#b45309" stroke-width="1.5"/>'
        f'<path d="M{PAD} {y} h{length:.1f}" stroke="#1f2937" stroke-width="2"/>'
        f'<text x="{PAD + length + 4:.1f}" y="{y + 4}" font-size="11" fill="#1f2937">{text}</text>'
        f'<text x="{WIDTH - PAD}" y="{PAD + 4}" font-size="11" text-anchor="end" '
        f'fill="#6b7280">N ↑</text></svg>')
