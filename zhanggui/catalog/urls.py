"""Catalog pages; each sub-area's views module contributes its own `urls`."""

from .views import images, imports, listings, products

app_name = "catalog"
urlpatterns = products.urls + imports.urls + listings.urls + images.urls
