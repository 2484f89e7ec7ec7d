"""Analytics API for traffic (DATA-1), targets (DATA-3) and the diagnosis (DATA-4): the same services, permissions
and shop scope as the pages (views_traffic.py, the dashboard).

- GET  /api/v1/analytics/traffic?shop=&from=&to=   the days recorded (analytics.view_report)
- POST /api/v1/analytics/traffic (multipart `shop_id`, `file`)   import one export (analytics.change_shopdaytraffic)
- GET  /api/v1/analytics/targets?shop=   the targets and progress of this month, quarter and year
- PUT  /api/v1/analytics/targets   set targets of one shop (analytics.set_target)
- GET  /api/v1/analytics/diagnosis?shop=&from=&to=   the findings in words, per shop
"""

import datetime as dt

from django.http import Http404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from . import selectors
from .services import diagnosis, targets
from .services import traffic as traffic_svc

router = Router(tags=["analytics"])
VIEW = "analytics.view_report"
MAX_UPLOAD = 20 << 20
FILE = File(...)
SHOP_ID = Form(...)


def _shops(request, shop: str):
    shops = list(allowed_shops(request.user))
    if shop:
        shops = [s for s in shops if s.code == shop.strip()]
        if not shops:
            raise Http404  # not one of the caller's shops: as if it did not exist
    return shops


def _range(request, date_from: str, date_to: str):
    first, last, problem, field = selectors.parse_range(
        request.GET.get("from", date_from), request.GET.get("to", date_to)
    )
    if problem:
        raise DomainError("bad_range", problem, field)
    return first, last


class TrafficDayOut(Schema):
    shop: str
    day: dt.date
    pv: int
    uv: int
    pages_per_visit: float | None
    stay_seconds: int
    returning_rate: float
    search: int
    free: int
    direct: int
    paid: int
    other: int
    recorded_from: str


@api_route(router.get, "/analytics/traffic", perm=VIEW, response=list[TrafficDayOut])
def traffic_list(request, shop: str = "", date_from: str = "", date_to: str = ""):
    """DATA-1: the traffic per day of the caller's shops (or `shop`, a shop code) over [`from`, `to`]."""
    first, last = _range(request, date_from, date_to)
    rows = selectors.traffic_days([s.pk for s in _shops(request, shop)], first, last)
    return [
        {"shop": t.shop.code, "day": t.day, "pv": t.pv, "uv": t.uv, "pages_per_visit": t.pages_per_visit,
         "stay_seconds": t.stay_seconds, "returning_rate": t.returning_permille / 1000, "search": t.search,
         "free": t.free, "direct": t.direct, "paid": t.paid, "other": t.other, "recorded_from": t.source}
        for t in rows
    ]  # fmt: skip


class TrafficImportOut(Schema):
    shop: str
    layout: str
    created: int
    updated: int
    unchanged: int
    errors: list[str]


@api_route(router.post, "/analytics/traffic", perm="analytics.change_shopdaytraffic", response=TrafficImportOut)
def traffic_import(request, shop_id: int = SHOP_ID, file: UploadedFile = FILE):
    """DATA-1: import one daily traffic export (生意参谋, 京东商智, 拼多多, our template) for the shop `shop_id`."""
    shop = next((s for s in allowed_shops(request.user) if s.pk == shop_id), None)
    if shop is None:
        raise Http404
    if file.size > MAX_UPLOAD:
        raise DomainError("file_too_large", f"文件太大，上限 {MAX_UPLOAD >> 20} MB", "file")
    result = traffic_svc.import_file(request.user, shop, str(file.name)[:200], file.read())
    return {"shop": shop.code, "layout": result.layout, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": result.errors}  # fmt: skip


class ProgressOut(Schema):
    period: str
    first_day: dt.date
    last_day: dt.date
    measure: str
    target: int
    actual: int | None
    share: float | None
    expected: int | None
    needed_per_day: int | None
    behind: bool


class TargetsOut(Schema):
    shops: list[str]
    progress: list[ProgressOut]


def _progress(shops) -> dict:
    return {
        "shops": [s.code for s in shops],
        "progress": [
            {"period": p.period, "first_day": p.first, "last_day": p.last, "measure": p.measure, "target": p.target,
             "actual": p.actual, "share": p.share, "expected": p.expected, "needed_per_day": p.needed_per_day,
             "behind": p.behind}
            for p in targets.progress([s.pk for s in shops])
        ],
    }  # fmt: skip


@api_route(router.get, "/analytics/targets", perm=VIEW, response=TargetsOut)
def targets_get(request, shop: str = ""):
    """DATA-3: the targets of this month, quarter and year with their progress (sales, UV: fen and counts;
    conversion and repeat rate in basis points)."""
    return _progress(_shops(request, shop))


class TargetIn(Schema):
    period: str  # month / quarter / year (the one holding today)
    measure: str  # sales / uv / conversion / aov / repeat
    value: str  # as a user types it: yuan, a count, a percentage; blank removes the target


class TargetsIn(Schema):
    shop: str
    targets: list[TargetIn]


@api_route(router.put, "/analytics/targets", perm="analytics.set_target", response=TargetsOut)
def targets_set(request, body: TargetsIn):
    """DATA-3: set targets of one shop, all or nothing (a bad value: 400 naming the field, nothing changed)."""
    shop = _shops(request, body.shop or "-")[0]
    values = {}
    for t in body.targets:
        if t.period not in ("month", "quarter", "year"):
            raise DomainError("bad_period", "周期应为 month、quarter 或 year", "period")
        values[(t.period, t.measure)] = t.value
    from zhanggui.core import clock

    targets.set_targets(request.user, shop, clock.today(), values)
    return _progress([shop])


class FindingOut(Schema):
    shop: str
    rule: str
    sentence: str
    action: str
    link: str


@api_route(router.get, "/analytics/diagnosis", perm=VIEW, response=list[FindingOut])
def diagnosis_list(request, shop: str = "", date_from: str = "", date_to: str = ""):
    """DATA-4: the diagnosis in words of each of the caller's shops (or `shop`) over [`from`, `to`]."""
    first, last = _range(request, date_from, date_to)
    return [
        {"shop": s.code, "rule": f.rule, "sentence": f.sentence, "action": f.action, "link": f.link}
        for s in _shops(request, shop)
        for f in diagnosis.diagnose(s, first, last)
    ]
