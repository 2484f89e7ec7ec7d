from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class ShopsConfig(AppConfig):
    name = "zhanggui.shops"
    label = "shops"
    verbose_name = _("Shops")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu
            "shops:list", label=_("Settings"), icon="fa-gear", perm="shops.view_shop", position=130
        )
        from . import services

        post_migrate.connect(_load_platform_facts, sender=self)
        del services


def _load_platform_facts(sender, **kwargs) -> None:
    from .services import load_platform_facts

    load_platform_facts()
