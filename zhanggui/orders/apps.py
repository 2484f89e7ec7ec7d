from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zhanggui.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # The services register their timeline labels on import; load them so every page can name every event.
        from .services import imports, manual, remarks, states  # noqa: F401
