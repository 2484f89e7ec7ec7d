"""Settings of after-sales (rule 6), each with its rule ID. The policy itself (window, clauses, postage) is its own
versioned document (models.PolicyVersion, the 售后政策 page), not a setting."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

# AS-3: who pays postage (the values of PolicyVersion.Payer)
PAYERS = (("buyer", _("buyer pays")), ("seller", _("seller pays")), ("split", _("half each")))

register_all(
    _("After-sales"),
    [
        (
            "aftersales.follow_up_hours",
            _("After-sales: follow up a new case within (hours)"),
            "int",
            24,
            "AS-6",
            {
                "min": 1,
                "max": 24 * 14,
                "unit": " 小时",
                "help": _("A case not followed up by then is overdue and goes to the manager."),
                "not_in_manuals": _("The manuals ask for a follow-up until solved but give no time; 24 h assumed."),
            },
        ),
        # AS-3: returns paid by the buyer, exchanges split half and half (the seeds' defaults); a new shop's first
        # policy version takes these, and each return or exchange case records its payer when opened
        (
            "aftersales.return_postage",
            _("After-sales: return postage paid by"),
            "choice",
            "buyer",
            "AS-3",
            {"choices": PAYERS},
        ),
        (
            "aftersales.exchange_postage",
            _("After-sales: exchange postage paid by"),
            "choice",
            "split",
            "AS-3",
            {"choices": PAYERS},
        ),
        (
            "aftersales.default_positive_days",
            _("Reviews: an order not reviewed after (days) counts as positive"),
            "int",
            45,
            "AS-7",
            {
                "min": 1,
                "max": 365,
                "unit": " 天",
                "scope": "company",
                "help": _("Orders shipped this many days ago without a review count as positive in the rates."),
            },
        ),
    ],
)
