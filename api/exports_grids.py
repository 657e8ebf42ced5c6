"""The grid, front-line force and patrol-case reports as printable ``.xlsx``
(same shape as :mod:`api.exports`: a summary first, Chinese headers, the date or the
thresholds in the title, never a formula)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from loaders.xlsx import write_sheets
from queries.cases import CaseEvaluation
from queries.forces import MEASURES, ForcesReport
from queries.grid_duty import GridDuty
from queries.grid_integration import IntegrationProposal
from queries.grids import OverlapReport

__all__ = ["overlaps_xlsx", "integration_xlsx", "duty_xlsx", "forces_xlsx", "cases_xlsx",
           "KIND_ZH", "MISSING_ZH", "FLAG_ZH"]

KIND_ZH = {"base": "基础网格", "security": "安格", "fire": "消格", "police": "警格",
           "traffic": "交格", "sub": "子网格"}
MISSING_ZH = {"grid_worker": "网格员", "police_officer": "民警", "building_heads": "楼栋长"}
FLAG_ZH = {"filing_for_count": "凑数上报", "backlog": "积压", "recurring": "反复发生"}
REASON_ZH = {"area": "面积过大", "residents_per_worker": "人均服务居民过多"}
ROLE_ZH = {"deployed_staff": "下沉人员", "police_chief": "社区警长"}
Out = Path | IO[bytes]


def _name(ref: Any) -> str:
    return ref.name if ref is not None else ""


def overlaps_xlsx(r: OverlapReport, out: Out) -> Out:
    """专业网格 (each with its overlapped base grids), 跨社区, 过大基础网格."""
    rows = [[s.grid.name, KIND_ZH.get(s.kind, s.kind), _name(s.community), s.area_km2,
             o.base_grid.name, _name(o.community), o.area_km2, f"{o.share:.1%}"]
            for s in r.special_grids for o in s.overlaps]
    crossing = [[s.grid.name, KIND_ZH.get(s.kind, s.kind), _name(s.community),
                 "、".join(c.name for c in s.communities_crossed)]
                for s in r.special_grids if s.communities_crossed]
    large = [[g.grid.name, _name(g.community), g.area_km2, g.residents, g.workers,
              g.residents_per_worker if g.residents_per_worker is not None else "（无人负责）",
              "、".join(REASON_ZH.get(x, x) for x in g.reasons)] for g in r.too_large]
    return write_sheets(out, [
        ("专业网格与基础网格交叉", ["专业网格", "类型", "社区", "面积(km²)", "交叉基础网格",
                          "所在社区", "交叉面积(km²)", "占专业网格比例"], rows),
        ("跨社区专业网格", ["专业网格", "类型", "社区", "跨越社区"], crossing),
        ("过大基础网格", ["基础网格", "社区", "面积(km²)", "居民", "网格员", "人均服务居民",
                    "原因"], large)],
        title=f"网格交叉分析（面积上限 {r.max_area_km2} km²，人均服务居民上限 "
              f"{r.max_residents_per_worker}）")


def integration_xlsx(p: IntegrationProposal, out: Out) -> Out:
    """边界调整 per special grid, then the sub-grids to create."""
    changes = [[c.special_grid.name, KIND_ZH.get(c.kind, c.kind), _name(c.community),
                len(c.base_grids), "、".join(c.gains), "、".join(c.loses), c.area_km2]
               for c in p.changes]
    subs = [[s.name, s.id, KIND_ZH.get(s.kind, s.kind), s.base_grid, s.special_grid,
             s.community or "", s.area_km2] for s in p.sub_grids]
    return write_sheets(out, [
        ("专业网格边界调整", ["专业网格", "类型", "社区", "调整后基础网格数", "新增基础网格",
                       "移出基础网格", "调整后面积(km²)"], changes),
        ("子网格", ["子网格", "编号", "服务类型", "所属基础网格", "对应专业网格", "社区",
                 "面积(km²)"], subs)],
        title="多网合一：专业网格融入基础网格子网格方案", widths={4: 40, 5: 40})


def duty_xlsx(d: GridDuty, out: Out) -> Out:
    """定岗定责定人: base grids lacking someone, and workers with too many grids."""
    gaps = [[g.grid.name, _name(g.community), "、".join(MISSING_ZH.get(m, m) for m in g.missing),
             len(g.buildings_without_head), "、".join(g.buildings_without_head)] for g in d.gaps]
    busy = [[b.person.name, b.person.id, b.grids] for b in d.busy_workers]
    return write_sheets(out, [
        ("缺岗网格", ["基础网格", "社区", "缺", "无楼栋长楼栋数", "无楼栋长楼栋"], gaps),
        ("负责网格过多", ["网格员", "编号", "负责网格数"], busy)],
        title=f"定岗定责定人（截至 {d.as_of}，{len(d.gaps)}/{d.base_grids} 个基础网格缺岗）",
        widths={4: 50})


def forces_xlsx(r: ForcesReport, out: Out) -> Out:
    """下沉力量配置 per community (ratios and what each measure would give), 未调动,
    未考核."""
    alloc = [[a.community.name, a.staff, a.area_km2, a.residents, a.base_grids, a.duties,
              a.per_km2, a.per_10k_residents, a.per_grid, a.per_100_duties,
              *(a.by_need.get(m) for m in MEASURES)] for a in r.allocation]
    spread = [[s.measure_zh, s.lowest, s.highest, s.ratio] for s in r.spread]
    idle = [[x.person.name, x.person.id, _name(x.department), _name(x.community),
             x.last_case or "（无）", x.last_activity or "（无）"] for x in r.not_mobilised]
    unrated = [[x.person.name, x.person.id, ROLE_ZH.get(x.role, x.role), _name(x.community),
                "、".join(c.name for c in x.evaluated_by) or "（无）"] for x in r.not_evaluated]
    return write_sheets(out, [
        ("社区配置", ["社区", "下沉人员", "面积(km²)", "常住人口", "基础网格", "职责事项",
                  "每平方公里", "每万人", "每网格", "每百项职责",
                  *(f"按{z}应配" for z in MEASURES.values())], alloc),
        ("差异", ["按…衡量", "最低", "最高", "倍数"], spread),
        ("未调动人员", ["姓名", "编号", "派出部门", "社区", "最近上报案件", "最近参加活动"], idle),
        ("未纳入社区考核", ["姓名", "编号", "身份", "社区", "由其他社区考核"], unrated)],
        title=f"下沉力量（截至 {r.as_of}，近 {r.days} 天）")


def cases_xlsx(e: CaseEvaluation, out: Out) -> Out:
    """One sheet per grouping (grid, department, patroller), by score rank."""
    heads = ["综合排名", "办结率排名", "对象", "编号", "社区", "案件", "已办结", "未办结", "积压",
             "办结率", "质量(1-5)", "办结天数(中位)", "复发率", "综合分", "标记"]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        ("汇总", ["维度", "对象数", "办结率与综合排名相关系数", "排名差异大的对象"],
         [[r.grouping_zh, len(r.rows), r.rank_correlation if r.rank_correlation is not None
           else "（不足）", len(r.disagree)] for r in e.rankings])]
    for r in e.rankings:
        sheets.append((f"按{r.grouping_zh}", heads, [
            [x.rank_by_score or "（案件过少）", x.rank_by_closure_rate or "", x.entity.name,
             x.entity.id, _name(x.community), x.cases, x.closed, x.open, x.backlog,
             f"{x.closure_rate:.1%}", x.quality, x.days_to_close,
             f"{x.recurrence_rate:.1%}" if x.recurrence_rate is not None else "",
             x.score, "、".join(FLAG_ZH.get(f, f) for f in x.flags)] for x in r.rows]))
    return write_sheets(out, sheets, title=f"巡查案件评价：质量、效率、效果（{e.since} 至 "
                        f"{e.as_of}，{e.cases} 件）", widths={2: 30})
