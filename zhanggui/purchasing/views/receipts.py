"""Stock-in slip pages (入库单, INV-3): the list with status tabs, a new slip (from a purchase order or free), the
counting page (scanner friendly, lines sorted by colour and size), the printed slip, check with the purchaser and
posting. Company-level, not shop-scoped. Every change goes through services.receiving with the page's `version`,
so two people working on one slip cannot overwrite each other; a POST without a version changes nothing."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock, pdf
from zhanggui.core.access import page
from zhanggui.core.actions import move_view
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.inventory.models import Bin
from zhanggui.inventory.selectors import active_warehouses

from ..models import PurchaseOrder, Receipt, Supplier, SupplierExchange
from ..services import orders as order_svc
from ..services import receiving as svc

VIEW = "purchasing.view_receipt"
ADD = "purchasing.add_receipt"
CHANGE = "purchasing.change_receipt"
CHECK = svc.CHECK_PERM
PAGE_SIZE = 50
State = Receipt.State
TABS = (State.DRAFT, State.CHECKED, State.POSTED, State.CANCELLED)


def _int_or_none(value):
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _date(value):
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


# ---- list -------------------------------------------------------------------------------------------------------


@page(VIEW)
def receipt_list(request):
    """INV-3: stock-in slips with tabs 清点中 / 已核对 / 已入库 / 已作废 and filters supplier, PO or slip number,
    date (Beijing calendar days) — all in the URL."""
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else State.DRAFT
    supplier = _int_or_none(request.GET.get("supplier"))
    q = (request.GET.get("q") or "").strip()[:40]
    date_from, date_to = _date(request.GET.get("date_from")), _date(request.GET.get("date_to"))
    qs = Receipt.objects.all()
    if supplier:
        qs = qs.filter(supplier_id=supplier)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(order__number__icontains=q))
    if date_from:
        qs = qs.filter(created_at__gte=clock.local_day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(created_at__lt=clock.local_day_bounds(date_to)[1])
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    rows = (
        qs.filter(state=tab)
        .select_related("order", "supplier", "warehouse", "counted_by", "checked_by")
        .annotate(
            line_count=Count("lines"),
            expected=Sum("lines__expected_qty"),
            counted=Sum("lines__counted_qty"),
            faulty=Sum("lines__faulty_qty"),
        )
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts.get(tab, 0)
    page_obj = paginator.get_page(request.GET.get("page"))
    base = {"supplier": supplier or "", "q": q, "date_from": date_from or "", "date_to": date_to or ""}
    base = {k: v for k, v in base.items() if v}
    tabs = [(t, State(t).label, counts.get(t, 0), "?" + urlencode({**base, "tab": t})) for t in TABS]
    return render(
        request,
        "purchasing/receipt_list.html",
        {
            "receipts": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "tab": tab,
            "filters": {**base, "supplier": supplier},
            "filtered": bool(base),
            "suppliers": list(Supplier.objects.order_by("-is_active", "code")),
            "query": urlencode({**base, "tab": tab}),
        },
    )


# ---- new slip -----------------------------------------------------------------------------------------------------


@page(ADD)
def receipt_create(request):
    """INV-3: a new slip. GET: open purchase orders to receive against (?order=<id> preselects one) and the free
    receipt form; POST: order=<id> → slip prefilled with what is outstanding, else a free slip."""
    error = None
    if request.method == "POST":
        order_id = _int_or_none(request.POST.get("order"))
        try:
            if order_id:
                order = get_object_or_404(PurchaseOrder, pk=order_id)
                receipt = svc.create_receipt(request.user, order=order, note=request.POST.get("note", ""))
            else:
                supplier = Supplier.objects.filter(pk=_int_or_none(request.POST.get("supplier"))).first()
                warehouse = active_warehouses().filter(pk=_int_or_none(request.POST.get("warehouse"))).first()
                receipt = svc.create_receipt(
                    request.user, supplier=supplier, warehouse=warehouse, note=request.POST.get("note", "")
                )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("Stock-in slip %(number)s created: count the goods.") % {"number": receipt.number}
            )
            return redirect("purchasing:receipt", receipt_id=receipt.pk)
    open_orders = (
        PurchaseOrder.objects.filter(state__in=order_svc.OPEN_FOR_RECEIPT)
        .select_related("supplier", "warehouse")
        .annotate(
            ordered=Sum("lines__quantity"),
            received=Sum("lines__received_qty"),
            outstanding=Sum(F("lines__quantity") - F("lines__received_qty")),
        )
        .order_by("expected_on", "ordered_at", "pk")
    )
    chosen = _int_or_none(request.GET.get("order") or request.POST.get("order"))
    return render(
        request,
        "purchasing/receipt_create.html",
        {
            "open_orders": open_orders[:200],
            "chosen": chosen,
            "chosen_order": PurchaseOrder.objects.filter(pk=chosen).first() if chosen else None,
            "suppliers": list(Supplier.objects.filter(is_active=True).order_by("code")),
            "warehouses": list(active_warehouses()),
            "error": error,
        },
        status=400 if error else 200,
    )


# ---- the slip -----------------------------------------------------------------------------------------------------


def _receipt(receipt_id):
    return get_object_or_404(
        Receipt.objects.select_related("order", "supplier", "warehouse", "counted_by", "checked_by", "posted_by"),
        pk=receipt_id,
    )


def _as_int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _render_detail(request, receipt, *, typed=None, errors=None, status=200):
    lines = svc.sorted_lines(receipt)
    typed = typed or {}
    errors = errors or []
    sums = {"expected": 0, "counted": 0, "faulty": 0, "good": 0}
    for ln in lines:
        if ln.pk in typed:  # keep what the user typed when a save was refused
            ln.counted_qty, ln.faulty_qty, ln.bin_id, ln.note = typed[ln.pk]
        counted, faulty = _as_int(ln.counted_qty), _as_int(ln.faulty_qty)
        ln.good = counted - faulty if counted is not None and faulty is not None else ""
        ln.short = bool(ln.order_line_id) and counted is not None and counted < ln.expected_qty
        ln.over = bool(ln.order_line_id) and counted is not None and counted > ln.expected_qty
        ln.error = any(e.startswith(ln.label) for e in errors)
        sums["expected"] += ln.expected_qty
        sums["counted"] += counted or 0
        sums["faulty"] += faulty or 0
    sums["good"] = sums["counted"] - sums["faulty"]
    user = request.user
    editable = receipt.state == State.DRAFT and user.has_perm(CHANGE)
    exchanges = SupplierExchange.objects.filter(receipt_line__receipt=receipt).select_related("sku")
    return render(
        request,
        "purchasing/receipt_detail.html",
        {
            "receipt": receipt,
            "lines": lines,
            "sums": sums,
            "bins": list(Bin.objects.filter(warehouse_id=receipt.warehouse_id).order_by("position", "code")),
            "editable": editable,
            "can_check": receipt.state == State.DRAFT and user.has_perm(CHECK),
            "can_reopen": receipt.state == State.CHECKED and user.has_perm(CHECK),
            "can_post": receipt.state == State.CHECKED and user.has_perm(CHANGE),
            "can_cancel": receipt.state in (State.DRAFT, State.CHECKED) and user.has_perm(CHANGE),
            "errors": errors,
            "highlight": _int_or_none(request.GET.get("hl")),
            "scan_result": request.GET.get("scan", ""),
            "exchanges": list(exchanges),
            "timeline": [present_event(e, user) for e in timeline_for(receipt)[:50]],
        },
        status=status,
    )


@page(VIEW)
def receipt_detail(request, receipt_id: int):
    """INV-3: the counting page — scan box that keeps focus, one row per SKU (分码分色), inputs for counted,
    faulty, bin and fault; the print, check and post buttons by state and permission; the timeline."""
    return _render_detail(request, _receipt(receipt_id))


def _version(request):
    """The page's version; None when missing (an old or forged form): then nothing is changed."""
    return _int_or_none(request.POST.get("version"))


def _back(receipt, **params):
    url = reverse("purchasing:receipt", kwargs={"receipt_id": receipt.pk})
    return redirect(f"{url}?{urlencode(params)}" if params else url)


def _stale(request, receipt):
    messages.error(request, _("This page is out of date: reload it and try again."))
    return _back(receipt)


@require_POST
@page(CHANGE)
def receipt_counts(request, receipt_id: int):
    """Save the counting table (and the PUR-4 flag); a code in the scan box is then counted too (free slips get a
    new line). A refused save shows the page again with what was typed and each bad row named."""
    receipt = _receipt(receipt_id)
    version = _version(request)
    if version is None:
        return _stale(request, receipt)
    post = request.POST
    rows, typed = [], {}
    for raw in post.getlist("line"):
        pk = _int_or_none(raw)
        if pk is None:
            continue
        row = {
            "line": pk,
            "counted": post.get(f"counted_{pk}", ""),
            "faulty": post.get(f"faulty_{pk}", ""),
            "bin": post.get(f"bin_{pk}", ""),
            "note": post.get(f"note_{pk}", ""),
        }
        rows.append(row)
        typed[pk] = (row["counted"], row["faulty"], _int_or_none(row["bin"]), row["note"])
    code = (post.get("scan") or "").strip()
    try:
        if rows or "differs" in post or "difference_note" in post:
            receipt = svc.save_counts(
                request.user,
                receipt,
                rows,
                version=version,
                differs_from_last_batch=post.get("differs") == "1",
                difference_note=post.get("difference_note", ""),
                note=post.get("note") if "note" in post else None,
            )
    except DomainError as exc:
        if exc.code == "stale_version":  # someone else saved: show their counts, never overwrite them
            messages.error(request, exc.message)
            return _back(receipt)
        receipt.refresh_from_db()
        receipt.differs_from_last_batch = post.get("differs") == "1"
        receipt.difference_note = post.get("difference_note", "")
        return _render_detail(request, receipt, typed=typed, errors=exc.details or [exc.message], status=400)
    if code:
        try:
            line = svc.scan(request.user, receipt, code)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(receipt, scan="err")
        return _back(receipt, hl=line.pk, scan="ok")
    messages.success(request, _("Counts saved."))
    return _back(receipt)


# ---- moves of the slip ------------------------------------------------------------------------------------------
# 核对: the purchaser confirms the count (counting → checked); 退回清点: the purchaser sends it back to counting;
# 入库: post a checked slip (stock, exchange list, purchase order, PUR-4 tasks) in one transaction; 作废: cancel a
# slip that is not posted yet. The service decides; the page shows its refusal (every refused row) or the message.

MOVED = {
    "check": gettext_lazy("%(number)s checked with the purchaser: it can be posted now."),
    "reopen": gettext_lazy("%(number)s sent back to counting."),
    "post": gettext_lazy("%(number)s posted: good pieces are in stock, faulty ones on the supplier-exchange list."),
    "cancel": gettext_lazy("%(number)s cancelled."),
}


def _move(perm: str, name: str, service):
    """The view for one move: `service(user, receipt, version=…, note=…)`, refused without the page's version."""

    def change(request, receipt):
        version = _version(request)
        if version is None:
            raise DomainError("stale_version", _("This page is out of date: reload it and try again."))
        return service(request.user, receipt, version=version, note=(request.POST.get("note") or "").strip()[:200])

    return move_view(perm, f"receipt_{name}", _receipt, change, MOVED[name], _back, details=messages.ERROR)


receipt_check = _move(CHECK, "check", svc.check)
receipt_reopen = _move(CHECK, "reopen", svc.reopen)
receipt_post = _move(CHANGE, "post", lambda user, receipt, *, version, note: svc.post(user, receipt, version=version))
receipt_cancel = _move(CHANGE, "cancel", svc.cancel)


@page(VIEW)
def receipt_slip(request, receipt_id: int):
    """INV-3: the printed stock-in slip (PDF, two copies: 库房联 / 进货人员联)."""
    receipt = _receipt(receipt_id)
    document = svc.slip_document(receipt, printed_by=str(request.user))
    return pdf.response(document, f"{receipt.number}.pdf")


urls = [
    path("receipts/", receipt_list, name="receipts"),
    path("receipts/new/", receipt_create, name="receipt_create"),
    path("receipts/<int:receipt_id>/", receipt_detail, name="receipt"),
    path("receipts/<int:receipt_id>/counts/", receipt_counts, name="receipt_counts"),
    path("receipts/<int:receipt_id>/check/", receipt_check, name="receipt_check"),
    path("receipts/<int:receipt_id>/reopen/", receipt_reopen, name="receipt_reopen"),
    path("receipts/<int:receipt_id>/post/", receipt_post, name="receipt_post"),
    path("receipts/<int:receipt_id>/cancel/", receipt_cancel, name="receipt_cancel"),
    path("receipts/<int:receipt_id>/slip.pdf", receipt_slip, name="receipt_slip"),
]
