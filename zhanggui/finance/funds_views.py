"""Fund arrival pages (FIN-3): /finance/funds/ — the queues (paid orders with no arrival, amount mismatches, lines
matching nothing) with counts on the tabs, filters by shop and month, the courier bills (SHIP-5) beside them; and
/finance/funds/import/ — upload a shop's statements. Finance role and managers (finance.view_ledger), within the
shops the person works for. Rules in services/funds.py, reads in funds_selectors.py."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from zhanggui.core import clock
from zhanggui.core.access import allowed_shops, has_access, page
from zhanggui.core.errors import DomainError

from . import funds_selectors as q
from .services.funds import import_statements

PERM = "finance.view_ledger"
MAX_BYTES = 50 << 20  # per file (a year of a busy shop's Alipay lines)
TAB_LABELS = {
    "no_arrival": _("Paid, no arrival"),
    "mismatch": _("Amount mismatch"),
    "unmatched": _("Matches no order"),
}


def _shops(request):
    """(shops in view, chosen shop code): a shop code narrows to that shop, within the person's shops."""
    shops = list(allowed_shops(request.user))
    code = request.GET.get("shop", "")
    chosen = [s for s in shops if s.code == code]
    return (chosen or shops), (code if chosen else "")


def read_uploads(uploads) -> list[tuple[str, bytes]]:
    files = []
    for upload in uploads:
        if upload.size > MAX_BYTES:
            raise DomainError("file_too_large", f"{upload.name}：文件太大，上限 {MAX_BYTES >> 20} MB", "files")
        files.append((str(upload.name)[:200], upload.read()))
    if not files:
        raise DomainError("no_file", "请选择要导入的账单文件", "files")
    return files


def pick_shop(user, value):
    shop = next((s for s in allowed_shops(user) if s.code == str(value or "")), None)
    if shop is None:
        raise DomainError("no_shop", "请选择要导入的店铺", "shop")
    return shop


@page(PERM)
def funds(request):
    shops, code = _shops(request)
    month = request.GET.get("month", "")
    bounds = q.month_bounds(month)
    if bounds is None:
        month = ""
    tab = request.GET.get("tab") if request.GET.get("tab") in q.TABS else "no_arrival"
    counts = q.counts(shops, bounds)
    context = {
        "shops": list(allowed_shops(request.user)),
        "code": code,
        "month": month,
        "tab": tab,
        "tabs": [(t, TAB_LABELS[t], counts[t]) for t in q.TABS],
        "totals": q.totals(shops, bounds),
    }
    if tab == "no_arrival":
        context["orders"] = list(q.no_arrival(shops, bounds)[:200])
    elif tab == "mismatch":
        context["rows"] = q.mismatch_rows(shops, bounds)
    else:
        context["entries"] = list(q.unmatched(shops, bounds)[:200])
    if has_access(request.user, "fulfilment.reconcile_fee"):  # SHIP-5 beside it: the courier bills to look at
        from zhanggui.fulfilment.services.fees import differences

        context["courier"] = differences(shops, [month or clock.today().strftime("%Y-%m")])
        context["courier_month"] = month or clock.today().strftime("%Y-%m")
    return render(request, "finance/funds.html", context)


@page(PERM)
def import_page(request):
    shops = list(allowed_shops(request.user))
    chosen = request.POST.get("shop", "")
    error, result = None, None
    if request.method == "POST":
        try:
            shop = pick_shop(request.user, chosen)
            result = import_statements(request.user, shop, read_uploads(request.FILES.getlist("files")))
        except DomainError as exc:
            error = exc.message
    context = {"shops": shops, "chosen": chosen, "error": error, "result": result}
    return render(request, "finance/funds_import.html", context, status=400 if error else 200)


urls = [
    path("funds/", funds, name="funds"),
    path("funds/import/", import_page, name="funds_import"),
]
