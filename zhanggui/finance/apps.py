from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class FinanceConfig(AppConfig):
    name = "zhanggui.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from . import shop_settings  # noqa: F401  (FIN-3 settings)

        register_module(  # the module's entry in the shell's menu (FIN-1..3)
            "finance:home", label=_("Finance"), icon="fa-coins", perm="finance.view_ledger", position=110
        )
