"""Reading orders for the pages and the API (ORD-6, ORD-9): one filter set, status/exception tabs with counts, and
keyset pagination on (-ordered_at, -id) so the millionth page costs what the first one does (no OFFSET, no COUNT
over the whole table for paging).

Orders without an order time (rare: manual drafts) come after all dated ones, newest id first; the cursor carries
which of the two runs it points into.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Product
from zhanggui.core import clock
from zhanggui.core.events import kind_label, present_event, timeline_for

from .models import ImportRun, Order, OrderLine
from .services.deadlines import overdue_q

State = Order.State
PAGE_SIZE = 50

# ORD-9: the status tabs in the order shop staff know from the seller centre, then the exception queues.
STATE_TABS = [
    ("all", pgettext_lazy("order tab", "All")),
    (State.PENDING_PAYMENT, pgettext_lazy("order tab", "Awaiting payment")),
    (State.TO_REVIEW, pgettext_lazy("order tab", "To review")),
    (State.APPROVED, pgettext_lazy("order tab", "Reviewed")),
    (State.TO_SHIP, pgettext_lazy("order tab", "To ship")),
    (State.PART_SHIPPED, pgettext_lazy("order tab", "Partly shipped")),
    (State.SHIPPED, pgettext_lazy("order tab", "Shipped")),
    (State.SIGNED, pgettext_lazy("order tab", "Signed for")),
    (State.COMPLETED, pgettext_lazy("order tab", "Completed")),
    (State.CLOSED, pgettext_lazy("order tab", "Closed")),
    (State.ON_HOLD, pgettext_lazy("order tab", "On hold")),
]
EXCEPTION_TABS = [
    ("exc_out_of_stock", pgettext_lazy("order tab", "Out of stock")),
    ("exc_address", pgettext_lazy("order tab", "Address problem")),
    ("exc_unmatched", pgettext_lazy("order tab", "Unmatched SKU")),
    ("exc_refund", pgettext_lazy("order tab", "Refund requested")),
    ("exc_risk", pgettext_lazy("order tab", "Risk hold")),
    ("exc_no_lines", pgettext_lazy("order tab", "No item lines")),
    ("overdue", pgettext_lazy("order tab", "Overdue")),
]
OVERDUE = "overdue"  # 超时未发货: computed from paid_at and the shop's SHIP-2 deadline (services.deadlines)
EXCEPTION_FIELDS = [name for name, _label in EXCEPTION_TABS if name != OVERDUE]  # the stored exc_* flags
QUEUE_KEYS = [name for name, _label in EXCEPTION_TABS]
TABS = {key for key, _label in STATE_TABS} | set(QUEUE_KEYS)
# Exceptions that still need someone: an order closed or done is out of the queue.
_QUEUE_STATES = [s for s in State.values if s not in (State.COMPLETED, State.CLOSED)]
QUEUES_FILE = Path(__file__).resolve().parent / "data" / "queues.json"


@dataclass
class Filters:
    """What the list is narrowed to (besides the shop scope): from the query string or the API's parameters."""

    q: str = ""
    flag: str | None = None
    carrier: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    date_by: str = ""  # "" — the dates are order dates; "paid" — payment dates (the home page's sales figures)
    refunded: bool = False  # only orders with money refunded (refund_fen > 0)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_query(cls, data) -> Filters:
        flag = data.get("flag")
        return cls(
            q=(data.get("q") or "").strip()[:64],
            flag=flag if flag in {"none", *Order.Flag.values} - {""} else None,
            carrier=(data.get("carrier") or "").strip()[:30],
            date_from=_date(data.get("from")),
            date_to=_date(data.get("to")),
            date_by="paid" if data.get("by") == "paid" else "",
            refunded=data.get("refund") == "1",
        )

    def as_query(self) -> dict:
        pairs = {
            "q": self.q,
            "flag": self.flag or "",
            "carrier": self.carrier,
            "by": self.date_by,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "refund": "1" if self.refunded else "",
        }
        return {k: v for k, v in pairs.items() if v}


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


_DIGITS = re.compile(r"\d{4}")
# A SKU code matches at most this many orders' lines in a search (a best seller would otherwise list its whole
# history into one IN list); the newest orders first is what the page shows anyway.
SEARCH_LINE_CAP = 1000
# A search box query works on its newest SEARCH_CAP matches (the page and the counts run on their ids; a search
# is for finding an order, not for counting a best seller's history).
SEARCH_CAP = 2000


# Other apps find orders by what they hold (fulfilment: the waybill number of a package): finder(q) → order ids,
# registered in their AppConfig.ready() — orders never import them (rule 2 of the house).
_FINDERS: list = []
_INITIALS = re.compile(r"[A-Za-z]{2,20}")
# Product titles whose pinyin initials hold the query (lyq → 连衣裙): at most this many products, newest first, and
# only for three letters or more — two letters (zs: a person) sit inside too many titles (针织衫 → zzs).
TITLE_PRODUCT_CAP = 20
TITLE_MIN_LETTERS = 3


def register_order_finder(finder) -> None:
    """ORD-6: `finder(q)` → ids of orders (any shop: the list narrows them) that the search box should find."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def _title_skus(initials: str) -> list[int]:
    """ORD-6: SKUs of the products whose stored pinyin initials hold `initials` (catalog Product.name_initials,
    kept when a product is saved or imported) — the product table is small; never pinyin computed per row here."""
    from zhanggui.catalog.models import Sku

    products = Product.objects.filter(name_initials__contains=initials).order_by("-pk").values("pk")
    return list(Sku.objects.filter(product__in=products[:TITLE_PRODUCT_CAP]).values_list("pk", flat=True))


def search(qs, q: str):
    """ORD-6: one box for order number, buyer nick, receiver name, phone (all of it, or its last four digits),
    tracking number, the waybill number of a package, SKU / 商家编码 (through the lines), and pinyin initials of
    the buyer's or receiver's name (prefix: zs finds 张三丰) or of a product title (3 letters or more: lyq finds the
    orders of 连衣裙). Exact or prefix matches, each term served by an index so the OR stays a bitmap of index scans
    at a million orders: the full phone goes through the last-four index, and the lines are looked up first (their
    order ids, capped) instead of an IN (subquery) that would force a pass over every order."""
    q = q.strip()
    if not q:
        return qs
    cond = (
        Q(platform_order_no=q)
        | Q(platform_order_no__startswith=q)
        | Q(buyer_nick=q)
        | Q(receiver_name=q)
        | Q(tracking_no=q)
    )
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:  # a whole phone number: its last four digits narrow it through their index
        cond |= Q(phone_last4=digits[-4:], receiver_phone=q)
    if _DIGITS.fullmatch(q):
        cond |= Q(phone_last4=q)  # ORD-6: the last four digits the buyer reads out on the phone
    from zhanggui.catalog.models import Sku

    newest = ("-order_id",)  # the (outer_code, -order) and (sku, -order) indexes give them in this order
    by_code = OrderLine.objects.filter(outer_code=q).order_by(*newest).values_list("order_id", flat=True)
    by_sku = (
        OrderLine.objects.filter(sku__in=Sku.objects.filter(code=q).values("pk"))
        .order_by(*newest)
        .values_list("order_id", flat=True)
    )
    order_ids = set(by_code[:SEARCH_LINE_CAP]) | set(by_sku[:SEARCH_LINE_CAP])
    if _INITIALS.fullmatch(q):
        initials = q.lower()
        for name in ("receiver_initials", "buyer_initials"):  # the partial indexes hold the non-empty ones
            cond |= Q(**{f"{name}__startswith": initials}) & ~Q(**{name: ""})
        skus = _title_skus(initials) if len(initials) >= TITLE_MIN_LETTERS else []
        if skus:
            by_title = OrderLine.objects.filter(sku__in=skus).order_by(*newest).values_list("order_id", flat=True)
            order_ids |= set(by_title[:SEARCH_LINE_CAP])
    for finder in _FINDERS:
        order_ids |= set(list(finder(q))[:SEARCH_LINE_CAP])
    if order_ids:
        cond |= Q(pk__in=sorted(order_ids))
    return qs.filter(cond)


def filtered(shops, filters: Filters):
    """Orders of `shops` narrowed by `filters` (not by tab)."""
    qs = Order.objects.filter(shop__in=shops)
    if filters.q:
        # The matches are found once (a bitmap of index scans) and the page and the tab counts then work on their
        # ids: repeated in each count, the OR made the planner AND it with the large state index at 1M orders.
        found = search(qs, filters.q).order_by("-ordered_at", "-id").values_list("pk", flat=True)
        qs = qs.filter(pk__in=list(found[:SEARCH_CAP]))
    if filters.flag == "none":
        qs = qs.filter(flag="")
    elif filters.flag:
        qs = qs.filter(flag=filters.flag)
    if filters.carrier:
        qs = qs.filter(carrier=filters.carrier)
    moment = "paid_at" if filters.date_by == "paid" else "ordered_at"
    if filters.date_from:  # Beijing days → UTC bounds
        qs = qs.filter(**{f"{moment}__gte": clock.local_day_bounds(filters.date_from)[0]})
    if filters.date_to:
        qs = qs.filter(**{f"{moment}__lt": clock.local_day_bounds(filters.date_to)[1]})
    if filters.refunded:
        qs = qs.filter(refund_fen__gt=0)
    return qs


def _queue_filters(now=None) -> dict[str, Q]:
    """ORD-9: the condition of each exception queue (open orders only)."""
    conds = {name: Q(**{name: True}) for name in EXCEPTION_FIELDS}
    conds[OVERDUE] = overdue_q(now)
    return conds


def in_tab(qs, tab: str):
    if tab == OVERDUE:
        return qs.filter(overdue_q())
    if tab in EXCEPTION_FIELDS:
        return qs.filter(**{tab: True}, state__in=_QUEUE_STATES)
    if tab in State.values:
        return qs.filter(state=tab)
    return qs


# ORD-9 counts at a million orders: each tab counts at most this many (an index range scan with LIMIT), shown as
# "9999+" beyond it — an exact count of 860,000 completed orders would cost a pass over them on every page view.
COUNT_CAP = 10_000


def count_label(n: int) -> str:
    return f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)


def _capped(qs) -> int:
    return qs.order_by().values("pk")[:COUNT_CAP].count()


def tab_counts(qs) -> dict[str, int]:
    """ORD-9: orders per status tab and exception queue, each capped at COUNT_CAP: one small query per state on the
    (shop, state, …) / (state, …) indexes, one per queue on its partial index. "all" is their sum (capped too)."""
    counts = {state: _capped(qs.filter(state=state)) for state in State.values}
    counts["all"] = min(sum(counts.values()), COUNT_CAP)
    counts.update(_queue_counts(qs))
    return counts


def _queue_counts(qs) -> dict[str, int]:
    """ORD-9: the open orders in each exception queue (capped), one query per queue on its partial index."""
    open_ = qs.filter(state__in=_QUEUE_STATES)
    return {name: _capped(open_.filter(cond)) for name, cond in _queue_filters().items()}


def carrier_options(shops) -> list[str]:
    """ORD-6: the carriers the orders of `shops` use, for the filter's select. A loose index scan on (shop, carrier)
    — each step jumps to the next larger carrier — so it costs one index probe per distinct carrier and shop, not a
    pass over a million orders."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = (
        f"WITH RECURSIVE c(carrier) AS ("
        f" SELECT MIN(carrier) FROM {table} WHERE shop_id = %s AND carrier > ''"
        f" UNION ALL"
        f" SELECT (SELECT MIN(carrier) FROM {table} WHERE shop_id = %s AND carrier > c.carrier)"
        f" FROM c WHERE c.carrier IS NOT NULL"
        f") SELECT carrier FROM c WHERE carrier IS NOT NULL"
    )
    found = set()
    with connection.cursor() as cursor:
        for shop in shops:
            cursor.execute(sql, [shop.pk, shop.pk])
            found.update(row[0] for row in cursor.fetchall())
    return sorted(found)


# ---------------------------------------------------------------------------------------------------------------
# Keyset pagination on (-ordered_at, -id)
# ---------------------------------------------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def cursor_of(order: Order) -> str:
    """The position of `order` in the list: "d<microseconds>.<id>" (dated) or "n.<id>" (no order time)."""
    if order.ordered_at is None:
        return f"n.{order.pk}"
    return f"d{(order.ordered_at - _EPOCH) // _US}.{order.pk}"


def parse_cursor(text) -> tuple[dt.datetime | None, int] | None:
    match = re.fullmatch(r"(?:d(-?\d{1,20})|n)\.(\d{1,19})", str(text or ""))
    if not match:
        return None
    at = _EPOCH + int(match.group(1)) * _US if match.group(1) is not None else None
    return at, int(match.group(2))


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(qs, *, after=None, before=None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of `qs` in (-ordered_at, -id) order, after or before a cursor; each query is an index range scan
    with LIMIT size + 1 (the extra row says whether there is more)."""
    dated, undated = qs.filter(ordered_at__isnull=False), qs.filter(ordered_at__isnull=True)
    down = ("-ordered_at", "-id")
    pos = parse_cursor(before) if before else None
    if pos is not None:  # going back: the rows just before the cursor, nearest first, then reversed
        at, pk = pos
        if at is None:
            rows = list(undated.filter(id__gt=pk).order_by("id")[: size + 1])
            if len(rows) <= size:
                rows += list(dated.order_by("ordered_at", "id")[: size + 1 - len(rows)])
        else:
            after_cursor = Q(ordered_at__gte=at) & (Q(ordered_at__gt=at) | Q(ordered_at=at, id__gt=pk))
            rows = list(dated.filter(after_cursor).order_by("ordered_at", "id")[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows,
            cursor_of(rows[-1]) if rows else None,
            cursor_of(rows[0]) if rows and more_before else None,
        )
    pos = parse_cursor(after) if after else None
    if pos is None:
        rows = list(dated.order_by(*down)[: size + 1])
        if len(rows) <= size:
            rows += list(undated.order_by("-id")[: size + 1 - len(rows)])
    elif pos[0] is None:
        rows = list(undated.filter(id__lt=pos[1]).order_by("-id")[: size + 1])
    else:
        at, pk = pos
        # the plain ordered_at bound lets the index range scan start at the cursor (an OR alone cannot bound it)
        before_cursor = Q(ordered_at__lte=at) & (Q(ordered_at__lt=at) | Q(ordered_at=at, id__lt=pk))
        rows = list(dated.filter(before_cursor).order_by(*down)[: size + 1])
        if len(rows) <= size:
            rows += list(undated.order_by("-id")[: size + 1 - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        cursor_of(rows[-1]) if rows and more else None,
        cursor_of(rows[0]) if rows and pos is not None else None,
    )


def numbered_page(qs, number: int, size: int) -> KeysetPage:
    """Page `number` (from 1) of `qs` in the same (-ordered_at, -id) order as `keyset_page`, by OFFSET: for a page
    picked from the numbers. Only numbers within the capped count are offered (COUNT_CAP), so the offset stays
    below it; next and previous from here go on by cursor. Dated orders first, then the undated ones."""
    offset = (max(number, 1) - 1) * size
    dated, undated = qs.filter(ordered_at__isnull=False), qs.filter(ordered_at__isnull=True)
    rows = list(dated.order_by("-ordered_at", "-id")[offset : offset + size + 1])
    if len(rows) <= size:
        # the dated run ends on this page: how many there are is known from the rows, or counted (≤ offset) if none
        dated_total = offset + len(rows) if rows else dated.order_by().count()
        skip = max(0, offset - dated_total)
        rows += list(undated.order_by("-id")[skip : skip + size + 1 - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        cursor_of(rows[-1]) if rows and more else None,
        cursor_of(rows[0]) if rows and offset else None,
    )


def exception_queues(shops) -> list[tuple[str, str, int, dict]]:
    """ORD-9 on the home page: [(tab key, label, open orders in it, owner)] for the shops in scope — nothing hidden,
    zeros included. One aggregate query, one for the owners."""
    counts = _queue_counts(Order.objects.filter(shop__in=shops))
    owners = queue_owners()
    return [(name, label, counts[name], owners[name]) for name, label in EXCEPTION_TABS]


@cache
def queue_duties() -> dict[str, tuple[str, str]]:
    """ORD-9 "each a queue with an owner": queue key → (role code, duty title), data in data/queues.json; the duty
    itself comes from team/data/roles.json (TEAM-2), so its owners are set on the duty chart."""
    data = json.loads(QUEUES_FILE.read_text(encoding="utf-8"))["queues"]
    return {key: (spec["role"], spec["duty"]) for key, spec in data.items()}


def queue_owners() -> dict[str, dict]:
    """ORD-9: each exception queue's duty and its active owners (name, 工号) — {"duty": title, "role": role name,
    "owners": [Staff]}; an empty owner list is a queue nobody answers for (shown in red). Two queries."""
    from zhanggui.team.models import Duty, Staff

    wanted = queue_duties()
    duties = Duty.objects.filter(title__in={title for _role, title in wanted.values()}).select_related("role__group")
    duties = duties.prefetch_related(
        Prefetch("owners", queryset=Staff.objects.filter(is_active=True).order_by("number"))
    )
    found = {(d.role.code, d.title): d for d in duties}
    result = {}
    for key in QUEUE_KEYS:
        role_code, title = wanted.get(key, ("", ""))
        duty = found.get((role_code, title))
        result[key] = {
            "duty": title,
            "role": duty.role.name if duty else role_code,
            "owners": list(duty.owners.all()) if duty else [],
        }
    return result


def timeline(order: Order, user, limit: int = 200) -> list[dict]:
    """ORD-6 the order's timeline as pages and the API show it (newest first, masked per role), ending with the
    import that created it: that entry is the ImportRun (who, when, which files), not a timeline row per order."""
    entries = [present_event(e, user) for e in timeline_for(order)[:limit]]
    run = (
        ImportRun.objects.select_related("actor").filter(pk=order.import_run_id).first()
        if order.import_run_id
        else None
    )
    if run is not None and len(entries) < limit:
        entries.append(
            {
                "id": None,
                "at": run.started_at,
                "actor_number": run.actor.number if run.actor else "",
                "actor_name": run.actor.name if run.actor else "",
                "object_type": "orders.order",
                "object_id": str(order.pk),
                "object_label": order.platform_order_no,
                "kind": "order_imported",
                "kind_label": kind_label("order_imported"),
                "from_state": "",
                "to_state": "",
                "note": f"导入 {run.files}",
            }
        )
    return entries


def order_references(user, keys: list[str]) -> dict[str, tuple[str, str]]:
    """INV-2: a stock reference "order:<id>" shown as the order number, linked to the order for those who may open
    it (the order's shop among theirs). One query; registered with core.references for the ledger pages."""
    from django.urls import reverse

    from zhanggui.core.access import allowed_shops, has_access

    ids = {int(k) for k in keys if k.isdigit()}
    rows = Order.objects.filter(pk__in=ids).values_list("pk", "platform_order_no", "shop_id")
    shops = set(allowed_shops(user).values_list("pk", flat=True)) if has_access(user, "orders.view_order") else set()
    return {
        str(pk): (number, reverse("orders:detail", args=[pk]) if shop_id in shops else "")
        for pk, number, shop_id in rows
    }


# ---------------------------------------------------------------------------------------------------------------
# What the home page (工作台) reads: the day's sales per shop, queue ages, the bank transfers finance confirms
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class DaySales:
    """One shop's Beijing day: the orders paid that day (支付订单), what they paid (支付金额, fen), and how many of
    them have money refunded since, and how much (refund_fen, from the export or the manual order)."""

    orders: int = 0
    paid_fen: int = 0
    refunds: int = 0
    refund_fen: int = 0


def daily_sales(shops, days: list[dt.date]) -> dict[tuple[int, dt.date], DaySales]:
    """{(shop id, day): DaySales} for the Beijing `days` — ONE grouped query over the orders paid in them, whatever
    the number of shops (SHOP-1: figures per shop that roll up)."""
    if not days:
        return {}
    since, until = clock.local_day_bounds(min(days))[0], clock.local_day_bounds(max(days))[1]
    rows = (
        Order.objects.filter(shop__in=shops, paid_at__gte=since, paid_at__lt=until)
        .annotate(day=TruncDate("paid_at", tzinfo=clock.SHANGHAI))
        .values("shop_id", "day")
        .annotate(
            orders=Count("pk"),
            paid=Sum("paid_fen"),
            refunds=Count("pk", filter=Q(refund_fen__gt=0)),
            refunded=Sum("refund_fen"),
        )
        .order_by()
    )
    wanted = set(days)
    return {
        (r["shop_id"], r["day"]): DaySales(r["orders"], r["paid"] or 0, r["refunds"], r["refunded"] or 0)
        for r in rows
        if r["day"] in wanted
    }


def refund_requests(shops) -> dict[int, int]:
    """ORD-9 退款申请 per shop: the open orders in the refund queue — one grouped query (the queue's own filter)."""
    rows = (
        Order.objects.filter(shop__in=shops, exc_refund=True, state__in=_QUEUE_STATES)
        .values("shop_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["shop_id"]: r["n"] for r in rows}


def queue_oldest(shops, keys) -> dict[str, dt.datetime | None]:
    """ORD-9 queue ages: the order time of the oldest open order in each queue (or state tab) of `keys` — one
    small query each, read from the queue's own index from its old end."""
    qs = Order.objects.filter(shop__in=shops)
    found = {}
    for key in keys:
        oldest = in_tab(qs, key).filter(ordered_at__isnull=False).order_by("ordered_at", "id")
        found[key] = oldest.values_list("ordered_at", flat=True).first()
    return found


def state_count(shops, state: str) -> int:
    """The orders of `shops` in one state tab (capped like the list's tabs)."""
    return _capped(Order.objects.filter(shop__in=shops, state=state))


def waiting_bank_orders(shops):
    """ORD-5: bank-transfer orders on the finance hold in `shops`, oldest first (the finance page's queue)."""
    from .services.states import BANK_HOLD_REASON

    return (
        Order.objects.filter(
            shop__in=shops,
            payment_method="bank",
            state=Order.State.ON_HOLD,
            hold_reason=BANK_HOLD_REASON,
        )
        .select_related("shop")
        .order_by("ordered_at", "id")
    )
