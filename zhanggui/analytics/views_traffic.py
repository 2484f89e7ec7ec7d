"""数据 → 流量 (DATA-1) and 数据 → 目标 (DATA-3).

- /analytics/traffic/: the traffic per day of the shops in view (counts and shares by source), the import of the
  platforms' daily exports or our template (downloadable), and manual entry of one day — importing and entering
  need analytics.change_shopdaytraffic (manager, marketing), only for the shops the person works for.
- /analytics/targets/: a shop's targets for this month, quarter and year (manager: analytics.set_target).
"""

import contextlib
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhanggui.core import clock
from zhanggui.core.access import allowed_shops, has_access, page
from zhanggui.core.errors import DomainError

from . import selectors
from .models import ShopDayTraffic, Target
from .services import targets as target_svc
from .services import traffic as traffic_svc

VIEW = "analytics.view_report"
EDIT = "analytics.change_shopdaytraffic"
SET_TARGET = "analytics.set_target"
MAX_UPLOAD = 20 << 20


def _pick_shop(user, value):
    shop = next((s for s in allowed_shops(user) if str(s.pk) == str(value or "")), None)
    if shop is None:
        raise DomainError("no_shop", "请选择店铺", "shop")
    return shop


def _share(part, whole):
    return "—" if not whole else f"{part / whole * 100:.1f}%"


def _day_row(t: ShopDayTraffic) -> dict:
    sources = sum(getattr(t, n) for n in ShopDayTraffic.SOURCES)
    return {
        "t": t,
        "ppv": "—" if not t.uv else f"{t.pv / t.uv:.2f}",
        "returning": f"{t.returning_permille / 10:.1f}%",
        "sources": [(getattr(t, n), _share(getattr(t, n), sources)) for n in ShopDayTraffic.SOURCES],
    }


def _manual_values(post) -> dict:
    values = {}
    for name in traffic_svc.FIELDS:
        raw = str(post.get(name, "") or "").strip()
        if name == "returning_permille":
            raw = raw.rstrip("%").strip()
            with contextlib.suppress(ValueError):  # left as typed: the service names the field
                raw = str(round(float(raw) * 10)) if raw else "0"
        values[name] = raw or 0
    return values


@page(VIEW, shop_scoped=True)
def traffic_page(request):
    """DATA-1: the table per day, the import and the manual entry."""
    first, last, problem, _field = selectors.parse_range(request.GET.get("from"), request.GET.get("to"))
    shops = request.scope.shops
    can_edit = has_access(request.user, EDIT)
    result, error, error_field = None, "", ""
    if request.method == "POST" and can_edit:
        try:
            shop = _pick_shop(request.user, request.POST.get("shop"))
            if request.POST.get("action") == "manual":
                day = None
                with contextlib.suppress(ValueError):
                    day = dt.date.fromisoformat(str(request.POST.get("day", ""))[:10])
                outcome = traffic_svc.record_day(request.user, shop, day, _manual_values(request.POST))
                messages.success(request, _("Traffic of %(day)s saved (%(outcome)s).") % {
                    "day": day, "outcome": {"created": _("new"), "updated": _("changed"),
                                            "unchanged": _("unchanged")}[outcome]})  # fmt: skip
                return redirect(request.get_full_path())
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError("no_file", "请选择要导入的流量文件", "file")
            if upload.size > MAX_UPLOAD:
                raise DomainError("file_too_large", f"文件太大，上限 {MAX_UPLOAD >> 20} MB", "file")
            result = traffic_svc.import_file(request.user, shop, str(upload.name)[:200], upload.read())
        except DomainError as exc:
            error, error_field = exc.message, exc.field or ""
    sums = selectors.traffic_sums([s.pk for s in shops], first, last)
    context = {
        "first": first,
        "last": last,
        "problem": problem,
        "rows": [_day_row(t) for t in selectors.traffic_days([s.pk for s in shops], first, last)],
        "sums": sums,
        "share_rows": [(n, sums[n], _share(sums[n], sums["sources"])) for n in ShopDayTraffic.SOURCES],
        "can_edit": can_edit,
        "edit_shops": list(allowed_shops(request.user)) if can_edit else [],
        "chosen": str(request.POST.get("shop") or (request.scope.current.pk if request.scope.current else "")),
        "result": result,
        "error": error,
        "error_field": error_field,
        "today": clock.today(),
        "post": request.POST if request.method == "POST" else {},
    }
    return render(request, "analytics/traffic.html", context, status=400 if error else 200)


@page(EDIT)
def traffic_template(request):
    response = HttpResponse(
        traffic_svc.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%B5%81%E9%87%8F%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@page(VIEW, shop_scoped=True)
def targets_page(request):
    """DATA-3: the targets of one shop for the month, quarter and year holding today: everyone who sees the figures
    reads them (as the API's GET does); only analytics.set_target (manager) saves."""
    today = clock.today()
    can_set = has_access(request.user, SET_TARGET)
    if request.method == "POST" and not can_set:
        raise PermissionDenied
    shops = list(allowed_shops(request.user))
    chosen = request.POST.get("shop") or request.GET.get("for") or (request.scope.current or (shops or [None])[0])
    chosen = getattr(chosen, "pk", chosen)
    error, error_field = "", ""
    shop = next((s for s in shops if str(s.pk) == str(chosen)), None)
    keys = [(p, m) for m in Target.Measure.values for p in ("month", "quarter", "year")]
    if request.method == "POST":
        values = {(p, m): request.POST.get(f"{p}-{m}", "") for p, m in keys}
        try:
            shop = _pick_shop(request.user, chosen)
            count = target_svc.set_targets(request.user, shop, today, values)
            messages.success(request, _("%(n)s targets saved for %(shop)s.") % {"n": count, "shop": shop.name})
            return redirect(reverse("analytics:targets") + f"?for={shop.pk}")
        except DomainError as exc:
            error, error_field = exc.message, exc.field or ""
        current = {k: v for k, v in values.items()}
    else:
        current = target_svc.current_values(shop, today) if shop else {}
    periods = [(p, *target_svc.period_bounds(p, today)) for p in ("month", "quarter", "year")]
    units = {"sales": "¥", "uv": _("visitors"), "conversion": "%", "aov": "¥", "repeat": "%"}
    grid = [
        {"measure": m, "label": label, "unit": units[m],
         "cells": [{"name": f"{p}-{m}", "value": current.get((p, m), ""), "bad": error_field == f"{p}-{m}"}
                   for p in ("month", "quarter", "year")]}
        for m, label in Target.Measure.choices
    ]  # fmt: skip
    context = {"shops": shops, "shop": shop, "periods": periods, "grid": grid, "error": error, "can_set": can_set}
    return render(request, "analytics/targets.html", context, status=400 if error else 200)
