"""Scan-verify, weigh and ship in the API (SHIP-1): the same services and permissions as /shipping/scan/ and the
daily shipping record; the shipments of a day and the platform batch-ship file."""

from django.http import Http404, HttpResponse
from ninja import Router, Schema

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from .. import selectors
from ..models import Package
from ..services import shipping, verify

router = Router()

PACK = "fulfilment.pack_package"
SHIP = "fulfilment.ship_package"
VIEW_SHIPMENT = "fulfilment.view_shipment"


class ScanIn(Schema):
    code: str
    package_id: int | None = None  # absent: `code` is a waybill (or package) number; present: an item of it


class ScanLine(Schema):
    id: int
    code: str
    barcode: str
    name: str
    needed: int
    scanned: int


class ScanOut(Schema):
    package_id: int
    package_no: str
    waybill_no: str
    state: str
    state_label: str
    carrier: str
    expected_weight_g: int
    weight_g: int | None
    lines: list[ScanLine]
    complete: bool
    alarm: str
    message: str
    counted: bool


class WeighIn(Schema):
    weight: str  # "1200", "1200g", "1.2kg"
    reason: str = ""  # ship despite the weight: why


class ShipmentOut(Schema):
    package_id: int
    package_no: str
    shop_id: int
    order_no: str
    carrier: str
    carrier_code: str
    waybill_no: str
    ship_day: str
    shipped_at: str
    weight_g: int | None


def _package(request, package_id: int) -> Package:
    found = Package.objects.filter(pk=package_id, shop__in=allowed_shops(request.user)).select_related("carrier")
    package = found.first()
    if package is None:
        raise Http404
    return package


@api_route(router.post, "/scan", perm=PACK, response=ScanOut)
def scan(request, payload: ScanIn):
    """Scan a waybill (no package_id) → the package to verify; scan an item (with package_id) → counted or alarm."""
    if payload.package_id is None:
        package = verify.find_package(allowed_shops(request.user), payload.code)
        return verify.ScanResult(package, verify.package_lines(package)).as_json()
    return verify.scan_item(request.user, _package(request, payload.package_id), payload.code).as_json()


@api_route(router.post, "/packages/{package_id}/weigh", perm=PACK, response=ScanOut)
def weigh(request, package_id: int, payload: WeighIn):
    """Weigh a fully scanned package: within tolerance it is packed; else `alarm` = weight (override with reason)."""
    return verify.weigh(
        request.user, _package(request, package_id), payload.weight, override_reason=payload.reason
    ).as_json()


@api_route(router.post, "/packages/{package_id}/ship", perm=SHIP, response=ShipmentOut)
def ship(request, package_id: int):
    """Ship a packed package (once: a second call is refused with already_shipped)."""
    package = shipping.ship_package(request.user, _package(request, package_id))
    return _shipment_out(package.shipment)


def _shipment_out(s) -> dict:
    return {
        "package_id": s.package_id,
        "package_no": s.package.package_no,
        "shop_id": s.shop_id,
        "order_no": s.package.order.platform_order_no,
        "carrier": s.carrier.name,
        "carrier_code": s.carrier.code,
        "waybill_no": s.waybill_no,
        "ship_day": s.ship_day.isoformat(),
        "shipped_at": s.shipped_at.isoformat(),
        "weight_g": s.weight_g,
    }


def _shops(request, shop: int | None):
    shops = list(allowed_shops(request.user))
    if shop is not None:
        shops = [s for s in shops if s.pk == shop]
        if not shops:
            raise Http404
    return shops


@api_route(router.get, "/shipments", perm=VIEW_SHIPMENT, response=list[ShipmentOut])
def shipments(request, day: str = "", shop: int | None = None, limit: int = 500):
    """The shipments of a Beijing day (default today) of the caller's shops (SHIP-1 daily shipping record)."""
    found = selectors.shipments_of_day(_shops(request, shop), shipping.parse_day(day))
    return [_shipment_out(s) for s in found[: max(1, min(limit, 5000))]]


@api_route(router.get, "/shipments/batch-file", perm=SHIP)
def batch_file(request, day: str = "", shop: int | None = None):
    """The platform batch-ship CSV (批量发货) of one shop and day (default: the caller's first shop, today)."""
    shops = _shops(request, shop)
    if not shops:
        raise DomainError("no_shop", "没有可用的店铺", "shop")
    name, data = shipping.batch_ship_file(shops[0], shipping.parse_day(day))
    from urllib.parse import quote

    resp = HttpResponse(data, content_type="text/csv")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
