"""After-sales pages (/aftersales/); each views module contributes its own `urls`."""

from .views import case, new, parcels, policy, queue, refund_imports, returns, review_admin, reviews, stats

app_name = "aftersales"
urlpatterns = (
    queue.urls
    + new.urls
    + policy.urls
    + case.urls
    + refund_imports.urls
    + returns.urls
    + review_admin.urls
    + reviews.urls
    + parcels.urls  # AS-4, AS-5
    + stats.urls  # the figures
)
