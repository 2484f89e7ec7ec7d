"""Order pages (/orders/); each views module contributes its own `urls`."""

from .views import detail, imports, lists

app_name = "orders"
urlpatterns = imports.urls + lists.urls + detail.urls
