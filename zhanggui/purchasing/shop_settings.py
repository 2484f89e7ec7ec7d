"""Settings of purchasing (rule 6): replenishment suggestions (INV-7), each with its rule ID.

Stock and purchasing are company-level, so these are company-wide (设置 → 公司设置), read like
inventory.low_stock_threshold whatever shop is selected (purchasing.services.replenishment.load_settings).
"""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

VELOCITY_CHOICES = (
    ("max", _("The higher of the 7-day and 30-day averages")),
    ("weighted", _("Weighted: 7-day average × 0.6 + 30-day average × 0.4")),
    ("7d", _("7-day average only")),
    ("30d", _("30-day average only")),
)

register_all(
    _("Purchasing"),
    [
        (
            "purchasing.safety_stock_days",
            _("Replenishment: safety stock (days of sales)"),
            "int",
            7,
            "INV-7",
            {
                "min": 0,
                "max": 180,
                "unit": " 天",
                "help": _("Extra days of sales kept in stock against surprises."),
                "scope": "company",
            },
        ),
        (
            "purchasing.review_period_days",
            _("Replenishment: buy every (days)"),
            "int",
            7,
            "INV-7",
            {
                "min": 1,
                "max": 90,
                "unit": " 天",
                "help": _("How often you place purchase orders: stock must last until the next one arrives."),
                "scope": "company",
            },
        ),
        (
            "purchasing.default_lead_days",
            _("Replenishment: lead time when the supplier has none (days)"),
            "int",
            7,
            "INV-7",
            {"min": 0, "max": 180, "unit": " 天", "scope": "company"},
        ),
        (
            "purchasing.velocity_basis",
            _("Replenishment: daily sales rate"),
            "choice",
            "max",
            "INV-7",
            {
                "choices": VELOCITY_CHOICES,
                "help": _(
                    "The higher of the two averages reacts at once to a promotion and forgets it slowly: "
                    "the safe choice when sales swing."
                ),
                "scope": "company",
            },
        ),
        (
            "purchasing.round_up_to_moq",
            _("Replenishment: raise suggestions to the supplier's minimum order"),
            "bool",
            True,
            "INV-7",
            {"scope": "company"},
        ),
    ],
)
