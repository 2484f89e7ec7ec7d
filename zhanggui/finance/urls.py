from django.urls import path

from . import funds_views, views

app_name = "finance"
urlpatterns = [
    path("", views.home, name="home"),
    path("pnl/", views.pnl_page, name="pnl"),
    path("pnl/close/", views.close_view, name="close"),
    path("pnl/costs/", views.cost_view, name="cost"),
    path("pnl/costs/<int:cost_id>/delete/", views.cost_delete_view, name="cost_delete"),
    path("rates/", views.rates_page, name="rates"),
    path("missing-cost/", views.missing_cost_page, name="missing_cost"),
]
urlpatterns += funds_views.urls  # FIN-3
