"""Purchasing pages (/purchasing/); each sub-area's views module contributes its own `urls`."""

from .views import dropship, exchanges, orders, receipts, replenishment, suppliers

app_name = "purchasing"
urlpatterns = orders.urls + suppliers.urls + receipts.urls + exchanges.urls + replenishment.urls + dropship.urls
