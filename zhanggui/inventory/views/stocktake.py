"""Stocktake pages (盘点, INV-6): the list with state tabs and the monthly reminder, planning, the stocktake with
its differences and actions, the scanner page and the printed count sheets.

Pages never decide anything themselves: every change goes through `services.stocktake` (which also checks that
only the manager approves). Stock is company-level: nothing here is shop-scoped.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import pdf
from zhanggui.core.access import page
from zhanggui.core.actions import move_view
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error

from .. import selectors
from ..models import Bin, LedgerEntry, StockLevel, Stocktake, StocktakeLine
from ..services import stocktake as services
from ..services import stocktake_window

VIEW_PERM = "inventory.view_stocktake"
ADD_PERM = "inventory.add_stocktake"
CHANGE_PERM = "inventory.change_stocktake"
APPROVE_PERM = services.APPROVE_PERM
PAGE_SIZE = 50
LINES_PAGE = 200
State = Stocktake.State
STATE_TABS = ("all", *State.values)
LINE_TABS = ("all", "diff", "uncounted", "added")
SPLIT = re.compile(r"[\s,，、;；]+")


def _get(stocktake_id: int) -> Stocktake:
    return get_object_or_404(
        Stocktake.objects.select_related("warehouse", "created_by", "approved_by"), pk=stocktake_id
    )


def _detail(st: Stocktake, **params) -> str:
    url = reverse("inventory:stocktake", args=[st.pk])
    return f"{url}?{urlencode(params)}" if params else url


# ---- the list ---------------------------------------------------------------------------------------------------


@page(VIEW_PERM)
def stocktake_list(request):
    """INV-6: every stocktake, tabs by state with counts, the reminder banner when the monthly window is near."""
    state = request.GET.get("state") or "all"
    state = state if state in STATE_TABS else "all"
    warehouse = selectors._as_int(request.GET.get("warehouse"))
    q = (request.GET.get("q") or "").strip()[:40]
    qs = Stocktake.objects.all()
    if warehouse:
        qs = qs.filter(warehouse_id=warehouse)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(note__icontains=q))
    counts = qs.aggregate(all=Count("id"), **{s: Count("id", filter=Q(state=s)) for s in State.values})
    if state != "all":
        qs = qs.filter(state=state)
    qs = qs.select_related("warehouse", "created_by", "approved_by").annotate(
        line_count=Count("lines"), counted_count=Count("lines", filter=Q(lines__counted_qty__isnull=False))
    )
    paginator = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE)
    paginator.count = counts[state]
    page_obj = paginator.get_page(request.GET.get("page"))
    base = {k: v for k, v in {"warehouse": warehouse or "", "q": q}.items() if v}
    labels = {"all": _("All"), **{s: label for s, label in State.choices}}
    tabs = [(t, labels[t], counts[t], "?" + urlencode({**base, "state": t})) for t in STATE_TABS]
    return render(
        request,
        "inventory/stocktake_list.html",
        {
            "stocktakes": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "state": state,
            "warehouse": warehouse,
            "q": q,
            "query": urlencode({**base, "state": state}),
            "warehouses": list(selectors.active_warehouses()),
        },
    )


# ---- planning ---------------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=selectors.active_warehouses())
    scope = forms.ChoiceField(
        label=gettext_lazy("What to count"),
        choices=Stocktake.Scope.choices,
        initial=Stocktake.Scope.WAREHOUSE,
        widget=forms.RadioSelect,
    )
    bins = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Bins"), queryset=Bin.objects.filter(warehouse__is_active=True), required=False
    )
    skus = forms.CharField(
        label=gettext_lazy("Merchant codes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("One merchant code or barcode per line")}),
    )
    window_start = forms.DateField(
        label=gettext_lazy("Count from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_end = forms.DateField(
        label=gettext_lazy("Count until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)
    early_reason = forms.CharField(
        label=gettext_lazy("Reason for counting before the month-end window"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].empty_label = None
        self.fields["warehouse"].queryset = selectors.active_warehouses()


@page(ADD_PERM)
def stocktake_new(request):
    """INV-6: plan a stocktake — whole warehouse, some bins or some SKUs — in the monthly window by default."""
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                st = services.plan(
                    request.user,
                    data["warehouse"],
                    data["scope"],
                    bins=list(data["bins"]),
                    skus=[c for c in SPLIT.split(data["skus"]) if c],
                    window=(data["window_start"], data["window_end"]),
                    note=data["note"],
                    early_reason=data["early_reason"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Stocktake %(number)s planned: %(n)s SKUs to count.")
                    % {"number": st.number, "n": st.lines.count()},
                )
                return redirect(_detail(st))
        status = 400
    else:
        start, end = stocktake_window.default_window()
        warehouse = selectors._as_int(request.GET.get("warehouse"))
        if not selectors.active_warehouses().filter(pk=warehouse).exists():
            warehouse = selectors.active_warehouses().order_by("-is_default", "code").values_list("pk", flat=True)
            warehouse = warehouse.first()
        form = PlanForm(initial={"warehouse": warehouse, "window_start": start, "window_end": end})
        status = 200
    bins = Bin.objects.filter(warehouse__is_active=True).select_related("warehouse")
    groups: dict = {}
    for b in bins.order_by("warehouse__code", "position", "code"):
        groups.setdefault(b.warehouse, []).append(b)
    chosen = {str(v) for v in (form["bins"].value() or [])}
    return render(
        request,
        "inventory/stocktake_new.html",
        {
            "form": form,
            "bin_groups": list(groups.items()),
            "chosen_bins": chosen,
            # INV-6: the reason box appears once a window well before the month-end window was asked for
            "ask_early_reason": bool(form.errors.get("early_reason") or form["early_reason"].value()),
        },
        status=status,
    )


# ---- one stocktake ----------------------------------------------------------------------------------------------


def _lines_page(request, st: Stocktake, tab: str):
    lines = services.sorted_lines(st).select_related("sku__product", "bin", "counted_by")
    if tab == "diff":
        lines = lines.filter(counted_qty__isnull=False, book_qty__isnull=False).exclude(counted_qty=F("book_qty"))
    elif tab == "uncounted":
        lines = lines.filter(counted_qty__isnull=True)
    elif tab == "added":
        lines = lines.filter(note=services.ADDED_NOTE)
    return Paginator(lines, LINES_PAGE).get_page(request.GET.get("page"))


def _line_tab_counts(st: Stocktake) -> dict[str, int]:
    return st.lines.aggregate(
        all=Count("id"),
        diff=Count("id", filter=Q(counted_qty__isnull=False, book_qty__isnull=False) & ~Q(counted_qty=F("book_qty"))),
        uncounted=Count("id", filter=Q(counted_qty__isnull=True)),
        added=Count("id", filter=Q(note=services.ADDED_NOTE)),
    )


@page(VIEW_PERM)
def stocktake_detail(request, stocktake_id: int):
    """INV-6: header, actions by state and permission, the lines with their differences (book at count time,
    counted, difference, value at cost, what moved since the count), totals, the posted ledger entries and the
    timeline. While counting, book figures are shown to the approver only (a blind count for everyone else)."""
    st = _get(stocktake_id)
    tab = request.GET.get("lines") or "all"
    tab = tab if tab in LINE_TABS else "all"
    page_obj = _lines_page(request, st, tab)
    lines = list(page_obj)
    user = request.user
    show_book = st.state in (State.SUBMITTED, State.POSTED, State.CANCELLED) or services.may_approve(user)
    moved = services.moved_since_count(st, lines) if st.state != State.POSTED else {}
    sku_ids = [ln.sku_id for ln in lines]
    current = dict(
        StockLevel.objects.filter(warehouse_id=st.warehouse_id, sku_id__in=sku_ids).values_list("sku_id", "on_hand")
    )
    posted = {}
    if st.state == State.POSTED:
        posted = {
            e.sku_id: e
            for e in LedgerEntry.objects.filter(
                reason=LedgerEntry.Reason.STOCKTAKE, document=st.number, warehouse_id=st.warehouse_id
            )
        }
    first = (page_obj.number - 1) * LINES_PAGE
    rows = []
    for i, ln in enumerate(lines, start=first + 1):
        diff = ln.difference
        rows.append(
            {
                "n": i,
                "line": ln,
                "diff": diff,
                "value": diff * ln.sku.cost_fen if diff else 0,
                "moved": moved.get(ln.pk, 0),
                "current": current.get(ln.sku_id, 0),
                "after": current.get(ln.sku_id, 0) + (diff or 0),
                "entry": posted.get(ln.sku_id),
            }
        )
    counts = _line_tab_counts(st)
    labels = {
        "all": _("All lines"),
        "diff": _("Differences"),
        "uncounted": _("Not counted"),
        "added": _("Found during the count"),
    }
    line_tabs = [(t, labels[t], counts[t], _detail(st, lines=t)) for t in LINE_TABS if t != "added" or counts[t]]
    events = timeline_for(st)
    counted, total = services.progress(st)
    return render(
        request,
        "inventory/stocktake_detail.html",
        {
            "st": st,
            "rows": rows,
            "page_obj": page_obj,
            "query": urlencode({"lines": tab}),
            "line_tab": tab,
            "line_tabs": line_tabs,
            "totals": services.totals(st),
            "counted": counted,
            "total": total,
            "uncounted": total - counted,
            "percent": round(counted * 100 / total) if total else 0,
            "show_book": show_book,
            "may_approve": services.may_approve(user),
            "scope_text": _scope_text(st),
            "window_text": stocktake_window.window_text(st.window_start, st.window_end),
            "posted_count": len(posted) if st.state == State.POSTED else 0,
            "ledger_url": reverse("inventory:ledger") + "?" + urlencode({"document": st.number}),
            "timeline": [present_event(e, user) for e in events.exclude(kind="stocktake_scan")[:50]],
            "scans": events.filter(kind="stocktake_scan").count(),
        },
    )


def _scope_text(st: Stocktake) -> str:
    text = services.SCOPE_WORDS[st.scope]
    if st.scope == Stocktake.Scope.BINS:
        text += " " + "、".join(b.code for b in st.bins.order_by("position", "code"))
    return text


# ---- state moves ------------------------------------------------------------------------------------------------
# The buttons on the stocktake page. The service decides whether a move is allowed (and that only the manager
# approves); the page shows its Chinese refusal or the message below and goes back to the stocktake.

MOVED = {
    "start": gettext_lazy("Stocktake %(number)s started: scan or type the counts."),
    "submit": gettext_lazy("Stocktake %(number)s submitted for approval."),
    "approve": gettext_lazy("Stocktake %(number)s approved: the differences are posted to stock."),
    "send_back": gettext_lazy("Stocktake %(number)s sent back for a recount."),
    "cancel": gettext_lazy("Stocktake %(number)s cancelled."),
}


def _back(st: Stocktake):
    return redirect(_detail(st))


def _move(perm: str, name: str, run):
    """The view for one move: `run(request, stocktake)` calls the service."""
    return move_view(perm, f"stocktake_{name}", _get, run, MOVED[name], _back)


def _noted(service):
    """A move that takes the note typed next to its button."""
    return lambda request, st: service(request.user, st, request.POST.get("note", ""))


stocktake_start = _move(CHANGE_PERM, "start", lambda request, st: services.start(request.user, st))
stocktake_submit = _move(
    CHANGE_PERM,
    "submit",
    lambda request, st: services.submit(
        request.user, st, uncounted_as_zero=request.POST.get("uncounted_as_zero") == "1"
    ),
)
stocktake_approve = _move(APPROVE_PERM, "approve", _noted(services.approve))
stocktake_send_back = _move(CHANGE_PERM, "send_back", _noted(services.send_back))
stocktake_cancel = _move(CHANGE_PERM, "cancel", _noted(services.cancel))


# ---- counting: the scanner page ---------------------------------------------------------------------------------


def _line_json(line: StocktakeLine, st: Stocktake) -> dict:
    counted, total = services.progress(st)
    sku = line.sku
    return {
        "ok": True,
        "line_id": line.pk,
        "sku_code": sku.code,
        "name": sku.product.name,
        "colour": sku.colour,
        "size": sku.size,
        "bin": line.bin.code if line.bin_id else "",
        "counted_qty": line.counted_qty,
        "counted_lines": counted,
        "total_lines": total,
        "added": getattr(line, "added", False),
    }


@page(CHANGE_PERM)
def stocktake_count(request, stocktake_id: int):
    """INV-6 scanner page. GET: the scan box (Enter adds 1) and the sheet with one input per line, filtered by bin,
    code or "not counted yet" and paged (a warehouse has thousands of lines; one aisle is counted at a time).
    POST: the typed counts of the lines that changed, in one save (each with the figure the person saw, so a
    colleague's count is never overwritten silently); or, without JavaScript, one scanned code."""
    st = _get(stocktake_id)
    typed: dict[str, str] = {}
    status = 200
    here = request.get_full_path()
    if request.method == "POST":
        code = (request.POST.get("code") or "").strip()
        try:
            if code:  # the scan box without JavaScript
                (line,) = services.count(request.user, st, [(code, 1)], mode="add")
                return redirect(reverse("inventory:stocktake_count", args=[st.pk]) + f"?last={line.pk}")
            entries = _typed_entries(request, st, typed)
            if not entries:
                messages.info(request, _("Nothing changed."))
                return redirect(here)
            changed = services.count(request.user, st, entries, mode="set")
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, _("Counts saved: %(n)s lines.") % {"n": len(changed)})
            return redirect(here)
    lines = services.sorted_lines(st).select_related("sku__product", "bin", "counted_by")
    bin_filter = request.GET.get("bin") or ""
    if bin_filter == "none":
        lines = lines.filter(bin__isnull=True)
    elif bin_filter.isdigit():
        lines = lines.filter(bin_id=int(bin_filter))
    q = (request.GET.get("q") or "").strip()[:64]
    if q:
        lines = lines.filter(Q(sku__code__icontains=q) | Q(sku__barcode=q) | Q(sku__product__name__icontains=q))
    todo = request.GET.get("todo") == "1"
    if todo:
        lines = lines.filter(counted_qty__isnull=True)
    page_obj = Paginator(lines, LINES_PAGE).get_page(request.GET.get("page"))
    for ln in page_obj:
        ln.typed = typed.get(str(ln.pk))
    counted, total = services.progress(st)
    last = selectors._as_int(request.GET.get("last"))
    last = st.lines.select_related("sku__product", "bin").filter(pk=last).first() if last else None
    bins = Bin.objects.filter(pk__in=st.lines.exclude(bin=None).values("bin_id")).order_by("position", "code")
    params = {k: v for k, v in {"bin": bin_filter, "q": q, "todo": "1" if todo else ""}.items() if v}
    return render(
        request,
        "inventory/stocktake_count.html",
        {
            "st": st,
            "lines": page_obj,
            "page_obj": page_obj,
            "first_n": (page_obj.number - 1) * LINES_PAGE,
            "query": urlencode(params),
            "bins": list(bins),
            "bin_filter": bin_filter,
            "q": q,
            "todo": todo,
            "filtered": bool(params),
            "counted": counted,
            "total": total,
            "percent": round(counted * 100 / total) if total else 0,
            "last": last,
            "scope_text": _scope_text(st),
        },
        status=status,
    )


def _typed_entries(request, st: Stocktake, typed: dict) -> list[tuple]:
    """(sku id, qty, seen) for every line whose box differs from the figure shown when the page was loaded."""
    skus = dict(st.lines.values_list("pk", "sku_id"))
    entries = []
    for key, value in request.POST.items():
        if not key.startswith("qty_"):
            continue
        line_id = key[4:]
        value = value.strip()
        seen = (request.POST.get(f"seen_{line_id}") or "").strip()
        if not line_id.isdigit() or int(line_id) not in skus or value == seen or value == "":
            continue
        typed[line_id] = value
        entries.append((skus[int(line_id)], value, int(seen) if seen.isdigit() else None))
    return entries


@require_POST
@page(CHANGE_PERM)
def stocktake_scan(request, stocktake_id: int):
    """One scan (JSON, for the scanner page): code → +qty (default 1) on that SKU's line; the line, progress."""
    st = _get(stocktake_id)
    code = (request.POST.get("code") or "").strip()
    if not code:
        return JsonResponse({"ok": False, "message": "请扫描或输入商家编码"}, status=400)
    try:
        (line,) = services.count(request.user, st, [(code, request.POST.get("qty") or 1)], mode="add")
    except DomainError as exc:
        return JsonResponse({"ok": False, "code": exc.code, "message": exc.message}, status=exc.status)
    line.bin = Bin.objects.filter(pk=line.bin_id).first()
    return JsonResponse(_line_json(line, st))


# ---- count sheets -----------------------------------------------------------------------------------------------

SHEET_COLUMNS = [  # 180 mm: merchant codes on one line, a wide 实盘 box to write in
    pdf.Column("#", 9, numeric=True),
    pdf.Column("库位", 14),
    pdf.Column("商家编码", 40),
    pdf.Column("品名", 37),
    pdf.Column("颜色", 16),
    pdf.Column("尺码", 12),
    pdf.Column("账面", 13, numeric=True),
    pdf.Column("实盘", 22, numeric=True),
    pdf.Column("备注", 17),
]
BLANK_ROWS = 5  # for SKUs found on the shelf that are not on the sheet


def sheet_document(st: Stocktake, *, blind: bool = True, printed_by: str = "") -> pdf.Document:
    """INV-6 count sheet in bin walk order; 实盘 boxes blank to write in; 账面 blank for a blind count."""
    lines = list(services.sorted_lines(st).select_related("sku__product", "bin"))
    book = {}
    if not blind:
        book = dict(
            StockLevel.objects.filter(warehouse_id=st.warehouse_id, sku_id__in=[ln.sku_id for ln in lines]).values_list(
                "sku_id", "on_hand"
            )
        )
    rows = [
        [
            i,
            ln.bin.code if ln.bin_id else "",
            ln.sku.code,
            ln.sku.product.name,
            ln.sku.colour,
            ln.sku.size,
            "" if blind else book.get(ln.sku_id, 0),
            "",
            "",
        ]
        for i, ln in enumerate(lines, start=1)
    ]
    rows += [["", "", "", "", "", "", "", "", ""] for _ in range(BLANK_ROWS)]
    facts = [
        ("仓库", st.warehouse.name),
        ("范围", _scope_text(st)),
        ("盘点日期", stocktake_window.window_text(st.window_start, st.window_end)),
        ("SKU 数", str(len(lines))),
        ("方式", "盲盘（不印账面数）" if blind else "明盘（账面为打印时在库）"),
        ("状态", services.STATE_WORDS[st.state]),
    ]
    if st.note:
        facts.append(("备注", st.note))
    return pdf.Document(
        title="盘点表",
        number=st.number,
        facts=facts,
        columns=SHEET_COLUMNS,
        rows=rows,
        notes=[
            "实盘：清点货架上的可售件数（含已被订单占用、尚未发出的件数；次品待换和残损单独存放，不计入）。",
            "表上没有、货架上有的 SKU，请写在末尾空行；录入时扫码即可加入本盘点单。",
            "差异按每行录入时刻的账面计算，盘点期间照常发货、入库不影响结果。",
        ],
        signatures=["盘点人", "复核人", "审核（店长）"],
        printed_by=printed_by,
    )


@page(VIEW_PERM)
def stocktake_sheet(request, stocktake_id: int):
    """The count sheets as PDF; ?blind=0 prints the book figures (default: blind, 账面 left blank)."""
    st = _get(stocktake_id)
    blind = request.GET.get("blind", "1") != "0"
    doc = sheet_document(st, blind=blind, printed_by=str(request.user))  # 工号 and name
    return pdf.response(doc, f"{st.number}.pdf")


urls = [
    path("stocktakes/", stocktake_list, name="stocktakes"),
    path("stocktakes/new/", stocktake_new, name="stocktake_new"),
    path("stocktakes/<int:stocktake_id>/", stocktake_detail, name="stocktake"),
    path("stocktakes/<int:stocktake_id>/count/", stocktake_count, name="stocktake_count"),
    path("stocktakes/<int:stocktake_id>/scan/", stocktake_scan, name="stocktake_scan"),
    path("stocktakes/<int:stocktake_id>/sheet.pdf", stocktake_sheet, name="stocktake_sheet"),
    path("stocktakes/<int:stocktake_id>/start/", stocktake_start, name="stocktake_start"),
    path("stocktakes/<int:stocktake_id>/submit/", stocktake_submit, name="stocktake_submit"),
    path("stocktakes/<int:stocktake_id>/approve/", stocktake_approve, name="stocktake_approve"),
    path("stocktakes/<int:stocktake_id>/send-back/", stocktake_send_back, name="stocktake_send_back"),
    path("stocktakes/<int:stocktake_id>/cancel/", stocktake_cancel, name="stocktake_cancel"),
]
