from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
]
