"""The demo purchasing (idempotent): suppliers with contacts, evaluations and the products they supply, purchase
orders in every state (need, quotes compared, ordered, partly received, received, closed, cancelled) with
payments and problems, stock-in slips posted through the quality check (faulty pieces on the exchange list, some
exchanged, one refused), a posted stocktake of last month, inspected returns and dropship orders.

Everything goes through the services, as a person would do it; this module only decides what to do.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from zhanggui.catalog.models import Product
from zhanggui.core import clock
from zhanggui.inventory.models import Bin, Stocktake, Warehouse
from zhanggui.inventory.services import returns as returns_service
from zhanggui.inventory.services import stocktake as stocktakes
from zhanggui.shops.models import Shop

from . import selectors
from .models import DropshipOrder, PurchaseOrder, Supplier, SupplierExchange
from .services import dropship, exchanges, orders, payments, problems, quotes, receiving, suppliers

# (code, name, contact, phone, wechat, address, lead days, terms, categories it supplies)
SUPPLIERS = [
    (
        "GZ-SH",
        "广州沙河南城 5F-5032 档口",
        "陈姐",
        "13926001234",
        "shahe5032",
        "广州市天河区沙河南城 5 楼 5032",
        3,
        "现款现货",
        ("连衣裙", "半身裙"),
    ),
    (
        "HZ-SJQ",
        "杭州四季青服装市场 3 楼",
        "王老板",
        "13805712345",
        "sjq-wang",
        "杭州市上城区四季青服装市场 3 楼",
        2,
        "月结",
        ("衬衫", "针织衫"),
    ),
    (
        "CS-ZS",
        "常熟招商城 A 区 312",
        "周经理",
        "13962345678",
        "cs-a312",
        "江苏省常熟市招商城 A 区 312",
        5,
        "定金 30%，发货前付清",
        ("外套",),
    ),
    (
        "SZ-NY",
        "深圳南油服装批发 B 座",
        "李小姐",
        "13760001111",
        "nanyou-b",
        "深圳市南山区南油服装批发 B 座 6 楼",
        4,
        "一件代发，周结",
        ("T恤",),
    ),
    (
        "YW-ZZ",
        "义乌针织厂",
        "吴厂长",
        "13588889999",
        "yw-knit",
        "浙江省义乌市北苑工业区 12 号",
        12,
        "定金 30%，尾款见货付",
        ("裤子",),
    ),
    ("FJ-SS", "石狮童装工厂（备选）", "蔡先生", "13905951234", "", "福建省石狮市灵秀镇", 15, "月结 60 天", ()),
]


def _supplier_for(product, by_name, by_category, fallback):
    if product.supplier_name and product.supplier_name in by_name:  # dropship products name their supplier
        return by_name[product.supplier_name]
    cat = product.category
    for name in (cat.name if cat else None, cat.parent.name if cat and cat.parent else None):
        if name in by_category:
            return by_category[name]
    return fallback


def _suppliers(actor, rng) -> list[Supplier]:
    made = []
    for code, name, contact, phone, wechat, address, lead, terms, _cats in SUPPLIERS:
        supplier = Supplier.objects.filter(code=code).first()
        if supplier is None:
            supplier = suppliers.create_supplier(
                actor,
                code=code,
                name=name,
                contact_name=contact,
                phone=phone,
                wechat=wechat,
                address=address,
                lead_time_days=lead,
                payment_terms=terms,
            )
            suppliers.add_contact(actor, supplier, name=f"{contact[0]}会计", role="财务", phone=phone[:-4] + "0000")
            for _ in range(rng.randint(1, 3)):
                suppliers.evaluate(
                    actor,
                    supplier,
                    quality=rng.randint(3, 5),
                    delivery=rng.randint(2, 5),
                    price=rng.randint(3, 5),
                    service=rng.randint(3, 5),
                    note="季度评价",
                )
        made.append(supplier)
    by_name = {s.name: s for s in made}
    by_category = {cat: by_name[name] for _c, name, *_rest, cats in SUPPLIERS for cat in cats}
    fallback = made[0]
    for product in Product.objects.select_related("category__parent").prefetch_related("skus").order_by("pk"):
        if product.supplier_items.exists():
            continue
        supplier = _supplier_for(product, by_name, by_category, fallback)
        cost = max((s.cost_fen for s in product.skus.all()), default=0)
        suppliers.set_supplier_product(
            actor,
            supplier,
            product,
            supplier_item_code=f"{supplier.code}-{product.style_code}",
            unit_cost_fen=cost,
            min_order_qty=rng.choice((1, 3, 5, 10)),
            preferred=True,
        )
    return made


def _lines(supplier, rng, n=4, qty=(10, 30)):
    items = list(
        supplier.products.filter(product__sourcing=Product.Sourcing.OWN_STOCK)
        .select_related("product")
        .order_by("product__style_code")[:12]
    )
    rng.shuffle(items)
    lines = []
    for item in items[: max(1, n // 2)]:
        for sku in item.product.skus.filter(is_combo=False).order_by("code")[:2]:
            lines.append((sku, rng.randint(*qty), item.unit_cost_fen or sku.cost_fen))
    return lines


def _receive(actor, checker, order, rng, *, share=1.0, faulty=0, differs=""):
    """Count `share` of what the order still awaits, `faulty` pieces on the first line, check and post."""
    receipt = receiving.create_receipt(actor, order=order)
    rows = []
    for i, line in enumerate(receiving.sorted_lines(receipt)):
        counted = max(1, int(line.expected_qty * share))
        rows.append(
            {
                "line": line.pk,
                "counted": counted,
                "faulty": min(faulty, counted) if i == 0 else 0,
                "note": "线头、污渍" if i == 0 and faulty else "",
            }
        )
    receipt = receiving.save_counts(
        actor,
        receipt,
        rows,
        version=receipt.version,
        differs_from_last_batch=bool(differs),
        difference_note=differs or None,
    )
    receipt = receiving.check(checker, receipt, version=receipt.version)
    return receiving.post(actor, receipt, version=receipt.version)


def _orders(manager, keeper, finance, made, rng) -> int:
    if PurchaseOrder.objects.exists():
        return 0
    main = Warehouse.objects.get(code="HZ01")
    gz, hz, cs, _sz, yw, fj = made
    today = clock.today()

    # Closed: fully received, paid, evaluated — the normal life of a purchase.
    closed = orders.create_order(manager, lines=_lines(hz, rng), supplier=hz, warehouse=main, reason="秋冬补货")
    orders.place_order(manager, closed)
    _receive(keeper, manager, closed, rng, faulty=2)  # faulty pieces: first row of the exchange list
    figures = selectors.order_figures([closed.pk])[closed.pk]
    payments.add_payment(
        finance,
        closed,
        amount_fen=figures.owed,
        paid_on=today - dt.timedelta(days=3),
        method="bank",
        note="货款结清",
    )
    orders.close_order(manager, closed, note="验收完毕")

    # Received, a quality problem open (so it cannot close yet), half paid.
    received = orders.create_order(manager, lines=_lines(gz, rng), supplier=gz, warehouse=main, reason="连衣裙返单")
    received.transport_cost_fen = 0
    orders.place_order(manager, received)
    _receive(keeper, manager, received, rng, faulty=3, differs="面料比上批薄，领口走线不同")
    problems.report_problem(manager, received, kind="quality", description="3 件线头、污渍，已列换货清单")
    figures = selectors.order_figures([received.pk])[received.pk]
    payments.add_payment(finance, received, amount_fen=figures.owed // 2, method="alipay", note="定金 50%")

    # Partly received: the factory delivered half; the rest is in transit.
    partial = orders.create_order(manager, lines=_lines(yw, rng, n=6), supplier=yw, warehouse=main, reason="冬季备货")
    orders.place_order(manager, partial)
    figures = selectors.order_figures([partial.pk])[partial.pk]
    payments.add_payment(finance, partial, amount_fen=max(1, figures.owed * 3 // 10), method="bank", note="定金 30%")
    _receive(keeper, manager, partial, rng, share=0.5, faulty=1)

    # Ordered, waiting for the goods (in transit), one of them late.
    for supplier, reason, days in ((cs, "外套补货", 4), (hz, "衬衫补货", -2)):
        order = orders.create_order(
            manager,
            lines=_lines(supplier, rng),
            supplier=supplier,
            warehouse=main,
            reason=reason,
            expected_on=today + dt.timedelta(days=days),
        )
        orders.place_order(manager, order)
    # The late one has just arrived: the keeper is counting it (a slip in 清点中).
    counting = receiving.create_receipt(keeper, order=order)
    first = receiving.sorted_lines(counting)[0]
    receiving.save_counts(
        keeper, counting, [{"line": first.pk, "counted": first.expected_qty}], version=counting.version
    )

    # Comparing quotes: two suppliers quoted for the same need.
    quoting = orders.create_order(manager, lines=_lines(gz, rng), warehouse=main, reason="双12 活动款备货")
    orders.submit_for_quotes(manager, quoting)
    for supplier, factor, lead in ((gz, 1.0, 3), (fj, 0.9, 15)):
        prices = {line.pk: int(line.unit_cost_fen * factor) or 1000 for line in quoting.lines.all()}
        quotes.record_quote(
            manager,
            quoting,
            supplier,
            prices=prices,
            lead_time_days=lead,
            transport_cost_fen=0 if supplier == gz else 3000,
        )

    # Need / plan and cancelled.
    orders.create_order(
        manager, lines=_lines(yw, rng), supplier=yw, warehouse=main, reason="新款首单（每款不超过 3 套）"
    )
    cancelled = orders.create_order(manager, lines=_lines(cs, rng), supplier=cs, warehouse=main, reason="春装试单")
    orders.cancel_order(manager, cancelled, note="款式撤回，不再下单")

    # The exchange list: some handed to the purchaser, one exchanged, one refused (separate account).
    pending = list(SupplierExchange.objects.filter(state=SupplierExchange.State.PENDING).order_by("pk"))
    if len(pending) >= 3:  # every state: exchanged, still with the purchaser, refused, stored apart
        exchanges.send(keeper, [pending[0].pk, pending[1].pk])
        exchanges.resolve(keeper, [(pending[0].pk, 1)], SupplierExchange.State.EXCHANGED, note="供应商已换回 1 件")
        exchanges.resolve(keeper, [pending[1].pk], SupplierExchange.State.REFUSED, note="供应商不予换货，单独建账")
    return PurchaseOrder.objects.count()


def _stocktake(manager, keeper) -> None:
    """Last month's count of two bins, approved and posted (INV-6)."""
    if Stocktake.objects.exists():
        return
    main = Warehouse.objects.get(code="HZ01")
    bins = list(Bin.objects.filter(warehouse=main).order_by("position")[:2])
    first = clock.today().replace(day=1) - dt.timedelta(days=1)
    st = stocktakes.plan(keeper, main, "bins", bins=bins, window=(first.replace(day=28), first), note="月末盘点")
    stocktakes.start(keeper, st)
    lines = list(st.lines.select_related("sku").order_by("pk"))
    levels = {lv.sku_id: lv.on_hand for lv in main.stock_levels.filter(sku__in=[ln.sku_id for ln in lines])}
    entries = [(ln.sku, levels.get(ln.sku_id, 0)) for ln in lines]
    if len(entries) > 2:  # one piece missing, one found
        entries[0] = (entries[0][0], max(levels.get(lines[0].sku_id, 0) - 1, 0))
        entries[1] = (entries[1][0], levels.get(lines[1].sku_id, 0) + 1)
    stocktakes.count(keeper, st, entries)
    stocktakes.submit(keeper, st)
    stocktakes.approve(manager, st, note="差异已核实")


def _returns(keeper, rng) -> None:
    skus = list(
        main_levels.sku
        for main_levels in Warehouse.objects.get(code="HZ01")
        .stock_levels.select_related("sku")
        .filter(on_hand__gte=5)
        .order_by("sku__code")[:6]
    )
    for n, sku in enumerate(skus, start=1):
        returns_service.receive_return(
            keeper, f"demo-return:{n}", [(sku, 1, n % 3 != 0, "买家退回" if n % 3 else "吊牌缺失、有污渍")]
        )


def _dropship(manager, keeper, rng) -> None:
    if DropshipOrder.objects.exists():
        return
    products = list(Product.objects.filter(sourcing=Product.Sourcing.DROPSHIP).prefetch_related("skus")[:12])
    shops = list(Shop.objects.order_by("pk")[:4])
    names = ["林晓雯", "张子涵", "黄一鸣", "刘思琪", "王可欣", "赵雨桐", "孙嘉怡", "周子墨"]
    made = []
    for n, product in enumerate(products, start=1):
        sku = product.skus.filter(is_combo=False).first()
        if sku is None:
            continue
        shop = shops[n % len(shops)]
        made += dropship.queue_dropship(
            keeper,
            shop,
            f"DS{clock.today():%Y%m%d}{n:04d}",
            [(sku, rng.randint(1, 2))],
            receiver_name=rng.choice(names),
            receiver_phone=f"139{rng.randint(10000000, 99999999)}",
            receiver_address=f"浙江省杭州市西湖区文三路 {rng.randint(1, 500)} 号 {rng.randint(1, 30)} 幢",
        )
    by_supplier: dict[int, list] = {}
    for order in made:
        by_supplier.setdefault(order.supplier_id, []).append(order)
    for orders_ in list(by_supplier.values())[:2]:  # two suppliers got their list already
        dropship.export_for_supplier(manager, orders_[0].supplier, orders=orders_)
    # The first of them has sent its tracking numbers back (their file, GBK CSV as exported from Excel).
    shipped = next(iter(by_supplier.values()))[:2]
    rows = ["订单号,快递公司,快递单号"] + [f"{o.reference},中通快递,7869{1000000 + o.pk}" for o in shipped]
    dropship.import_tracking(keeper, shipped[0].supplier, "\r\n".join(rows).encode("gbk"), "回单.csv")


def load_purchasing(manager, keeper, finance, *, seed: int = 20261123) -> dict:
    started = time.monotonic()
    rng = random.Random(seed)
    made = _suppliers(manager, rng)
    created = _orders(manager, keeper, finance, made, rng)
    _stocktake(manager, keeper)
    if not returns_service.booked_entries("demo-return:1").exists():
        _returns(keeper, rng)
    _dropship(manager, keeper, rng)
    return {"suppliers": len(made), "orders": created, "seconds": round(time.monotonic() - started, 1)}
