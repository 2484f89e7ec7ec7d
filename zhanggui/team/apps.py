from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module


class TeamConfig(AppConfig):
    name = "zhanggui.team"
    label = "team"
    verbose_name = _("Team")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu
            "team:list", label=_("Team"), icon="fa-people-group", perm="team.view_staff", position=120
        )
        post_migrate.connect(_sync_roles)


def _sync_roles(sender, **kwargs) -> None:
    """Once per migrate, after the last app has created its permissions."""
    from django.apps import apps

    # post_migrate is sent only for apps with models (the workbench, last in INSTALLED_APPS, has none).
    if sender is [config for config in apps.get_app_configs() if config.models_module][-1]:
        from .services import sync_roles

        sync_roles()
