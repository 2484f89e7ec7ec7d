"""FIN-2 monthly profit and loss per shop and for the company, and closing a month.

Computed from the daily facts (analytics ShopDayFact / SkuDayFact: sales, refunds, cost of goods at the time of
sale), never by a scan of the orders, so a month over a million orders takes a few grouped queries:

    profit = sales − refunds − compensation − cost of goods − commission − courier − packaging − ad spend
             − campaign prizes − other costs − corrections − annual fee (a twelfth per month)

- commission: each category's sales × its rate (FIN-1 rates), the rest at the platform's default;
- courier: the parcels shipped in the month, billed fee where the bill is imported (SHIP-5), else expected;
- packaging: paid orders × the shop's packaging setting; the annual fee and the deposit come from the shop opening
  settings (SHOP-3): the fee is a cost (a twelfth a month), the deposit is money frozen, shown beside, not a cost;
- ad spend, prizes, other costs and corrections: CostEntry rows of the month (entered by finance);
- beside it, for the company: purchase payments made in the month and what is owed to suppliers now (PUR-2, PUR-3).

A closed month (MonthClose) shows the figures frozen at its close; entering a cost for it books the entry in the
next open month as a correction with a note naming the closed month; closing twice is refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhanggui.aftersales.models import Compensation
from zhanggui.analytics.models import ShopDayFact, SkuDayFact
from zhanggui.core import clock
from zhanggui.core.bounds import check_total_fen
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package
from zhanggui.purchasing.models import Payment
from zhanggui.shops.settings_store import settings_for

from ..models import CostEntry, MonthClose
from .profit import PACKAGING, Rates


def N_(label: str) -> str:  # marks a P&L line label (msgctxt "pnl line"); pages translate it with line_label()
    return label


def line_label(label: str) -> str:
    return pgettext("pnl line", label)


# (key, label) in the order the statement reads; costs are subtracted from sales.
LINES = [
    ("sales_fen", N_("Sales")),
    ("refund_fen", N_("Refunds")),
    ("compensation_fen", N_("Compensation")),
    ("cost_fen", N_("Cost of goods")),
    ("commission_fen", N_("Platform commission")),
    ("courier_fen", N_("Courier fees")),
    ("packaging_fen", N_("Packaging")),
    ("ad_fen", N_("Ad spend")),
    ("prize_fen", N_("Campaign prizes")),
    ("other_fen", N_("Other costs")),
    ("correction_fen", N_("Corrections to closed months")),
    ("annual_fee_fen", N_("Annual service fee (a twelfth)")),
]
COSTS = [key for key, _label in LINES[1:]]
KIND_KEY = {"ad": "ad_fen", "prize": "prize_fen", "other": "other_fen", "correction": "correction_fen"}
ANNUAL_FEE = {"tmall": "opening.tmall_annual_fee"}
DEPOSIT = {
    "tmall": "opening.tmall_deposit",
    "taobao": "opening.taobao_deposit",
    "jd": "opening.jd_deposit",
    "pdd": "opening.pdd_deposit",
}


def month_of(value) -> dt.date:
    """'2026-10' / a date → the first day of its month, or a Chinese DomainError naming the field."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return dt.datetime.strptime(str(value or "").strip()[:7], "%Y-%m").date()
    except ValueError:
        raise DomainError("bad_month", _("Month: enter it as YYYY-MM, e.g. 2026-10"), "month") from None


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    return month, next_month(month) - dt.timedelta(days=1)


@dataclass
class ShopPnl:
    shop: object
    month: dt.date
    figures: dict
    closed: MonthClose | None = None

    @property
    def profit_fen(self) -> int:
        return self.figures["profit_fen"]


def compute(shops, month: dt.date) -> dict[int, dict]:
    """{shop id: figures} of `shops` for `month`, freshly computed (closed or not)."""
    first, last = month_bounds(month)
    ids = [s.pk for s in shops]
    out = {pk: {key: 0 for key, _l in LINES} | {"orders": 0, "uncosted_units": 0} for pk in ids}
    for row in (
        ShopDayFact.objects.filter(shop_id__in=ids, day__gte=first, day__lte=last)
        .values("shop_id")
        .annotate(
            orders=Sum("orders"), sales=Sum("gmv_fen"), refunds=Sum("refund_fen"), cost=Sum("cost_fen"),
            uncosted=Sum("uncosted_units"),
        )
        .order_by()
    ):  # fmt: skip
        f = out[row["shop_id"]]
        f.update(
            orders=row["orders"] or 0,
            sales_fen=row["sales"] or 0,
            refund_fen=row["refunds"] or 0,
            cost_fen=row["cost"] or 0,
            uncosted_units=row["uncosted"] or 0,
        )
    _commission(shops, first, last, out)
    _courier(ids, first, last, out)
    _compensation(ids, first, last, out)
    values = settings_for(shops)
    for shop in shops:
        f, v = out[shop.pk], values.get(shop.pk, {})
        f["packaging_fen"] = f["orders"] * int(v.get(PACKAGING) or 0)
        fee_key, deposit_key = ANNUAL_FEE.get(shop.platform_id), DEPOSIT.get(shop.platform_id)
        f["annual_fee_fen"] = (int(v.get(fee_key) or 0) + 6) // 12 if fee_key else 0
        f["deposit_fen"] = int(v.get(deposit_key) or 0) if deposit_key else 0
    for shop_id, kind, total in (
        CostEntry.objects.filter(shop_id__in=ids, month=month)
        .values_list("shop_id", "kind")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    ):
        out[shop_id][KIND_KEY[kind]] += total or 0
    for f in out.values():
        f["profit_fen"] = f["sales_fen"] - sum(f[key] for key in COSTS)
    return out


def _commission(shops, first, last, out) -> None:
    rates = Rates()
    platform = {s.pk: s.platform_id for s in shops}
    by_sku = defaultdict(int)
    for shop_id, category, gmv in (
        SkuDayFact.objects.filter(shop_id__in=list(platform), day__gte=first, day__lte=last)
        .values_list("shop_id", "sku__product__category_id")
        .annotate(gmv=Sum("gmv_fen"))
        .order_by()
    ):
        out[shop_id]["commission_fen"] += gmv * rates.rate(platform[shop_id], category)
        by_sku[shop_id] += gmv or 0
    for shop_id, f in out.items():
        rest = max(0, f["sales_fen"] - by_sku[shop_id])
        f["commission_fen"] = (f["commission_fen"] + rest * rates.default(platform[shop_id]) + 5000) // 10000


def _courier(ids, first, last, out) -> None:
    start, end = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
    rows = (
        Package.objects.filter(shop_id__in=ids, shipped_at__gte=start, shipped_at__lt=end)
        .exclude(state=Package.State.CANCELLED)
        .values("shop_id")
        .annotate(billed=Sum("courier_fee_fen"), n=Count("pk"))
        .order_by()
    )
    for row in rows:
        out[row["shop_id"]]["courier_fen"] += row["billed"] or 0
    expected = (
        Package.objects.filter(shop_id__in=ids, shipped_at__gte=start, shipped_at__lt=end, courier_fee_fen__isnull=True)
        .exclude(state=Package.State.CANCELLED)
        .values("shop_id")
        .annotate(expected=Sum("expected_fee_fen"))
        .order_by()
    )
    for row in expected:
        out[row["shop_id"]]["courier_fen"] += row["expected"] or 0


def _compensation(ids, first, last, out) -> None:
    start, end = clock.local_day_bounds(first)[0], clock.local_day_bounds(last)[1]
    rows = (
        Compensation.objects.filter(case__shop_id__in=ids, created_at__gte=start, created_at__lt=end)
        .exclude(kind=Compensation.Kind.REFUND)  # refunds are in the facts' refunds
        .values_list("case__shop_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    for shop_id, total in rows:
        out[shop_id]["compensation_fen"] += total or 0


def monthly(shops, month: dt.date) -> tuple[list[ShopPnl], dict, dict]:
    """FIN-2: (per shop, company total, company beside) for `month` — a closed month shows its frozen figures."""
    shops = list(shops)
    closes = {c.shop_id: c for c in MonthClose.objects.filter(shop__in=shops, month=month)}
    open_shops = [s for s in shops if s.pk not in closes]
    fresh = compute(open_shops, month) if open_shops else {}
    rows = [ShopPnl(s, month, closes[s.pk].figures if s.pk in closes else fresh[s.pk], closes.get(s.pk)) for s in shops]
    total: dict = defaultdict(int)
    for r in rows:
        for key, value in r.figures.items():
            total[key] += value
    return rows, dict(total), beside(month)


def beside(month: dt.date) -> dict:
    """PUR-2, PUR-3: purchase payments made in the month and what the company owes its suppliers now."""
    from zhanggui.purchasing.services.suppliers import owed_by_supplier

    first, last = month_bounds(month)
    paid = Payment.objects.filter(paid_on__gte=first, paid_on__lte=last).aggregate(t=Sum("amount_fen"))["t"] or 0
    return {"purchase_payments_fen": paid, "supplier_debts_fen": sum(max(0, v) for v in owed_by_supplier().values())}


def close_month(actor, shop, month: dt.date, note: str = "") -> MonthClose:
    """FIN-2: freeze `shop`'s figures of `month`. Refused for a month not over yet or closed already."""
    month = month_of(month)
    if next_month(month) > clock.today():
        raise DomainError("month_open", _("%(month)s has not ended yet: it can be closed from the 1st of next month")
                          % {"month": f"{month:%Y-%m}"}, "month")  # fmt: skip
    if MonthClose.objects.filter(shop=shop, month=month).exists():
        raise DomainError("month_closed", _("%(shop)s %(month)s is closed already") % _names(shop, month), "month")
    figures = compute([shop], month)[shop.pk]
    try:
        with transaction.atomic():
            return MonthClose.objects.create(shop=shop, month=month, figures=figures, note=note[:200], closed_by=actor)
    except IntegrityError:  # closed by someone else meanwhile
        raise DomainError(
            "month_closed", _("%(shop)s %(month)s is closed already") % _names(shop, month), "month"
        ) from None


def _names(shop, month) -> dict:
    return {"shop": shop.name, "month": f"{month:%Y-%m}"}


def is_closed(shop, month: dt.date) -> bool:
    return MonthClose.objects.filter(shop=shop, month=month).exists()


def first_open_month(shop, month: dt.date) -> dt.date:
    closed = set(MonthClose.objects.filter(shop=shop, month__gte=month).values_list("month", flat=True))
    while month in closed:
        month = next_month(month)
    return month


def add_cost(actor, shop, month, kind: str, amount_fen: int, note: str = "") -> CostEntry:
    """FIN-2: record a cost of `shop` for `month`. A closed month does not change: the entry is booked in the next
    open month as a correction, its note naming the closed month."""
    month = month_of(month)
    if kind not in KIND_KEY or kind == CostEntry.Kind.CORRECTION:
        raise DomainError("bad_kind", _("Kind: choose ad spend, campaign prizes or other costs"), "kind")
    if not isinstance(amount_fen, int) or amount_fen < 0:
        raise DomainError("bad_amount", _("Amount: enter an amount of 0 or more"), "amount")
    check_total_fen(amount_fen, _("Amount"), "amount")  # rule 7: within the company's money bound
    note = (note or "").strip()[:160]
    if is_closed(shop, month):
        booked = first_open_month(shop, month)
        label = str(CostEntry.Kind(kind).label)
        note = _("Correction to closed %(month)s (%(kind)s)") % {"month": f"{month:%Y-%m}", "kind": label} + (
            f": {note}" if note else ""
        )
        return CostEntry.objects.create(
            shop=shop, month=booked, kind=CostEntry.Kind.CORRECTION, amount_fen=amount_fen, note=note, created_by=actor
        )
    return CostEntry.objects.create(
        shop=shop, month=month, kind=kind, amount_fen=amount_fen, note=note, created_by=actor
    )


def delete_cost(actor, entry: CostEntry) -> None:
    """Remove a cost entry — refused when its month is closed (FIN-2: a closed month does not change)."""
    if is_closed(entry.shop, entry.month):
        raise DomainError(
            "month_closed",
            _("%(shop)s %(month)s is closed: its figures cannot change; enter a correction instead")
            % _names(entry.shop, entry.month),
            "month",
        )
    entry.delete()
