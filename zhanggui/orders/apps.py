from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class OrdersConfig(AppConfig):
    name = "zhanggui.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        register_module(  # the module's entry in the shell's menu
            "orders:list", label=_("Orders"), icon="fa-file-invoice", perm="orders.view_order", position=10
        )
        # The services register their timeline labels on import; load them so every page can name every event.
        from zhanggui.core import references
        from zhanggui.inventory.services.verify import register_reference_check

        from .selectors import order_references
        from .services import imports, manual, remarks, states, supplier_shipping  # noqa: F401

        references.register("order", order_references)  # INV-2: stock references name their order
        # ORD-3: the flag mark every page shows (core.flags)
        from zhanggui.core.flags import register_flags

        register_flags({v: (remarks.FLAG_NAMES[v], c) for v, c in remarks.FLAG_COLOURS.items()})
        # INV-2, ORD-4: stock-verify asks orders whether an open "order:<pk>" reservation may still be open
        register_reference_check("order", states.finished_with_stock)
        supplier_shipping.connect()  # PROD-10: the supplier's tracking import ships dropship lines

        # PROD-7 / PROD-8: the catalog's role and lifecycle suggestions read their sales from our order lines
        from zhanggui.catalog.services.lifecycle import register_sales_source

        from .services.sales import product_sales

        register_sales_source(product_sales)

        # CRM-1: the customer pages read their purchase figures (orders, spend, refunds …) from our orders
        from zhanggui.crm.selectors import register_purchase_source

        from .services.customers import customer_purchases

        register_purchase_source(customer_purchases)
