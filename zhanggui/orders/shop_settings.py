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
