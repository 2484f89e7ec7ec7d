from django.urls import path

from . import views

app_name = "shops"
urlpatterns = [
    path("", views.shop_list, name="list"),
    path("new/", views.shop_create, name="create"),
    path("platforms/", views.platform_facts, name="platforms"),
    path("company-settings/", views.company_settings, name="company_settings"),
    path("<int:shop_id>/", views.shop_detail, name="detail"),
    path("<int:shop_id>/edit/", views.shop_edit, name="edit"),
    path("<int:shop_id>/settings/", views.shop_settings, name="settings"),
    path("<int:shop_id>/opening/start/", views.opening_start, name="opening_start"),
    path("opening-steps/<int:step_id>/toggle/", views.opening_step_toggle, name="opening_step_toggle"),
    path("opening-steps/<int:step_id>/edit/", views.opening_step_edit, name="opening_step_edit"),
]
