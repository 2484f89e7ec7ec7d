"""Customer pages (客户): masked for roles without the right to see personal data (TEAM-5)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.jobs import start_job
from zhanggui.core.privacy import PII_EXPORT_PERMISSION, can_see_pii

from .models import Customer
from .selectors import customers_in, present_customer, purchases_of
from .tasks import export_customers

RECENT_ORDERS = 20  # the newest orders listed on a customer's page


@page("crm.view_customer")
def customer_list(request):
    keyword = request.GET.get("q", "")
    qs = customers_in(request.scope.shops, keyword)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    show = can_see_pii(request.user)
    bought = purchases_of([c.pk for c in page_obj])  # CRM-1: one query for the page
    rows = [(c, present_customer(c, show), bought[c.pk]) for c in page_obj]
    return render(
        request,
        "crm/list.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "keyword": keyword,
            "masked": not show,
            "can_export_pii": show and request.user.has_perm(PII_EXPORT_PERMISSION),
        },
    )


@page("crm.view_customer", shop_scoped=True)
def customer_detail(request, customer_id: int):
    customer = scoped_get(Customer.objects.select_related("shop"), request.user, pk=customer_id)
    return render(
        request,
        "crm/detail.html",
        {
            "customer": customer,
            "view": present_customer(customer, can_see_pii(request.user)),
            "bought": purchases_of([customer.pk], recent=RECENT_ORDERS)[customer.pk],  # CRM-1
            "timeline": [present_event(e, request.user) for e in timeline_for(customer)[:50]],
        },
    )


@require_POST
@page("crm.view_customer")
def customer_export(request):
    """Export as a background job; personal data is included only with the export right (and logged)."""
    job = start_job(
        request.user,
        kind="customers_export",
        title=_("Customer export"),
        task=export_customers,
        params={"shops": [s.code for s in request.scope.shops], "keyword": request.POST.get("q", "")},
        shop=request.scope.current,
    )
    return redirect("job", job_id=job.pk)
