from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class CatalogConfig(AppConfig):
    name = "zhanggui.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self):
        register_module(  # the module's entry in the shell's menu
            "catalog:list", label=_("Products"), icon="fa-shirt", perm="catalog.view_product", position=20
        )
        from django.db.models.signals import post_migrate

        from zhanggui.core.domain_events import StockChanged, subscribe

        from .services.listing_stock import on_stock_changed
        from .services.titles import seed_after_migrate

        subscribe(StockChanged, on_stock_changed)  # PROD-6
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="catalog_seed_title_words")  # PROD-3
