"""Purchasing API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from . import dropship, exchanges, orders, receipts, replenishment, suppliers

router = Router(tags=["purchasing"])
for module in (suppliers, orders, receipts, exchanges, replenishment, dropship):
    router.add_router("", module.router)
