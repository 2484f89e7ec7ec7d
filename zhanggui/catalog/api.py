"""Catalog API: the routers of each sub-area, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["catalog"])
