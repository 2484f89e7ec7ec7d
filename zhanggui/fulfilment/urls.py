"""Shipping pages (/shipping/): each views module (one per part of issue 7) contributes its own `urls`."""

from importlib import import_module

# One module per part; a part adds its name here.
PARTS = ("packages", "printing", "waybills", "carriers", "scan", "shipping", "review", "sla", "tracking", "fees")

app_name = "fulfilment"
urlpatterns = [url for part in PARTS for url in import_module(f"{__package__}.views.{part}").urls]
