from django.urls import path

from . import funds_views, views

app_name = "finance"
urlpatterns = [path("", views.home, name="home")]
urlpatterns += funds_views.urls  # FIN-3
