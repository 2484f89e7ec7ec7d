"""Orders API (being built): routes added to the orders router."""

from ninja import Router

router = Router(tags=["orders"])
