"""API for customers; masking exactly as on the pages (TEAM-5)."""

from ninja import Router, Schema

from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.privacy import can_see_pii

from .models import Customer
from .selectors import customers_in, present_customer

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    shop: str
    buyer_nick: str
    name: str
    phone: str
    address: str
    tags: str
    masked: bool


@api_route(router.get, "/customers", perm="crm.view_customer", response=list[CustomerOut])
def list_customers(request, shop: str | None = None, q: str = "", limit: int = 100, offset: int = 0):
    shops = allowed_shops(request.user)
    if shop:
        shops = shops.filter(code=shop)
    show = can_see_pii(request.user)
    rows = customers_in(shops, q)[max(offset, 0) : max(offset, 0) + max(1, min(limit, 500))]
    return [present_customer(c, show) for c in rows]


@api_route(router.get, "/customers/{customer_id}", perm="crm.view_customer", response=CustomerOut)
def get_customer(request, customer_id: int):
    customer = scoped_get(Customer.objects.select_related("shop"), request.user, pk=customer_id)
    return present_customer(customer, can_see_pii(request.user))
