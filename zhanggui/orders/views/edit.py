"""Editing an order on its detail page (ORD-7): per line an exchange (another SKU — the other
colours/sizes of the same product offered as a select, or any 商家编码/barcode) and a quantity; the receiver's
address (only for roles that may see buyer data, TEAM-5); the carrier. The forms open behind the page's 改商品 /
改地址 / 改快递 buttons; the services in services/edits.py decide, refusals come back as messages."""

from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core.access import page
from zhanggui.core.actions import run_action
from zhanggui.core.events import timeline_for
from zhanggui.inventory.services.stock import available_by_sku

from ..services import edits
from ..services.order_actions import EDIT_ADDRESS, EDIT_LINES
from .common import CHANGE


def _alternatives(lines) -> dict[int, list[dict]]:
    """{product id: [its active SKUs with the quantity available]} for the matched lines (two queries)."""
    product_ids = {ln.sku.product_id for ln in lines if ln.sku_id}
    if not product_ids:
        return {}
    skus = list(Sku.objects.filter(product_id__in=product_ids, is_active=True).order_by("product_id", "code"))
    available = available_by_sku(s.pk for s in skus)
    found: dict[int, list[dict]] = {}
    for s in skus:
        found.setdefault(s.product_id, []).append(
            {"code": s.code, "label": " ".join(p for p in (s.colour, s.size) if p), "available": available[s.pk]}
        )
    return found


def _address_history(order) -> list[dict]:
    """The full before/after of earlier address changes (kept in the events' data), for PII roles only."""
    events = timeline_for(order).filter(kind="order_edit_address")[:10]
    return [{"at": e.at, "number": e.actor_number, **e.data} for e in events if e.data]


def panel(order, keys) -> dict:
    """The edit forms' context for the actions the page offers (`keys` of services.order_actions): the lines with
    the other SKUs of their product (改商品), the address prefilled (改地址, only offered to PII roles, TEAM-5)."""
    found: dict = {}
    if EDIT_LINES in keys:
        lines = list(order.lines.all())
        alternatives = _alternatives(lines)
        found["lines"] = [
            {
                "line": ln,
                "options": [o for o in alternatives.get(ln.sku.product_id, []) if o["code"] != ln.sku.code]
                if ln.sku_id
                else [],
            }
            for ln in lines
        ]
    if EDIT_ADDRESS in keys:
        found["address"] = {"name": order.receiver_name, "phone": order.receiver_phone, "address": order.address_raw}
        found["address_history"] = _address_history(order)
    return {"edit": found}


def _edit_view(name, change, done):
    """A POST of one edit form: load the order in the user's shops (404 otherwise), call the service, go back."""

    @require_POST
    @page(CHANGE)
    def view(request, order_id: int):
        from .detail import load  # detail imports this module for its panel

        order = load(request.user, order_id)
        run_action(request, lambda: change(request, order, request.POST), done)
        return redirect("orders:detail", order_id=order.pk)

    view.__name__ = view.__qualname__ = name
    return view


def _version(post):
    return post.get("version") or None


line_sku_view = _edit_view(
    "line_sku_view",
    lambda request, order, p: edits.change_line_sku(
        request.user,
        order,
        p.get("line_no", ""),
        (p.get("code") or "").strip() or p.get("sku", ""),  # a typed code wins over the select
        version=_version(p),
    ),
    _("SKU changed"),
)
line_quantity_view = _edit_view(
    "line_quantity_view",
    lambda request, order, p: edits.change_quantity(
        request.user, order, p.get("line_no", ""), p.get("quantity", ""), version=_version(p)
    ),
    _("Quantity changed"),
)
address_view = _edit_view(
    "address_view",
    lambda request, order, p: edits.change_address(
        request.user,
        order,
        name=p.get("name", ""),
        phone=p.get("phone", ""),
        address=p.get("address", ""),
        version=_version(p),
    ),
    _("Address changed"),
)
carrier_view = _edit_view(
    "carrier_view",
    lambda request, order, p: edits.change_carrier(request.user, order, p.get("carrier", ""), version=_version(p)),
    _("Carrier changed"),
)

urls = [
    path("<int:order_id>/edit/sku/", line_sku_view, name="edit_sku"),
    path("<int:order_id>/edit/quantity/", line_quantity_view, name="edit_quantity"),
    path("<int:order_id>/edit/address/", address_view, name="edit_address"),
    path("<int:order_id>/edit/carrier/", carrier_view, name="edit_carrier"),
]
