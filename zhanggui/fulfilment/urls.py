"""Shipping pages (/shipping/): each views module (one per part of shipping) contributes its own `urls`."""

from .views import carriers, fees, packages, print_orders, printing, review, scan, shipping, sla, tracking, waybills

app_name = "fulfilment"
urlpatterns = (
    packages.urls
    + printing.urls
    + print_orders.urls
    + waybills.urls
    + carriers.urls
    + scan.urls
    + shipping.urls
    + review.urls
    + sla.urls
    + tracking.urls
    + fees.urls
)
