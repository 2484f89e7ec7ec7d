from django.urls import path

from . import views, views_traffic

app_name = "analytics"
urlpatterns = [
    path("", views.home, name="home"),
    path("traffic/", views_traffic.traffic_page, name="traffic"),  # DATA-1
    path("traffic/template/", views_traffic.traffic_template, name="traffic_template"),
    path("targets/", views_traffic.targets_page, name="targets"),  # DATA-3
]
