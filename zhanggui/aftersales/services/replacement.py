"""The new package of an exchange (换货) or a resend (补发, and the resend of a lost or damaged parcel, AS-4): a new
¥0 order made by orders' own manual order service (orders stays the owner of orders; aftersales only asks), of
kind 补发 with the original order linked, the buyer's receiver and address, paid (nothing to pay) — so it enters
待审核 with its goods reserved and goes through the normal review (审单), label, scan and ship like any order.

- `attach(actor, case)`: called inside the transaction that moves a LOCKED case to 待发出 (services/cases.move, and
  the receiving service for an exchange whose goods all came back intact). Once per case: the case keeps the
  order (`Case.replacement_order`), a second call returns it.
- The items: the case's lines with their quantities; an exchange sends what the warehouse recorded as the
  replacement of each line (`ReturnLine.exchange_sku`, e.g. the S instead of the M), else the same SKU. A line
  without a SKU (an import that matched no merchant code) cannot be sent: a Chinese refusal naming it.
The order page shows the case through core.navigation (apps.py); orders never import aftersales.
"""

from __future__ import annotations

from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.orders.models import Order
from zhanggui.orders.services import manual

from ..models import Case, ReturnLine
from .errors import CaseInputError

Kind = Case.Kind
REPLACE_KINDS = {Kind.EXCHANGE, Kind.RESEND, Kind.LOST_DAMAGED}
WORDS = {Kind.EXCHANGE: "换货", Kind.RESEND: "补发", Kind.LOST_DAMAGED: "补发"}

register_event_kinds({"case_replacement": "换货/补发订单"})


def address_of(order: Order) -> str:
    """The original order's address as one text the manual order service splits again ("省 市 区 详细")."""
    parts = [p for p in (order.province, order.city, order.district, order.street, order.address_detail) if p]
    return " ".join(parts) if len(parts) >= 2 else (order.address_raw or " ".join(parts))


def items(case: Case) -> list[tuple[object, int, int]]:
    """[(SKU, quantity, ¥0)] of the new order; a Chinese refusal naming each line without a SKU."""
    swapped = dict(
        ReturnLine.objects.filter(case=case, exchange_sku__isnull=False).values_list("case_line_id", "exchange_sku")
    )
    out, missing = [], []
    for line in case.lines.select_related("order_line__sku").order_by("pk"):
        ol = line.order_line
        sku = swapped.get(line.pk) or ol.sku
        if sku is None:
            missing.append(f"第 {ol.line_no} 行“{ol.title or ol.outer_code}”")
            continue
        out.append((sku, line.quantity, 0))
    if missing:
        raise CaseInputError(
            "no_sku",
            f"{'、'.join(missing)} 没有匹配到商品（商家编码），不能{WORDS[case.kind]}，请先在订单里匹配商品",
            "lines",
        )
    if not out:
        raise CaseInputError("no_lines", f"售后单 {case.number} 没有要发出的商品", "lines")
    return out


def attach(actor, case: Case) -> Order | None:
    """The case's new ¥0 order, made once (inside the caller's transaction, the case row locked). None for types
    that send nothing."""
    if case.kind not in REPLACE_KINDS:
        return None
    if case.replacement_order_id:
        return case.replacement_order
    original = Order.objects.select_related("shop").get(pk=case.order_id)
    word = WORDS[case.kind]
    new = manual.create_manual_order(
        actor,
        original.shop,
        kind=Order.Kind.RESEND,
        receiver_name=original.receiver_name,
        receiver_phone=original.receiver_phone,
        address=address_of(original),
        lines=items(case),
        buyer_nick=original.buyer_nick,
        seller_remark=f"{word}：售后单 {case.number}",
        paid=True,
        original_order=original,
    )
    Case.objects.filter(pk=case.pk).update(replacement_order=new)
    case.replacement_order = new
    record_event(
        actor, case, "case_replacement", to_state=new.platform_order_no, note=f"{word}新订单 ¥0，走正常审单发货"
    )
    return new
