"""Purchasing reads for pages and the API: purchase-order figures (PUR-3 amount rule), the order list with its tabs
and filters, lateness, and quotes side by side. No writes here (those are services/)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, When

from zhanggui.core import clock

from .models import Payment, PurchaseOrder, PurchaseOrderLine
from .services.orders import OPEN_FOR_RECEIPT

State = PurchaseOrder.State


class OrderFigures:
    """Amount rule (PUR-3): ordered pieces × unit price; once closed, received pieces × unit price (a short-closed
    order owes only what arrived). due = amount + transport; owed = due − paid."""

    __slots__ = ("amount", "faulty", "lines", "paid", "pieces", "received", "transport")

    def __init__(self):
        self.amount = self.paid = self.lines = self.pieces = self.received = self.faulty = self.transport = 0

    @property
    def due(self) -> int:
        return self.amount + self.transport

    @property
    def owed(self) -> int:
        return self.due - self.paid

    @property
    def received_pct(self) -> int:
        return min(round(self.received * 100 / self.pieces), 100) if self.pieces else 0

    @property
    def outstanding(self) -> int:
        return max(self.pieces - self.received, 0)


def order_figures(order_ids) -> dict[int, OrderFigures]:
    """Figures of many orders in three grouped queries (lines, payments, transport)."""
    ids = list(order_ids)
    out = {pk: OrderFigures() for pk in ids}
    if not ids:
        return out
    billed = Case(
        When(order__state=State.CLOSED, then=F("received_qty") * F("unit_cost_fen")),
        default=F("quantity") * F("unit_cost_fen"),
        output_field=IntegerField(),
    )
    for row in (
        PurchaseOrderLine.objects.filter(order_id__in=ids)
        .values("order_id")
        .annotate(
            amount=Sum(billed),
            n=Count("pk"),
            pieces=Sum("quantity"),
            received=Sum("received_qty"),
            faulty=Sum("faulty_qty"),
        )
    ):
        f = out[row["order_id"]]
        f.amount, f.lines, f.pieces = row["amount"] or 0, row["n"], row["pieces"] or 0
        f.received, f.faulty = row["received"] or 0, row["faulty"] or 0
    for row in Payment.objects.filter(order_id__in=ids).values("order_id").annotate(paid=Sum("amount_fen")):
        out[row["order_id"]].paid = row["paid"] or 0
    for pk, transport in PurchaseOrder.objects.filter(pk__in=ids).values_list("pk", "transport_cost_fen"):
        out[pk].transport = transport
    return out


TABS = ("all", State.DRAFT, State.QUOTING, State.ORDERED, State.PARTIAL, State.RECEIVED, State.CLOSED, State.CANCELLED)


class OrderFilters:
    """List filters from the query string: tab (a state or all), supplier id, q (number or merchant code), created
    between date_from and date_to (Beijing days, inclusive), late (expected date passed, goods not all in)."""

    def __init__(self, tab="all", supplier=None, q="", date_from=None, date_to=None, late=False):
        self.tab, self.supplier, self.q = tab, supplier, q
        self.date_from, self.date_to, self.late = date_from, date_to, late

    @classmethod
    def from_params(cls, params) -> OrderFilters:
        def day(value):
            try:
                return dt.date.fromisoformat(str(value)) if value else None
            except ValueError:
                return None

        tab = params.get("tab") or params.get("state") or "all"
        supplier = str(params.get("supplier") or "")
        return cls(
            tab=tab if tab in TABS else "all",
            supplier=int(supplier) if supplier.isdigit() else None,
            q=str(params.get("q") or "").strip()[:64],
            date_from=day(params.get("date_from")),
            date_to=day(params.get("date_to")),
            late=str(params.get("late") or "") in ("1", "true", "on"),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.supplier or self.q or self.date_from or self.date_to or self.late)

    def as_params(self) -> dict:
        params = {
            "supplier": self.supplier or "",
            "q": self.q,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "late": "1" if self.late else "",
        }
        return {k: v for k, v in params.items() if v}


def filtered_orders(filters: OrderFilters, *, with_tab: bool = True):
    qs = PurchaseOrder.objects.all()
    if filters.supplier:
        qs = qs.filter(supplier_id=filters.supplier)
    if filters.q:
        q = filters.q
        on_line = PurchaseOrderLine.objects.filter(order=OuterRef("pk")).filter(
            Q(sku__code__icontains=q) | Q(sku__barcode=q)
        )
        qs = qs.filter(Q(number__icontains=q) | Q(reason__icontains=q) | Exists(on_line))
    if filters.date_from:
        qs = qs.filter(created_at__gte=clock.local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(created_at__lt=clock.local_day_bounds(filters.date_to)[1])
    if filters.late:
        qs = qs.filter(state__in=OPEN_FOR_RECEIPT, expected_on__lt=clock.today())
    if with_tab and filters.tab != "all":
        qs = qs.filter(state=filters.tab)
    return qs


def order_list(filters: OrderFilters):
    """The list of pages and the API: the filtered orders newest first, with supplier, buyer and warehouse."""
    return filtered_orders(filters).select_related("supplier", "buyer", "warehouse").order_by("-created_at", "-pk")


def tab_counts(filters: OrderFilters) -> dict[str, int]:
    counts = {t: 0 for t in TABS}
    for row in filtered_orders(filters, with_tab=False).order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    counts["all"] = sum(counts[s] for s in TABS[1:])
    return counts


def is_late(order: PurchaseOrder) -> bool:
    return bool(order.state in OPEN_FOR_RECEIPT and order.expected_on and order.expected_on < clock.today())


def compare_quotes(order: PurchaseOrder) -> dict:
    """PUR-2: quotes side by side — per line each supplier's unit price (the cheapest marked), goods total,
    transport, total incl. transport, lead time; the cheapest complete quote is marked."""
    quotes = list(order.quotes.select_related("supplier").prefetch_related("lines"))
    lines = list(order.lines.select_related("sku__product"))
    price = {(q.pk, ql.line_id): ql.unit_cost_fen for q in quotes for ql in q.lines.all()}
    rows = []
    for line in lines:
        cells = [price.get((q.pk, line.pk)) for q in quotes]
        low = min((c for c in cells if c is not None), default=None)
        rows.append(
            {
                "line": line,
                "cells": [
                    {
                        "price": c,
                        "amount": None if c is None else c * line.quantity,
                        "cheapest": c is not None and c == low and len(quotes) > 1,
                    }
                    for c in cells
                ],
            }
        )
    columns = []
    for q in quotes:
        missing = [ln.sku.code for ln in lines if (q.pk, ln.pk) not in price]
        goods = sum(price.get((q.pk, ln.pk), 0) * ln.quantity for ln in lines)
        columns.append(
            {
                "quote": q,
                "goods": goods,
                "transport": q.transport_cost_fen,
                "total": goods + q.transport_cost_fen,
                "missing": missing,
                "cheapest": False,
            }
        )
    complete = [c for c in columns if not c["missing"]]
    if len(complete) > 1:
        best = min(c["total"] for c in complete)
        for c in complete:
            c["cheapest"] = c["total"] == best
    return {"quotes": columns, "rows": rows}
