"""Roster mappings (``loaders/rosters/*.yaml``) and the conversion of one cell.

A mapping says which Chinese header fills which schema property, which column names
the other end of a relationship, and which relationships the roster is complete for.
It is checked against the schema when loaded, so a row that converts cleanly is
valid for the store by construction.

>>> m = get_mapping("党员")
>>> m.kind, m.labels, m.match_header(" 身份证号码 ").property
('party_members', ('PartyMember',), 'id_number')
>>> convert_cell(m.match_header("入党日期"), "2001年7月1日").value
'2001-07-01'
>>> convert_cell(m.match_header("入党时间"), "2009.05")
Coerced(value='2009-05-01', companions={'joined_party_on_precision': 'month'})
>>> [convert_cell(m.match_header(h), v).value for h, v in (("正式党员", "否"), ("性别", "女"))]
[False, 'female']
>>> m.match_header("序号").ignore, m.match_header("任职时间").stint_since
(True, 'MEMBER_OF')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import GraphError
from graph.schema import PropertyDef, Schema, get_schema
from graph.values import Coerced, ValueProblem, coerce, excel_date_text

__all__ = ["Column", "Mapping", "CellError", "get_mapping", "mapping_kinds",
           "convert_cell", "normalise_header", "GEOMETRY_ZH", "IGNORED_HEADERS"]

#: the mapping files (a data folder beside the package: loaders/rosters/)
ROSTER_DIR = Path(__file__).parent.parent / "rosters"
#: what a boundary cell holds (the template's 填写说明 says the same)
GEOMETRY_ZH = "WKT (POLYGON/MULTIPOLYGON) 或 GeoJSON 文本, WGS 84 经纬度"
#: columns clerks add to every sheet that say nothing about the graph: read, not used,
#: no warning
IGNORED_HEADERS = ("序号", "序", "排序", "No.", "NO", "备注", "说明")

#: a cell that does not convert: ``rule``, and the reason in both languages
CellError = ValueProblem


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Column:
    """One mapped column. Exactly one of ``property``, ``link`` or ``link_property``
    (``(TYPE, property)``) is set; ``pdef`` is the schema's definition of the value."""

    header: str
    aliases: tuple[str, ...] = ()
    property: str | None = None
    link: str | None = None
    to: tuple[str, ...] = ()
    link_property: tuple[str, str] | None = None
    required: bool = False
    default: Any = None
    sample: Any = ""
    pdef: PropertyDef | None = None
    choices: tuple[str, ...] = ()  # label_column: labels it may name
    derive: str | None = None  # id column: "person" or "name"
    prefix: str = ""
    #: the date the row's current role in this link began (任职时间 of MEMBER_OF)
    stint_since: str | None = None
    #: the date this link began, for a link new to the graph (转入日期 of MEMBER_OF)
    link_since: str | None = None
    #: headers that say the column holds only months (出生年月, 入党年月): a date cell
    #: under one of them (Excel makes 1985-07-01 of 1985.7) keeps only its month
    month_aliases: tuple[str, ...] = ()
    #: "month" for the column as read under one of its month_aliases
    precision: str | None = None
    ignore: bool = False  # a known column that fills nothing (序号)

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases, *self.month_aliases)

    def fills(self) -> tuple[Any, ...]:
        """What the column fills: 入党日期 and 入党年月 are one requirement, met by
        either."""
        return (self.property, self.link, self.link_property, self.stint_since,
                self.link_since)


@dataclass(frozen=True)
class Mapping:
    kind: str
    name_zh: str
    name_en: str
    labels: tuple[str, ...]
    subject: str  # "node" or "reference"
    id: Column
    columns: tuple[Column, ...]
    label_column: Column | None = None
    ends: tuple[str, ...] = ()
    #: link types with one current target per node: a new target ends the old one
    single: tuple[str, ...] = ()
    #: a link new to the graph without its own date began on the first of these
    #: properties the row has (MEMBER_OF: joined_party_on), else on the roster's date
    since_from: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: one row per link: the same person on several rows (a head of two buildings)
    repeat: bool = False
    _by_header: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every column a template shows, in order: id, label, the rest."""
        extra = (self.label_column,) if self.label_column else ()
        return (self.id, *extra, *(c for c in self.columns if not c.ignore))

    def match_header(self, text: Any) -> Column | None:
        """The column a header names; a note in brackets after it (身份证号码（18位）,
        入党时间（年月）) is read past."""
        key = normalise_header(text)
        col = self._by_header.get(key)
        if col is None and key.endswith(")"):
            col = self._by_header.get(_HEADER_NOTE.sub("", key))
        return col

    def link_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.link for c in self.columns if c.link))


def normalise_header(text: Any) -> str:
    """A header as typed, without spaces, line breaks, required-markers or bracket
    variants.

    >>> [normalise_header(h) for h in (" 姓 名* ", "面积（平方公里）", "入党\\n时间")]
    ['姓名', '面积(平方公里)', '入党时间']
    """
    s = str(text or "").strip().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s*＊:：]", "", s).lower()


_HEADER_NOTE = re.compile(r"\([^()]*\)$")


def _as_text(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # a phone Excel stored as a number
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def convert_cell(col: Column, v: Any) -> Coerced:
    """The property value of a non-empty cell (and its companions: a partial date's
    precision, a role's title as typed), or CellError naming the rule. The rules are
    the schema's (graph/values.py), the same on every path."""
    p = col.pdef
    assert p is not None
    if p.type == "string" and p.enum is None and p.format is None:  # the common case
        return Coerced(v.strip() if isinstance(v, str) else str(_as_text(v)).strip())
    if p.type == "string" and not (p.format == "id_number" and isinstance(v, float | int)):
        v = _as_text(v)
    if p.type == "geojson":
        try:
            return coerce(p, v)
        except ValueProblem as e:
            raise CellError("geometry", f"不是有效的边界（{GEOMETRY_ZH}）：{e.en}", e.en) from None
    if p.type == "date" and isinstance(v, int | float) and not isinstance(v, bool):
        v = excel_date_text(v)  # a date Excel keeps as a number (198507, 2009.05, a serial)
    c = coerce(p, v)
    if col.precision == "month" and p.type == "date" and not c.companions:
        # 出生年月 1985-07-01 as a date cell: the month is what the column says
        return Coerced(c.value[:7] + "-01", {f"{p.name}_precision": "month"})
    return c


def _column(raw: dict[str, Any], schema: Schema, labels: tuple[str, ...], kind: str
            ) -> Column:
    where = f"roster mapping {kind!r}, column {raw.get('header')!r}"
    to = raw.get("to") or ()
    to = (to,) if isinstance(to, str) else tuple(to)
    col = Column(header=str(raw["header"]), aliases=tuple(raw.get("aliases") or ()),
                 property=raw.get("property"), link=raw.get("link"), to=to,
                 link_property=tuple(raw["link_property"].split(".", 1))
                 if raw.get("link_property") else None,
                 required=bool(raw.get("required", False)), default=raw.get("default"),
                 sample=raw.get("sample", ""), choices=tuple(raw.get("choices") or ()),
                 derive=raw.get("derive"), prefix=str(raw.get("prefix", "")),
                 stint_since=raw.get("stint_since"), link_since=raw.get("link_since"),
                 ignore=bool(raw.get("ignore", False)),
                 month_aliases=tuple(raw.get("month_aliases") or ()))
    pdef: PropertyDef | None = None
    if col.stint_since or col.link_since:
        rdef = schema.relationships.get(col.stint_since or col.link_since or "")
        if rdef is None or "since" not in rdef.properties or (col.stint_since
                                                              and not rdef.history):
            raise GraphError(f"{where}: stint_since / link_since name a relationship type "
                             "with since (and, for stint_since, history)")
        pdef = rdef.properties["since"]
    elif col.ignore:
        pass
    elif col.property:
        props = schema.node_properties(schema.closure(labels or ("Person",)))
        if col.property not in props:
            raise GraphError(f"{where}: property {col.property!r} is not in the schema "
                             f"for {labels}")
        pdef = props[col.property]
    elif col.link:
        rdef = schema.relationships.get(col.link)
        if rdef is None or not col.to:
            raise GraphError(f"{where}: link {col.link!r} needs a schema type and `to`")
        start = schema.closure(labels or ("Person",))
        for lab in col.to:
            if not rdef.allows(start, schema.closure([lab])):
                raise GraphError(f"{where}: {col.link} from {labels} to {lab} is not allowed")
    elif col.link_property:
        rtype, prop = col.link_property
        rdef = schema.relationships.get(rtype)
        if rdef is None or prop not in rdef.properties:
            raise GraphError(f"{where}: {rtype}.{prop} is not in the schema")
        pdef = rdef.properties[prop]
    return Column(**{**col.__dict__, "pdef": pdef})


def _load(path: Path, schema: Schema) -> Mapping:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = raw["kind"]
    labels = tuple(raw.get("labels") or ())
    for lab in labels:
        if lab not in schema.labels:
            raise GraphError(f"roster mapping {kind!r}: label {lab!r} is not in the schema")
    columns = tuple(_column(c, schema, labels, kind) for c in raw["columns"])
    taken = {normalise_header(h) for c in raw["columns"]
             for h in (c["header"], *(c.get("aliases") or ()))}
    columns += tuple(Column(header=h, ignore=True) for h in IGNORED_HEADERS
                     if normalise_header(h) not in taken)
    idc = Column(header=raw["id"]["header"], aliases=tuple(raw["id"].get("aliases") or ()),
                 derive=raw["id"].get("derive"), prefix=str(raw["id"].get("prefix", "")),
                 to=tuple([raw["id"]["to"]] if raw["id"].get("to") else ()),
                 sample=raw["id"].get("sample", ""))
    lc = None
    if raw.get("label_column"):
        rl = raw["label_column"]
        lc = Column(header=rl["header"], aliases=tuple(rl.get("aliases") or ()),
                    choices=tuple(rl.get("choices") or ()),
                    required=bool(rl.get("required", False)), sample=rl.get("sample", ""))
        for lab in lc.choices:
            if lab not in schema.labels:
                raise GraphError(f"roster mapping {kind!r}: label {lab!r} is not in the schema")
    m = Mapping(kind=kind, name_zh=raw["name_zh"], name_en=raw["name_en"], labels=labels,
                subject=raw.get("subject", "node"), id=idc, columns=columns,
                label_column=lc, ends=tuple(raw.get("ends") or ()),
                single=tuple(raw.get("single") or ()),
                since_from={t: tuple(v) for t, v in (raw.get("since_from") or {}).items()},
                repeat=bool(raw.get("repeat", False)))
    for c in (*m.all_columns, *(c for c in m.columns if c.ignore)):
        if c.month_aliases and (c.pdef is None or c.pdef.type != "date"):
            raise GraphError(f"roster mapping {kind!r}: {c.header} has month_aliases but "
                             "is not a date")
        monthly = replace(c, precision="month")
        for h in c.headers():
            key = normalise_header(h)
            if key in m._by_header:
                raise GraphError(f"roster mapping {kind!r}: header {h!r} is used twice")
            m._by_header[key] = monthly if h in c.month_aliases else c
    for t, props in m.since_from.items():
        if t not in m.link_types() or any(x not in schema.node_properties(
                schema.closure(labels or ("Person",))) for x in props):
            raise GraphError(f"roster mapping {kind!r}: since_from {t}: {props} names a link "
                             "of the roster and properties of its rows")
    for t in (*m.ends, *m.single):
        if t not in m.link_types():
            raise GraphError(f"roster mapping {kind!r}: ends {t!r} without a column linking it")
        if t in m.ends and "until" not in schema.relationships[t].properties:
            raise GraphError(f"roster mapping {kind!r}: {t} has no `until`, so it cannot end")
    return m


@cache
def _all() -> dict[str, Mapping]:
    schema = get_schema()
    return {m.kind: m for m in (_load(p, schema) for p in sorted(ROSTER_DIR.glob("*.yaml")))}


def mapping_kinds() -> list[tuple[str, str, str]]:
    """(kind, Chinese name, English name) of every roster kind."""
    return [(m.kind, m.name_zh, m.name_en) for m in _all().values()]


def get_mapping(kind: str) -> Mapping:
    """The mapping of a roster kind, by its code or Chinese name."""
    for m in _all().values():
        if kind in (m.kind, m.name_zh):
            return m
    names = ", ".join(f"{k} ({zh})" for k, zh, _ in mapping_kinds())
    raise GraphError(f"unknown roster kind {kind!r}; one of: {names}")
