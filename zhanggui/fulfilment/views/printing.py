"""Print batches (SHIP-1): 打印快递单 from the package list makes a batch; its page lists the packages in print order
with the labels, packing slips and picking list to download, and the picking list on screen. The PDFs are drawn by
services/documents.py; these views only fetch the packages the person may see and hand them over."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import allowed_shops, page
from zhanggui.core.actions import refuse
from zhanggui.core.errors import DomainError

from .. import selectors
from ..models import Package, PrintBatch, WaybillPrint
from ..services import packages as package_states
from ..services import printing
from .common import PRINT, VIEW
from .packages import filtered
from .packages import load as load_package


def load_batch(user, batch_id: int) -> tuple[PrintBatch, list[Package]]:
    """The batch and its packages in the user's shops (print order); 404 when none of it is theirs."""
    batch = get_object_or_404(PrintBatch.objects.select_related("created_by", "shop"), pk=batch_id)
    shops = allowed_shops(user)
    if batch.shop_id and not shops.filter(pk=batch.shop_id).exists():
        raise Http404
    if not WaybillPrint.objects.filter(batch=batch, package__shop__in=shops).exists():
        raise Http404
    packages = [p for p in printing.batch_packages(batch) if p.shop_id in {s.pk for s in shops}]
    return batch, packages


def pdf(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


def _back(request) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("fulfilment:list")


@require_POST
@page(PRINT)
def print_view(request):
    """SHIP-1: the picked 待打单 packages — or, with scope=all, every 待打单 package matching the list's filters up to
    the one counted on the confirmation (打印全部符合条件的) — become one print batch; refused ones are listed with
    their reasons."""
    p = request.POST
    size = p.get("size", "76x130")
    try:
        if p.get("scope") == "all":
            matching, _values = filtered(p, request.scope.shops)
            through = int(p["through"]) if p.get("through", "").isdigit() else None
            result = printing.print_matching(request.user, matching, size, through=through)
        else:
            result = printing.print_batch(request.user, [v for v in p.getlist("package") if v.isdigit()], size)
    except DomainError as exc:
        refuse(request, exc, details=messages.WARNING, most=20)
        return redirect(_back(request))
    return to_batch(request, result)


def to_batch(request, result):
    """After a print batch is made (from the print queue or the order list): what was printed, what was refused and
    why, and on to the batch with its labels."""
    messages.success(
        request,
        _("Print batch {batch} created: {n} packages").format(batch=result.batch.batch_no, n=len(result.printed)),
    )
    for line in result.refusals[:20]:
        messages.warning(request, line)
    return redirect("fulfilment:batch", batch_id=result.batch.pk)


@page(VIEW)
def batch_list(request):
    shops = allowed_shops(request.user)
    return render(request, "fulfilment/batches.html", {"batches": selectors.print_batches(shops)})


@page(VIEW)
def batch_detail(request, batch_id: int):
    from ..services import documents

    batch, packages = load_batch(request.user, batch_id)
    for p in packages:
        p.state_label = package_states.state_label(p.state)
    return render(
        request,
        "fulfilment/batch.html",
        {
            "batch": batch,
            "packages": packages,
            "pick_rows": documents.pick_list(packages) if packages else [],
            "can_print": request.user.has_perm(PRINT),
        },
    )


@page(PRINT)
def labels_pdf(request, batch_id: int):
    from ..services import documents

    batch, packages = load_batch(request.user, batch_id)
    size = request.GET.get("size") or batch.label_size
    size = size if size in ("76x130", "100x180") else batch.label_size
    return pdf(documents.labels_pdf(packages, size, request.user), f"labels-{batch.batch_no}.pdf")


@page(PRINT)
def slips_pdf(request, batch_id: int):
    from ..services import documents

    batch, packages = load_batch(request.user, batch_id)
    return pdf(documents.slips_pdf(packages, request.user), f"slips-{batch.batch_no}.pdf")


@page(PRINT)
def picking_pdf(request, batch_id: int):
    from ..services import documents

    batch, packages = load_batch(request.user, batch_id)
    return pdf(documents.pick_list_pdf(packages, batch.batch_no), f"picking-{batch.batch_no}.pdf")


@page(PRINT)
def package_label_pdf(request, package_id: int):
    """One package's label again (after a recorded reprint)."""
    from ..services import documents

    package = load_package(request.user, package_id)
    if not package.waybill_no:
        raise Http404
    size = package.print_batch.label_size if package.print_batch_id else "76x130"
    return pdf(documents.labels_pdf([package], size, request.user), f"label-{package.package_no}.pdf")


urls = [
    path("print/", print_view, name="print"),
    path("batches/", batch_list, name="batches"),
    path("batches/<int:batch_id>/", batch_detail, name="batch"),
    path("batches/<int:batch_id>/labels.pdf", labels_pdf, name="labels_pdf"),
    path("batches/<int:batch_id>/slips.pdf", slips_pdf, name="slips_pdf"),
    path("batches/<int:batch_id>/picking.pdf", picking_pdf, name="picking_pdf"),
    path("<int:package_id>/label.pdf", package_label_pdf, name="labels_pdf_one"),
]
