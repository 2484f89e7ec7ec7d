"""The stock ledger (库存流水, INV-2): every change with before → after, its reason, document and 工号;
export of the filtered ledger to XLSX as a background job."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zhanggui.core import references
from zhanggui.core.access import page

from .. import selectors
from ..exports import start_ledger_export
from ..models import LedgerEntry, Warehouse

PAGE_SIZE = 100
LEDGER_PERM = "inventory.view_ledgerentry"


@page(LEDGER_PERM)
def ledger(request):
    filters = selectors.LedgerFilters.from_params(request.GET)
    page_obj = Paginator(selectors.ledger_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    references.annotate(request.user, page_obj.object_list, ("document", "note"))  # INV-2: documents by number, linked
    params = {k: v for k, v in filters.as_params().items() if v}
    return render(
        request,
        "inventory/ledger.html",
        {
            "entries": page_obj,
            "page_obj": page_obj,
            "filters": filters,
            "query": urlencode(params),
            "reasons": LedgerEntry.Reason.choices,
            "warehouses": list(Warehouse.objects.all()),
        },
    )


@require_POST
@page(LEDGER_PERM)
def ledger_export(request):
    """INV-2: the filtered ledger as XLSX, built by a background job; the job page offers the download."""
    job = start_ledger_export(request.user, selectors.LedgerFilters.from_params(request.POST))
    return redirect("job", job_id=job.pk)


urls = [
    path("ledger/", ledger, name="ledger"),
    path("ledger/export/", ledger_export, name="ledger_export"),
]
