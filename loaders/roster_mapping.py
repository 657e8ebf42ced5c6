"""Roster mappings (``loaders/rosters/*.yaml``) and the conversion of one cell.

A mapping says which Chinese header fills which schema property, which column names
the other end of a relationship, and which relationships the roster is complete for.
It is checked against the schema when loaded, so a row that converts cleanly is
valid for the store by construction.

>>> m = get_mapping("党员")
>>> m.kind, m.labels, m.match_header(" 身份证号码 ").property
('party_members', ('PartyMember',), 'id_number')
>>> convert_cell(m.match_header("入党日期"), "2001年7月1日")
'2001-07-01'
>>> convert_cell(m.match_header("正式党员"), "否"), convert_cell(m.match_header("性别"), "女")
(False, 'female')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import GraphError
from graph.schema import PropertyDef, Schema, get_schema
from graph.validate import check_value

__all__ = ["Column", "Mapping", "CellError", "get_mapping", "mapping_kinds",
           "convert_cell", "normalise_header", "parse_date", "GEOMETRY_ZH"]

ROSTER_DIR = Path(__file__).parent / "rosters"
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t", "是的", "正式"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "f", "不是", "预备"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
#: what a boundary cell holds (the template's 填写说明 says the same)
GEOMETRY_ZH = "WKT (POLYGON/MULTIPOLYGON) 或 GeoJSON 文本, WGS 84 经纬度"


class CellError(Exception):
    """A cell that does not convert: ``rule``, and the reason in both languages."""

    def __init__(self, rule: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.rule, self.zh, self.en = rule, zh, en


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

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


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
    _by_header: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every column a template shows, in order: id, label, the rest."""
        extra = (self.label_column,) if self.label_column else ()
        return (self.id, *extra, *self.columns)

    def match_header(self, text: Any) -> Column | None:
        return self._by_header.get(normalise_header(text))

    def link_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.link for c in self.columns if c.link))


def normalise_header(text: Any) -> str:
    """A header as typed, without spaces, required-markers or bracket variants.

    >>> normalise_header(" 姓 名* "), normalise_header("面积（平方公里）")
    ('姓名', '面积(平方公里)')
    """
    s = str(text or "").strip().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s*＊:：]", "", s).lower()


def parse_date(v: Any) -> str:
    """A date cell as ISO text; raises CellError.

    >>> parse_date("2001/7/1"), parse_date("20010701"), parse_date(dt.datetime(2001, 7, 1, 0, 0))
    ('2001-07-01', '2001-07-01', '2001-07-01')
    """
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).strip()
    m = _DATE.match(s) or _DATE8.match(s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    raise CellError("date", "不是有效日期（应为 2001-07-01 或 2001年7月1日）",
                    "is not a valid date (use 2001-07-01)")


def _as_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # a phone number Excel stored as a number
    if isinstance(v, dt.datetime | dt.date):
        return parse_date(v)
    return str(v).strip()


def convert_cell(col: Column, v: Any) -> Any:
    """The property value of a non-empty cell, or CellError naming the rule."""
    p = col.pdef
    assert p is not None
    if p.name == "id_number" and isinstance(v, float | int):
        raise CellError("id_number_as_number",
                        "身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式后重新填写",
                        "the ID number was stored as a number and Excel dropped its last "
                        "digits: format the column as text and type it again")
    t = p.type
    if t == "string" and p.enum is None:  # the common case, first
        return v.strip() if isinstance(v, str) else _as_text(v)
    if t == "date":
        return parse_date(v)
    if t == "boolean":
        if isinstance(v, bool):
            return v
        s = _as_text(v).lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise CellError("boolean", "应为“是”或“否”", "must be 是 (yes) or 否 (no)")
    if t in ("integer", "float"):
        if isinstance(v, bool):
            raise CellError("number", "应为数字", "must be a number")
        try:
            num = float(str(v).strip().replace(",", "")) if isinstance(v, str) else float(v)
        except ValueError:
            raise CellError("number", "应为数字", "must be a number") from None
        if t == "integer":
            if not num.is_integer():
                raise CellError("integer", "应为整数", "must be a whole number")
            return int(num)
        return num
    s = _as_text(v)
    if p.enum is not None:
        for code, zh in p.enum.items():
            if s == zh or s.lower() == code:
                return code
        shown = "、".join(p.enum.values())
        raise CellError("enum", f"应为以下之一：{shown}",
                        f"must be one of {', '.join(p.enum.values())} ({', '.join(p.enum)})")
    ok, norm, why = check_value(p, s)
    if not ok:
        if t == "geojson":
            raise CellError("geometry", f"不是有效的边界（{GEOMETRY_ZH}）：{why}", why)
        raise CellError("value", why, why)
    return norm


def _column(raw: dict[str, Any], schema: Schema, labels: tuple[str, ...], kind: str
            ) -> Column:
    where = f"roster mapping {kind!r}, column {raw.get('header')!r}"
    to = raw.get("to") or ()
    to = (to,) if isinstance(to, str) else tuple(to)
    col = Column(header=str(raw["header"]), aliases=tuple(raw.get("aliases") or ()),
                 property=raw.get("property"), link=raw.get("link"), to=to,
                 link_property=tuple(raw["link_property"].split(".", 1))  # type: ignore[arg-type]
                 if raw.get("link_property") else None,
                 required=bool(raw.get("required", False)), default=raw.get("default"),
                 sample=raw.get("sample", ""), choices=tuple(raw.get("choices") or ()),
                 derive=raw.get("derive"), prefix=str(raw.get("prefix", "")))
    pdef: PropertyDef | None = None
    if col.property:
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
                single=tuple(raw.get("single") or ()))
    for c in m.all_columns:
        for h in c.headers():
            key = normalise_header(h)
            if key in m._by_header:
                raise GraphError(f"roster mapping {kind!r}: header {h!r} is used twice")
            m._by_header[key] = c
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
