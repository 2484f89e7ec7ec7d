"""Reads for one order's page (ORD-4, ORD-6): what each line's goods are doing, and the order's packages (read
from fulfilment through the source it registers — orders never imports the layer above)."""

from __future__ import annotations

from zhanggui.catalog.models import ComboItem, Product
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services.stock import available_by_sku

from .models import Order, OrderLine
from .services.states import reference

State = Order.State


# What a line's goods are doing (ORD-4): held for the order, gone out with it, given back, short (ORD-9), the
# supplier's (PROD-10), not reserved yet (unpaid), or no SKU of ours (unmatched, ORD-9).
RESERVED, COMMITTED, RELEASED, SHORT, DROPSHIP, NOT_RESERVED, UNMATCHED = (
    "reserved",
    "committed",
    "released",
    "short",
    "dropship",
    "not_reserved",
    "unmatched",
)


def line_stock(order: Order, lines: list[OrderLine], *, with_available: bool) -> dict[int, dict]:
    """{line no: {"status": one of the above, "qty": units held or shipped, "available": units available now or
    None}} for the order page's lines (ORD-4): the order's reservations (reference ``order:<pk>``) per SKU — a
    combination SKU by its parts — and, when `with_available` (a role that may see stock), what is available now.
    Three queries whatever the number of lines."""
    matched = [ln for ln in lines if ln.sku_id]
    parts: dict[int, list[int]] = {}
    combos = [ln.sku_id for ln in matched if ln.sku.is_combo]
    for combo_id, component_id in ComboItem.objects.filter(combo_id__in=combos).values_list("combo_id", "component_id"):
        parts.setdefault(combo_id, []).append(component_id)
    held: dict[int, dict[str, int]] = {}
    for sku_id, state, qty in Reservation.objects.filter(reference=reference(order)).values_list(
        "sku_id", "state", "quantity"
    ):
        held.setdefault(sku_id, {})[state] = held.get(sku_id, {}).get(state, 0) + qty
    available = available_by_sku(ln.sku_id for ln in matched) if with_available and matched else {}
    found: dict[int, dict] = {}
    for ln in lines:
        if not ln.sku_id:
            found[ln.line_no] = {"status": UNMATCHED, "qty": 0, "available": None}
            continue
        held_parts = [held.get(pk, {}) for pk in parts.get(ln.sku_id, [ln.sku_id])]
        if ln.sku.product.sourcing == Product.Sourcing.DROPSHIP:
            status = DROPSHIP
        elif any(Reservation.State.OPEN in h for h in held_parts):
            status = RESERVED
        elif any(Reservation.State.COMMITTED in h for h in held_parts):
            status = COMMITTED
        elif any(held_parts):
            status = RELEASED
        elif order.exc_out_of_stock:
            status = SHORT
        else:
            status = NOT_RESERVED
        if ln.sku_id in parts:  # a combination: its parts are held, so the line counts whole
            qty = ln.quantity if status in (RESERVED, COMMITTED) else 0
        else:
            own = held.get(ln.sku_id, {}).get({RESERVED: "open", COMMITTED: "committed"}.get(status, ""), 0)
            qty = min(own, ln.quantity)
        found[ln.line_no] = {
            "status": status,
            "qty": qty,
            "available": available.get(ln.sku_id) if with_available else None,
        }
    return found


# ORD-6 packages and waybills of an order: fulfilment (a layer above) holds them and registers its reader here from
# its AppConfig.ready() — orders never import fulfilment (rule 2 of the house).
_package_source = None


def register_package_source(source) -> None:
    """`source(order, user) -> [{"number", "url", "state_label", "carrier", "waybill_no", "shipped_at",
    "last_scan"}]`, newest first; `url` empty for people who may not open the package."""
    global _package_source
    _package_source = source


def packages_of(order: Order, user) -> list[dict]:
    return _package_source(order, user) if _package_source else []
