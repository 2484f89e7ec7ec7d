"""Catalog pages; each sub-area's views module contributes its own `urls`."""

from .views import images, imports, lifecycle, listings, pricing, products

app_name = "catalog"
urlpatterns = products.urls + imports.urls + listings.urls + images.urls + pricing.urls + lifecycle.urls
