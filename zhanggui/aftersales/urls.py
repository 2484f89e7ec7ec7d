"""After-sales pages (/aftersales/); each views module contributes its own `urls`."""

from .views import case, new, policy, queue, returns

app_name = "aftersales"
urlpatterns = queue.urls + new.urls + policy.urls + case.urls + returns.urls
