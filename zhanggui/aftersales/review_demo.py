"""Demo reviews (AS-7): for each of the four marketplace shops, reviews of its shipped orders — mostly 好评, and
中评/差评 in every handling state (待联系 unassigned and assigned, 已联系, 已改评 after the buyer changed it, 无法改评)
— plus two reply templates. Loaded through the import service (matching orders and products) and the moves."""

from __future__ import annotations

import datetime as dt

from zhanggui.channels.formats.reviews import ParsedReview
from zhanggui.core import clock
from zhanggui.orders.models import Order
from zhanggui.shops.models import Shop

from .models import ReplyTemplate, Review
from .services import review_imports, reviews

PLATFORMS = ("taobao", "tmall", "jd", "pdd")
TEMPLATES = [
    (
        "致歉",
        "{买家}您好，很抱歉{商品}没能让您满意（订单{订单号}）。我们已安排专人跟进，给您退换或补偿，期待您再次光临{店铺}！",
    ),
    ("物流致歉", "{买家}您好，这次快递确实慢了，给您添麻烦了。我们已经和快递公司反馈，{店铺}下次会优先安排顺丰发货。"),
]
BAD = [
    ("bad", "衣服起球严重，洗了一次就不能穿了", "quality"),
    ("neutral", "颜色和图片有色差，偏暗", "not_as_described"),
    ("bad", "快递一个星期才到，包装都破了", "logistics"),
    ("neutral", "尺码偏小，建议拍大一码", "size"),
]
GOOD = ["质量很好，版型正，好评！", "物流很快，衣服很舒服", "第二次回购了，推荐", ""]


def load_reviews(manager, cs_taobao, cs_jd) -> dict:
    """Once: nothing happens when the marketplace shops already have reviews."""
    shops = list(Shop.objects.filter(platform_id__in=PLATFORMS).order_by("pk"))
    if not shops or Review.objects.filter(shop__in=shops).exists():
        return {"reviews": Review.objects.count()}
    for position, (name, text) in enumerate(TEMPLATES):
        ReplyTemplate.objects.get_or_create(name=name, defaults={"text": text, "position": position})
    now = clock.now()
    shipped = (Order.State.SHIPPED, Order.State.SIGNED, Order.State.COMPLETED)
    for shop in shops:
        cs = cs_taobao if shop.platform_id in ("taobao", "tmall") else cs_jd
        orders = list(Order.objects.filter(shop=shop, state__in=shipped).prefetch_related("lines").order_by("-pk")[:10])
        parsed = []
        for n, order in enumerate(orders):
            line = next(iter(order.lines.all()), None)
            rating, text, _reason = BAD[n % len(BAD)] if n < 4 else ("good", GOOD[n % len(GOOD)], "")
            parsed.append(
                ParsedReview(
                    line=n + 2,
                    review_id=f"RV{shop.pk}{order.platform_order_no[-10:]}",
                    order_no=order.platform_order_no,
                    outer_code=line.outer_code if line else "",
                    item_title=line.title if line else "",
                    rating=rating,
                    text=text,
                    buyer=order.buyer_nick or "买家",
                    reviewed_at=now - dt.timedelta(days=n * 3 + 1, hours=n),
                )
            )
        review_imports.import_parsed(None, shop, parsed)
        bad = list(Review.objects.filter(shop=shop, state="to_contact").order_by("pk"))
        for n, review in enumerate(bad):
            reviews.set_reason(cs, review, BAD[n % len(BAD)][2])
            review.refresh_from_db()
            if n == 0:
                continue  # 待联系, unassigned
            reviews.assign(manager, [review.pk], cs, shops=[shop])
            review.refresh_from_db()
            if n == 1:
                continue  # 待联系, assigned
            reviews.move(cs, review, "contacted", note="旺旺联系买家，答应补偿")
            if n == 3:
                text = reviews.render(TEMPLATES[0][1], review)
                reviews.reply(
                    cs, review, text, then="changed" if shop.pk % 2 else "unchangeable", note="买家不同意改评"
                )
    return {"reviews": Review.objects.count()}
