"""Access-matrix samples for reviews (AS-7): a 差评 of shop_a on the after-sales sample order (receiver
world.customer_a, so the matrix checks the review page and API mask the phone) and a reply template."""

from zhanggui.aftersales.models import ReplyTemplate, Review
from zhanggui.core import clock
from zhanggui.orders.models import Order

SHOP_BOUND = {"review_id"}


def build(world, shared) -> dict:
    order = Order.objects.get(platform_order_no="AM-AS-0001")  # tests/access_samples/aftersales.py
    review = Review.objects.create(
        shop=world.shop_a,
        platform_review_id="AM-RV-1",
        platform_order_no=order.platform_order_no,
        order=order,
        rating="bad",
        first_rating="bad",
        text="矩阵差评",
        reviewed_at=clock.now(),
        state="to_contact",
    )
    ReplyTemplate.objects.get_or_create(name="矩阵模板", defaults={"text": "{买家}您好"})
    return {"review_id": review.pk}
