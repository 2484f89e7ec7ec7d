from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhanggui.core.navigation import register_module, register_object_link


class AftersalesConfig(AppConfig):
    name = "zhanggui.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        register_module(  # the module's entry in the shell's menu (was a greyed placeholder of the workbench)
            "aftersales:list", label=_("After-sales"), icon="fa-rotate-left", perm="aftersales.view_case", position=60
        )
        # AS-2: 发起售后 on the order page (orders render what is registered; they never import aftersales)
        register_object_link(
            "orders.order",
            "aftersales:new",
            label=_("Open after-sales case"),
            icon="fa-rotate-left",
            perm="aftersales.add_case",
            param="order",
        )
        # INV-5: the order page shows its case (of the order, or of which it is an exchange's or resend's new order)
        register_object_link(
            "orders.order",
            "aftersales:for_order",
            label=_("After-sales case"),
            icon="fa-life-ring",
            perm="aftersales.view_case",
            param="order",
            position=110,
            visible=_has_cases,
        )
        # AS-7: the review rates on the product and shop pages (catalog and shops render what is registered)
        from zhanggui.core.navigation import register_object_panel

        from .views.review_admin import product_panel, shop_panel

        register_object_panel("catalog.product", "review_rates", render=product_panel, perm="aftersales.view_review")
        register_object_panel("shops.shop", "review_rates", render=shop_panel, perm="aftersales.view_review")
        # AS-6, AS-7: the 中差评 still to handle on the 售后 home, beside the case queues
        from django.urls import reverse_lazy

        from .queues import register_home_count
        from .review_selectors import home_figure

        register_home_count(
            "bad_reviews",
            _("Neutral and negative reviews to handle"),
            count=home_figure,
            url=reverse_lazy("aftersales:reviews"),
            perm="aftersales.view_review",
        )
        # The services register their timeline labels on import; load them so every page can name every event.
        from zhanggui.core import references

        from .selectors import case_references
        from .services import (  # noqa: F401
            cases,
            photos,
            policy,
            reasons,
            receiving,
            refund_import,
            reviews,
            unclaimed,
            work,
        )

        refund_import.connect()  # AS-2, ORD-9: the refund columns of the order exports (RefundsReported)

        references.register("case", case_references)  # INV-2, INV-5: a return booked as "case:<pk>" names its case
        post_migrate.connect(_load_reasons, sender=self)
        # AS-4, SHIP-5: carrier claims credited on the courier fee reconciliation (fulfilment never imports us)
        from zhanggui.fulfilment.services.claims import register_claim_source

        from .services import compensation, parcels  # noqa: F401  (their timeline labels)

        register_claim_source(parcels.claim_source)


def _has_cases(user, order) -> bool:
    from .selectors import cases_of_order

    return cases_of_order(user, order.pk).exists()


def _load_reasons(sender, **kwargs) -> None:
    from .services.reasons import load_reasons

    load_reasons()
