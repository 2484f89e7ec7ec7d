"""The shipping API (/api/v1/packages/…, /api/v1/carriers/…): one module per part of shipping (SHIP-1 … SHIP-5),
each with its own router (api_<part>.py); the same services and permissions as the pages."""

from ninja import Router

from . import api_carriers, api_packages, api_review, api_ship, api_sla, api_tracking

router = Router(tags=["shipping"])
for module in (api_packages, api_carriers, api_ship, api_review, api_sla, api_tracking):
    router.add_router("", module.router)
