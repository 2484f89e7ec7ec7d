"""After-sales API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from . import cases, parcels, refund_imports, returns, reviews

router = Router(tags=["aftersales"])
router.add_router("", cases.router)
router.add_router("", refund_imports.router)
router.add_router("", returns.router)  # INV-5: returns received
router.add_router("", reviews.router)  # AS-7
router.add_router("", parcels.router)  # AS-4, AS-5
