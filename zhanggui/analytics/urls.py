from django.urls import path

from . import views, views_reports, views_traffic

app_name = "analytics"
urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views_reports.product_analysis, name="products"),  # DATA-5
    path("weekly/", views_reports.weekly_list, name="weekly"),  # DATA-6
    path("weekly/<int:report_id>/", views_reports.weekly_detail, name="weekly_detail"),
    path("traffic/", views_traffic.traffic_page, name="traffic"),  # DATA-1
    path("traffic/template/", views_traffic.traffic_template, name="traffic_template"),
    path("targets/", views_traffic.targets_page, name="targets"),  # DATA-3
]
