"""Query parameters whose values are the schema's names: enums in the OpenAPI document,
so an API consumer (and Schemathesis) sees every allowed label and relationship type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from graph.masking import BAND_TOPS
from graph.schema import get_schema

__all__ = ["LabelName", "RelType", "values", "Day", "YoungAge"]

_schema = get_schema()
LabelName = Enum("LabelName", {n: n for n in _schema.labels}, type=str)  # type: ignore[misc]
RelType = Enum("RelType", {n: n for n in _schema.relationships}, type=str)  # type: ignore[misc]


def values(items: Sequence[Enum] | None) -> list[str] | None:
    """Enum members back to the names the queries take."""
    return [str(i.value) for i in items] if items is not None else None


def _iso_date(v: object) -> object:
    """Dates only as YYYY-MM-DD text of 1900-2099 (pydantic alone would take 0 as
    1970-01-01, and year 1 breaks date arithmetic)."""
    if isinstance(v, dt.date) and 1900 <= v.year <= 2099:
        return v
    if not isinstance(v, str) or not re.fullmatch(_PATTERN, v):
        raise ValueError("must be a date YYYY-MM-DD between 1900 and 2099")
    return v


_PATTERN = "(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"
#: a date parameter or field: YYYY-MM-DD in 1900-2099, nothing else
Day = Annotated[dt.date, BeforeValidator(_iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": f"^{_PATTERN}$"})]



def _band_top(v: int) -> int:
    """An age band's top (a query string's "35" is text: a Literal of ints refuses it)."""
    if v not in BAND_TOPS:
        raise ValueError(f"must be an age band's top ({', '.join(map(str, BAND_TOPS))})")
    return v


#: pairing's ``young_age`` in a query: only an age band's top, so no threshold finer
#: than the masked band (issue 14's birth-date oracle); the tops in the OpenAPI schema
YoungAge = Annotated[int, AfterValidator(_band_top),
                     WithJsonSchema({"type": "integer", "enum": list(BAND_TOPS)})]
