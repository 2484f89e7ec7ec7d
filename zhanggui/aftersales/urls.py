"""After-sales pages (/aftersales/); each views module contributes its own `urls`."""

from .views import case, new, policy, queue, refund_imports, returns, review_admin, reviews

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
)
