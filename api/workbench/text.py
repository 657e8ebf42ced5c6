"""Every word the workbench shows, in Chinese (first) and English: one table, so a page
cannot show a word the other language lacks (tests/api/test_workbench.py checks both
have the same keys)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Literal

from api.workbench import words

__all__ = ["TEXT", "Lang", "t"]

Lang = Literal["zh", "en"]

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "app": "新桥街道 共建共治共享 工作台",
        "overview": "街道总览",
        "gaps": "中间弱化",
        "explorer": "图谱",
        "api_docs": "接口文档",
        "lang_other": "English",
        "login": "登录",
        "logout": "退出",
        "token": "访问令牌",
        "login_hint": "请输入管理员发放的访问令牌（仅保存在本标签页）。",
        "bad_token": "令牌无效或已吊销，请重新登录。",
        "as_of": "截至日期",
        "apply": "查询",
        "loading": "加载中…",
        "community": "社区",
        "all_communities": "全部社区",
        "street_total": "街道合计",
        "party_members": "党员",
        "branches": "支部",
        "weak_share": "软弱涣散支部占比",
        "groups": "居民小组",
        "hollow_share": "空心小组占比",
        "new_members": "新党员",
        "new_paired": "已结对",
        "base_grids": "基础网格",
        "missing_grid_worker": "缺网格员",
        "missing_police_officer": "缺民警",
        "missing_building_heads": "缺楼栋长",
        "deployed_staff": "下沉人员",
        "staff_per_10k": "每万人下沉人员",
        "case_backlog": "积压案件",
        "chart_party": "支部与小组",
        "chart_forces": "每万人下沉人员",
        "rank": "排序",
        "severity": "严重程度",
        "kind": "类型",
        "branch": "支部",
        "reasons": "原因",
        "residents_affected": "涉及居民",
        "open_in_graph": "在图谱中打开",
        "download_xlsx": "下载 Excel",
        "print": "打印",
        "sort": "排序方式",
        "sort_rank": "按严重程度",
        "sort_residents": "按涉及居民",
        "sort_community": "按社区",
        "previous": "上一页",
        "next": "下一页",
        "page_of": "第 {page} 页，共 {pages} 页（{total} 条）",
        "kind_weak_branch": "软弱涣散支部",
        "kind_no_group": "支部未覆盖小组",
        "kind_no_branch": "小组无支部覆盖",
        "none": "无",
        "error": "出错了",
        "new_members_note": "新党员：入党不满 {years} 年（按入党日期）；积压：超过 {days} 天未办结",
        "printed_on": "打印于",
    },
    "en": {
        "app": "Xinqiao Street co-governance workbench",
        "overview": "Street overview",
        "gaps": "Middle weakening",
        "explorer": "Graph",
        "api_docs": "API docs",
        "lang_other": "中文",
        "login": "Log in",
        "logout": "Log out",
        "token": "Access token",
        "login_hint": "Enter the access token your administrator gave you (kept in this tab only).",
        "bad_token": "The token is not valid or was revoked; please log in again.",
        "as_of": "As of",
        "apply": "Show",
        "loading": "Loading…",
        "community": "Community",
        "all_communities": "All communities",
        "street_total": "Street total",
        "party_members": "Party members",
        "branches": "Branches",
        "weak_share": "Weak branches",
        "groups": "Resident groups",
        "hollow_share": "Hollow groups",
        "new_members": "New members",
        "new_paired": "Paired",
        "base_grids": "Base grids",
        "missing_grid_worker": "No grid worker",
        "missing_police_officer": "No police officer",
        "missing_building_heads": "No building heads",
        "deployed_staff": "Deployed staff",
        "staff_per_10k": "Staff per 10,000 residents",
        "case_backlog": "Case backlog",
        "chart_party": "Branches and groups",
        "chart_forces": "Deployed staff per 10,000 residents",
        "rank": "Rank",
        "severity": "Severity",
        "kind": "Kind",
        "branch": "Branch",
        "reasons": "Reasons",
        "residents_affected": "Residents affected",
        "open_in_graph": "Open in graph",
        "download_xlsx": "Download Excel",
        "print": "Print",
        "sort": "Sort by",
        "sort_rank": "Severity",
        "sort_residents": "Residents affected",
        "sort_community": "Community",
        "previous": "Previous",
        "next": "Next",
        "page_of": "Page {page} of {pages} ({total} rows)",
        "kind_weak_branch": "Weak branch",
        "kind_no_group": "Branch covers no group",
        "kind_no_branch": "Group without a branch",
        "none": "none",
        "error": "Something went wrong",
        "new_members_note": "New members: joined less than {years} years ago (by joining date); "
                            "backlog: open for more than {days} days",
        "printed_on": "Printed on",
    },
}


def _merge() -> None:
    """Each page's words (``api/workbench/words/<page>.py``: ``ZH`` and ``EN``) join the
    table; a word two modules define differently is a mistake caught at import."""
    for m in sorted(pkgutil.iter_modules(words.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{words.__name__}.{m.name}")
        for lang, table in (("zh", module.ZH), ("en", module.EN)):
            for key, word in table.items():
                old = TEXT[lang].setdefault(key, word)
                if old != word:
                    raise ValueError(f"word {key!r} ({lang}) defined twice: {old!r}, {word!r}")


_merge()


def t(lang: Lang, key: str, **kw: object) -> str:
    """The word for ``key`` in ``lang`` (the key itself if there is none: a test fails)."""
    text = TEXT[lang].get(key, key)
    return text.format(**kw) if kw else text
