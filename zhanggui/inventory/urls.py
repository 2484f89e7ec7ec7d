"""Stock pages (/stock/); each sub-area's views module contributes its own `urls`."""

from .views import ledger, stock, stocktake, warehouses

app_name = "inventory"
urlpatterns = stock.urls + ledger.urls + warehouses.urls + stocktake.urls
