from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "zhanggui.team"
    label = "team"
    verbose_name = _("Team")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles)


def _sync_roles(sender, **kwargs) -> None:
    """Once per migrate, after the last app has created its permissions."""
    from django.apps import apps

    if sender is list(apps.get_app_configs())[-1]:
        from .services import sync_roles

        sync_roles()
