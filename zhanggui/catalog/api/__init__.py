"""Catalog API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

from . import imports, listings, pricing, products

router = Router(tags=["catalog"])
for module in (products, imports, listings, pricing):
    router.add_router("", module.router)
