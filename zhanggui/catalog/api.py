"""Catalog API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from .api_products import router as products_router

router = Router(tags=["catalog"])
router.add_router("", products_router)

from .api_imports import router as imports_router  # noqa: E402

router.add_router("", imports_router)

from .api_listings import router as listings_router  # noqa: E402

router.add_router("", listings_router)

from .api_pricing import router as pricing_router  # noqa: E402

router.add_router("", pricing_router)
