"""Every order has its customer (CRM-1): imported, synced and manual orders create or link the buyer's customer of
their shop, set-based; and the customer pages read their purchase figures from the orders.

Identity: `crm.services.buyer_key` — the platform buyer account per shop (淘宝/天猫 买家会员名, 京东 下单帐号, the
manual order's 买家昵称), else the receiver's phone; a phone the platform masked (138****1234) is kept masked and
identifies the buyer only together with the receiver's name. An order whose export names neither (a PDD export
without receiver columns) keeps no customer.

crm sits below orders (rule 2 of the house): this module calls crm's services (`link_buyers`) and hands crm a
reader of purchase figures (`customer_purchases`, registered in OrdersConfig.ready()).

Set-based, a fixed number of statements whatever the number of orders: `link_buyers` is one SELECT, plus one INSERT
and one SELECT when there are new buyers.
- The import (`customers_by_number`, called once per batch by imports._Batch.write) asks for the customers of the
  batch's new orders BEFORE writing them, so each order row is written (COPY / upsert) with its customer: no
  second write of the orders. Orders that existed keep their link (older ones get theirs from the backfill).
- Manual orders and the backfill (`link_customers`) link orders that exist: `link_buyers` and ONE UPDATE.
`zhanggui link-customers` (`link_all`) backfills the orders that have no customer, in batches.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.urls import reverse

from zhanggui.crm.selectors import Purchases
from zhanggui.crm.services import Buyer, buyer_key, link_buyers

from ..models import Order
from .states import state_label

BUYER_FIELDS = ("buyer_nick", "receiver_name", "receiver_phone", "province", "city", "district")


def _buyer(order) -> Buyer:
    """The buyer an order names (a ParsedOrder of an import or an Order: the same attribute names)."""
    key = buyer_key(order.buyer_nick, order.receiver_name, order.receiver_phone)
    street = " ".join(p for p in (getattr(order, "street", ""), getattr(order, "address_detail", "")) if p)
    return Buyer(
        key=key,
        buyer_nick=(order.buyer_nick or "").strip(),
        name=order.receiver_name or "",
        phone=order.receiver_phone or "",
        province=order.province or "",
        city=order.city or "",
        district=order.district or "",
        address=street,
    )


def customers_by_number(shop_id: int, orders, known=()) -> dict[str, int]:
    """CRM-1 for an import batch: {order number: customer id} of the `orders` (ParsedOrder) whose number is not in
    `known` (the orders that exist already), creating the customers not known yet."""
    buyers = {o.platform_order_no: _buyer(o) for o in orders if o.platform_order_no not in known}
    customer_of = link_buyers(shop_id, [b for b in buyers.values() if b.key])
    return {no: customer_of[b.key] for no, b in buyers.items() if b.key in customer_of}


def link_customers(shop_id: int, orders) -> int:
    """CRM-1: create or link the customer of each (order id, order) of one shop; returns how many orders were
    linked now (orders that already have a customer keep it)."""
    keyed = [(pk, _buyer(order)) for pk, order in orders]
    keyed = [(pk, b) for pk, b in keyed if b.key]
    if not keyed:
        return 0
    customer_of = link_buyers(shop_id, [b for _pk, b in keyed])
    pairs = [(pk, customer_of[b.key]) for pk, b in keyed if b.key in customer_of]
    if not pairs:
        return 0
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two arrays, one statement
            cursor.execute(
                f"UPDATE {table} o SET customer_id = v.customer_id FROM unnest(%s::bigint[], %s::bigint[]) "
                f"AS v(id, customer_id) WHERE o.id = v.id AND o.customer_id IS NULL",
                [[pk for pk, _c in pairs], [c for _pk, c in pairs]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET customer_id = %s WHERE id = %s AND customer_id IS NULL",
                [(c, pk) for pk, c in pairs],
            )
        return cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else len(pairs)


def link_all(shop_ids=None, *, batch: int = 2000, progress=None) -> int:
    """The backfill (`zhanggui link-customers`): link every order without a customer, shop by shop, in batches."""
    shops = Order.objects.filter(customer__isnull=True).values_list("shop_id", flat=True).distinct().order_by()
    if shop_ids is not None:
        shops = shops.filter(shop_id__in=shop_ids)
    total = 0
    for shop_id in sorted(set(shops)):
        after = 0
        while True:
            rows = list(
                Order.objects.filter(shop_id=shop_id, customer__isnull=True, pk__gt=after)
                .order_by("pk")
                .only("pk", "street", "address_detail", *BUYER_FIELDS)[:batch]
            )
            if not rows:
                break
            after = rows[-1].pk
            total += link_customers(shop_id, [(o.pk, o) for o in rows])
            if progress:
                progress(shop_id, total)
    return total


# ---------------------------------------------------------------------------------------------------------------
# CRM-1 purchase figures for the customer pages (registered with crm.selectors.register_purchase_source)
# ---------------------------------------------------------------------------------------------------------------

_PAID = Q(paid_at__isnull=False)
_BOUGHT = _PAID & ~Q(state=Order.State.CLOSED)  # a closed paid order was cancelled or refunded in full


def customer_purchases(customer_ids: list[int], recent: int = 0) -> dict[int, Purchases]:
    """{customer id: Purchases}: one grouped query for the page's customers, and (recent > 0, one customer's page)
    one query for the newest orders."""
    rows = (
        Order.objects.filter(customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(
            orders=Count("pk", filter=_BOUGHT),
            spend=Sum(F("paid_fen") - F("refund_fen"), filter=_BOUGHT),
            refunds=Count("pk", filter=_PAID & Q(refund_fen__gt=0)),
            first_at=Min("paid_at", filter=_BOUGHT),
            last_at=Max("paid_at", filter=_BOUGHT),
        )
        .order_by()
    )
    out = {
        r["customer_id"]: Purchases(r["orders"], r["spend"] or 0, r["refunds"], r["first_at"], r["last_at"])
        for r in rows
    }
    if recent:
        newest = (
            Order.objects.filter(customer_id__in=customer_ids)
            .order_by("-ordered_at", "-id")
            .values_list("customer_id", "pk", "platform_order_no", "ordered_at", "paid_fen", "state", "flag")[:recent]
        )
        for customer_id, pk, number, at, paid, state, flag in newest:
            out.setdefault(customer_id, Purchases()).recent.append(
                {
                    "number": number,
                    "at": at,
                    "paid_fen": paid,
                    "state": state_label(state),
                    "flag": flag,  # ORD-3: the page shows its mark
                    "url": reverse("orders:detail", args=[pk]),
                }
            )
    return out
