from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class AnalyticsConfig(AppConfig):
    name = "zhanggui.analytics"
    label = "analytics"
    verbose_name = _("Data")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu (DATA-2)
            "analytics:home", label=_("Data"), icon="fa-chart-line", perm="analytics.view_report", position=100
        )
        # The sales facts follow the orders through domain events (analytics imports orders, never the reverse).
        from .services import facts

        facts.connect()
        # PROD-8 / DATA-5: the catalog's role and lifecycle page reads its sales from the SKU facts (the catalog never
        # imports analytics; this replaces the orders' scan of the order lines, registered before us)
        from zhanggui.catalog.services.lifecycle import register_sales_source

        from .products import lifecycle_sales

        register_sales_source(lifecycle_sales)
