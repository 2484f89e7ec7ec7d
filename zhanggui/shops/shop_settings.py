"""Settings of the shops module (rule 6): defaults from the seeds, each with its rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register

GROUP = _("Shop opening")

register(
    "opening.tmall_deposit",
    label=_("Tmall deposit"),
    kind="money",
    default=1_000_000,
    rule="SHOP-3",
    platforms=("tmall",),
    group=GROUP,
    min=0,
    help=_("Frozen in the merchant Alipay account when the shop opens (S0: 10,000 yuan)."),
)
register(
    "opening.tmall_annual_fee",
    label=_("Tmall annual service fee"),
    kind="money",
    default=600_000,
    rule="SHOP-3",
    platforms=("tmall",),
    group=GROUP,
    min=0,
    help=_("Paid with the deposit (S0: 6,000 yuan)."),
)
register(
    "opening.taobao_deposit",
    label=_("Taobao shop deposit"),
    kind="money",
    default=100_000,
    rule="SHOP-3",
    platforms=("taobao",),
    group=GROUP,
    min=0,
    help=_("Consumer-protection deposit paid after the opening application (S2)."),
)
register(
    "opening.jd_review_days",
    label=_("JD supplier review (days)"),
    kind="int",
    default=14,
    rule="SHOP-3",
    platforms=("jd",),
    group=GROUP,
    min=1,
    max=60,
    unit=" 天",
    help=_("JD reviews a new supplier in one to two weeks (S3)."),
)
register(
    "opening.jd_deposit",
    label=_("JD deposit"),
    kind="money",
    default=3_000_000,
    rule="SHOP-3",
    platforms=("jd",),
    group=GROUP,
    min=0,
)
register(
    "opening.pdd_deposit",
    label=_("Pinduoduo deposit"),
    kind="money",
    default=100_000,
    rule="SHOP-3",
    platforms=("pdd",),
    group=GROUP,
    min=0,
    help=_("Entry is free; the deposit may be paid once the shop makes a profit (S3)."),
)

SERVICE = _("Customer service")
register(
    "service.reply_promise_hours",
    label=_("Reply-time promise for messages and e-mail (hours)"),
    kind="int",
    default=8,
    rule="SHOP-2",
    group=SERVICE,
    min=1,
    max=72,
    unit=" 小时",
    help=_("Shown to buyers in the shop profile, e.g. e-mail answered within 8 hours."),
)
register(
    "service.hours_start", label=_("Service hours start"), kind="time", default="09:00", rule="SHOP-2", group=SERVICE
)
register("service.hours_end", label=_("Service hours end"), kind="time", default="23:00", rule="SHOP-2", group=SERVICE)
