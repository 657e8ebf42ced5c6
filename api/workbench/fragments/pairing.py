"""新老结对: the pairing proposal (docs/domain.md §5.3) with its reasons, the members left
unpaired and why, and, for an admin, the acceptance of chosen pairs.

The proposal is ``POST /pairings/proposals`` asked as the caller (a community token plans
its own community only; for every role but admin ages come from the masked age band,
which is why ``young_age`` offers the band tops alone: the route takes no other). The
acceptance posts to :func:`accept`, which asks ``POST /pairings`` as the caller, so that
route's admin-only policy and its audit record apply; the page only hides the check
boxes from other roles. The token travels as a bearer header, never a cookie, so a page
elsewhere cannot make the browser post for the user (no CSRF).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.params import Day, YoungAge
from api.policy import PERSON_ROLES, CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, paged, query
from api.workbench.internal import Answer, call_json
from api.workbench.render import render
from graph.masking import BAND_TOPS
from queries.pairing import SCORE_PARTS

__all__ = ["router", "PAGES"]

router = page_router()
#: the roles the pairing routes let through (their router's policy): a consumer never
#: sees people, so the page refuses it at once, as the proposal would
PAGES = (Page("pairing", 30, roles=PERSON_ROLES,
              scripts=("wb-pairing.js",), styles=("wb-pairing.css",)),)

#: the route's defaults (the .xlsx takes the same rules)
DEFAULTS = {"capacity": 2, "new_years": 5, "veteran_years": 20, "young_age": 35}
#: the route's ``young_age``: an age band's top (graph.masking.BAND_TOPS)
YOUNG_AGES = BAND_TOPS


Sort = Literal["community", "score", "management"]
Row = dict[str, Any]

_SORTS = {
    "community": lambda p: (p["community"]["id"], p["mentor"]["id"], p["mentee"]["id"]),
    "score": lambda p: (-p["score"], p["community"]["id"], p["mentor"]["id"], p["mentee"]["id"]),
    "management": lambda p: (not p["mentee_management_post"], p["community"]["id"],
                             p["mentor"]["id"], p["mentee"]["id"]),
}
#: a pair's reasons in English (the JSON gives codes and Chinese)
REASONS_EN = {**{k: v[2] for k, v in SCORE_PARTS.items()}, "same_community": "same community"}
Page_ = Annotated[int, Query(ge=1, le=10_000)]
#: the parameters of a view of the page
_VIEW = ("community", "as_of", "capacity", "new_years", "veteran_years", "young_age",
         "propose", "sort", "page", "upage", "kpage", "lang")


def _communities(o: Any) -> list[Row]:
    """The communities the caller may choose (the overview's, which a community token
    sees as its own alone), by name."""
    if not isinstance(o, dict):
        return []
    return sorted((r["community"] for r in o.get("communities", [])),
                  key=lambda c: (c["name"], c["id"]))


@router.get("/pairing", response_class=HTMLResponse)
async def pairing(
    request: Request, caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Day | None = None,
    capacity: Annotated[int, Query(ge=0, le=50)] = 2,
    new_years: Annotated[int, Query(ge=0, le=100)] = 5,
    veteran_years: Annotated[int, Query(ge=0, le=100)] = 20,
    young_age: Annotated[YoungAge, Query()] = 35,
    propose: bool = False,
    sort: Annotated[Sort, Query()] = "community",
    page: Page_ = 1, upage: Page_ = 1, kpage: Page_ = 1,
    lang: LangQ = "zh",
) -> HTMLResponse:
    if caller.role not in PERSON_ROLES:  # before the form: the proposal's own refusal
        return failed(Answer(403, {"detail": f"the {caller.role} role may not call this "
                                             "endpoint"}, {}), lang)
    chosen = caller.community or community or None  # the form's "all" is empty
    day = as_of.isoformat() if as_of else None
    rules = {"capacity": capacity, "new_years": new_years, "veteran_years": veteran_years,
             "young_age": young_age}
    ctx: dict[str, Any] = {}
    if propose:
        a = await call_json(request, "POST", f"{API_PREFIX}/pairings/proposals",
                            body={"community": chosen, "as_of": day, **rules})
        if not a.ok:
            return failed(a, lang)
        r = a.body
        day = r["as_of"]
        for p in [*r["pairs"], *r["kept"]]:
            p["reasons_en"] = [REASONS_EN.get(x, x) for x in p["reasons"]]
        pairs = paged(sorted(r["pairs"], key=_SORTS[sort]), page)
        unpaired = paged(r["unpaired"], upage)
        kept = paged(r["kept"], kpage)
        ctx.update(r=r, pairs=pairs, unpaired=unpaired, kept=kept,
                   can_accept=caller.role == "admin" and bool(r["pairs"]),
                   xlsx_url=f"{API_PREFIX}/pairings/proposals.xlsx?"
                   + query(community=chosen, as_of=day, **rules),
                   xlsx_name=f"新老党员结对方案-{day}.xlsx")
    # the communities to choose from: the overview's (kept until the store changes)
    o = await call_json(request, "GET", f"{API_PREFIX}/overview")
    keep = {"community": chosen, "as_of": day,
            **{k: v for k, v in rules.items() if v != DEFAULTS[k]},
            "propose": "true" if propose else None, "sort": sort if sort != "community" else None,
            "lang": lang}
    pages = {"page": page, "upage": upage, "kpage": kpage}
    if propose:
        pages = {"page": ctx["pairs"].page, "upage": ctx["unpaired"].page,
                 "kpage": ctx["kept"].page}

    def at(**moved: int) -> str:
        """The query of this view with some table moved to another page."""
        now = {**pages, **moved}
        return query(**keep, **{k: v for k, v in now.items() if v > 1})

    return render(
        "f_pairing.html", lang, ctx=ctx, proposed=propose, community=chosen,
        bound=caller.community is not None, communities=_communities(o.body if o.ok else None),
        as_of=day or dt.date.today().isoformat(), sort=sort, sorts=list(_SORTS),
        young_ages=YOUNG_AGES, query=at(), at=at, **rules)


def _selected(form: list[tuple[str, str]]) -> list[dict[str, Any]] | None:
    """The ticked pairs (each box's value: ``[mentor, mentee, score]`` as JSON), or None
    when one cannot be read."""
    out = []
    for key, value in form:
        if key != "pair":
            continue
        try:
            mentor, mentee, score = json.loads(value)
        except (ValueError, TypeError):
            return None
        if not (isinstance(mentor, str) and isinstance(mentee, str)
                and isinstance(score, int | float) and not isinstance(score, bool)):
            return None
        out.append({"mentor": mentor, "mentee": mentee, "score": score})
    return out


@router.post("/pairing/accept", response_class=HTMLResponse)
async def accept(request: Request, caller: CallerDep, lang: LangQ = "zh") -> HTMLResponse:
    """Accept the ticked pairs: ``POST /pairings`` as the caller (admin only: any other
    role gets that route's 403, and nothing is written), then the audit record of it."""
    try:
        form = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        form = None
    pairs = _selected(form) if form is not None else None
    since = next((v for k, v in (form or []) if k == "since" and v), None)
    body: dict[str, Any] = {"pairs": pairs or [], "since": since}
    a = await call_json(request, "POST", f"{API_PREFIX}/pairings", body=body)
    if a.status == 422 and caller.role == "admin" and not pairs:  # the words of the page
        return render("f_pairing_message.html", lang, status=422,
                      key="pairing_none_selected" if pairs == [] else "pairing_bad_selection")
    if not a.ok:
        return failed(a, lang)
    since = a.body["since"]
    # the relationships' ids as the route gives them, or as accept_pairing makes them
    ids = a.body.get("ids") or [f"MENTORS:{p['mentor']}->{p['mentee']}:{since}"
                                for p in pairs or []]
    written = [(p["mentor"], p["mentee"], rid) for p, rid in zip(pairs or [], ids, strict=False)]
    # the audit record the JSON route's answer left (its path, this token, newest first)
    audit = await call_json(request, "GET", f"{API_PREFIX}/audit",
                            {"token_id": caller.token_id, "limit": 20})
    record = next((x for x in audit.body["items"] if x["method"] == "POST"
                   and x["path"] == f"{API_PREFIX}/pairings" and x["status"] == a.status),
                  None) if audit.ok else None
    # the view to propose again from (the page's own query, read back as parameters)
    again = urlencode([(k, v) for k, v in parse_qsl(
        next((v for k, v in form or [] if k == "again"), ""))
        if k in _VIEW and k not in ("page", "upage", "kpage")])
    return render("f_pairing_accepted.html", lang, status=a.status, n=a.body["written"],
                  since=since, written=written, record=record, again=again,
                  accepted=[[m, n] for m, n, _ in written])
