"""Settings of fulfilment (rule 6 of the house), defaults from seeds S1–S3: carrier choice and surcharges (SHIP-3),
ship-time promises (SHIP-2), automatic review (ORD-2, ORD-7) and the after-shipping message (SHIP-4). The 48-hour
limit itself is orders.ship_within_hours (ORD-9 overdue queue)."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

from .services.carriers import carrier_facts

SHIPPING = _("Shipping")

# The carriers of data/carriers.json (code, short name): one list for the choices and the carrier table.
CARRIERS = tuple((fact["code"], fact["short_name"]) for fact in carrier_facts())

register_all(
    SHIPPING,
    [
        # SHIP-3: 默认申通；申通不到的地方改发 EMS 并备注
        ("fulfilment.default_carrier", _("Default carrier"), "choice", "STO", "SHIP-3", {"choices": CARRIERS}),
        (
            "fulfilment.fallback_carrier",
            _("Carrier where the default does not reach"),
            "choice",
            "EMS",
            "SHIP-3",
            {"choices": CARRIERS},
        ),
        (
            "fulfilment.remote_provinces",
            _("Remote regions (surcharge)"),
            "text",
            "新疆,西藏,广西",
            "SHIP-3",
            {"help": _("Province names separated by commas; orders to them pay the remote surcharge.")},
        ),
        ("fulfilment.remote_surcharge", _("Remote-region surcharge"), "money", 1500, "SHIP-3", {}),
        ("fulfilment.urgent_carrier", _("Carrier for urgent orders"), "choice", "SF", "SHIP-3", {"choices": CARRIERS}),
        ("fulfilment.urgent_surcharge", _("Urgent (SF) surcharge"), "money", 1500, "SHIP-3", {}),
        # SHIP-2: 一天发一次货；16:00 前付款当天发（付款后 24 小时内发出，由截单规则保证），最迟 48 小时
        ("fulfilment.same_day_cutoff", _("Paid before this time ships the same day"), "time", "16:00", "SHIP-2", {}),
        (
            "fulfilment.promotion_days",
            _("Big-promotion days (48-hour limit lifted)"),
            "text",
            "",
            "SHIP-2",
            {"help": _("Dates such as 11-11,12-12 or 2026-11-11; on these days the 48-hour limit does not apply.")},
        ),
        # ORD-2 / ORD-7: automatic review
        ("fulfilment.auto_approve", _("Approve clean orders automatically"), "bool", False, "ORD-7", {}),
        (
            "fulfilment.auto_approve_max",
            _("Automatic approval only below this amount"),
            "money",
            100000,
            "ORD-7",
            {"help": _("Orders paying this much or more always wait for a person.")},
        ),
        # SHIP-4: 发货后告知买家已发货并请求好评
        (
            "fulfilment.shipped_template",
            _("Message to the buyer after shipping"),
            "text",
            "亲，您在{店铺}购买的{商品}已由{快递}发出，运单号 {运单号}，一般 2–5 天送达，请注意查收。"
            "收到后满意的话麻烦给个五星好评哦，有任何问题随时联系我们～",
            "SHIP-4",
            {"help": _("Placeholders: {买家} {店铺} {商品} {快递} {运单号} {订单号}.")},
        ),
    ],
)

# SHIP-3 (carriers part): 顾客特殊要求可以走圆通或顺丰快递，圆通价格同申通价格，顺丰价格同EMS价格 (seed S3)
register_all(
    SHIPPING,
    [
        (
            "fulfilment.price_as",
            _("Carriers on request are priced as"),
            "text",
            "YTO=STO,SF=EMS",
            "SHIP-3",
            {"help": _("Carrier code=carrier code whose price the buyer pays, separated by commas.")},
        ),
    ],
)

# SHIP-1: 验货称重 — the weighed parcel must be within this tolerance of the expected weight (the larger of the two).
# Company-wide: one packing station weighs the parcels of every shop.
register_all(
    SHIPPING,
    [
        (
            "fulfilment.weight_tolerance_pct",
            _("Weight tolerance (percent of the expected weight)"),
            "int",
            10,
            "SHIP-1",
            {"min": 0, "max": 100, "unit": " %", "scope": "company"},
        ),
        (
            "fulfilment.weight_tolerance_g",
            _("Weight tolerance (grams)"),
            "int",
            50,
            "SHIP-1",
            {"min": 0, "max": 100000, "unit": " g", "scope": "company"},
        ),
        # SHIP-1: one print batch (its PDF, one printer run) holds at most this many packages
        (
            "fulfilment.print_batch_max",
            _("Packages per print batch at most"),
            "int",
            1000,
            "SHIP-1",
            {"min": 1, "max": 5000, "unit": " 个", "scope": "company"},
        ),
    ],
)

# SHIP-2 at-risk queue and promotions, SHIP-5 reconciliation (part "sla"); the carrier bills the company, so the
# reconciliation threshold is company-wide
register_all(
    SHIPPING,
    [
        (
            "fulfilment.at_risk_hours",
            _("Warn this many hours before the ship deadline"),
            "int",
            4,
            "SHIP-2",
            {"min": 1, "max": 72, "unit": " h"},
        ),
        (
            "fulfilment.promotion_extra_hours",
            _("Extra hours to ship orders paid on a big-promotion day"),
            "int",
            24,
            "SHIP-2",
            {"min": 0, "max": 240, "unit": " h"},
        ),
        (
            "fulfilment.fee_difference_alert",
            _("Highlight a billed courier fee differing from the expected one by more than"),
            "money",
            200,
            "SHIP-5",
            {"scope": "company"},
        ),
    ],
)
