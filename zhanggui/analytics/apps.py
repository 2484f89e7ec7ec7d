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
