from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_list_column, register_module, register_object_panel


class FinanceConfig(AppConfig):
    name = "zhanggui.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from . import shop_settings  # noqa: F401  (FIN-3 settings)

        register_module(  # the module's entry in the shell's menu (FIN-1..3)
            "finance:home", label=_("Finance"), icon="fa-coins", perm="finance.view_ledger", position=110
        )
        from . import presenters

        # FIN-1: the order's profit on the order page and as a column of the order list and its export
        register_object_panel("orders.order", "profit", render=presenters.order_panel, perm="finance.view_ledger")
        register_list_column(
            "orders.order", "profit", header=_("Gross profit"), values=presenters.profit_cells,
            perm="finance.view_ledger",
        )  # fmt: skip
