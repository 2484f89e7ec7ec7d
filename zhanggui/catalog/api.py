"""Catalog API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from . import api_imports, api_listings, api_pricing, api_products

router = Router(tags=["catalog"])
for module in (api_products, api_imports, api_listings, api_pricing):
    router.add_router("", module.router)
