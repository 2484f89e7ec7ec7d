from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class InventoryConfig(AppConfig):
    name = "zhanggui.inventory"
    label = "inventory"
    verbose_name = _("Stock")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu
            "inventory:list", label=_("Stock"), icon="fa-boxes-stacked", perm="inventory.view_stocklevel", position=30
        )
