"""SHIP-3: which carrier takes a package, and at what surcharge."""

from __future__ import annotations

from zhanggui.shops.settings_store import get_setting

from ..models import Carrier, Package


def apply_choice(package: Package, order) -> None:
    """Set the package's carrier from the shop's default carrier (refined: unreachable areas, surcharges)."""
    code = get_setting(order.shop, "fulfilment.default_carrier")
    package.carrier = Carrier.objects.filter(code=code, active=True).first()
