"""Access-matrix samples for after-sales (AS-1, AS-2, AS-6): a return case of shop_a (a type the warehouse may see,
read-only) on a shipped order whose receiver is world.customer_a (so the matrix checks the case page and API mask
the phone and street for roles without crm.view_buyer_pii), a photo of it (served only to staff of shop_a) and a
reason of the maintained list."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.aftersales.models import Reason
from zhanggui.aftersales.services import cases, photos
from zhanggui.core import clock
from zhanggui.orders.models import Order, OrderLine

SHOP_BOUND = {"case_id", "photo_id"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (60, 60, 200)).save(out, "PNG")
    return out.getvalue()


def build(world, shared) -> dict:
    c = world.customer_a
    order = Order.objects.create(
        shop=world.shop_a,
        platform_order_no="AM-AS-0001",
        state=Order.State.SHIPPED,
        receiver_name=c.name,
        receiver_phone=c.phone,
        province=c.province,
        city=c.city,
        district=c.district,
        address_detail=c.address,
        paid_fen=9900,
        goods_fen=9900,
        paid_at=clock.now() - dt.timedelta(days=3),
        shipped_at=clock.now() - dt.timedelta(days=2),
    )
    line = OrderLine.objects.create(order=order, line_no=1, outer_code="AM-X", title="矩阵连衣裙", quantity=1,
                                    unit_price_fen=9900, paid_fen=9900, shipped_qty=1)  # fmt: skip
    case = cases.open_case(
        world.people["manager"],
        order=order,
        kind="return_refund",
        lines=[(line, 1)],
        reason_text="矩阵退货",
        requested_refund_fen=9900,
    )
    photo = photos.add_photo(world.people["manager"], case, SimpleUploadedFile("m.png", _png()), "goods")
    return {"case_id": case.pk, "photo_id": photo.pk, "reason_id": Reason.objects.order_by("pk").first().pk}
