"""The names people type, derived from official names (graph/names.py), each rule on the
names the Xinqiao scenario and the clerks' rosters use, worked out by hand."""

from __future__ import annotations

import pytest

from graph.names import (
    BUILDINGS,
    OTHERS,
    PEOPLE,
    PLACES,
    display_short,
    pinyin_keys,
    rank_of,
    search_keys,
    search_text,
    short_names,
)

PARTY = ["PartyOrg"]


@pytest.mark.parametrize(("name", "labels", "expected", "shown"), [
    # rule 2: the community committee, its street dropped, 委员会 spoken as 党委
    ("中共新桥街道上星社区委员会", [*PARTY, "Committee"], ("上星社区党委", "上星党委"), "上星党委"),
    # the working committee: 工作委员会 → 党工委, the street without 街道
    ("中共新桥街道工作委员会", [*PARTY, "WorkingCommittee"], ("新桥街道党工委", "新桥党工委"),
     "新桥党工委"),
    # a general branch: 总支部委员会 → 党总支; its rest alone (东片党总支) names no community
    ("中共上寮社区东片总支部委员会", [*PARTY, "GeneralBranch"],
     ("上寮社区东片党总支", "上寮东片党总支", "东片党总支"), "上寮东片党总支"),
    # a branch: 支部委员会 → 党支部 and 支部, with and without 社区, and the rest alone
    ("中共上星社区第一支部委员会", [*PARTY, "Branch"],
     ("上星社区第一党支部", "上星第一党支部", "上星社区第一支部", "上星第一支部", "第一党支部",
      "第一支部"), "上星第一支部"),
    # a party group keeps its ending (党小组)
    ("中共上寮社区第三支部第一党小组", [*PARTY, "PartyGroup"],
     ("上寮社区第三支部第一党小组", "上寮第三支部第一党小组", "第三支部第一党小组"),
     "上寮第三支部第一党小组"),
    # a company's branch: 深圳市 and then 有限公司 go; no rest alone (it is no community's)
    ("中共深圳市金宏五金制品有限公司支部委员会", [*PARTY, "Branch"],
     ("金宏五金制品有限公司党支部", "金宏五金制品党支部", "金宏五金制品有限公司支部",
      "金宏五金制品支部"), "金宏五金制品支部"),
    # what a clerk writes already (上星社区党委) is shortened the same way
    ("上星社区党委", [*PARTY, "Committee"], ("上星党委",), "上星党委"),
    # rule 3
    ("上星社区", ["Community"], ("上星",), "上星"),
    ("新桥街道", ["Street"], ("新桥",), "新桥"),
    # rule 4: named after the community
    ("上星社区工作站", ["Workstation"], ("上星工作站",), "上星工作站"),
    ("上星社区居民委员会", ["ResidentsCommittee"],
     ("上星社区居委会", "上星居民委员会", "上星居委会"), "上星居委会"),
    ("黄埔社区第一居民小组", ["ResidentGroup"], ("黄埔第一居民小组", "第一居民小组"),
     "黄埔第一居民小组"),
    ("上星社区基础网格15", ["Grid"], ("上星基础网格15",), "上星基础网格15"),
    ("上星社区党群服务中心", ["SocialOrganization", "SocialWorkCenter"], ("上星党群服务中心",),
     "上星党群服务中心"),
    ("新桥街道城市管理办公室", ["Department"], ("城市管理办公室",), "城市管理办公室"),
    # rule 5
    ("深圳市嘉星百货有限公司", ["Enterprise"], ("嘉星百货有限公司", "嘉星百货"), "嘉星百货"),
    ("深圳市上星股份合作公司", ["JointStockCompany"], ("上星股份合作公司", "上星股份公司"),
     "上星股份公司"),
    # nothing to shorten
    ("新二消格04", ["Grid"], (), "新二消格04"),
    ("宝安区新二小学", ["StationedUnit"], (), "宝安区新二小学"),
    # rule 6: people, buildings, activities, cases
    ("王芳", ["Person", "PartyMember"], (), "王芳"),
    ("上星东路1巷1号", ["Building"], (), "上星东路1巷1号"),
    ("违法建设(上星)00003", ["Case"], (), "违法建设(上星)00003"),
])
def test_short_names(name: str, labels: list[str], expected: tuple[str, ...], shown: str
                     ) -> None:
    assert short_names(name, labels) == expected
    assert display_short(name, labels) == shown


def test_names_are_compared_as_stored_in_lower_case() -> None:
    assert search_text("  ＳｈａｎｇＸｉｎｇ ") == "shangxing"  # full-width, spaces, case
    assert search_text("卢　芳") == "卢芳"
    spaced = short_names("中共新桥街道 上星社区委员会", ["PartyOrg", "Committee"])
    assert spaced[0] == "上星社区党委"


def test_ranks() -> None:
    assert rank_of(["PartyOrg", "Branch"]) == rank_of(["Grid"]) == PLACES
    assert rank_of(["Enterprise"]) == rank_of(["StationedUnit"]) == PLACES
    assert rank_of(["Person", "PartyMember", "BuildingHead"]) == PEOPLE
    assert rank_of(["Building"]) == BUILDINGS
    assert rank_of(["Activity"]) == rank_of(["Case"]) == OTHERS


def test_search_keys_put_the_stored_short_name_first_and_spell_every_name() -> None:
    k = search_keys("中共新桥街道上星社区委员会", ["PartyOrg", "Committee"], "上星党委")
    assert k.name == "中共新桥街道上星社区委员会"
    assert k.short == ("上星党委", "上星社区党委")  # stored first, not twice
    assert {"shangxingdangwei", "sxdw", "shangxingshequdangwei", "sxsqdw"} <= set(k.spell)
    assert k.rank == PLACES
    person = search_keys("曾小明", ["Person"])
    assert person.short == () and person.rank == PEOPLE
    # both readings of the surname 曾, full and initials
    assert set(person.spell) == {"zengxiaoming", "cengxiaoming", "zxm", "cxm"}


def test_pinyin_of_names_with_digits_and_brackets() -> None:
    assert pinyin_keys("上星社区基础网格15")[0] == ("shangxingshequjichuwangge15",)
    # a bracket has no pinyin; the first character's readings all count (治 zhi/chi)
    assert pinyin_keys("治安隐患(新桥)00001")[1] == ("zayhxq00001", "cayhxq00001")
