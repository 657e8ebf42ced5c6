"""Masking of personal data, driven by the schema's ``sensitive`` flag.

ID number → ``440306********1234``; phone → ``138****5678``; birth date → an age band
today; address → its community part only (up to 社区/村, else ``***``). Any other
sensitive property → ``***``.

A band is all a masked caller may learn of a birth date, so a query that compares a
birth date with a caller's parameter compares the band instead (:func:`age_band`; the
pairing's "aged 35 or less" is a band's top, 35, so the band answers it exactly).

A person's link to a building (:data:`HOME_TYPES`: where they live, the building they
head) is their address to the building, so a masked caller sees it only as far as the
address mask allows: the community (the API leaves these links out of neighbourhoods,
paths and chains for every role but admin).

>>> mask_value("id_number", "440306199001011234", "2026-01-01")
'440306********1234'
>>> mask_value("phone", "13812345678", "2026-01-01")
'138****5678'
>>> mask_value("birth_date", "1990-05-01", "2026-01-01")
'25-35岁'
>>> mask_value("address", "新桥街道上星社区上星路88号", "2026-01-01")
'新桥街道上星社区***'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.model import Node
from graph.schema import Schema

__all__ = ["mask_value", "mask_properties", "AGE_BANDS", "BAND_TOPS", "age_band",
           "HOME_TYPES"]

#: the youth age of the party's rules (35, docs/domain.md §5.3) is a band's top
AGE_BANDS = ((0, 17), (18, 24), (25, 35), (36, 44), (45, 54), (55, 64), (65, 200))
#: the ages a masked caller may ask "aged this or less" about: the bands' tops
BAND_TOPS = tuple(hi for _, hi in AGE_BANDS[:-1])
#: relationships from a person to the building that is (or is near) their home
HOME_TYPES = ("LIVES_IN", "HEADS")


def _age(birth: str, today: str) -> int | None:
    try:
        b, t = dt.date.fromisoformat(birth), dt.date.fromisoformat(today)
    except ValueError:
        return None
    return t.year - b.year - ((t.month, t.day) < (b.month, b.day))


def age_band(birth: str | None, today: str) -> tuple[int, int] | None:
    """The band of the age on ``today`` (``None`` for a missing or bad date).

    >>> age_band("1990-05-01", "2026-01-01"), age_band("1990-05-01", "2025-01-01")
    ((25, 35), (25, 35))
    """
    age = _age(birth, today) if birth else None
    if age is None:
        return None
    return next(((lo, hi) for lo, hi in AGE_BANDS if lo <= age <= hi), None)


def mask_value(name: str, value: Any, today: str) -> Any:
    if value is None:
        return None
    s = str(value)
    if name == "id_number":
        return s[:6] + "*" * max(0, len(s) - 10) + s[-4:] if len(s) > 10 else "***"
    if name == "phone":
        return s[:3] + "****" + s[-4:] if len(s) >= 11 else "***"
    if name == "birth_date":
        band = age_band(s, today)
        if band is None:
            return "***"
        lo, hi = band
        return f"{lo}岁以上" if hi >= 200 else f"{lo}-{hi}岁"
    if name == "address":
        for mark in ("社区", "村"):
            i = s.find(mark)
            if i >= 0:
                return s[: i + len(mark)] + "***"
        return "***"
    return "***"


def mask_properties(schema: Schema, node: Node, today: str | None = None) -> dict[str, Any]:
    """The node's properties with every sensitive one masked."""
    day = today or dt.date.today().isoformat()
    sensitive = schema.sensitive_properties(node.labels)
    return {k: (mask_value(k, v, day) if k in sensitive else v)
            for k, v in node.properties.items()}
