"""The names people type for a node: short and common names derived from its official
name, its pinyin, and the keys a search index holds for it.

An official name is rarely what anyone types: the community committee is
中共新桥街道上星社区委员会 on paper and 上星社区党委 or 上星党委 when spoken of. The rules
(each tested in ``tests/graph/test_names.py``):

1. **The name is normalised** as stored names are (NFKC, no spaces), lower case.
2. **A party organisation** (``PartyOrg``) loses 中共 / 中国共产党 in front, 深圳市 before a
   unit, and the street before a community (新桥街道上星社区 → 上星社区); its 委员会 ending
   becomes what people say — 工作委员会 → 党工委, 总支部委员会 → 党总支, 支部委员会 →
   党支部 and 支部, another 委员会 → 党委. What is left is the *unit* (上星社区, 新桥街道,
   金宏五金制品有限公司) and the *rest* (第一, 东片, 第三支部第一党小组). The forms:
   unit + rest + ending, the unit's own short forms + rest + ending (上星社区 → 上星,
   新桥街道 → 新桥, a company without 有限公司), and — for a community's branches, general
   branches and party groups — rest + ending alone (第一支部, 东片党总支).
3. **A community** 上星社区 → 上星; **a street** 新桥街道 → 新桥.
4. **Anything else named after its community** (工作站, 居民委员会, 居民小组, 网格,
   党群服务中心 …) also goes without 社区: 上星社区工作站 → 上星工作站; 居民委员会 is
   also 居委会 (上星社区居委会, 上星居委会); a resident group is also named by its rest
   alone (第一居民小组). The street in front of a department goes (新桥街道城市管理办公室 →
   城市管理办公室).
5. **A company** loses 深圳市 and then 有限公司 (深圳市嘉星百货有限公司 → 嘉星百货有限公司,
   嘉星百货); a joint-stock company is also its 股份公司 (上星股份公司).
6. **People, buildings, activities and cases** have no short names.

Forms that name the unit (上星党委) are *qualified*; those that do not (第一支部) are
not: :func:`display_short`, the label a graph draws, is the shortest qualified one.

>>> short_names("中共新桥街道上星社区委员会", ["PartyOrg", "Committee"])
('上星社区党委', '上星党委')
>>> display_short("中共上星社区第一支部委员会", ["PartyOrg", "Branch"])
'上星第一支部'
>>> short_names("张三", ["Person"])
()
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

from pypinyin import Style, lazy_pinyin, pinyin

from graph.formats import normalise_name

__all__ = ["short_names", "display_short", "search_text", "pinyin_keys", "search_keys",
           "SearchKeys", "Candidate", "SearchField", "typo_parts", "has_han", "rank_of", "RANKS",
           "PLACES", "PEOPLE", "BUILDINGS", "OTHERS"]

#: ranks of a node for search: organisations and places first, then people, then
#: buildings, then the rest (activities, cases, duties)
PLACES, PEOPLE, BUILDINGS, OTHERS = 0, 1, 2, 3
RANKS = (PLACES, PEOPLE, BUILDINGS, OTHERS)
_OTHER_LABELS = frozenset({"Activity", "Case", "Duty"})

_HAN = re.compile(r"[\u3400-\u9fff]")
_PARTY = re.compile(r"^(中国共产党|中共)")
_CITY = re.compile(r"^深圳市")
_STREET_BEFORE_COMMUNITY = re.compile(r"^\w{2,4}?街道(?=\w{2,4}社区)")
_UNIT = re.compile(r"^(?P<unit>.+?(?:社区|街道))(?P<rest>.*)$")
#: a party organisation's written ending -> what people say (longest first); a
#: general branch and a branch each have two spoken forms
_PARTY_ENDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("总支部委员会", ("党总支",)), ("党总支", ("党总支",)),
    ("支部委员会", ("党支部", "支部")), ("党支部", ("党支部", "支部")),
    ("工作委员会", ("党工委",)), ("党工委", ("党工委",)),
    ("委员会", ("党委",)), ("党委", ("党委",)))
#: labels whose organisations belong to a community (their rest alone is a name)
_IN_COMMUNITY_ALONE = ("Branch", "GeneralBranch", "PartyGroup")


def rank_of(labels: Iterable[str]) -> int:
    """A node's rank for search (its labels as stored: with their ancestors).

    >>> rank_of(["PartyOrg", "Committee"]), rank_of(["Person", "Resident"])
    (0, 1)
    >>> rank_of(["Building"]), rank_of(["Case"])
    (2, 3)
    """
    labs = set(labels)
    if "Person" in labs:
        return PEOPLE
    if "Building" in labs:
        return BUILDINGS
    if not _OTHER_LABELS.isdisjoint(labs):
        return OTHERS
    return PLACES


def search_text(value: str) -> str:
    """A name or a query as search compares them: as names are stored (NFKC …), no
    spaces at all, lower case.

    >>> search_text(" Zhang San "), search_text("卢　芳")
    ('zhangsan', '卢芳')
    """
    return "".join(normalise_name(value).split()).lower()


def _unit_forms(unit: str) -> list[tuple[str, bool]]:
    """The unit's own name and its short forms (each qualified)."""
    forms = [unit]
    if unit.endswith(("社区", "街道")) and len(unit) > 3:
        forms.append(unit[:-2])
    else:
        forms += _company_forms(unit)
    return [(f, True) for f in forms]


def _company_forms(name: str) -> list[str]:
    out = []
    s = _CITY.sub("", name)
    if s != name:
        out.append(s)
    for end in ("有限责任公司", "有限公司"):
        if s.endswith(end) and len(s) > len(end) + 1:
            out.append(s[: -len(end)])
            break
    if s.endswith("股份合作公司") and len(s) > 7:
        out.append(s[:-6] + "股份公司")
    return [f for f in out if f != name]


def _party_forms(name: str, labels: frozenset[str]) -> list[tuple[str, bool]]:
    s = _PARTY.sub("", name)
    s = _CITY.sub("", s)
    s = _STREET_BEFORE_COMMUNITY.sub("", s)
    ends: tuple[str, ...] = ()
    for written, spoken in _PARTY_ENDS:
        if s.endswith(written) and len(s) > len(written):
            s, ends = s[: -len(written)], spoken
            break
    if not ends:  # a party group (…第一党小组) keeps its ending
        ends = ("",)
    m = _UNIT.match(s)
    unit, rest = (m["unit"], m["rest"]) if m else (s, "")
    forms: list[tuple[str, bool]] = []
    for end in ends:
        forms += [(u + rest + end, True) for u, _ in _unit_forms(unit)]
    if rest and m and unit.endswith("社区") and not labels.isdisjoint(_IN_COMMUNITY_ALONE):
        forms += [(rest + end, False) for end in ends]
    return forms


def _place_forms(name: str, labels: frozenset[str]) -> list[tuple[str, bool]]:
    if "Community" in labels or "Street" in labels:
        return [(f, True) for f, _ in _unit_forms(name)[1:]]
    forms: list[tuple[str, bool]] = []
    m = _UNIT.match(name)
    if m and m["rest"]:
        unit, rest = m["unit"], m["rest"]
        rests = [rest]
        if rest.endswith("居民委员会"):
            rests.append(rest[:-5] + "居委会")
        if unit.endswith("街道") and "Department" in labels:
            forms += [(r, True) for r in rests]
        else:
            forms += [(u + r, True) for u, _ in _unit_forms(unit) for r in rests]
            if "ResidentGroup" in labels:
                forms.append((rest, False))
    elif any(w in name for w in ("公司",)):
        forms += [(f, True) for f in _company_forms(name)]
    return forms


@functools.lru_cache(maxsize=65_536)
def _forms(name: str, labels: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    name = search_text(name)
    if not name or rank_of(labels) != PLACES:
        return ()
    found = (_party_forms if "PartyOrg" in labels else _place_forms)(name, labels)
    seen: dict[str, bool] = {}
    for f, qualified in found:
        if f and f != name and len(f) >= 2:
            seen[f] = seen.get(f, False) or qualified
    return tuple(seen.items())


def short_names(name: str, labels: Iterable[str]) -> tuple[str, ...]:
    """The short and common names people type for a node named ``name`` with these
    labels (its ancestors included), most used first; () when it has none.

    >>> short_names("中共上星社区第一支部委员会", ["PartyOrg", "Branch"])[3:]
    ('上星第一支部', '第一党支部', '第一支部')
    >>> short_names("上星社区", ["Community"]), short_names("新桥街道", ["Street"])
    (('上星',), ('新桥',))
    """
    return tuple(f for f, _ in _forms(name, frozenset(labels)))


def display_short(name: str, labels: Iterable[str]) -> str:
    """The shortest short name that still names its unit (a graph's label), or the name.

    >>> display_short("中共新桥街道上星社区委员会", ["PartyOrg", "Committee"])
    '上星党委'
    >>> display_short("深圳市嘉星百货有限公司", ["Enterprise"]), display_short("王芳", ["Person"])
    ('嘉星百货', '王芳')
    """
    labels = tuple(labels)
    if "Person" in labels or "Building" in labels:  # the most common: no short names
        return name
    qualified = [f for f, q in _forms(name, frozenset(labels)) if q]
    return min(qualified, key=len) if qualified else name


# ------------------------------------------------------------------ pinyin
_char_cache: dict[str, tuple[list[str], list[str]]] = {}


def _readings(ch: str, first: bool) -> tuple[list[str], list[str]]:
    """(full pinyin readings, initials) of one character; all readings for a surname."""
    key = ch + ("1" if first else "0")
    hit = _char_cache.get(key)
    if hit is None:
        if not _HAN.match(ch):
            low = ch.lower()
            hit = ([low], [low]) if low.isalnum() else ([""], [""])
        else:
            if first:
                full = list(dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]))
            else:
                full = lazy_pinyin(ch)
            hit = (full, list(dict.fromkeys(r[0] for r in full if r)))
        _char_cache[key] = hit
    return hit


@functools.lru_cache(maxsize=65_536)  # a load's names repeat; ~20 MB at most
def pinyin_keys(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Full-pinyin and initials spellings of a name (a surname's readings expanded:
    曾 zeng/ceng, 单 shan/dan/chan …; at most 8 of each).

    >>> pinyin_keys("单田芳")
    (('dantianfang', 'chantianfang', 'shantianfang'), ('dtf', 'ctf', 'stf'))
    """
    fulls: list[list[str]] = []
    inits: list[list[str]] = []
    one = True  # one reading each (most names): no product to make
    for i, ch in enumerate(name):
        f, s = _readings(ch, i == 0)
        fulls.append(f)
        inits.append(s)
        one = one and len(f) == 1 and len(s) == 1
    if one:
        return ("".join(f[0] for f in fulls),), ("".join(s[0] for s in inits),)
    full = tuple(dict.fromkeys("".join(p) for p in itertools.product(*fulls)))[:8]
    initials = tuple(dict.fromkeys("".join(p) for p in itertools.product(*inits)))[:8]
    return full, initials


class SearchKeys(NamedTuple):
    """What a search index holds for one node."""

    name: str  # search_text of the name
    short: tuple[str, ...]  # the stored short name first, then the derived ones
    spell: tuple[str, ...]  # full pinyin and initials of the name and each short name
    rank: int


def search_keys(name: str, labels: Iterable[str], stored_short: object = None) -> SearchKeys:
    """The keys of a node named ``name`` as stored (normalised by the write path; its
    stored ``short_name``, if any, first).

    >>> k = search_keys("上星社区", ["Community"])
    >>> k.short, k.spell, k.rank
    (('上星',), ('shangxingshequ', 'sxsq', 'shangxing', 'sx'), 0)
    """
    labs = frozenset(labels)
    rank = rank_of(labs)
    # a stored name is normalised already (graph/write/): only the spaces and the case
    text = "".join(name.split()).lower() if isinstance(name, str) else ""
    shorts = list(short_names(text, labs)) if rank == PLACES else []
    if isinstance(stored_short, str) and (s := search_text(stored_short)) and s != text:
        shorts = [s, *(x for x in shorts if x != s)]
    spell: dict[str, None] = {}
    for key in (text, *shorts):
        full, initials = pinyin_keys(key)
        for k in (*full, *initials):
            if k:
                spell[k] = None
    return SearchKeys(text, tuple(shorts), tuple(spell), rank)


# ------------------------------------------------------------------ candidates
#: what a store is asked for (:meth:`graph.store.GraphStore.search_names`): the nodes
#: whose name is the text; whose short name is; either (exact); whose name or a short
#: name holds it; whose pinyin or initials do; that may be a typo of it
SearchField = Literal["name", "short", "exact", "contains", "spell", "typo"]


class Candidate(NamedTuple):
    """A node a store found for a search, with its keys (the ranking needs no more)."""

    id: str
    labels: tuple[str, ...]
    name: str
    short: tuple[str, ...]
    spell: tuple[str, ...]
    rank: int


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def typo_parts(text: str) -> tuple[str, str | None]:
    """The two parts of a search text of 3 or more characters one of which a key within
    one typo (an edit or a swap of two neighbours) still holds: the start (up to ``h``)
    at the start of the key, or the end after the character at ``h`` anywhere in it
    (when it has 3 characters or more, so that an index of trigrams finds it). A swap
    touches two neighbouring characters, never both parts.

    >>> typo_parts("上星社区党季"), typo_parts("zhagnwei"), typo_parts("张三风")
    (('上星', '区党季'), ('zha', 'nwei'), ('张三', None))
    """
    n = len(text)
    h = min(max(2, (n - 1) // 2), max(2, n - 4))
    right = text[h + 1:]
    return text[:h], right if len(right) >= 3 else None
