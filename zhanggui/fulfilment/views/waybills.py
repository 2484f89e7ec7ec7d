"""Waybill accounts and their number pools (/shipping/waybills/, SHIP-1): free / used counts, a low-pool warning,
and loading numbers as a range or a file (one number per line)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import allowed_shops, page
from zhanggui.core.actions import run_action

from ..models import Carrier, WaybillAccount
from ..services import waybills

VIEW_ACCOUNTS = "fulfilment.view_waybillaccount"
LOAD = "fulfilment.add_waybillnumber"
ADD_ACCOUNT = "fulfilment.add_waybillaccount"


def visible_accounts(user):
    """Accounts of the user's shops and the all-shops accounts."""
    return WaybillAccount.objects.filter(Q(shop__isnull=True) | Q(shop__in=allowed_shops(user)))


def load_account(user, account_id: int) -> WaybillAccount:
    found = visible_accounts(user).select_related("carrier", "shop").filter(pk=account_id).first()
    if found is None:
        raise Http404
    return found


@page(VIEW_ACCOUNTS)
def account_list(request):
    accounts = list(waybills.with_counts(visible_accounts(request.user).select_related("carrier", "shop")))
    for a in accounts:
        a.low = a.active and a.provider == "pool" and a.free_count < waybills.LOW_POOL
    return render(
        request,
        "fulfilment/waybills.html",
        {
            "accounts": accounts,
            "low_pool": waybills.LOW_POOL,
            "any_low": any(a.low for a in accounts),
            "can_load": request.user.has_perm(LOAD),
            "can_add": request.user.has_perm(ADD_ACCOUNT),
            "carriers": Carrier.objects.filter(active=True),
            "shops": allowed_shops(request.user),
        },
    )


def _report(request, result: waybills.LoadResult) -> None:
    (messages.success if result.added else messages.warning)(request, result.summary)
    for line in result.errors[:30]:
        messages.warning(request, line)
    if len(result.errors) > 30:
        messages.warning(request, _("… and {n} more bad lines").format(n=len(result.errors) - 30))


@require_POST
@page(LOAD)
def load_view(request, account_id: int):
    """SHIP-1: load a range (start + count or end, prefix) or a file into the account's pool."""
    account = load_account(request.user, account_id)
    p = request.POST
    if request.FILES.get("file"):
        change = lambda: waybills.load_file(request.user, account, request.FILES["file"])  # noqa: E731
    else:
        count = p.get("count", "").strip()
        change = lambda: waybills.load_range(  # noqa: E731
            request.user,
            account,
            p.get("start", ""),
            int(count) if count.isdigit() else None,
            p.get("end", ""),
            p.get("prefix", ""),
        )
    run_action(request, lambda: _report(request, change()))
    return redirect("fulfilment:waybills")


@require_POST
@page(ADD_ACCOUNT)
def add_account_view(request):
    p = request.POST
    carrier = Carrier.objects.filter(pk=p.get("carrier") if p.get("carrier", "").isdigit() else None).first()
    shop_id = p.get("shop", "")
    shop = allowed_shops(request.user).filter(pk=shop_id).first() if shop_id.isdigit() else None
    run_action(
        request,
        lambda: waybills.create_account(
            request.user,
            carrier,
            shop,
            p.get("name", ""),
            sender_name=p.get("sender_name", ""),
            sender_phone=p.get("sender_phone", ""),
            sender_address=p.get("sender_address", ""),
        ),
        _("Waybill account added"),
    )
    return redirect("fulfilment:waybills")


urls = [
    path("waybills/", account_list, name="waybills"),
    path("waybills/new/", add_account_view, name="waybill_account_new"),
    path("waybills/<int:account_id>/load/", load_view, name="waybill_load"),
]
