"""Settings of the finance module (rule 6): defaults with their rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

register_all(
    _("Finance"),
    [
        (
            "finance.arrival_days",
            _("Fund arrival: money expected within (days after completion)"),
            "int",
            15,
            "FIN-3",
            {
                "min": 1,
                "max": 90,
                "unit": " 天",
                "help": _("A paid order completed longer ago than this with no arrival on the statement is listed."),
                "not_in_manuals": _("The manuals give no figure; 15 days assumed (Alipay settles on completion)."),
            },
        ),
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
