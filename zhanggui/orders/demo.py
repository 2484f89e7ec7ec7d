"""The demo orders (idempotent): ~3,000 orders over the four marketplace shops, imported from generated export
files exactly as a shop would (ORD-1: Taobao/Tmall order report + 宝贝报表 in GBK, JD one row per line, PDD with
address columns), in every state and every exception queue (ORD-9: unmatched 商家编码, unsplittable address, platform
risk hold, out of stock when the demo stock runs short). Then the team works them through the services: reviews
(审单), prints and ships, a hold, closures, remarks and flags (ORD-3 purple / red / yellow / blue), a few manual
orders (phone order, 补发, a bank transfer waiting for finance, ORD-5) and customised orders in every stage (ORD-8).

Everything goes through the services; this module only decides what to do. A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile

from zhanggui.catalog.models import ListingSku, Sku
from zhanggui.channels import samples
from zhanggui.core import clock
from zhanggui.shops.models import Shop

from .models import CustomWork, Order
from .services import custom, imports, manual, remarks, states

PER_SHOP = 750
PLATFORMS = ("taobao", "tmall", "jd", "pdd")
CARRIERS = ("申通快递", "中通快递", "圆通速递", "韵达快递", "顺丰速运", "极兔速递")
MESSAGES = ("", "", "", "", "请尽快发货，谢谢", "不要放驿站", "送人的，不要放价格单", "尺码按身高 165 选的")
REMARKS = ("", "", "", "", "", "A002 老客，送小样", "A003 改发顺丰，补运费 10 元")
UNMATCHED = ("QH24W-OLD-黑-M", "QH23S-0999-白-L", "赠品-发圈")  # retired or never-entered 商家编码 (ORD-9)
BAD_ADDRESS = "到了打电话 放门卫"

# (weight, our target state, taobao text, jd text, pdd text, days back min, max)
STATUSES = [
    (5, "pending_payment", "等待买家付款", "等待付款", "待支付", 0, 1),
    (9, "to_review", "买家已付款，等待卖家发货", "等待出库", "待发货", 0, 3),
    (2, "part_shipped", "卖家部分发货", "等待确认收货", "已发货，待签收", 2, 5),
    (26, "shipped", "卖家已发货，等待买家确认", "等待确认收货", "已发货，待签收", 2, 10),
    (3, "signed", "买家已签收", "等待确认收货", "已签收", 4, 12),
    (46, "completed", "交易成功", "完成", "已签收", 10, 45),
    (7, "closed", "交易关闭", "已取消", "已取消", 1, 45),
    (1, "risk", "卖家已付款，禁止发货", "锁定", "待发货", 0, 3),
]


class Buyers(NamedTuple):
    """Where the buyers' names and addresses come from: the workbench's demo data, handed in (orders import
    no higher app)."""

    addresses: list[tuple[str, str, str, str]]  # (province, city, district, street)
    family: str  # one family name per character
    given: list[str]


def _beijing(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S")


def _catalogue(shop) -> list[tuple]:
    """(商家编码, title, properties, price in yuan) of what the shop lists: the lines match our SKUs."""
    rows = (
        ListingSku.objects.filter(listing__shop=shop, sku__is_combo=False)
        .order_by("sku__code")
        .values_list("sku__code", "listing__title", "sku__colour", "sku__size", "listing__price_fen")
    )
    return [
        (code, title, f"颜色分类：{colour};尺码：{size}", f"{price / 100:.2f}")
        for code, title, colour, size, price in rows
    ]


def _orders(shop, rng: random.Random, now: dt.datetime, buyers: Buyers) -> list[dict]:
    """The generator's order dicts for one shop (platform texts for every field, Beijing times)."""
    items = _catalogue(shop)
    weights = [s[0] for s in STATUSES]
    out = []
    for n in range(PER_SHOP):
        _w, target, tb, jd, pdd, lo, hi = rng.choices(STATUSES, weights)[0]
        created = now - dt.timedelta(days=rng.uniform(lo, hi), minutes=rng.randint(5, 600))
        lines = []
        for _ in range(rng.choices((1, 2, 3), (70, 22, 8))[0]):
            code, title, props, price = rng.choice(items)
            lines.append(
                {"code": code, "title": title, "props": props, "price": price, "qty": rng.choice((1, 1, 1, 2))}
            )
        if n % 97 == 13:  # ORD-9: a 商家编码 we do not know
            lines[-1]["code"] = rng.choice(UNMATCHED)
        goods = sum(round(float(x["price"]) * 100) * x["qty"] for x in lines)
        postage = 0 if goods >= 9900 or shop.platform_id == "pdd" else 1000
        paid = goods + postage
        province, city, district, street = rng.choice(buyers.addresses)
        address = f"{province} {city} {district} {street}(000000)"
        if n % 151 == 7:  # ORD-9: an address nobody can split
            address = BAD_ADDRESS
        shipped = target in ("part_shipped", "shipped", "signed", "completed")
        o = {
            "no": "",
            "buyer": f"{shop.platform_id}_{rng.choice('abcdefghjkmnpqrstuvwxyz')}{rng.randint(1000, 99999)}",
            "status": tb,
            "jd_status": jd,
            "pdd_status": pdd,
            "goods": f"{goods / 100:.2f}",
            "postage": f"{postage / 100:.2f}",
            "paid": f"{paid / 100:.2f}",
            "refund": f"{paid / 100:.2f}" if target == "closed" and rng.random() < 0.5 else "0.00",
            "name": rng.choice(buyers.family) + rng.choice(buyers.given),
            "phone": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            "address": address,
            "province": province if address != BAD_ADDRESS else "",
            "city": city if address != BAD_ADDRESS else "",
            "district": district,
            "street": street,
            "created": _beijing(created),
            "paid_at": "" if target == "pending_payment" else _beijing(created + dt.timedelta(minutes=2)),
            "message": rng.choice(MESSAGES),
            "remark": rng.choice(REMARKS),
            "carrier": rng.choice(CARRIERS) if shipped else "",
            "tracking": f"77{rng.randint(10**11, 10**12 - 1)}" if shipped else "",
            "shipped_at": _beijing(created + dt.timedelta(hours=20)) if shipped else "",
            "done_at": _beijing(created + dt.timedelta(days=7)) if target == "completed" else "",
            "risk": "是" if target == "risk" else "否",
            "lines": lines,
        }
        day = clock.local(created).strftime("%y%m%d")
        o["no"] = {
            "jd": f"{3_100_000_000_00 + n * 7919 + rng.randint(0, 7000)}",
            "pdd": f"{day}-{rng.randint(10**14, 10**15 - 1)}",
        }.get(shop.platform_id, f"{rng.randint(10**17, 10**18 - 1)}")
        if shop.platform_id == "pdd" and target == "closed" and rng.random() < 0.5:
            o["pdd_status"] = "未发货，退款成功"
        out.append(o)
    return out


def _files(shop, orders: list[dict]) -> list[tuple[str, bytes]]:
    stamp = clock.local(clock.now()).strftime("%Y%m%d")
    if shop.platform_id in ("taobao", "tmall"):
        report, details = samples.taobao_pair(orders, version="2020")
        return [(f"ExportOrderList{stamp}.csv", report), (f"ExportOrderDetailList{stamp}.csv", details)]
    if shop.platform_id == "jd":
        return [(f"京东订单{stamp}.csv", samples.jd_csv(orders, version="2019"))]
    return [(f"拼多多订单{stamp}.csv", samples.pdd_csv(orders, version="2020"))]


def load_orders(manager, cs_taobao, cs_jd, finance, *, buyers: Buyers) -> dict:
    """Import and work the demo orders once (idempotent: nothing happens when the shops already have orders)."""
    shops = list(Shop.objects.filter(platform_id__in=PLATFORMS).order_by("pk"))
    if not shops or Order.objects.filter(shop__in=shops).exists():
        _custom(shops, manager, cs_taobao)  # ORD-8 (idempotent): also for a demo loaded before it existed
        return {"orders": Order.objects.count(), "created": 0}
    now = clock.now()
    runs = []
    for shop in shops:
        rng = random.Random(f"orders-{shop.code}")
        actor = cs_taobao if shop.platform_id in ("taobao", "tmall") else cs_jd
        runs.append(imports.import_files(actor, shop, _files(shop, _orders(shop, rng, now, buyers))))
    _work(shops, manager, cs_taobao, cs_jd, now)
    _manual(shops, manager, cs_taobao, cs_jd, finance)
    _custom(shops, manager, cs_taobao)
    return {
        "orders": Order.objects.count(),
        "created": sum(r.created for r in runs),
        "failed": sum(r.failed for r in runs),
    }


def _open(shop, state, count, offset=0) -> list[Order]:
    qs = Order.objects.filter(shop=shop, state=state).select_related("shop").order_by("pk")
    return list(qs[offset : offset + count])


def _work(shops, manager, cs_taobao, cs_jd, now) -> None:
    """The team at work (ORD-3, ORD-7 moves): reviews, printing, shipping, a hold, closures, flags."""
    rng = random.Random(20261124)
    for shop in shops:
        cs = cs_taobao if shop.platform_id in ("taobao", "tmall") else cs_jd
        todo = _open(shop, Order.State.TO_REVIEW, 36)
        for order in todo[:24]:
            states.approve(cs, order)
        for order in todo[:12]:
            states.send_to_ship(cs, order)
        for order in todo[:3]:
            states.ship(cs, order, carrier="中通快递", tracking_no=f"75{rng.randint(10**11, 10**12 - 1)}")
        states.hold(cs, todo[24], "买家要求改地址，等待回复")
        for order in todo[25:28]:
            states.close(cs, order, "买家拍错，协商取消")
        states.close(manager, _open(shop, Order.State.PENDING_PAYMENT, 1)[0], "超时未付款")
        # ORD-3: purple = checked, ready to ship (the shop's default remark); red = size request; the free colours
        remarks.flag_orders(cs, [o.pk for o in todo[3:12]], Order.Flag.PURPLE)
        remarks.add_remark(cs, todo[28], "尺码改为 M 码", flag=Order.Flag.RED)
        remarks.add_remark(cs, todo[29], "颜色换黑色，已和买家确认", flag=Order.Flag.RED)
        remarks.add_remark(cs, todo[30], "赠品发圈一个", flag=Order.Flag.YELLOW)
        remarks.add_remark(cs, todo[31], "发票随货", flag=Order.Flag.BLUE)
        remarks.add_remark(cs, todo[32], "买家电话确认地址无误", carrier="顺丰速运")
        for order in _open(shop, Order.State.SHIPPED, 2):
            remarks.add_remark(cs, order, "买家催件，已联系快递")


def _manual(shops, manager, cs_taobao, cs_jd, finance) -> None:
    """Manual orders (ORD-1): a phone order, a 补发 for a damaged parcel, a bank transfer held for finance (ORD-5)."""
    by_platform = {s.platform_id: s for s in shops}
    own = Shop.objects.filter(platform_id="own").order_by("pk").first()
    taobao = by_platform.get("taobao") or shops[0]
    codes = [c for c, *_rest in _catalogue(taobao)[:40]]
    manual.create_manual_order(
        cs_taobao,
        taobao,
        kind=Order.Kind.PHONE,
        receiver_name="周敏",
        receiver_phone="13857112345",
        address="浙江省 杭州市 西湖区 文三路 478 号华星时代广场 A 座 1203",
        lines=[(codes[0], 2, 15900), (codes[5], 1, 19900)],
        buyer_message="电话下单，老客",
    )
    original = Order.objects.filter(shop=taobao, state=Order.State.COMPLETED).order_by("pk").first()
    if original is not None:
        manual.create_manual_order(
            cs_taobao,
            taobao,
            kind=Order.Kind.RESEND,
            receiver_name=original.receiver_name or "王丽",
            receiver_phone=original.receiver_phone or "13905710001",
            address=original.address_raw if not original.exc_address else "浙江省 杭州市 西湖区 文三路 478 号",
            lines=[(codes[1], 1, 0)],
            seller_remark="快递破损，补发一件",
            original_order=original,
        )
    manual.create_manual_order(
        manager,
        own or taobao,
        kind=Order.Kind.NORMAL,
        receiver_name="杭州青禾茶社",
        receiver_phone="0571-87654321",
        address="浙江省 杭州市 上城区 南山路 147 号",
        lines=[(codes[2], 10, 12900), (codes[3], 10, 12900)],
        payment_method="bank",
        seller_remark="团购 20 件，对公转账",
    )


# ---------------------------------------------------------------------------------------------------------------
# ORD-8: customised orders (seed S2 "淘宝定制产品运营流程")
# ---------------------------------------------------------------------------------------------------------------

CUSTOM_DEMO = [
    # (receiver, phone, address, choices, how far the work goes)
    ("陈静", "13957100001", "浙江省 杭州市 拱墅区 莫干山路 100 号", "", "awaiting_design"),
    ("刘洋", "13957100002", "江苏省 南京市 鼓楼区 中山北路 30 号", "胸前印字：LOVE 2026；白色 M 码", "to_confirm"),
    ("赵敏", "13957100003", "上海市 上海市 徐汇区 漕溪北路 88 号", "刺绣英文名 Amy，藏青色 L 码", "in_production"),
    ("孙磊", "13957100004", "广东省 广州市 天河区 体育西路 1 号", "团队文化衫 20 件，背面印队名", "qc"),
    ("周婷", "13957100005", "四川省 成都市 武侯区 人民南路四段 9 号", "情侣款两件，袖口印日期 1314", "done"),
]
CUSTOM_STAGES = ["awaiting_design", "to_confirm", "in_production", "qc", "done"]


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 400), colour).save(out, "PNG")
    return out.getvalue()


def _custom(shops, manager, cs) -> None:
    taobao = next((s for s in shops if s.platform_id == "taobao"), shops[0] if shops else None)
    if taobao is not None:
        load_custom_orders(taobao, cs, manager)


def load_custom_orders(shop, cs, manager) -> int:
    """ORD-8: five customised manual orders of `shop`, one per stage (awaiting design … QC passed and reviewed, one
    QC failure on the way), all through the services. Idempotent: nothing when the shop already has custom work.
    Returns how many were created."""
    if CustomWork.objects.filter(order__shop=shop).exists():
        return 0
    sku = Sku.objects.filter(is_active=True, is_combo=False).order_by("code").first()
    if sku is None:
        return 0
    ship = clock.today() + dt.timedelta(days=7)
    for n, (name, phone, address, choices, goal) in enumerate(CUSTOM_DEMO):
        order = manual.create_manual_order(
            cs,
            shop,
            kind=Order.Kind.CUSTOM,
            receiver_name=name,
            receiver_phone=phone,
            address=address,
            lines=[(sku, 1, 12900)],
            buyer_message="定制款，请按设计稿制作",
        )
        custom.start_custom(cs, order)
        reached = CUSTOM_STAGES.index(goal)
        if reached >= 1:
            design = SimpleUploadedFile(f"设计稿-{name}.png", _png((40 * n, 90, 160)))
            custom.add_file(cs, order, design, "design")
            custom.save_choices(cs, order, choices)
        if reached >= 2:
            custom.confirm_details(cs, order, delivery_date=ship, producer="义乌印花车间")
        if reached >= 3:
            custom.finish_production(manager, order, note="已完成印花")
            custom.add_file(manager, order, SimpleUploadedFile(f"质检-{name}.png", _png((200, 200, 200))), "qc")
        if reached >= 4:
            custom.fail_qc(manager, order, "袖口日期印歪，返工")
            custom.finish_production(manager, order, note="返工完成")
            custom.pass_qc(manager, order, note="复检合格")
            states.approve(cs, order)  # the normal flow goes on (ORD-8)
    return len(CUSTOM_DEMO)
