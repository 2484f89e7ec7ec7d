"""Purchasing API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from . import api_dropship, api_exchanges, api_orders, api_receipts, api_replenishment, api_suppliers

router = Router(tags=["purchasing"])
for module in (api_suppliers, api_orders, api_receipts, api_exchanges, api_replenishment, api_dropship):
    router.add_router("", module.router)
