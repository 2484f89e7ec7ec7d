"""Quotes for a purchase order (PUR-2 询价比价): each supplier's unit prices, lead time and transport recorded
while the order is comparing quotes, and one quote chosen — its prices onto the lines, its supplier onto the
order. The side-by-side comparison is a read: purchasing/selectors.compare_quotes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.bounds import check_between, check_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.money import format_fen

from ..models import PurchaseOrder, Quote, QuoteLine
from .orders import State, bump, lock, require_editable, staff_or_none, state_label
from .suppliers import MAX_LEAD_TIME_DAYS


def record_quote(
    actor,
    order,
    supplier,
    *,
    prices: dict,
    lead_time_days=7,
    transport_cost_fen=0,
    note: str = "",
    version=None,
):
    """PUR-2: a supplier's quote — a unit price (fen) for every line {line id: fen}, lead time and transport
    cost. Quoting again for the same supplier replaces its quote (after negotiating)."""
    with transaction.atomic():
        order = lock(order, version)
        if order.state != State.QUOTING:
            raise DomainError(
                "not_quoting", f"采购单 {order.number} 为“{state_label(order.state)}”，请先发起询价再录入报价", "state"
            )
        if supplier is None:
            raise DomainError("required", "请选择报价的供应商", "supplier")
        if not supplier.is_active:
            raise DomainError("inactive_supplier", f"供应商 {supplier.name} 已停用", "supplier")
        lead = check_between(lead_time_days, "交货周期", "lead_time_days", low=0, high=MAX_LEAD_TIME_DAYS, unit=" 天")
        transport = check_fen(transport_cost_fen or 0, "运费", "transport_cost_fen")
        lines = list(order.lines.select_related("sku"))
        prices = {int(k): v for k, v in prices.items()}
        errors, clean = [], {}
        for line in lines:
            value = prices.get(line.pk)
            if value in (None, ""):
                errors.append(f"{line.sku.code}：请填写单价")
                continue
            try:
                clean[line.pk] = check_fen(value, "单价", "prices")
            except DomainError as exc:
                errors.append(f"{line.sku.code}：{exc.message}")
        if errors:
            raise DomainError(
                "bad_quote", f"{supplier.name} 的报价有 {len(errors)} 行有误：{errors[0]}", "prices", details=errors
            )
        quote, created = Quote.objects.update_or_create(
            order=order,
            supplier=supplier,
            defaults={
                "lead_time_days": lead,
                "transport_cost_fen": transport,
                "note": str(note or "")[:200],
                "actor": staff_or_none(actor),
            },
        )
        quote.lines.all().delete()
        QuoteLine.objects.bulk_create(
            QuoteLine(quote=quote, line_id=pk, unit_cost_fen=fen) for pk, fen in clean.items()
        )
        goods = sum(ln.quantity * clean[ln.pk] for ln in lines)
        bump(order, [])
        record_event(
            actor,
            order,
            "po_quote",
            to_state=f"{supplier.name} {format_fen(goods + transport)}",
            note=f"{'录入' if created else '更新'}报价：货款 {format_fen(goods)}，运费 {format_fen(transport)}，"
            f"{lead} 天交货",
        )
    return quote


def choose_quote(actor, quote, version=None) -> PurchaseOrder:
    """PUR-2: take a quote — its unit prices go onto the lines, its supplier and transport cost onto the order,
    the expected date becomes today + its lead time; it is marked chosen (the others not)."""
    with transaction.atomic():
        order = lock(quote.order_id, version)
        require_editable(order)
        quote = order.quotes.select_related("supplier").get(pk=quote.pk)
        if not quote.supplier.is_active:
            raise DomainError("inactive_supplier", f"供应商 {quote.supplier.name} 已停用", "supplier")
        prices = dict(quote.lines.values_list("line_id", "unit_cost_fen"))
        lines = list(order.lines.select_related("sku"))
        missing = [ln.sku.code for ln in lines if ln.pk not in prices]
        if missing:
            raise DomainError(
                "incomplete_quote",
                f"{quote.supplier.name} 的报价缺少 {'、'.join(missing)} 的单价，请补全报价后再选定",
                "quote",
            )
        for line in lines:
            if line.unit_cost_fen != prices[line.pk]:
                line.unit_cost_fen = prices[line.pk]
                line.save(update_fields=["unit_cost_fen"])
        order.quotes.exclude(pk=quote.pk).filter(is_chosen=True).update(is_chosen=False)
        quote.is_chosen = True
        quote.save(update_fields=["is_chosen"])
        before = order.supplier.name if order.supplier else ""
        order.supplier = quote.supplier
        order.transport_cost_fen = quote.transport_cost_fen
        order.expected_on = clock.today() + dt.timedelta(days=quote.lead_time_days)
        bump(order, ["supplier", "transport_cost_fen", "expected_on"])
        goods = sum(ln.quantity * ln.unit_cost_fen for ln in lines)
        record_event(
            actor,
            order,
            "po_quote",
            from_state=before,
            to_state=quote.supplier.name,
            note=f"选定报价：货款 {format_fen(goods)}，运费 {format_fen(quote.transport_cost_fen)}，"
            f"预计 {order.expected_on} 到货",
        )
    return order
