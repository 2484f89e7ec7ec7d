"""Packages in the API: the list of the shops the caller may see."""

from ninja import Router, Schema

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route

from .models import Package

router = Router()


class PackageOut(Schema):
    id: int
    package_no: str
    shop_id: int
    order_id: int
    state: str
    carrier: str | None
    waybill_no: str


@api_route(router.get, "/packages", perm="fulfilment.view_package", response=list[PackageOut])
def list_packages(request, state: str = "", limit: int = 100):
    qs = Package.objects.filter(shop__in=allowed_shops(request.user)).select_related("carrier")
    if state:
        qs = qs.filter(state=state)
    return [
        {**{f: getattr(p, f) for f in ("id", "package_no", "shop_id", "order_id", "state", "waybill_no")},
         "carrier": p.carrier.code if p.carrier else None}
        for p in qs.order_by("ordered_at", "id")[: max(1, min(limit, 500))]
    ]  # fmt: skip
