"""Purchase order pages (采购单, PUR-2): the list with status tabs and counts, the new-order form (lines typed as
“商家编码 数量 单价”), and the order page with its next moves, lines, quotes side by side, payments, problems,
stock-in slips and timeline. Company-level, not shop-scoped. Every change goes through the purchasing services, with the
page's `version` so two people editing one order cannot overwrite each other."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page
from zhanggui.core.actions import posted_object, run_action
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.money import yuan_to_fen
from zhanggui.inventory.models import Warehouse
from zhanggui.inventory.selectors import active_warehouses

from .. import selectors
from ..models import Payment, Problem, PurchaseOrder, Receipt, Supplier
from ..services import order_edits, payments, problems, quotes
from ..services import orders as svc

VIEW = "purchasing.view_purchaseorder"
CHANGE = "purchasing.change_purchaseorder"
ADD = "purchasing.add_purchaseorder"
PAY = "purchasing.add_payment"
PAGE_SIZE = 50
State = PurchaseOrder.State


# ---- list -------------------------------------------------------------------------------------------------------


@page(VIEW)
def order_list(request):
    """PUR-2: purchase orders with status tabs and counts, filters in the URL, money and receiving progress."""
    filters = selectors.OrderFilters.from_params(request.GET)
    counts = selectors.tab_counts(filters)
    paginator = Paginator(selectors.order_list(filters), PAGE_SIZE)
    paginator.count = counts[filters.tab]
    page_obj = paginator.get_page(request.GET.get("page"))
    orders = list(page_obj)
    figures = selectors.order_figures([o.pk for o in orders])
    labels = {"all": _("All"), **{s: State(s).label for s in selectors.TABS[1:]}}
    base = filters.as_params()
    tabs = [(t, labels[t], counts[t], "?" + urlencode({**base, "tab": t})) for t in selectors.TABS]
    return render(
        request,
        "purchasing/order_list.html",
        {
            "rows": [(o, figures[o.pk], selectors.is_late(o)) for o in orders],
            "page_obj": page_obj,
            "tabs": tabs,
            "filters": filters,
            "suppliers": list(Supplier.objects.order_by("-is_active", "code")),
            "query": urlencode({**base, "tab": filters.tab}),
        },
    )


# ---- create -----------------------------------------------------------------------------------------------------


def _supplier_from(value, *, active_only=True):
    value = str(value or "")
    if not value.isdigit():
        return None
    qs = Supplier.objects.filter(is_active=True) if active_only else Supplier.objects.all()
    return qs.filter(pk=value).first()


def _date_from(value, field):
    value = str(value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("bad_date", "日期格式应为 YYYY-MM-DD", field) from None


def _fen_from(value, field, *, default=0):
    value = str(value or "").strip()
    if not value:
        return default
    try:
        return yuan_to_fen(value)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, field) from None


@page(ADD)
def order_create(request):
    """PUR-2: a need/plan — supplier (optional: quotes may decide it), warehouse, why, lines by merchant code."""
    errors, details = {}, []
    values = request.POST if request.method == "POST" else request.GET
    warehouses = list(active_warehouses().order_by("-is_default", "code"))
    if request.method == "POST":
        try:
            supplier = _supplier_from(values.get("supplier"))
            if values.get("supplier") and supplier is None:
                raise DomainError("bad_supplier", "供应商不存在或已停用", "supplier")
            warehouse = next((w for w in warehouses if str(w.pk) == values.get("warehouse")), None)
            if warehouse is None:
                raise DomainError("bad_warehouse", "请选择收货仓库", "warehouse")
            expected_on = _date_from(values.get("expected_on"), "expected_on")
            transport = _fen_from(values.get("transport"), "transport")
            lines = order_edits.parse_lines(values.get("lines", ""), supplier)
            order = svc.create_order(
                request.user,
                lines=lines,
                supplier=supplier,
                warehouse=warehouse,
                reason=values.get("reason", "").strip(),
                expected_on=expected_on,
                note=values.get("note", "").strip(),
                transport_cost_fen=transport,
            )
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
            details = exc.details
        else:
            messages.success(request, _("Purchase order %(number)s created.") % {"number": order.number})
            return redirect("purchasing:order", po_id=order.pk)
    return render(
        request,
        "purchasing/order_form.html",
        {
            "errors": errors,
            "details": details,
            "values": values,
            "suppliers": list(Supplier.objects.filter(is_active=True).order_by("code")),
            "warehouses": warehouses,
            "default_warehouse": next(
                (w.pk for w in warehouses if w.is_default), warehouses[0].pk if warehouses else None
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


# ---- the order page ---------------------------------------------------------------------------------------------


def _order(po_id) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse", "buyer"), pk=po_id)


ACTION_LABELS = {
    State.QUOTING: (gettext_lazy("Ask for quotes"), "fa-scale-balanced", "btn-outline-primary"),
    State.ORDERED: (gettext_lazy("Place order"), "fa-paper-plane", "btn-primary"),
    State.DRAFT: (gettext_lazy("Back to planning"), "fa-rotate-left", "btn-outline-secondary"),
    State.CLOSED: (gettext_lazy("Close order"), "fa-flag-checkered", "btn-success"),
    State.CANCELLED: (gettext_lazy("Cancel order"), "fa-ban", "btn-outline-danger"),
}


@page(VIEW)
def order_detail(request, po_id: int):
    """PUR-2: the order with its next moves, lines (ordered / received / faulty / outstanding), quotes compared,
    payments, problems, stock-in slips and timeline."""
    order = _order(po_id)
    lines = list(order.lines.select_related("sku__product").order_by("pk"))
    figures = selectors.order_figures([order.pk])[order.pk]
    can_change = request.user.has_perm(CHANGE)
    actions = []
    if can_change:
        for to in svc.allowed_actions(order):
            label, icon, css = ACTION_LABELS[to]
            actions.append({"to": to, "label": label, "icon": icon, "css": css})
    order_problems = list(order.problems.select_related("created_by").order_by("resolved_at", "-created_at"))
    comparison = selectors.compare_quotes(order) if order.quotes.exists() or order.state == State.QUOTING else None
    quoted = {c["quote"].supplier_id for c in comparison["quotes"]} if comparison else set()
    return render(
        request,
        "purchasing/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "fig": figures,
            "late": selectors.is_late(order),
            "editable": order.state in svc.EDITABLE and can_change,
            "header_editable": order.state in svc.HEADER_EDITABLE and can_change,
            "actions": actions,
            "needs_note": order.state == State.PARTIAL,
            "comparison": comparison,
            "quoting": order.state == State.QUOTING and can_change,
            "quote_suppliers": list(Supplier.objects.filter(is_active=True).order_by("code")),
            "quoted": quoted,
            "payments": list(order.payments.select_related("actor")),
            "can_pay": order.state in svc.PAYABLE and request.user.has_perm(PAY),
            "placed": order.state in svc.PLACED,
            "methods": Payment.Method.choices,
            "problems": order_problems,
            "open_problems": sum(1 for p in order_problems if not p.resolved_at),
            "problem_kinds": Problem.Kind.choices,
            "receipts": list(Receipt.objects.filter(order=order).order_by("-created_at")),
            "can_receive": order.state in svc.OPEN_FOR_RECEIPT,
            "suppliers": list(Supplier.objects.filter(is_active=True).order_by("code")),
            "warehouses": list(Warehouse.objects.filter(is_active=True).order_by("-is_default", "code")),
            "today": clock.today(),
            "timeline": [present_event(e, request.user) for e in timeline_for(order)[:80]],
        },
    )


def _back(po_id, anchor=""):
    return redirect(reverse("purchasing:order", args=[po_id]) + (f"#{anchor}" if anchor else ""))


def _version(request):
    """The version the form carried; a malformed one is passed on and refused as stale, never skipped."""
    return request.POST.get("version", "").strip() or None


def _attempt(request, po_id, change, done, anchor=""):
    """Run one change of the order page and go back to it. A refused document also lists its refused rows
    (as warnings, at most nine: the first is already the message)."""
    run_action(request, change, done, details=messages.WARNING, most=9)
    return _back(po_id, anchor)


@require_POST
@page(CHANGE)
def order_action(request, po_id: int):
    """PUR-2: one move of the state machine (buttons on the order page)."""
    order = _order(po_id)
    to = request.POST.get("to", "")

    def moved(_result):
        order.refresh_from_db()
        return _("%(number)s: %(state)s") % {"number": order.number, "state": order.get_state_display()}

    return _attempt(
        request,
        po_id,
        lambda: svc.apply_transition(
            request.user, order, to, version=_version(request), note=request.POST.get("note", "")
        ),
        moved,
    )


def _header_fields(request, order) -> dict:
    """The header fields the form posted, checked and converted (raises DomainError naming the field)."""
    fields = {}
    if "supplier" in request.POST and order.state in svc.EDITABLE:
        value = request.POST.get("supplier", "")
        supplier = _supplier_from(value, active_only=False) if value else None
        if value and supplier is None:
            raise DomainError("bad_supplier", "供应商不存在", "supplier")
        fields["supplier"] = supplier
    if "warehouse" in request.POST and order.state in svc.EDITABLE:
        warehouse = Warehouse.objects.filter(pk=request.POST.get("warehouse") or None, is_active=True).first()
        if warehouse is None:
            raise DomainError("bad_warehouse", "请选择收货仓库", "warehouse")
        fields["warehouse"] = warehouse
    if "expected_on" in request.POST:
        fields["expected_on"] = _date_from(request.POST.get("expected_on"), "expected_on")
    if "transport" in request.POST:
        fields["transport_cost_fen"] = _fen_from(request.POST.get("transport"), "transport")
    for name in ("reason", "note"):
        if name in request.POST:
            fields[name] = request.POST.get(name, "")
    return fields


@require_POST
@page(CHANGE)
def order_edit(request, po_id: int):
    """PUR-2: the header — supplier and warehouse before ordering; expected date, transport, need, note."""
    order = _order(po_id)
    return _attempt(
        request,
        po_id,
        lambda: order_edits.update_order(
            request.user, order, version=_version(request), **_header_fields(request, order)
        ),
        _("Purchase order saved."),
    )


def _line_changes(request, order) -> dict:
    """What the lines form asks for: changed quantities and prices, ticked rows to remove, rows to add."""
    changes, remove = {}, []
    for line in order.lines.select_related("sku"):
        if request.POST.get(f"remove_{line.pk}"):
            remove.append(line.pk)
            continue
        qty = request.POST.get(f"qty_{line.pk}")
        price = request.POST.get(f"price_{line.pk}")
        if qty is None and price is None:
            continue
        try:
            fen = _fen_from(price, "lines", default=line.unit_cost_fen)
        except DomainError:
            raise DomainError("bad_price", f"{line.sku.code}：单价“{price}”应为金额，如 35.50", "lines") from None
        changes[line.pk] = (qty if qty not in (None, "") else line.quantity, fen)
    add = []
    if request.POST.get("add_lines", "").strip():
        add = order_edits.parse_lines(request.POST["add_lines"], order.supplier)
    return {"changes": changes, "remove": remove, "add": add}


@require_POST
@page(CHANGE)
def order_lines(request, po_id: int):
    """PUR-2: edit the lines of a need/plan or quoting order: quantities and prices, ticked rows removed, rows
    added from the “商家编码 数量 单价” box — all in one change."""
    order = _order(po_id)
    return _attempt(
        request,
        po_id,
        lambda: order_edits.edit_lines(request.user, order, version=_version(request), **_line_changes(request, order)),
        _("Lines saved."),
        "lines",
    )


@require_POST
@page(CHANGE)
def quote_add(request, po_id: int):
    """PUR-2: record (or replace) one supplier's quote: a unit price per line, lead time, transport."""
    order = _order(po_id)

    def record():
        supplier = _supplier_from(request.POST.get("supplier"))
        if supplier is None:
            raise DomainError("required", "请选择报价的供应商", "supplier")
        prices = {}
        for line in order.lines.select_related("sku"):
            raw = request.POST.get(f"quote_{line.pk}", "").strip()
            if raw:
                try:
                    prices[line.pk] = yuan_to_fen(raw)
                except DomainError:
                    raise DomainError(
                        "bad_price", f"{line.sku.code}：单价“{raw}”应为金额，如 35.50", "prices"
                    ) from None
        quotes.record_quote(
            request.user,
            order,
            supplier,
            prices=prices,
            lead_time_days=request.POST.get("lead_time_days") or supplier.lead_time_days,
            transport_cost_fen=_fen_from(request.POST.get("transport"), "transport"),
            note=request.POST.get("note", ""),
            version=_version(request),
        )
        return supplier

    return _attempt(
        request, po_id, record, lambda supplier: _("Quote of %(name)s saved.") % {"name": supplier.name}, "quotes"
    )


@require_POST
@page(CHANGE)
def quote_choose(request, po_id: int):
    """PUR-2: take one quote: its prices onto the lines, its supplier onto the order."""
    order = _order(po_id)

    def choose():
        quote = posted_object(order.quotes, request, "quote", _("That quote no longer exists."))
        quotes.choose_quote(request.user, quote, version=_version(request))
        return quote

    return _attempt(
        request,
        po_id,
        choose,
        lambda quote: _("Quote of %(name)s chosen: prices copied to the lines.") % {"name": quote.supplier.name},
        "quotes",
    )


@require_POST
@page(PAY)
def payment_add(request, po_id: int):
    """PUR-2, PUR-3: record money paid to the supplier (finance)."""
    order = _order(po_id)

    def pay():
        amount = _fen_from(request.POST.get("amount"), "amount", default=None)
        if amount is None:
            raise DomainError("required", "请填写付款金额", "amount")
        payments.add_payment(
            request.user,
            order,
            amount_fen=amount,
            paid_on=_date_from(request.POST.get("paid_on"), "paid_on"),
            method=request.POST.get("method") or Payment.Method.BANK,
            note=request.POST.get("note", ""),
            version=_version(request),
        )

    return _attempt(request, po_id, pay, _("Payment recorded."), "payments")


@require_POST
@page(CHANGE)
def problem_add(request, po_id: int):
    order = _order(po_id)
    return _attempt(
        request,
        po_id,
        lambda: problems.report_problem(
            request.user,
            order,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            version=_version(request),
        ),
        _("Problem recorded: resolve it before closing the order."),
        "problems",
    )


@require_POST
@page(CHANGE)
def problem_resolve(request, po_id: int):
    order = _order(po_id)

    def resolve():
        problem = posted_object(order.problems, request, "problem", _("That problem no longer exists."))
        problems.resolve_problem(
            request.user, problem, resolution=request.POST.get("resolution", ""), version=_version(request)
        )

    return _attempt(request, po_id, resolve, _("Problem resolved."), "problems")


urls = [
    path("", order_list, name="list"),
    path("new/", order_create, name="order_create"),
    path("<int:po_id>/", order_detail, name="order"),
    path("<int:po_id>/action/", order_action, name="order_action"),
    path("<int:po_id>/edit/", order_edit, name="order_edit"),
    path("<int:po_id>/lines/", order_lines, name="order_lines"),
    path("<int:po_id>/quotes/", quote_add, name="order_quote"),
    path("<int:po_id>/quotes/choose/", quote_choose, name="order_quote_choose"),
    path("<int:po_id>/payments/", payment_add, name="order_payment"),
    path("<int:po_id>/problems/", problem_add, name="order_problem"),
    path("<int:po_id>/problems/resolve/", problem_resolve, name="order_problem_resolve"),
]
