"""Orders API — edits with a record (ORD-7): a line's SKU (exchange) and quantity, the receiver's
address (needs crm.view_buyer_pii: 403 otherwise, TEAM-5), the carrier. Each answers the order as GET
/orders/{order_id} does; the `version` the caller read guards every change (stale_version)."""

from ninja import Router, Schema

from zhanggui.core.access import scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity, Reference

from ..models import Order
from ..services import edits
from ..views.common import CHANGE
from . import OrderDetailOut, _detail

router = Router(tags=["orders"])


# Fields default to empty: the service checks them after the shop scope (another shop's order answers 404 first).


class LineSkuIn(Schema):
    sku: str = ""  # 商家编码 or barcode
    version: Reference | None = None


class LineQuantityIn(Schema):
    quantity: Quantity | None = None
    version: Reference | None = None


class AddressIn(Schema):
    name: str = ""
    phone: str = ""
    address: str = ""  # "省 市 区 详细地址" — or the parts below
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    postcode: str = ""
    version: Reference | None = None


class CarrierIn(Schema):
    carrier: str = ""
    version: Reference | None = None


def _order(request, order_id: int) -> Order:
    return scoped_get(Order.objects.select_related("shop"), request.user, pk=order_id)


@api_route(router.post, "/orders/{order_id}/lines/{line_no}/sku", perm=CHANGE, response=OrderDetailOut)
def change_line_sku(request, order_id: int, line_no: int, payload: LineSkuIn):
    """ORD-7 exchange: line `line_no` gets the SKU with this 商家编码 or barcode (title and price stay); a paid
    order's reservation moves to it (ORD-4), too little stock puts the order in the out-of-stock queue (ORD-9)."""
    order = _order(request, order_id)
    edits.change_line_sku(request.user, order, line_no, payload.sku, version=payload.version)
    return _detail(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/lines/{line_no}/quantity", perm=CHANGE, response=OrderDetailOut)
def change_line_quantity(request, order_id: int, line_no: int, payload: LineQuantityIn):
    """ORD-7: the line's quantity (≥ 1). Manual and own-channel orders recompute their amounts; platform orders keep
    the platform's. A paid order re-reserves (ORD-4)."""
    order = _order(request, order_id)
    edits.change_quantity(request.user, order, line_no, payload.quantity, version=payload.version)
    return _detail(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/address", perm=CHANGE, response=OrderDetailOut)
def change_address(request, order_id: int, payload: AddressIn):
    """ORD-7: receiver name, phone and address (whole, or province/city/district/detail/postcode), validated like a
    manual order. Needs crm.view_buyer_pii as well (403 `pii_required`, TEAM-5)."""
    order = _order(request, order_id)
    edits.change_address(
        request.user,
        order,
        **payload.model_dump(exclude={"version"}),
        version=payload.version,
    )
    return _detail(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/carrier", perm=CHANGE, response=OrderDetailOut)
def change_carrier(request, order_id: int, payload: CarrierIn):
    """ORD-7 / ORD-2: switch the carrier (free text); remarked on the order (ORD-3), an old tracking number is
    cleared."""
    order = _order(request, order_id)
    edits.change_carrier(request.user, order, payload.carrier, version=payload.version)
    return _detail(order_id, request.user)
