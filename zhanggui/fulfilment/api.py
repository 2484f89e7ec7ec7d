"""The shipping API (/api/v1/packages/…, /api/v1/carriers/…): one module per part of issue 7, each with its own
router (api_<part>.py); the same services and permissions as the pages."""

from importlib import import_module

from ninja import Router

router = Router(tags=["shipping"])

# One module per part; a part adds its name here.
PARTS = ("packages", "carriers", "ship", "review", "sla", "tracking")

for _part in PARTS:
    router.add_router("", import_module(f"{__package__}.api_{_part}").router)
