from django.contrib import admin
from django.urls import include, path

from zhanggui.api import api
from zhanggui.core import views as core

handler403 = "zhanggui.core.views.permission_denied"
handler404 = "zhanggui.core.views.page_not_found"
handler500 = "zhanggui.core.views.server_error"

urlpatterns = [
    path("", core.home, name="home"),
    path("login/", core.login_view, name="login"),
    path("logout/", core.logout_view, name="logout"),
    path("healthz", core.healthz, name="healthz"),
    path("scope/", core.switch_shop, name="switch_shop"),
    path("me/tokens/", core.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", core.revoke_token, name="revoke_token"),
    path("me/jobs/", core.jobs, name="jobs"),
    path("me/jobs/<int:job_id>/", core.job_detail, name="job"),
    path("me/jobs/<int:job_id>/download/", core.job_download, name="job_download"),
    path("shops/", include("zhanggui.shops.urls")),
    path("team/", include("zhanggui.team.urls")),
    path("customers/", include("zhanggui.crm.urls")),
    path("products/", include("zhanggui.catalog.urls")),
    path("stock/", include("zhanggui.inventory.urls")),
    path("purchasing/", include("zhanggui.purchasing.urls")),
    path("orders/", include("zhanggui.orders.urls")),
    path("shipping/", include("zhanggui.fulfilment.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
