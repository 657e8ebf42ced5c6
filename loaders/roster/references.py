"""After pass 1 of a roster load: who the rows are (a person by ID number, a node by
its name, :func:`identify`) and what the cells naming other nodes refer to
(:func:`check_refs`), each problem reported at the rows that have it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.masking import mask_value
from graph.store import GraphStore
from loaders.roster.pass1 import Pass1
from loaders.roster.resolve import Resolver

__all__ = ["check_refs", "identify"]


def identify(store: GraphStore, p: Pass1) -> None:
    """Who the rows are: a person by ID number (whoever wrote them first), a node the
    roster names by its name (buildings, organisations) by that name. An id the row
    gives must agree with the ID number; a person found by ID number must have the
    row's name (a new name is an error unless ``allow_rename``: most often the ID
    number was mistyped and belongs to someone else) and a stored birth date that
    agrees with it."""
    r = p.report
    held = store.people_by_id_number(p.numbers) if p.numbers else {}
    given = {v[0] for v in p.numbers.values() if v[4]}
    stored = store.get_nodes({*held.values(), *given}) if p.numbers else {}
    head = p.mapping.match_header("身份证号")
    id_header = head.header if head else "身份证号"
    for number, (rid, sheet, rno, col, was_given, name, has_birth) in p.numbers.items():
        holder = held.get(number)
        node = stored.get(holder or rid)
        if node is None:
            continue  # a new person
        problem: tuple[str, str, str] | None = None
        if holder is not None and holder != rid and was_given and rid in stored:
            problem = ("id_number_taken",
                       f"这个身份证号属于图中的另一个人（{holder}），与“{p.mapping.id.header}”"
                       f"{rid} 不一致：若是同一人，请用 govgraph people merge 合并",
                       f"the ID number belongs to another person in the graph ({holder}), "
                       f"not to {rid}: if they are one person, merge them (govgraph people "
                       "merge)")
        elif name and node.name != name and not p.allow_rename:
            problem = ("name_mismatch",
                       f"这个身份证号在图中属于“{node.name}”，与本行姓名“{name}”不一致："
                       "请核对身份证号；若确是改名，请加 --allow-rename 重新导入",
                       f"this ID number belongs to {node.name!r} in the graph, not {name!r}: "
                       "check the number; if the person was renamed, load with --allow-rename")
        elif not has_birth and not _same_birth(node.properties, number):
            problem = ("birth_date_mismatch", "与图中此人的出生日期不一致：请核对身份证号",
                       "differs from this person's birth date in the graph: check the number")
        if problem is not None:
            r.add(sheet, rno, col if col >= 0 else None, id_header,
                  mask_value("id_number", number, p.today), *problem)
        elif holder is not None and holder != rid:
            p.remap[rid] = holder
    if p.by_name and p.mapping.labels:
        label = p.mapping.labels[0]
        found = store.nodes_named(label, {name for name, _, _ in p.by_name.values()})
        stored = store.get_nodes(p.by_name)
        for rid, (name, sheet, rno) in p.by_name.items():
            hits = [n.id for n in found.get(name, ()) if n.id != rid]
            if rid in p.remap or not hits or rid in stored:
                continue
            if len(hits) == 1:
                p.remap[rid] = hits[0]
            else:
                r.add(sheet, rno, None, "名称", name, "ambiguous_reference",
                      f"图中有多个同名的节点（{'、'.join(hits[:5])}）：请填写编号",
                      f"several nodes in the graph have this name ({', '.join(hits[:5])}): "
                      "give the id")


def _same_birth(props: dict[str, Any], number: str) -> bool:
    """Whether a stored birth date (to its precision) agrees with an ID number's."""
    born = props.get("birth_date")
    if not isinstance(born, str):
        return True
    n = {"month": 7, "year": 4}.get(props.get("birth_date_precision") or "", 10)
    return born[:n] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"[:n]


def check_refs(store: GraphStore, p: Pass1) -> dict[tuple[str, str], str]:
    m, r, schema = p.mapping, p.report, p.schema
    resolver = Resolver(store, schema, p.names, {i: p.file_labels(i) for i in p.seen}
                        if p.self_ref else {})
    col_of = {c.link: c for c in m.columns if c.link}
    resolved: dict[tuple[str, str], str] = {}
    by_link: dict[str, set[str]] = defaultdict(set)
    for t, v in p.refs:
        by_link[t].add(v)
    for t, values in by_link.items():
        col = col_of[t]
        names = "、".join(schema.labels[x].name_zh for x in col.to)
        for v, (nid, cands) in resolver.resolve(values, col.to).items():
            if nid is not None:
                resolved[(t, v)] = p.remap.get(nid, nid)
                continue
            ref = p.refs[(t, v)]
            if cands:
                shown = [f"{c}（{n}）" if n else c for c, n in _names_of(store, cands[:5])]
                zh = f"对应多个{names}：{'、'.join(shown)}：请改填编号或全称"
                en = f"matches several nodes ({', '.join(cands[:5])}): use the id instead"
                rule = "ambiguous_reference"
            else:
                near = resolver.near(v, col.to)
                hint = f"；最接近的有：{'、'.join(near)}" if near else ""
                zh = f"在本表和图中都找不到这个{names}（按编号、全称或简称）{hint}"
                en = (f"no {' or '.join(col.to)} with this id, name or short name in the file "
                      "or the graph" + (f"; nearest: {', '.join(near)}" if near else ""))
                rule = "reference"
            for sheet, rno, i in ref.rows:
                r.add(sheet, rno, i, col.header, v, rule, f"“{col.header}”{zh}",
                      f"{col.header}: {en}")
            for _ in range(ref.count - len(ref.rows)):
                r.add(None, None, None, col.header, v, rule, zh, en)
    if m.subject == "reference":
        subjects = {p.remap.get(s, s): rows for s, rows in p.subjects.items()}
        found = store.get_nodes(subjects)
        for nid, rows in subjects.items():
            node = found.get(nid)
            for sheet, rno, name in rows:
                if node is None or not any(t in node.labels for t in m.id.to or ("Person",)):
                    r.add(sheet, rno, None, m.id.header, nid, "reference",
                          "图中没有这个人员：请先导入人员花名册",
                          "no such person in the graph: load the person's roster first")
                elif name and node.name != name:
                    r.add(sheet, rno, None, "姓名", name, "name_mismatch",
                          f"与图中此人的姓名“{node.name}”不一致",
                          f"differs from this person's name in the graph, {node.name!r}")
    return resolved


def _names_of(store: GraphStore, ids: list[str]) -> list[tuple[str, str]]:
    found = store.get_nodes(ids)
    return [(i, found[i].name if i in found else "") for i in ids]
