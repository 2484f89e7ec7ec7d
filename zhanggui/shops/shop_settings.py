"""Settings of the shops module (rule 6): defaults from the seeds, each with its rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

register_all(
    _("Shop opening"),
    [
        (
            "opening.tmall_deposit",
            _("Tmall deposit"),
            "money",
            1000000,
            "SHOP-3",
            {
                "platforms": ("tmall",),
                "min": 0,
                "help": _("Frozen in the merchant Alipay account when the shop opens (S0: 10,000 yuan)."),
            },
        ),
        (
            "opening.tmall_annual_fee",
            _("Tmall annual service fee"),
            "money",
            600000,
            "SHOP-3",
            {"platforms": ("tmall",), "min": 0, "help": _("Paid with the deposit (S0: 6,000 yuan).")},
        ),
        (
            "opening.taobao_deposit",
            _("Taobao shop deposit"),
            "money",
            100000,
            "SHOP-3",
            {
                "platforms": ("taobao",),
                "min": 0,
                "help": _("Consumer-protection deposit paid after the opening application (S2)."),
                "not_in_manuals": _("The manuals name this deposit but give no amount: 1,000 yuan is our assumption."),
            },
        ),
        (
            "opening.jd_review_days",
            _("JD supplier review (days)"),
            "int",
            14,
            "SHOP-3",
            {
                "platforms": ("jd",),
                "min": 1,
                "max": 60,
                "unit": " 天",
                "help": _("JD reviews a new supplier in one to two weeks (S3)."),
            },
        ),
        (
            "opening.jd_deposit",
            _("JD deposit"),
            "money",
            3000000,
            "SHOP-3",
            {
                "platforms": ("jd",),
                "min": 0,
                "not_in_manuals": _("The manuals give no JD deposit: 30,000 yuan is our assumption."),
            },
        ),
        (
            "opening.pdd_deposit",
            _("Pinduoduo deposit"),
            "money",
            100000,
            "SHOP-3",
            {
                "platforms": ("pdd",),
                "min": 0,
                "help": _("Entry is free; the deposit may be paid once the shop makes a profit (S3)."),
                "not_in_manuals": _("The manuals give no amount: 1,000 yuan is our assumption."),
            },
        ),
    ],
)
register_all(
    _("Customer service"),
    [
        (
            "service.reply_promise_hours",
            _("Reply-time promise for messages and e-mail (hours)"),
            "int",
            8,
            "SHOP-2",
            {
                "min": 1,
                "max": 72,
                "unit": " 小时",
                "help": _("Shown to buyers in the shop profile, e.g. e-mail answered within 8 hours."),
            },
        ),
        ("service.hours_start", _("Service hours start"), "time", "09:00", "SHOP-2", {}),
        ("service.hours_end", _("Service hours end"), "time", "23:00", "SHOP-2", {}),
    ],
)
