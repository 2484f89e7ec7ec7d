"""The demo company's Alipay statement (FIN-3): the first Taobao shop's 账务明细 for its completed orders, with three
things for finance to find — one order arrived ¥5 short (amount mismatch), one line of an order the shop does not
have (matches nothing), and one completed order whose money never came (paid, no arrival). Imported through the same
service as the page; a second load adds nothing (the lines' numbers are fixed)."""

import datetime as dt
import hashlib

from django.db.models.functions import Coalesce

from zhanggui.core import clock
from zhanggui.orders.models import Order
from zhanggui.shops.models import Shop

from .services.funds import import_statements
from .statement_sample import Line, alipay_csv

DAYS = 15  # finance.arrival_days default


def _id(*parts) -> str:
    return "2026" + str(int(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=7).hexdigest(), 16))[:16]


def statement_for(shop) -> bytes:
    now = clock.now()
    orders = list(
        Order.objects.filter(shop=shop, state__in=(Order.State.COMPLETED, Order.State.SIGNED), paid_fen__gt=0)
        .annotate(base=Coalesce("completed_at", "shipped_at"))
        .filter(base__isnull=False, base__lte=now)
        .order_by("base", "id")
    )
    orders = [o for o in orders if o.paid_fen > o.refund_fen]
    local = lambda m: clock.local(m).replace(tzinfo=None, microsecond=0)  # noqa: E731
    due = [o for o in orders if o.base <= now - dt.timedelta(days=DAYS + 1)]
    missing = due[len(due) // 2] if due else None  # paid, no arrival
    short = next((o for o in orders if o is not missing and o.refund_fen == 0 and o.paid_fen > 1000), None)
    lines = []
    if missing is not None:
        lines.append(Line(_id("open", shop.code), local(missing.base - dt.timedelta(days=20)), 100000, "转账",
                          remark="期初余额转入"))  # fmt: skip
    for o in orders:
        if o is missing:
            continue
        ref = f"T200P{o.platform_order_no}"
        when = local(o.base)
        arrived = o.paid_fen - (500 if o is short else 0)
        lines.append(Line(_id("pay", o.platform_order_no), when, arrived, "在线支付", ref, "宝贝", o.buyer_nick[:30]))
        if o.refund_fen:
            lines.append(Line(_id("ref", o.platform_order_no), when, -o.refund_fen, "交易退款", ref))
        lines.append(Line(_id("fee", o.platform_order_no), when, -(o.paid_fen * 5 // 100), "服务费",
                          remark=f"淘宝客佣金代扣款{{{o.platform_order_no}}}"))  # fmt: skip
    if lines:
        last = max(x.when for x in lines)
        lines.append(Line(_id("unknown", shop.code), last, 8800, "在线支付", "T200P4099999999999999999", "宝贝"))
        lines.append(Line(_id("cash", shop.code), local(now - dt.timedelta(hours=2)), -50000, "提现",
                          remark="提现到银行卡"))  # fmt: skip
    lines.sort(key=lambda x: x.when)
    return alipay_csv(lines, account=f"{shop.code}@demo.zhanggui")


def load_funds(actor=None) -> dict:
    shop = Shop.objects.filter(platform_id="taobao").order_by("code").first()
    if shop is None:
        return {"statement_lines": 0}
    result = import_statements(actor, shop, [("支付宝账务明细.csv", statement_for(shop))])
    return {"statement_lines": result.created + result.duplicates}
