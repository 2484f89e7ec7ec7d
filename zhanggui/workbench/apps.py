from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module

# Modules whose app does not exist yet: greyed out in the menu until the app registers its own entry
# (then delete its line here). (url name, label, icon, permission, menu position)
PLACEHOLDERS = [
    ("service:list", _("Service"), "fa-comments", "service.view_conversation", 70),
    ("marketing:list", _("Marketing"), "fa-bullhorn", "marketing.view_promotion", 90),
]


class WorkbenchConfig(AppConfig):
    name = "zhanggui.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self) -> None:
        for url_name, label, icon, perm, position in PLACEHOLDERS:
            register_module(url_name, label=label, icon=icon, perm=perm, position=position)
