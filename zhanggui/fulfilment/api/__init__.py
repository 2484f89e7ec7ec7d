"""The shipping API (/api/v1/packages/…, /api/v1/carriers/…): one module per part of shipping (SHIP-1 … SHIP-5),
each with its own router (api/<part>.py); the same services and permissions as the pages."""

from ninja import Router

from . import carriers, packages, review, ship, sla, tracking

router = Router(tags=["shipping"])
for module in (packages, carriers, ship, review, sla, tracking):
    router.add_router("", module.router)
