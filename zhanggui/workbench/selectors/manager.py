"""The manager's home (店长): the day's sales, orders and refunds per shop (ui.md "Home per role"), beside every
queue — order exceptions (ORD-9), parcels at risk (SHIP-2), duties nobody owns (TEAM-2), shops being opened
(SHOP-3) — and the team's activity. Each figure is one grouped query over every shop in view, never one per shop."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhanggui.core import clock
from zhanggui.core.access import has_access
from zhanggui.core.events import present_event
from zhanggui.core.models import Event
from zhanggui.fulfilment.services import sla
from zhanggui.orders import selectors as orders
from zhanggui.shops.selectors import open_checklists
from zhanggui.team.selectors import unowned_duties

from .blocks import Block, Row

ORDERS = "orders.view_order"


def orders_url(**params) -> str:
    return reverse("orders:list") + "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def sales(shops, today: dt.date) -> dict:
    """The figures of today and yesterday per shop (SHOP-1: per shop, rolled up): 支付金额 and 支付订单 — the
    orders paid that Beijing day — with the refunds on them, and the refund requests open now (ORD-9). Two grouped
    queries. Each figure links to the order list narrowed to exactly its orders (the shop, paid that day, refunded)."""
    days = [today, today - dt.timedelta(days=1)]
    figures = orders.daily_sales(shops, days)
    requests = orders.refund_requests(shops)

    def cell(shop_code, day, found):
        on_day = {"shop": shop_code, "by": "paid", "from": day.isoformat(), "to": day.isoformat()}
        return {
            "day": day,
            "orders": found.orders,
            "paid_fen": found.paid_fen,
            "refunds": found.refunds,
            "refund_fen": found.refund_fen,
            "url": orders_url(**on_day),
            "refund_url": orders_url(**on_day, refund="1"),
        }

    rows = []
    totals = {day: orders.DaySales() for day in days}
    for shop in shops:
        cells = []
        for day in days:
            found = figures.get((shop.pk, day), orders.DaySales())
            total = totals[day]
            total.orders += found.orders
            total.paid_fen += found.paid_fen
            total.refunds += found.refunds
            total.refund_fen += found.refund_fen
            cells.append(cell(shop.code, day, found))
        rows.append(
            {
                "shop": shop,
                "days": cells,
                "refund_requests": requests.get(shop.pk, 0),
                "requests_url": orders_url(shop=shop.code, tab="exc_refund"),
            }
        )
    return {
        "days": days,
        "rows": rows,
        "total": {
            "days": [cell("", day, totals[day]) for day in days],
            "refund_requests": sum(requests.values()),
            "requests_url": orders_url(tab="exc_refund"),
        },
    }


def sales_tiles(sales_figures: dict) -> Block:
    """The headline of the manager's home: today's and yesterday's paid amount and orders, open refund requests."""
    today, yesterday = sales_figures["total"]["days"]
    total = sales_figures["total"]
    rows = [
        Row("paid_today", _("Paid today"), today["paid_fen"], today["url"], ORDERS, urgent=False, money=True),
        Row("orders_today", _("Orders paid today"), today["orders"], today["url"], ORDERS, urgent=False),
        Row("paid_yesterday", _("Paid yesterday"), yesterday["paid_fen"], yesterday["url"], ORDERS, urgent=False,
            money=True),
        Row("orders_yesterday", _("Orders paid yesterday"), yesterday["orders"], yesterday["url"], ORDERS,
            urgent=False),
        Row("refund_requests", _("Refund requests open"), total["refund_requests"], total["requests_url"], ORDERS),
    ]  # fmt: skip
    return Block("sales", _("Sales"), "fa-sack-dollar", rows, wide=True)


def order_queues(shops) -> Block:
    """ORD-9: every exception queue with its count, its owner and the age of its oldest order — nothing hidden."""
    queues = orders.exception_queues(shops)
    oldest = orders.queue_oldest(shops, [key for key, *_rest in queues])
    rows = [
        Row(key, label, n, orders_url(tab=key), ORDERS, oldest=oldest[key] if n else None, owner=owner)
        for key, label, n, owner in queues
    ]
    return Block("order_queues", _("Order exceptions"), "fa-triangle-exclamation", rows, style="table")


def at_risk(shops, now: dt.datetime | None = None) -> Block:
    """SHIP-2: the parcels about to miss their ship deadline or past it, per shop — the at-risk page's own queue
    (fulfilment.services.sla.at_risk, one definition), each shop linking to its part of the page."""
    summary = sla.shop_summary(sla.at_risk(shops, now))
    url = reverse("fulfilment:at_risk")
    rows = [
        Row(
            f"at_risk:{s['shop'].pk}",
            s["shop"].name,
            s[sla.SOON] + s[sla.LATE] + s[sla.OVERDUE],
            f"{url}?{urlencode({'shop': s['shop'].code})}",
            "fulfilment.view_package",
            note=_("%(soon)s due soon · %(late)s past the target · %(overdue)s overdue")
            % {"soon": s[sla.SOON], "late": s[sla.LATE], "overdue": s[sla.OVERDUE]},
        )
        for s in summary
    ]
    if not rows:
        rows = [Row("at_risk", _("Parcels at risk"), 0, url, "fulfilment.view_package")]
    return Block("at_risk", _("Parcels at risk of shipping late"), "fa-truck-fast", rows, style="table")


def duties() -> Block:
    """TEAM-2: the duties no active person owns, linked to the duty chart where owners are set."""
    unowned = list(unowned_duties().order_by("role__position", "position").values_list("title", flat=True))
    note = "、".join(unowned[:3]) + ("…" if len(unowned) > 3 else "")
    row = Row("unowned_duties", _("Duties without an owner"), len(unowned), reverse("team:duties"), "team.view_staff",
              note=note)  # fmt: skip
    return Block("duties", _("Team"), "fa-people-group", [row], style="table")


def checklists(shops) -> Block:
    """SHOP-3: the shops still being opened, with how many steps are done."""
    rows = []
    for c in open_checklists(shops):
        percent = round(c.done * 100 / c.total) if c.total else 0
        url = reverse("shops:detail", args=[c.shop_id])
        rows.append(
            Row(f"checklist:{c.pk}", c.shop.name, f"{c.done}/{c.total}", url, "shops.view_shop", urgent=False,
                percent=percent)
        )  # fmt: skip
    return Block("checklists", _("Shops being opened"), "fa-store", rows, style="checklist")


def activity(user, shops, today: dt.date) -> dict | None:
    """The team's actions per day over the last 14 days (one grouped query) and the latest twelve."""
    if not has_access(user, "core.view_event"):
        return None
    since = clock.local_day_bounds(today - dt.timedelta(days=13))[0]
    events = Event.objects.filter(shop__in=shops)
    per_day = dict(
        events.filter(at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=clock.SHANGHAI))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [today - dt.timedelta(days=n) for n in range(13, -1, -1)]
    return {
        "days": [d.strftime("%m-%d") for d in days],
        "counts": [per_day.get(d, 0) for d in days],
        "recent": [present_event(e, user) for e in events.select_related("actor", "content_type")[:12]],
    }
