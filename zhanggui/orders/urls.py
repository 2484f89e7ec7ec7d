"""Order pages (/orders/); each views module contributes its own `urls`."""

from .views import confirm, custom, detail, edit, imports, lists, manual, payments

app_name = "orders"
urlpatterns = (
    imports.urls + manual.urls + payments.urls + lists.urls + detail.urls + edit.urls + custom.urls + confirm.urls
)
