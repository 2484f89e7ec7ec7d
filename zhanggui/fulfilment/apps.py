from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class FulfilmentConfig(AppConfig):
    name = "zhanggui.fulfilment"
    label = "fulfilment"
    verbose_name = _("Shipping")

    def ready(self):
        register_module(  # the module's entry in the shell's menu
            "fulfilment:list", label=_("Shipping"), icon="fa-truck-fast", perm="fulfilment.view_package", position=50
        )
        # Packages follow their orders (rule 2 of the house: orders do not import fulfilment; they deliver events).
        from .services import packages

        packages.connect()
        from .services import review  # ORD-7 automatic review

        review.connect()
        from .services import replan  # ORD-2, SHIP-3: an edited order's open package follows the edit

        replan.connect()
        # ORD-6: the order page lists the order's packages and waybills, and the order search finds a package's
        # waybill number, read from here (orders import nothing above)
        from zhanggui.orders.detail_selectors import register_package_source
        from zhanggui.orders.selectors import register_order_finder

        from .selectors import order_packages, orders_by_waybill

        register_package_source(order_packages)
        register_order_finder(orders_by_waybill)
        post_migrate.connect(_load_carriers, sender=self)


def _load_carriers(sender, **kwargs) -> None:
    from .services.carriers import load_carriers

    load_carriers()
