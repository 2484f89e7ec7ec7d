"""拦截 (intercept): a package stopped after its label was printed (SHIP-1, AS-2 refund before shipping).

An order refunded in full before shipping is closed through the orders' one owner of consequences (orders.services.
refund_reports.close_refunded → states.apply_moves, OrdersMoved); packages._on_orders_moved cancels its open
packages in the same transaction, and the reservation is released with the order. A package still 待打单 is simply
gone from the print queue. A package already printed or packed has a label on it and maybe goods picked: it is
cancelled AND marked intercepted here (`mark`), so
- the scan page refuses it with a red 拦截 alarm (verify.find_package) and lists the recent intercepts;
- the daily shipping record lists the day's intercepts in red (`intercepted_on`);
- every ship path refuses it: print (cancelled is not printable), scan, ship and batch ship (not packed), the
  platform batch-ship file (only shipments are in it), the API (the same services).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Value, When

from zhanggui.core import clock

from ..models import Package

State = Package.State
LABELLED = {State.PRINTED, State.PACKED}  # a label exists: the warehouse must be told
RECENT_DAYS = 3


def mark(found: list[Package], notes: dict[int, str], now=None) -> list[Package]:
    """Mark the packages of `found` (read before their cancellation) that were printed or packed as intercepted,
    with the note {package id: why}. One UPDATE; returns those marked."""
    now = now or clock.now()
    labelled = [p for p in found if p.state in LABELLED]
    if not labelled:
        return []
    for package in labelled:
        package.intercepted_at = now
        package.intercept_note = f"拦截：{notes.get(package.pk, '订单已关闭')}"[:200]
    # rule 8 of the house: one statement whatever the number of packages (each keeps its own note)
    Package.objects.filter(pk__in=[p.pk for p in labelled]).update(
        intercepted_at=now,
        intercept_note=Case(*(When(pk=p.pk, then=Value(p.intercept_note)) for p in labelled), output_field=CharField()),
    )
    return labelled


def refusal(package: Package) -> str:
    """The red message of the scan page for an intercepted package."""
    why = package.intercept_note.removeprefix("拦截：")
    return f"拦截！包裹 {package.waybill_no or package.package_no}：{why}，请勿发货，把商品放回货架"


def intercepted_on(shops, day: dt.date) -> list[Package]:
    """The packages intercepted on Beijing `day` in `shops` (the daily record's 拦截 list)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
    qs = Package.objects.filter(
        shop__in=shops, intercepted_at__gte=start, intercepted_at__lt=start + dt.timedelta(days=1)
    )
    return list(qs.select_related("carrier", "order").order_by("-intercepted_at", "-id")[:200])


def recent(shops, days: int = RECENT_DAYS) -> list[Package]:
    """The packages intercepted in the last `days` days (the scan page's red list)."""
    since = clock.now() - dt.timedelta(days=days)
    qs = Package.objects.filter(shop__in=shops, intercepted_at__gte=since)
    return list(qs.select_related("carrier", "order").order_by("-intercepted_at", "-id")[:50])
