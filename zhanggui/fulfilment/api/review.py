"""审单 in the API (ORD-2, ORD-7): the orders waiting with their reasons, batch approve / reject, merge, and split
of a package — the same services and permissions as the review page."""

from ninja import Router, Schema

from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity, Reference

from .. import selectors
from ..models import Package
from ..services import plan, review

router = Router()
REVIEW = "fulfilment.review_order"


class ReviewOut(Schema):
    id: int
    platform_order_no: str
    shop_id: int
    version: int
    paid_fen: int
    clean: bool
    reasons: list[str]


class PickIn(Schema):
    orders: list[Reference]
    versions: dict[int, int] = {}
    note: str = ""
    reason: str = ""


class DoneOut(Schema):
    count: int


class PackageOut(Schema):
    id: int
    package_no: str
    state: str
    order_id: int


class SplitIn(Schema):
    lines: dict[Reference, Quantity]  # package line id → quantity to move
    version: Reference | None = None


def _picked(payload: PickIn) -> list[tuple[int, int | None]]:
    return [(pk, payload.versions.get(pk)) for pk in payload.orders]


@api_route(router.get, "/review", perm=REVIEW, response=list[ReviewOut])
def list_review(request, clean: bool | None = None, limit: int = 200):
    """The 待审核 orders of the caller's shops with the reasons they wait for a person ([] = clean)."""
    orders = list(selectors.orders_to_review(allowed_shops(request.user))[: max(1, min(limit, 1000))])
    found = review.reasons([o.pk for o in orders])
    rows = [
        {
            "id": o.pk,
            "platform_order_no": o.platform_order_no,
            "shop_id": o.shop_id,
            "version": o.version,
            "paid_fen": o.paid_fen,
            "clean": not found.get(o.pk),
            "reasons": found.get(o.pk, []),
        }
        for o in orders
    ]
    return [r for r in rows if clean is None or r["clean"] == clean]


@api_route(router.post, "/review/approve", perm=REVIEW, response=DoneOut)
def approve(request, payload: PickIn):
    """ORD-7 batch approve, all or nothing (a refusal lists every refused order)."""
    shops = list(allowed_shops(request.user))
    return {"count": review.approve_orders(request.user, _picked(payload), payload.note, shops=shops)}


@api_route(router.post, "/review/reject", perm=REVIEW, response=DoneOut)
def reject(request, payload: PickIn):
    """ORD-7 batch reject: the orders are held with the (required) reason."""
    shops = list(allowed_shops(request.user))
    return {"count": review.reject_orders(request.user, _picked(payload), payload.reason, shops=shops)}


@api_route(router.post, "/review/merge", perm=REVIEW, response=PackageOut)
def merge(request, payload: PickIn):
    """Merge orders of one buyer and address into one package (ORD-3 red-flag remark with the count)."""
    package = plan.merge(request.user, payload.orders, shops=list(allowed_shops(request.user)), note=payload.note)
    return {"id": package.pk, "package_no": package.package_no, "state": package.state, "order_id": package.order_id}


@api_route(router.post, "/packages/{package_id}/split", perm="fulfilment.change_package", response=PackageOut)
def split(request, package_id: int, payload: SplitIn):
    """Move quantities of a 待打单 package to a new package; answers the new package."""
    package = scoped_get(Package.objects.all(), request.user, pk=package_id)
    new = plan.split_package(request.user, package, payload.lines, version=payload.version)
    return {"id": new.pk, "package_no": new.package_no, "state": new.state, "order_id": new.order_id}
