"""Settings of the finance module (rule 6): defaults with their rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

register_all(
    _("Finance"),
    [
        (
            "finance.packaging_fen",
            _("Packaging cost per order"),
            "money",
            80,
            "FIN-1",
            {
                "min": 0,
                "help": _("Box, tape, filler and packing slip of one order, deducted in the order's profit."),
                "not_in_manuals": _("The manuals give no packaging cost: 0.80 yuan is our assumption."),
            },
        ),
    ],
)
