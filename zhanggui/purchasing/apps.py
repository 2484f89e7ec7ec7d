from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class PurchasingConfig(AppConfig):
    name = "zhanggui.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu
            "purchasing:list",
            label=_("Purchasing"),
            icon="fa-cart-flatbed",
            perm="purchasing.view_purchaseorder",
            position=40,
        )
        # PROD-10: dropship orders follow the order flow (domain events: purchasing imports neither orders nor
        # fulfilment).
        from .services import dropship_routing

        dropship_routing.connect()
