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
