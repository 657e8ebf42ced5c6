"""The graph's schema, loaded once from the YAML files beside this module.

Every cross-reference is checked at load: a label that ``extends`` an unknown
label, a relationship that allows an unknown start or end label, a property of an
unknown type, an enum without values. A wrong schema fails at start-up with a
:class:`~graph.errors.SchemaError` naming the file, the entry and the rule.

>>> s = load_schema()
>>> s.closure(["PartyMember", "BuildingHead"])
('BuildingHead', 'PartyMember', 'Person')
>>> s.labels["Branch"].name_zh
'党支部'
>>> s.relationships["COVERS"].allows(("Branch", "PartyOrg"), ("ResidentGroup",))
True
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import SchemaError

__all__ = [
    "PROPERTY_TYPES",
    "PropertyDef",
    "LabelDef",
    "RelationshipDef",
    "Schema",
    "load_schema",
    "get_schema",
    "SCHEMA_DIR",
]

SCHEMA_DIR = Path(__file__).parent / "schema"
PROPERTY_TYPES = frozenset({"string", "integer", "float", "boolean", "date", "geojson"})
#: what a string property holds beyond its type (graph/values.py applies it)
FORMATS = frozenset({"id_number", "phone", "name"})
#: the companion of a partial date: how precise it is (stored as the first day)
PRECISION_ENUM = {"month": "精确到月", "year": "精确到年"}
NAME_AS_TYPED = "name_as_typed"


@dataclass(frozen=True)
class PropertyDef:
    name: str
    type: str
    required: bool = False
    sensitive: bool = False
    name_zh: str | None = None
    enum: Mapping[str, str] | None = None  # code -> Chinese display name
    #: id_number / phone / name: the rules of graph/formats.py
    format: str | None = None
    #: more accepted spellings: enum code -> [alias], or boolean "true"/"false" -> [word]
    aliases: Mapping[str, tuple[str, ...]] | None = None
    #: an enum given by an alias keeps the typed text in this property (组织委员 → title)
    typed_into: str | None = None
    #: codes whose aliases are only other words for them, not kept (普通党员 is a member)
    untyped: tuple[str, ...] = ()
    #: a property that describes this one's value and goes when the value is set
    #: without it (a date's ``<name>_precision``, a name's ``name_as_typed``)
    companion: str | None = None
    #: which of the write path's quick checks applies ("text", "date", "enum" ...: the
    #: shortcuts in graph/write/rules.py for a value already in its stored form)
    fast: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        quick = (self.type if self.type != "string" else "enum" if self.enum is not None
                 else self.format or "text")
        object.__setattr__(self, "fast", quick)

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "sensitive": self.sensitive,
            "name_zh": self.name_zh,
            "enum": dict(self.enum) if self.enum else None,
            "format": self.format,
            "aliases": {k: list(v) for k, v in self.aliases.items()} if self.aliases else None,
        }


@dataclass(frozen=True)
class LabelDef:
    name: str
    name_zh: str
    name_en: str
    extends: str | None
    properties: Mapping[str, PropertyDef]  # own properties only
    style: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RelationshipDef:
    name: str
    name_zh: str
    name_en: str
    allowed: tuple[tuple[frozenset[str], frozenset[str]], ...]
    properties: Mapping[str, PropertyDef]
    #: properties whose change is a new stint: the current relationship ends (``until``)
    #: and a new one starts (a member becoming secretary), so "as of" queries see both
    history: tuple[str, ...] = ()

    def allows(self, start_labels: Iterable[str], end_labels: Iterable[str]) -> bool:
        start, end = set(start_labels), set(end_labels)
        return any(start & f and end & t for f, t in self.allowed)

    def describe_allowed(self) -> str:
        return "; ".join(
            f"({'|'.join(sorted(f))})->({'|'.join(sorted(t))})" for f, t in self.allowed
        )


class Schema:
    """Labels and relationship types, with lookups the validator and API need."""

    def __init__(
        self,
        common: Mapping[str, PropertyDef],
        labels: Mapping[str, LabelDef],
        relationships: Mapping[str, RelationshipDef],
    ) -> None:
        self.common = dict(common)
        self.labels = dict(labels)
        self.relationships = dict(relationships)
        self._closure_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._props_cache: dict[tuple[str, ...], dict[str, PropertyDef]] = {}
        self._order = {lab: i for i, lab in enumerate(self.labels)}

    # -- labels -------------------------------------------------------------
    def ancestors(self, label: str) -> list[str]:
        """The label and every label it extends, nearest first."""
        out = []
        cur: str | None = label
        while cur is not None:
            out.append(cur)
            cur = self.labels[cur].extends
        return out

    def closure(self, labels: Iterable[str]) -> tuple[str, ...]:
        """Labels plus all their parents, sorted: the canonical label set.

        Raises KeyError on an unknown label (the validator reports it first).
        """
        key = tuple(labels)
        hit = self._closure_cache.get(key)
        if hit is None:
            full: set[str] = set()
            for lab in key:
                full.update(self.ancestors(lab))
            hit = tuple(sorted(full))
            self._closure_cache[key] = hit
        return hit

    def node_properties(self, labels: tuple[str, ...]) -> dict[str, PropertyDef]:
        """All properties a node with these (canonical) labels may carry."""
        hit = self._props_cache.get(labels)
        if hit is None:
            hit = dict(self.common)
            for lab in labels:
                hit.update(self.labels[lab].properties)
            self._props_cache[labels] = hit
        return hit

    def sensitive_properties(self, labels: Iterable[str]) -> set[str]:
        props = self.node_properties(self.closure(labels))
        return {n for n, p in props.items() if p.sensitive}

    def is_a(self, labels: Iterable[str], label: str) -> bool:
        return label in labels

    def display_label(self, labels: Iterable[str]) -> str:
        """The label a node is shown as: the most specific (deepest in the extends
        chain), then the one listed first in labels.yaml (PartyMember before Resident).

        >>> get_schema().display_label(["Cadre", "PartyMember", "Person", "Resident"])
        'PartyMember'
        """
        labs = list(labels)
        if not labs:
            return ""
        order = self._order
        return min(labs, key=lambda lab: (-len(self.ancestors(lab)), order.get(lab, 10**6)))

    # -- export -------------------------------------------------------------
    def public(self) -> dict[str, Any]:
        """The schema as plain data (the API's schema endpoint)."""
        return {
            "common_properties": [p.public() for p in self.common.values()],
            "labels": [
                {
                    "name": lab.name,
                    "name_zh": lab.name_zh,
                    "name_en": lab.name_en,
                    "extends": lab.extends,
                    "properties": [p.public() for p in lab.properties.values()],
                    "style": dict(lab.style),
                }
                for lab in self.labels.values()
            ],
            "relationships": [
                {
                    "name": rel.name,
                    "name_zh": rel.name_zh,
                    "name_en": rel.name_en,
                    "allowed": [{"from": sorted(f), "to": sorted(t)} for f, t in rel.allowed],
                    "properties": [p.public() for p in rel.properties.values()],
                    "history": list(rel.history),
                }
                for rel in self.relationships.values()
            ],
        }


# ---------------------------------------------------------------- loading
def _props(raw: Any, where: str) -> dict[str, PropertyDef]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: 'properties' must be a mapping")
    out: dict[str, PropertyDef] = {}
    for name, spec in raw.items():
        w = f"{where}.properties.{name}"
        if not isinstance(spec, Mapping):
            raise SchemaError(f"{w}: must be a mapping with at least 'type'")
        if not isinstance(name, str) or not name or name.startswith("_"):
            raise SchemaError(f"{w}: property names are non-empty and do not start with '_'")
        unknown = set(spec) - {"type", "required", "sensitive", "name_zh", "enum", "format",
                               "aliases", "typed_into", "untyped"}
        if unknown:
            raise SchemaError(f"{w}: unknown key(s) {sorted(unknown)}")
        ptype = spec.get("type")
        if ptype not in PROPERTY_TYPES:
            raise SchemaError(f"{w}: type {ptype!r} is not one of {sorted(PROPERTY_TYPES)}")
        enum = spec.get("enum")
        if enum is not None and (not isinstance(enum, Mapping) or not enum or ptype != "string"):
            raise SchemaError(f"{w}: enum must be a non-empty mapping code -> name on a string")
        fmt = spec.get("format")
        if fmt is not None and (fmt not in FORMATS or ptype != "string"):
            raise SchemaError(f"{w}: format {fmt!r} is not one of {sorted(FORMATS)} on a string")
        aliases = _aliases(spec.get("aliases"), ptype, enum, w)
        typed_into = spec.get("typed_into")
        if typed_into is not None and (enum is None or typed_into not in raw):
            raise SchemaError(f"{w}: typed_into names a property of the same item, on an enum")
        untyped = tuple(spec.get("untyped") or ())
        if untyped and (typed_into is None or set(untyped) - set(enum or ())):
            raise SchemaError(f"{w}: untyped lists enum codes, beside typed_into")
        precision = f"{name}_precision"
        companion = (NAME_AS_TYPED if fmt == "name" else precision if ptype == "date"
                     else None)
        if ptype == "date" and precision in raw:
            raise SchemaError(f"{w}: {precision!r} is made by the schema for the date")
        out[name] = PropertyDef(
            name=name,
            type=ptype,
            required=bool(spec.get("required", False)),
            sensitive=bool(spec.get("sensitive", False)),
            name_zh=spec.get("name_zh"),
            enum=dict(enum) if enum else None,
            format=fmt,
            aliases=aliases,
            typed_into=typed_into,
            untyped=untyped,
            companion=companion,
        )
        if ptype == "date":  # a partial date (2009-05) is stored as its first day
            out[precision] = PropertyDef(name=precision, type="string",
                                         name_zh=f"{spec.get('name_zh') or name}精度",
                                         enum=PRECISION_ENUM)
    return out


def _aliases(raw: Any, ptype: str, enum: Any, where: str
             ) -> dict[str, tuple[str, ...]] | None:
    if raw is None:
        return None
    keys = set(enum or ()) if ptype == "string" else {"true", "false"}
    if isinstance(raw, Mapping):  # YAML reads the key true as a boolean
        raw = {str(k).lower() if isinstance(k, bool) else k: v for k, v in raw.items()}
    if not isinstance(raw, Mapping) or not (enum or ptype == "boolean") or set(raw) - keys:
        raise SchemaError(f"{where}: aliases map enum codes (or true/false on a boolean) to "
                          "lists of accepted spellings")
    out = {}
    for k, words in raw.items():
        if not isinstance(words, list) or not all(isinstance(x, str) and x for x in words):
            raise SchemaError(f"{where}.aliases.{k}: must be a list of non-empty strings")
        out[str(k)] = tuple(words)
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SchemaError(f"schema file missing: {path}") from e
    except yaml.YAMLError as e:
        raise SchemaError(f"{path.name}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise SchemaError(f"{path.name}: must be a mapping")
    return data


def load_schema(directory: Path | str = SCHEMA_DIR) -> Schema:
    """Load and check ``labels.yaml`` and ``relationships.yaml`` from ``directory``."""
    directory = Path(directory)
    lab_doc = _read(directory / "labels.yaml")
    rel_doc = _read(directory / "relationships.yaml")

    common = _props(lab_doc.get("common_properties"), "labels.yaml:common_properties")
    for must in ("id", "name", NAME_AS_TYPED):
        if must not in common:
            raise SchemaError(f"labels.yaml:common_properties: must define {must!r}")

    raw_labels = lab_doc.get("labels")
    if not isinstance(raw_labels, Mapping) or not raw_labels:
        raise SchemaError("labels.yaml: 'labels' must be a non-empty mapping")
    labels: dict[str, LabelDef] = {}
    for name, spec in raw_labels.items():
        where = f"labels.yaml:{name}"
        if not isinstance(spec, Mapping):
            raise SchemaError(f"{where}: must be a mapping")
        for key in ("name_zh", "name_en"):
            if not spec.get(key):
                raise SchemaError(f"{where}: missing {key!r}")
        props = _props(spec.get("properties"), where)
        clash = set(props) & set(common)
        if clash:
            raise SchemaError(f"{where}: redefines common properties {sorted(clash)}")
        labels[name] = LabelDef(
            name=name,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            extends=spec.get("extends"),
            properties=props,
            style=dict(spec.get("style") or {}),
        )
    for lab in labels.values():
        if lab.extends is not None and lab.extends not in labels:
            raise SchemaError(
                f"labels.yaml:{lab.name}: extends unknown label {lab.extends!r}"
            )
        seen = {lab.name}
        cur = lab.extends
        while cur is not None:
            if cur in seen:
                raise SchemaError(f"labels.yaml:{lab.name}: 'extends' forms a cycle via {cur!r}")
            seen.add(cur)
            cur = labels[cur].extends

    raw_rels = rel_doc.get("relationships")
    if not isinstance(raw_rels, Mapping) or not raw_rels:
        raise SchemaError("relationships.yaml: 'relationships' must be a non-empty mapping")
    rels: dict[str, RelationshipDef] = {}
    for name, spec in raw_rels.items():
        where = f"relationships.yaml:{name}"
        if not isinstance(spec, Mapping):
            raise SchemaError(f"{where}: must be a mapping")
        if not name.isupper():
            raise SchemaError(f"{where}: relationship types are UPPER_SNAKE_CASE")
        for key in ("name_zh", "name_en"):
            if not spec.get(key):
                raise SchemaError(f"{where}: missing {key!r}")
        allowed_raw = spec.get("allowed")
        if not isinstance(allowed_raw, list) or not allowed_raw:
            raise SchemaError(f"{where}: 'allowed' must be a non-empty list of {{from, to}}")
        allowed = []
        for i, entry in enumerate(allowed_raw):
            if not isinstance(entry, Mapping) or not entry.get("from") or not entry.get("to"):
                raise SchemaError(f"{where}.allowed[{i}]: needs non-empty 'from' and 'to'")
            for end in ("from", "to"):
                for lab in entry[end]:
                    if lab not in labels:
                        raise SchemaError(
                            f"{where}.allowed[{i}].{end}: unknown label {lab!r}"
                        )
            allowed.append((frozenset(entry["from"]), frozenset(entry["to"])))
        rprops = _props(spec.get("properties"), where)
        history = tuple(spec.get("history") or ())
        if history and ("until" not in rprops or set(history) - set(rprops)):
            raise SchemaError(f"{where}: history names properties of a relationship with "
                              "'until'")
        rels[name] = RelationshipDef(
            name=name,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            allowed=tuple(allowed),
            properties=rprops,
            history=history,
        )
    return Schema(common, labels, rels)


@functools.cache
def get_schema() -> Schema:
    """The project's schema, loaded once per process."""
    return load_schema()
