"""What the orders hand to the catalog: sales per product from the order lines (PROD-7, PROD-8, DATA-5).

The catalog sits below the orders and never imports them (rule 2 of the house); it calls the function registered
here (`catalog.services.lifecycle.register_sales_source`, in OrdersConfig.ready()) when its role and lifecycle
page needs the sales of a period.

A sale is a paid order line matched to a SKU: the order was paid (`paid_at`) in the period, Beijing days, and is not
closed (a closed paid order was cancelled or refunded: no sale) nor awaiting payment. Units count per paid day; the
price is what the lines were paid (their paid share, else unit price × quantity) per unit, the cost is the SKU's cost
price per unit — both averaged over the period. ONE grouped query for every product.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, F, Sum, When
from django.db.models.functions import TruncDate

from zhanggui.catalog.rules_lifecycle import ProductSales
from zhanggui.core import clock

from ..models import Order, OrderLine

NOT_SALES = (Order.State.PENDING_PAYMENT, Order.State.CLOSED)


def product_sales(days: int, *, today: dt.date | None = None, shops=None) -> dict[int, ProductSales]:
    """{product id: ProductSales(daily units of the last `days` Beijing days up to today, oldest first, average
    price and cost in fen)} for every product sold in them; `shops` limits to those shops (default: all)."""
    today = today or clock.today()
    first = today - dt.timedelta(days=days - 1)
    since, _end = clock.local_day_bounds(first)
    lines = OrderLine.objects.filter(
        sku__isnull=False, order__paid_at__gte=since, order__paid_at__lt=clock.local_day_bounds(today)[1]
    ).exclude(order__state__in=NOT_SALES)
    if shops is not None:
        lines = lines.filter(order__shop__in=shops)
    rows = (
        lines.annotate(day=TruncDate("order__paid_at", tzinfo=clock.SHANGHAI))
        .values("sku__product_id", "day")
        .annotate(
            units=Sum("quantity"),
            paid=Sum(Case(When(paid_fen__gt=0, then=F("paid_fen")), default=F("unit_price_fen") * F("quantity"))),
            cost=Sum(F("sku__cost_fen") * F("quantity")),
        )
        .order_by()
    )
    daily: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    money: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # units, paid, cost
    for row in rows:
        index = days - 1 - (today - row["day"]).days
        if not 0 <= index < days:
            continue
        pid = row["sku__product_id"]
        daily[pid][index] += row["units"]
        total = money[pid]
        total[0] += row["units"]
        total[1] += row["paid"] or 0
        total[2] += row["cost"] or 0
    return {
        pid: ProductSales(units, price_fen=money[pid][1] // money[pid][0], cost_fen=money[pid][2] // money[pid][0])
        for pid, units in daily.items()
        if money[pid][0]
    }
