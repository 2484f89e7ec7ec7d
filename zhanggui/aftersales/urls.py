"""After-sales pages (/aftersales/); each views module contributes its own `urls`."""

from .views import case, new, parcels, policy, queue, refund_imports, returns, stats

app_name = "aftersales"
urlpatterns = queue.urls + new.urls + policy.urls + case.urls + refund_imports.urls + returns.urls
urlpatterns += parcels.urls + stats.urls  # AS-4, AS-5; the figures
