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
        # TEAM-5: the access-log lines of runserver and gunicorn carry query strings (a phone typed into search)
        from .privacy import mask_server_logs

        mask_server_logs()
