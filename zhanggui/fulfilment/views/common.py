"""Shared bits of the shipping pages: permissions and state badge colours."""

VIEW = "fulfilment.view_package"
REVIEW = "fulfilment.review_order"
PRINT = "fulfilment.print_package"
PACK = "fulfilment.pack_package"
SHIP = "fulfilment.ship_package"
FEES = "fulfilment.reconcile_fee"

STATE_TONES = {
    "to_print": "warning",
    "printed": "info",
    "packed": "primary",
    "shipped": "success",
    "signed": "success",
    "cancelled": "dark",
}
