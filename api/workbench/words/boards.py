"""三板一队 (the three-boards page): one person holding posts in several organisations."""

ZH = {
    "boards_title": "三块牌子一套人马",
    "boards_note": "同一人在同一社区两个及以上组织任职：社区党委、居委会、工作站、股份合作公司、"
                   "居民小组等。按兼任组织数从多到少排列。",
    "boards_min_orgs": "至少兼任组织数",
    "boards_person": "姓名",
    "boards_orgs": "兼任组织数",
    "boards_party_roles": "党内职务",
    "boards_posts": "其他职务",
    "boards_since": "{day} 起",
}
EN = {
    "boards_title": "Three boards, one team",
    "boards_note": "One person holding posts in two or more organisations of one community: "
                   "the committee, the residents' committee, the workstation, the joint-stock "
                   "company, a resident group … Most organisations first.",
    "boards_min_orgs": "Organisations, at least",
    "boards_person": "Name",
    "boards_orgs": "Organisations",
    "boards_party_roles": "Party posts",
    "boards_posts": "Other posts",
    "boards_since": "since {day}",
}
