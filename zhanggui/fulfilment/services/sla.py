"""SHIP-2: when a package must leave the warehouse."""

from __future__ import annotations

import datetime as dt

from zhanggui.shops.settings_store import get_setting


def ship_deadline(shop, paid_at: dt.datetime) -> dt.datetime:
    """At most orders.ship_within_hours (48 h) after payment (SHIP-2; refined with cut-off and business days)."""
    return paid_at + dt.timedelta(hours=get_setting(shop, "orders.ship_within_hours"))
