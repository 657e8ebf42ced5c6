"""The Xinqiao scenario's map (synthetic): communities tiling the street's 30 km²,
base grids partitioning each community, special grids drawn over them.

Layout (metres, the street centred on :data:`graph.geo.ORIGIN`, 7.5 km x 4 km): 新二
(12 km²) is a band on the west; east of it two rows: 新桥 上星 上寮 above, 黄埔 沙企
万丰 below, widths and row heights from the published areas, so the neighbours of
``NEIGHBOURS`` share an edge. A community's base grids are a lattice of near-equal
cells. A special grid is the box around the base grids it was planned over (plus the
nearest cells of a neighbour when it crosses), its sides moved in or out by up to a
quarter cell, as real special grids are drawn without regard to base grids.

>>> m = StreetMap()
>>> round(sum(p.area for p in m.communities.values()) / 1e6, 6)
30.0
>>> m.communities["xinqiao"].touches(m.communities["huangpu"])
True
"""

from __future__ import annotations

import math
import random

from shapely.geometry import Polygon, box
from shapely.ops import unary_union

from loaders.xinqiao.data import COMMUNITIES

__all__ = ["StreetMap"]

WIDTH, HEIGHT = 7_500.0, 4_000.0
_TOP = ("xinqiao", "shangxing", "shangliao")
_BOTTOM = ("huangpu", "shaqi", "wanfeng")


class StreetMap:
    def __init__(self, seed: int = 7) -> None:
        # its own random numbers: the rest of the scenario draws exactly as before
        self.r = random.Random(seed * 7919 + 11)
        area = {c.slug: c.area_km2 * 1e6 for c in COMMUNITIES}
        x0, y0 = -WIDTH / 2, -HEIGHT / 2
        west = area["xiner"] / HEIGHT
        self.communities: dict[str, Polygon] = {"xiner": box(x0, y0, x0 + west, y0 + HEIGHT)}
        rest = WIDTH - west
        top_h = sum(area[s] for s in _TOP) / rest
        for row, y_lo, h in ((_TOP, y0 + HEIGHT - top_h, top_h), (_BOTTOM, y0, HEIGHT - top_h)):
            x = x0 + west
            for slug in row:
                w = area[slug] / h
                self.communities[slug] = box(x, y_lo, x + w, y_lo + h)
                x += w
        self.street = box(x0, y0, x0 + WIDTH, y0 + HEIGHT)

    def cells(self, slug: str, n: int) -> list[Polygon]:
        """``n`` near-equal cells tiling a community, row by row from the north-west."""
        x0, y0, x1, y1 = self.communities[slug].bounds
        w, h = x1 - x0, y1 - y0
        rows = max(1, round(math.sqrt(n * h / w)))
        cols = math.ceil(n / rows)
        rows = math.ceil(n / cols)
        out = []
        for i in range(rows):
            count = cols if i < rows - 1 else n - cols * (rows - 1)
            top = y1 - i * h / rows
            for j in range(count):
                out.append(box(x0 + j * w / count, top - h / rows, x0 + (j + 1) * w / count,
                               top))
        return out

    def nearest(self, cells: list[Polygon], to: Polygon, k: int) -> list[int]:
        """Indexes of the ``k`` cells nearest ``to``."""
        return sorted(range(len(cells)), key=lambda i: (cells[i].distance(to), i))[:k]

    def special(self, over: list[Polygon]) -> Polygon:
        """A special grid drawn over these cells: their box, each side moved by up to a
        quarter of a cell (out by at most a tenth), kept inside the street."""
        union = unary_union(over)
        x0, y0, x1, y1 = union.bounds
        cell = math.sqrt(sum(p.area for p in over) / len(over))
        j = [self.r.uniform(-0.25, 0.1) * cell for _ in range(4)]  # drawn inside, mostly
        shape = box(x0 - j[0], y0 - j[1], x1 + j[2], y1 + j[3]).intersection(self.street)
        return shape if not shape.is_empty else union.envelope

    def free_square(self, slug: str, area_m2: float) -> Polygon:
        """A square of about ``area_m2`` in a community (a special grid planned over no
        particular base grid), kept inside the street."""
        x0, y0, x1, y1 = self.communities[slug].bounds
        side = math.sqrt(area_m2)
        # inside the community where it fits (planned for it), else centred on it
        cx = self.r.uniform(x0 + side / 2, x1 - side / 2) if side < x1 - x0 else (x0 + x1) / 2
        cy = self.r.uniform(y0 + side / 2, y1 - side / 2) if side < y1 - y0 else (y0 + y1) / 2
        return box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2).intersection(
            self.street)
