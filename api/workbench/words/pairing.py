"""新老结对: the pairing page's words."""

ZH = {
    "pairing_rules": "新党员：入党不满 {new_years} 年，或年龄不超过 {young_age} 岁；"
                     "老党员：党龄 {veteran_years} 年以上。只在同一社区内结对，"
                     "同一支部优先，其次同一居民小组、同一网格；任管理职务的新党员优先。",
    "pairing_capacity": "每名老党员至多帮带",
    "pairing_new_years": "新党员：入党不满（年）",
    "pairing_veteran_years": "老党员：党龄至少（年）",
    "pairing_young_age": "或年龄不超过（岁）",
    "pairing_propose": "生成结对方案",
    "pairing_not_proposed": "选择社区和条件后，点“生成结对方案”。方案只是建议，不写入任何数据。",
    "pairing_objective": "本方案新结对 {paired} 对（其中任职新党员 {management} 人），"
                         "匹配总分 {score}；保持现有结对 {kept} 对；未能结对 {unpaired} 人。",
    "pairing_pairs": "建议结对",
    "pairing_kept": "保持现有结对",
    "pairing_unpaired": "未能结对的新党员",
    "pairing_new_member": "新党员",
    "pairing_mentor": "结对老党员",
    "pairing_member": "党员",
    "pairing_post": "任职",
    "pairing_holds_post": "是",
    "pairing_score": "匹配分",
    "pairing_reason": "原因",
    "pairing_select": "选择",
    "pairing_select_all": "全选本页",
    "pairing_since": "结对日期",
    "pairing_accept": "接受所选结对",
    "pairing_accept_confirm": "确认接受所选结对？将写入结对帮带关系（MENTORS）并记入审计日志。",
    "pairing_accept_confirm_n": "确认接受所选 {n} 对结对？"
                                "将写入结对帮带关系（MENTORS）并记入审计日志。",
    "pairing_accept_note": "勾选要接受的结对（仅本页），确认后写入结对帮带关系。",
    "pairing_accepted": "已写入 {n} 条结对帮带关系（MENTORS），自 {since} 起。",
    "pairing_audit_record": "审计记录 #{seq}（{at}）",
    "pairing_no_audit": "未找到本次操作的审计记录。",
    "pairing_relationship": "关系编号",
    "pairing_propose_again": "重新生成方案",
    "pairing_none_selected": "请至少勾选一对结对。",
    "pairing_bad_selection": "所选结对无法识别，请重新生成方案后再选择。",
    "pairing_assumptions": "入党日期只精确到月或年、恰在分界处的党员",
    "pairing_sort_community": "按社区",
    "pairing_sort_score": "按匹配分",
    "pairing_sort_management": "任职新党员优先",
    "pairing_same_community": "同一社区",
}
EN = {
    "pairing_rules": "New members: joined less than {new_years} years ago, or aged {young_age} or "
                     "less; veterans: {veteran_years} years or more in the party. Pairs stay "
                     "inside one community, same branch first, then same resident group, then "
                     "same grid; new members holding a management post are paired first.",
    "pairing_capacity": "Mentees per veteran at most",
    "pairing_new_years": "New: joined less than (years)",
    "pairing_veteran_years": "Veteran: in the party at least (years)",
    "pairing_young_age": "or aged at most",
    "pairing_propose": "Propose pairs",
    "pairing_not_proposed": "Choose the community and the rules, then press “Propose pairs”. A "
                            "proposal is advice only: nothing is written.",
    "pairing_objective": "This plan pairs {paired} new members ({management} of them holding a "
                         "management post), total score {score}; {kept} current pairs are kept; "
                         "{unpaired} new members are left unpaired.",
    "pairing_pairs": "Proposed pairs",
    "pairing_kept": "Current pairs kept",
    "pairing_unpaired": "New members left unpaired",
    "pairing_new_member": "New member",
    "pairing_mentor": "Veteran mentor",
    "pairing_member": "Member",
    "pairing_post": "Post",
    "pairing_holds_post": "yes",
    "pairing_score": "Score",
    "pairing_reason": "Why",
    "pairing_select": "Select",
    "pairing_select_all": "Select this page",
    "pairing_since": "Paired from",
    "pairing_accept": "Accept selected pairs",
    "pairing_accept_confirm": "Accept the selected pairs? MENTORS relationships will be written "
                              "and recorded in the audit log.",
    "pairing_accept_confirm_n": "Accept the {n} selected pairs? MENTORS relationships will be "
                                "written and recorded in the audit log.",
    "pairing_accept_note": "Tick the pairs to accept (this page only); once confirmed they are "
                           "written as mentoring relationships.",
    "pairing_accepted": "{n} mentoring relationships (MENTORS) written, from {since}.",
    "pairing_audit_record": "Audit record #{seq} ({at})",
    "pairing_no_audit": "No audit record of this change was found.",
    "pairing_relationship": "Relationship id",
    "pairing_propose_again": "Propose again",
    "pairing_none_selected": "Tick at least one pair.",
    "pairing_bad_selection": "The selected pairs could not be read; propose again and select.",
    "pairing_assumptions": "Members whose joining date is known only to the month or year, "
                           "on a cutoff",
    "pairing_sort_community": "Community",
    "pairing_sort_score": "Score",
    "pairing_sort_management": "Post holders first",
    "pairing_same_community": "same community",
}
