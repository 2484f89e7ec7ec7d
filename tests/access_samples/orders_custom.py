"""Access-matrix samples for customised orders (ORD-8): a custom order of shop_a with one design file, so the
file view (`custom_file_id`) has something to serve — to staff of shop_a only (the outsider gets 404)."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.channels.formats.types import ParsedLine, ParsedOrder, ReadResult
from zhanggui.orders.models import Order
from zhanggui.orders.services import custom
from zhanggui.orders.services.imports import import_parsed

SHOP_BOUND = {"custom_file_id"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (60, 60, 200)).save(out, "PNG")
    return out.getvalue()


def build(world, shared) -> dict:
    parsed = ParsedOrder(
        platform_order_no="AM-CUSTOM-0001",
        state="to_review",
        platform_status="买家已付款，等待卖家发货",
        buyer_nick="矩阵定制买家",
        paid_fen=19900,
        goods_fen=19900,
        ordered_at=dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC),
        paid_at=dt.datetime(2026, 11, 20, 3, 1, tzinfo=dt.UTC),
        lines=[
            ParsedLine(line_no=1, outer_code="AM-C", title="定制T恤", quantity=1, unit_price_fen=19900, paid_fen=19900)
        ],
        source_file="c.csv",
        source_line=2,
    )
    import_parsed(None, world.shop_a, ReadResult(orders=[parsed], errors=[], format="taobao-2020"), ["c.csv"])
    order = Order.objects.get(shop=world.shop_a, platform_order_no="AM-CUSTOM-0001")
    custom.start_custom(None, order)
    item = custom.add_file(None, order, SimpleUploadedFile("设计稿.png", _png()), "design")
    return {"custom_file_id": item.pk}
