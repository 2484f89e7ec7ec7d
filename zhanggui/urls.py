"""The URL map: each app's pages are included under their prefix, the API under /api/v1/ (zhanggui/api.py).

A new app adds one `path("<prefix>/", include("zhanggui.<app>.urls"))` line here and its router in api.py.
"""

from django.contrib import admin
from django.urls import include, path

from zhanggui.api import api

handler403 = "zhanggui.core.views.permission_denied"
handler404 = "zhanggui.core.views.page_not_found"
handler500 = "zhanggui.core.views.server_error"

urlpatterns = [
    path("", include("zhanggui.workbench.urls")),
    path("", include("zhanggui.core.urls")),
    path("shops/", include("zhanggui.shops.urls")),
    path("team/", include("zhanggui.team.urls")),
    path("customers/", include("zhanggui.crm.urls")),
    path("products/", include("zhanggui.catalog.urls")),
    path("stock/", include("zhanggui.inventory.urls")),
    path("purchasing/", include("zhanggui.purchasing.urls")),
    path("orders/", include("zhanggui.orders.urls")),
    path("shipping/", include("zhanggui.fulfilment.urls")),
    path("aftersales/", include("zhanggui.aftersales.urls")),
    path("analytics/", include("zhanggui.analytics.urls")),
    path("finance/", include("zhanggui.finance.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
