"""Inventory API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from .stock import router as stock_router
from .stocktake import router as stocktake_router

router = Router(tags=["stock"])
router.add_router("", stock_router)
router.add_router("", stocktake_router)
