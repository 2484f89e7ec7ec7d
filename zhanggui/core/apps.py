from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhanggui.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app declares its per-shop settings in shop_settings.py (rule 6 of the house).
        autodiscover_modules("shop_settings")
