"""Geometry on the street's map: GeoJSON in WGS 84 (longitude, latitude) stored, areas
and intersections computed in metres.

The projection is a local equirectangular one centred on Xinqiao Street: at a few
kilometres its error is far below a rounding of areas to square metres. Boundaries
come in as WKT or GeoJSON (:func:`parse_geometry`) and are stored as GeoJSON text.

>>> a, b = to_lonlat(box(0, 0, 1000, 1000)), to_lonlat(box(500, 0, 1500, 1000))
>>> round(area_km2(a), 6), round(area_km2(a.intersection(b)), 6)
(1.0, 0.5)
"""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
import shapely.wkt
from shapely.errors import ShapelyError
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = ["ORIGIN", "to_metres", "to_lonlat", "area_km2", "geojson", "from_geojson",
           "parse_geometry", "box"]

#: the projection's centre: Xinqiao Street, Bao'an, Shenzhen (lon, lat)
ORIGIN = (113.835, 22.725)
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(ORIGIN[1]))


def to_metres(g: BaseGeometry) -> BaseGeometry:
    """Longitude/latitude to metres east and north of :data:`ORIGIN`."""
    return shapely.transform(g, lambda xy: (xy - ORIGIN) * (_M_PER_DEG_LON, _M_PER_DEG_LAT))


def to_lonlat(g: BaseGeometry) -> BaseGeometry:
    """Metres east and north of :data:`ORIGIN` to longitude/latitude."""
    return shapely.transform(g, lambda xy: xy / (_M_PER_DEG_LON, _M_PER_DEG_LAT) + ORIGIN)


def area_km2(g: BaseGeometry) -> float:
    """The area of a longitude/latitude geometry in km²."""
    return float(to_metres(g).area) / 1e6


def geojson(g: BaseGeometry) -> str:
    """A longitude/latitude geometry as the GeoJSON text ``geojson`` properties hold
    (coordinates to 7 decimals, ~1 cm)."""
    # pointwise: rounding what geojson() wrote changes nothing (the default mode turns
    # rings to a new start vertex each time); GEOS repairs only what rounding broke
    r = shapely.set_precision(g, 1e-7, mode="pointwise")
    if not r.is_valid:
        r = shapely.set_precision(g, 1e-7)
    return json.dumps(mapping(r), separators=(",", ":"))


def from_geojson(raw: Any) -> BaseGeometry:
    """A stored ``geojson`` property (text or object) as a geometry in metres."""
    return to_metres(shape(json.loads(raw) if isinstance(raw, str) else raw))


def parse_geometry(raw: Any) -> str:
    """A boundary as given (WKT or GeoJSON text, or a GeoJSON object; longitude/latitude
    in WGS 84) as the GeoJSON text :func:`geojson` writes; ValueError saying what is
    wrong.

    >>> parse_geometry("POLYGON ((113.83 22.72, 113.84 22.72, 113.84 22.73, 113.83 22.72))")
    '{"type":"Polygon","coordinates":[[[113.83,22.72],[113.84,22.72],[113.84,22.73],[113.83,22.72]]]}'
    >>> parse_geometry("LINESTRING (113.83 22.72, 113.84 22.72)")
    Traceback (most recent call last):
    ...
    ValueError: is not a polygon: WKT or GeoJSON POLYGON/MULTIPOLYGON expected (got LineString)
    """
    try:
        if isinstance(raw, str):
            text = raw.strip()
            g = shape(json.loads(text)) if text.startswith("{") else shapely.wkt.loads(text)
        else:
            g = shape(raw)
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        g, got = None, f" ({e})" if isinstance(e, ShapelyError) else ""
    if g is None or g.geom_type not in ("Polygon", "MultiPolygon") or g.is_empty:
        if g is not None:
            got = f" (got {'empty ' if g.is_empty else ''}{g.geom_type})"
        raise ValueError(f"is not a polygon: WKT or GeoJSON POLYGON/MULTIPOLYGON expected{got}")
    g = shapely.force_2d(g)
    x0, y0, x1, y1 = g.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):  # also NaN
        raise ValueError("has coordinates outside the lon/lat range (WGS 84: longitude "
                         "-180 to 180 first, then latitude -90 to 90)")
    if not g.is_valid:
        why, _, at = shapely.is_valid_reason(g).partition("[")
        where = f" at {at.rstrip(']')}" if at else ""
        raise ValueError(f"is not a valid polygon ({why.lower()}{where})")
    return geojson(g)
