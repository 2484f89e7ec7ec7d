"""Settings of order handling (rule 6 of the house): the flag meanings of ORD-3 and the bank-transfer hold of ORD-5,
defaults from seed S2/S3 (客服备注信息格式：导购客服工号 + 快递名称 + 备注信息；紫色：准确无误，可以发货)."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

ORDERS = _("Orders")

FLAG_MEANING_KEYS = {
    "red": "orders.flag_red_meaning",
    "yellow": "orders.flag_yellow_meaning",
    "green": "orders.flag_green_meaning",
    "blue": "orders.flag_blue_meaning",
    "purple": "orders.flag_purple_meaning",
}

register_all(
    ORDERS,
    [
        # ORD-3: what each seller-centre flag colour means in this shop (shown beside the flag; others are free).
        (
            "orders.flag_red_meaning",
            _("Red flag means"),
            "text",
            "尺码/颜色要求，或同一买家多笔订单（备注总单数）",
            "ORD-3",
            {"help": _("Default: a size or colour request, or several orders from one buyer (remark the count).")},
        ),
        (
            "orders.flag_purple_meaning",
            _("Purple flag means"),
            "text",
            "所有信息已核对，可以发货",
            "ORD-3",
            {"help": _("Default: everything checked, ready to ship.")},
        ),
        (
            "orders.flag_green_meaning",
            _("Green flag means"),
            "text",
            "银行转账已到账（备注银行、金额，再备注快递和单号）",
            "ORD-3",
            {"help": _("Default: bank transfer received; remark the bank and amount, then carrier and tracking.")},
        ),
        ("orders.flag_yellow_meaning", _("Yellow flag means"), "text", "", "ORD-3", {}),
        ("orders.flag_blue_meaning", _("Blue flag means"), "text", "", "ORD-3", {}),
        # ORD-3: the remark written when an order is flagged purple without a note of its own.
        (
            "orders.purple_remark",
            _("Purple flag remark"),
            "text",
            "准确无误，可以发货",
            "ORD-3",
            {"help": _("Remark written with a purple flag when no other note is given.")},
        ),
        # ORD-5: bank-transfer orders wait on hold until finance confirms the money.
        (
            "orders.bank_transfer_hold",
            _("Hold bank-transfer orders until the money is confirmed"),
            "bool",
            True,
            "ORD-5",
            {},
        ),
    ],
)

# ORD-9: a paid order not shipped within this many hours is in the overdue queue (Taobao's default promise: 48 h).
register_all(
    ORDERS,
    [
        (
            "orders.ship_within_hours",
            _("Ship within (hours after payment)"),
            "int",
            48,
            "ORD-9",
            {
                "min": 1,
                "max": 720,
                "unit": " h",
                "help": _("Paid orders not shipped within this time are listed in the overdue queue."),
            },
        ),
    ],
)

# ORD-4: the message that asks the buyer to confirm the receiving details once more after payment (seed S3). One line:
# the settings page edits text in a single-line box. Placeholders: {买家} {收货人} {电话} {地址} {邮编} {商品} {店铺}
# {订单号} {金额}; anything else in braces stays as typed (services/confirm.render_template).
CONFIRM_TEMPLATE_DEFAULT = (
    "亲，您好！这里是{店铺}，感谢您的支持～您的订单 {订单号} 已付款，麻烦核对一下收货信息哦："
    "收货人 {收货人}，电话 {电话}，地址 {地址}；商品：{商品}。"
    "信息无误请回复“确认”，需要修改请尽快告诉我们，确认后马上为您安排发货～"
)
register_all(
    ORDERS,
    [
        (
            "orders.confirm_template",
            _("Confirmation message to the buyer"),
            "text",
            CONFIRM_TEMPLATE_DEFAULT,
            "ORD-4",
            {
                "help": _(
                    "Sent after payment to confirm the receiving details. Placeholders: {买家} {收货人} {电话} {地址} "
                    "{邮编} {商品} {店铺} {订单号} {金额}."
                )
            },
        ),
    ],
)
