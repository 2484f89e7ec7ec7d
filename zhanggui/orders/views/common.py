"""Shared bits of the order pages: permissions, receiver masking (TEAM-5), the state badge colours."""

from zhanggui.core.privacy import can_see_pii, mask_receiver, mask_text

from ..services.remarks import FLAG_COLOURS  # noqa: F401 - the pages' name for the flag colours (ORD-3)

VIEW = "orders.view_order"
CHANGE = "orders.change_order"
IMPORT = "orders.add_order"

STATE_TONES = {
    "pending_payment": "secondary",
    "to_review": "warning",
    "approved": "info",
    "to_ship": "primary",
    "part_shipped": "primary",
    "shipped": "success",
    "signed": "success",
    "completed": "success",
    "closed": "dark",
    "on_hold": "danger",
}


def full_address(order) -> str:
    parts = [order.province, order.city, order.district, order.street, order.address_detail]
    text = "".join(p for p in parts if p)
    return text or order.address_raw


def present_receiver(order, user, show=None) -> dict:
    """TEAM-5: receiver name, phone and address as `user` may see them (masked without crm.view_buyer_pii)."""
    show = can_see_pii(user) if show is None else show
    if show:
        return {
            "name": order.receiver_name,
            "phone": order.receiver_phone,
            "address": full_address(order),
            "postcode": order.postcode,
            "masked": False,
        }
    masked = mask_receiver(
        order.receiver_name, order.receiver_phone, region=(order.province, order.city, order.district)
    )
    return {
        "name": masked.name,
        "phone": masked.phone,
        "address": masked.address,
        "postcode": "",
        "masked": True,
    }


def clean_text(text: str, user, show=None) -> str:
    """Free text (remarks, buyer messages) with phone numbers masked for roles without PII rights."""
    show = can_see_pii(user) if show is None else show
    return text if show else mask_text(text or "")


def exceptions_of(order) -> list[str]:
    from django.utils.translation import gettext as _

    labels = {
        "exc_out_of_stock": _("Out of stock"),
        "exc_address": _("Address problem"),
        "exc_unmatched": _("Unmatched SKU"),
        "exc_refund": _("Refund requested"),
        "exc_risk": _("Risk hold"),
        "exc_no_lines": _("No item lines"),
    }
    return [label for name, label in labels.items() if getattr(order, name)]
