from django.apps import AppConfig
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from zhanggui.core.navigation import register_module

DEMO_KINDS = {
    "demo-sale": gettext_noop("Demo sale %(n)s"),
    "demo-order": gettext_noop("Demo order %(n)s"),
    "demo-return": gettext_noop("Demo return %(n)s"),
}


def _demo_references(user, keys: list[str], *, kind: str) -> dict[str, tuple[str, str]]:
    """INV-2: the demo's own sales ("demo-sale:12"), orders and returns have no document behind them: named in
    words."""
    label = gettext_now(DEMO_KINDS[kind])
    return {key: (label % {"n": key}, "") for key in keys}


class InventoryConfig(AppConfig):
    name = "zhanggui.inventory"
    label = "inventory"
    verbose_name = _("Stock")

    def ready(self) -> None:
        import functools

        from zhanggui.core import references

        register_module(  # the module's entry in the shell's menu
            "inventory:list", label=_("Stock"), icon="fa-boxes-stacked", perm="inventory.view_stocklevel", position=30
        )
        for kind in DEMO_KINDS:
            references.register(kind, functools.partial(_demo_references, kind=kind))
