from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class CrmConfig(AppConfig):
    name = "zhanggui.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu
            "crm:list", label=_("Customers"), icon="fa-user-group", perm="crm.view_customer", position=80
        )
