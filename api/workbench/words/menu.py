"""The pages' titles (``page_<name>``) and the header's words."""

ZH = {
    "page_overview": "街道总览",
    "page_community": "社区画像",
    "page_gaps": "中间弱化",
    "page_pairing": "新老结对",
    "page_grids": "网格",
    "page_forces": "一线力量",
    "page_cases": "巡查案件",
    "page_boards": "三板一队",
    "page_rosters": "名册导入",
    "page_node": "节点",
    "page_search": "搜索",
    "search": "搜索",
    "search_placeholder": "搜索：名称、拼音或首字母",
}
EN = {
    "page_overview": "Street overview",
    "page_community": "Community profile",
    "page_gaps": "Middle weakening",
    "page_pairing": "Pairing",
    "page_grids": "Grids",
    "page_forces": "Front-line forces",
    "page_cases": "Patrol cases",
    "page_boards": "Three boards",
    "page_rosters": "Roster upload",
    "page_node": "Node",
    "page_search": "Search",
    "search": "Search",
    "search_placeholder": "Search: name, pinyin or initials",
}
