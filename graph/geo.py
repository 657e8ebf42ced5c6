"""Geometry on the street's map: GeoJSON in WGS 84 (longitude, latitude) stored, areas
and intersections computed in metres.

The projection is a local equirectangular one centred on Xinqiao Street: at a few
kilometres its error is far below a rounding of areas to square metres.

>>> a, b = to_lonlat(box(0, 0, 1000, 1000)), to_lonlat(box(500, 0, 1500, 1000))
>>> round(area_km2(a), 6), round(area_km2(a.intersection(b)), 6)
(1.0, 0.5)
"""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = ["ORIGIN", "to_metres", "to_lonlat", "area_km2", "geojson", "from_geojson", "box"]

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
    return json.dumps(mapping(shapely.set_precision(g, 1e-7)), separators=(",", ":"))


def from_geojson(raw: Any) -> BaseGeometry:
    """A stored ``geojson`` property (text or object) as a geometry in metres."""
    return to_metres(shape(json.loads(raw) if isinstance(raw, str) else raw))
