"""Every money, quantity and weight input is held to the company's bounds in its service (rule 7 of the house,
core.bounds, settings.BUSINESS_BOUNDS): one test per service, each with the value just past the bound (refused in
Chinese, nothing written) and, where it proves the bound is the setting, the value just inside it. Pages and API
reach these services; tests/test_hostile_numbers.py sends the hostile numbers through every form and route."""

import datetime as dt

import pytest
from django.db import transaction

from zhanggui.catalog.models import GroupPriceTier, Product, Sku
from zhanggui.catalog.services import combos, pricing, products, skus
from zhanggui.channels.formats.values import BadValue, parse_fen, parse_qty
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen
from zhanggui.core.registry import get_definition
from zhanggui.fulfilment.models import Carrier, FreightRate
from zhanggui.fulfilment.services import carriers, verify
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.services import returns, stock, stocktake
from zhanggui.inventory.services.warehouses import create_warehouse
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits, manual
from zhanggui.purchasing.models import Payment, PurchaseOrder, Quote, Supplier, SupplierProduct
from zhanggui.purchasing.services import order_edits, payments, quotes, receiving, suppliers
from zhanggui.purchasing.services import orders as po_svc
from zhanggui.shops.models import OpeningStep
from zhanggui.shops.services import start_opening_checklist, update_opening_step
from zhanggui.shops.settings_store import update_settings

pytestmark = pytest.mark.django_db
MAX_FEN, MAX_QTY, MAX_GRAMS = 100_000_000, 1_000_000, 100_000  # settings.BUSINESS_BOUNDS defaults


def refused(call, *words):
    """The call raises a DomainError whose message (or refused rows) says every word; returns the error."""
    with pytest.raises(DomainError) as info:
        call()
    text = " ".join([info.value.message, *info.value.details])
    assert all(w in text for w in words), text
    return info.value


@pytest.fixture
def goods(world):
    warehouse = create_warehouse(None, code="BW", name="边界仓", is_default=True)
    product = products.create_product(
        None, style_code="BD-1", name="边界裙", colours=["黑"], sizes=["M"], sku_defaults={"list_price_fen": 9900}
    )
    sku = product.skus.get()
    stock.receive_stock(None, sku, warehouse, 20)
    return type("Goods", (), {"world": world, "warehouse": warehouse, "product": product, "sku": sku})


# ---- catalog (PROD-1, PROD-9, PROD-10) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "defaults,words",
    [
        ({"cost_fen": MAX_FEN + 1}, ("成本价应在", "¥1,000,000.00")),
        ({"list_price_fen": -1}, ("吊牌价应在",)),
        ({"vip_price_fen": 2**31}, ("VIP 价应在",)),
        ({"weight_g": MAX_GRAMS + 1}, ("重量应在", "100,000 克")),
    ],
)
def test_prod1_sku_money_and_weight_past_the_bounds_are_refused(world, defaults, words):
    create = lambda: products.create_product(  # noqa: E731
        None, style_code="BD-X", name="裙", colours=["黑"], sizes=["M"], sku_defaults=defaults
    )
    refused(create, *words)
    assert not Product.objects.filter(style_code="BD-X").exists()


def test_prod1_new_cell_defaults_are_checked_even_when_no_cell_is_added(goods):
    refused(
        lambda: skus.save_sku_grid(None, goods.product, changes={}, sku_defaults={"cost_fen": MAX_FEN + 1}),
        "成本价应在",
    )


def test_prod10_first_order_sets_past_the_quantity_bound(goods, settings):
    manager = goods.world.people["manager"]
    refused(
        lambda: pricing.set_sourcing(manager, goods.product, sourcing="own", first_order_sets=MAX_QTY + 1), "首单数量"
    )
    settings.BUSINESS_BOUNDS = {**settings.BUSINESS_BOUNDS, "quantity_max": 50}  # the company's setting
    refused(lambda: pricing.set_sourcing(manager, goods.product, sourcing="own", first_order_sets=51), "1 到 50")
    assert Product.objects.get(pk=goods.product.pk).first_order_sets is None


def test_prod9_vip_price_and_group_tiers_within_the_money_bound(goods):
    manager = goods.world.people["manager"]
    refused(lambda: pricing.set_vip_price(manager, goods.sku, MAX_FEN + 1), "VIP 价应在")
    refused(lambda: pricing.save_group_tiers(manager, goods.product, [(1, None, 2**31 - 1)]), "团购价应在")
    refused(lambda: pricing.save_group_tiers(manager, goods.product, [(MAX_QTY + 1, None, 9000)]), "团购起订量")
    assert Sku.objects.get(pk=goods.sku.pk).vip_price_fen is None and not GroupPriceTier.objects.exists()


def test_prod1_combo_parts_and_their_sum_within_the_bounds(goods):
    Sku.objects.filter(pk=goods.sku.pk).update(weight_g=MAX_GRAMS)
    goods.sku.refresh_from_db()
    refused(lambda: combos.create_combo_sku(None, goods.product, "ZH-1", [(goods.sku, MAX_QTY + 1)]), "第 1 行数量")
    refused(lambda: combos.create_combo_sku(None, goods.product, "ZH-1", [(goods.sku, 2)]), "组合装重量")
    assert not Sku.objects.filter(code="ZH-1").exists()


# ---- orders (ORD-5, ORD-7) -------------------------------------------------------------------------------------


def _manual(goods, **extra):
    values = dict(
        receiver_name="王五", receiver_phone="13900001111", address="浙江省杭州市西湖区文三路 8 号",
        lines=[(goods.sku.code, 1, 9900)],
    )  # fmt: skip
    return manual.create_manual_order(goods.world.people["manager"], goods.world.shop_a, **{**values, **extra})


@pytest.mark.parametrize(
    "extra,words",
    [
        ({"lines": [("BD-1-黑-M", MAX_QTY + 1, 100)]}, ("第 1 行 BD-1-黑-M：数量应在 1 到 1,000,000",)),
        ({"lines": [("BD-1-黑-M", 1, MAX_FEN + 1)]}, ("单价应在",)),
        ({"postage_fen": 2**31}, ("运费应在",)),
        ({"lines": [("BD-1-黑-M", 11, MAX_FEN)]}, ("订单金额应在", "¥10,000,000.00")),
    ],
)
def test_ord7_manual_order_within_the_bounds(goods, extra, words):
    refused(lambda: _manual(goods, **extra), *words)
    assert not Order.objects.exists()


def test_ord5_confirmed_transfer_within_the_total_bound(goods):
    order = _manual(goods, payment_method="bank")
    finance = goods.world.people["finance"]
    refused(lambda: manual.confirm_payment(finance, order, bank="工行", amount_fen=10**9 + 1), "到账金额应在")
    refused(lambda: manual.confirm_payment(finance, order, bank="工行", amount_fen=-1), "到账金额应在")
    assert Order.objects.get(pk=order.pk).hold_reason  # still waiting for finance


def test_ord7_line_quantity_edit_and_a_line_number_past_the_column(goods):
    order = _manual(goods)
    cs = goods.world.people["manager"]
    refused(lambda: edits.change_quantity(cs, order, 1, MAX_QTY + 1), "数量应在")
    refused(lambda: edits.change_quantity(cs, order, 2**63, 2), "没有第")  # a line number is a small column
    refused(lambda: edits.change_quantity(cs, order, 1, MAX_QTY), "订单金额应在")  # 1,000,000 × ¥99
    assert order.lines.get().quantity == 1


# ---- stock (INV-2, INV-5, INV-6) -------------------------------------------------------------------------------


def test_inv2_stock_in_and_adjustment_within_the_quantity_bound(goods):
    before = LedgerEntry.objects.count()
    refused(lambda: stock.receive_stock(None, goods.sku, goods.warehouse, MAX_QTY + 1), "入库数量应在")
    refused(
        lambda: stock.receive_stock(None, goods.sku, goods.warehouse, -MAX_QTY - 1, reason="adjust"), "调整数量应在"
    )
    stock.receive_stock(None, goods.sku, goods.warehouse, -1, reason="adjust")  # taking away is an adjustment
    refused(lambda: stock.move_stock(None, [stock.Move(goods.sku, on_hand=2**31)], reason="receipt"), "数量超过")
    assert LedgerEntry.objects.count() == before + 1


def test_inv5_returns_and_write_offs_within_the_quantity_bound(goods):
    refused(lambda: returns.receive_return(None, "TH-1", [(goods.sku, MAX_QTY + 1, True)]), "退货数量应在")
    refused(lambda: returns.write_off_damaged(None, goods.sku, goods.warehouse, 2**31), "核销数量应在")
    assert StockLevel.objects.get(sku=goods.sku).on_hand == 20


def test_inv6_counted_quantity_within_the_bound(goods):
    st = stocktake.plan(None, goods.warehouse, "skus", skus=[goods.sku.pk])
    stocktake.start(None, st)
    refused(lambda: stocktake.count(None, st, [(goods.sku.pk, MAX_QTY + 1)]), "实盘数应在")
    refused(lambda: stocktake.count(None, st, [(goods.sku.pk, 2**31)], mode="add"), "实盘数应在")
    assert st.lines.get().counted_qty is None


# ---- purchasing (PUR-1, PUR-2, PUR-3, INV-3) -------------------------------------------------------------------


@pytest.fixture
def po(goods):
    supplier = Supplier.objects.create(code="BS", name="边界厂")
    order = po_svc.create_order(goods.world.people["manager"], lines=[(goods.sku, 2, 100)], supplier=supplier)
    order.manager = goods.world.people["manager"]
    return order


def test_pur2_pasted_lines_and_line_edits_within_the_bounds(po):
    manager = po.manager
    error = refused(lambda: order_edits.parse_lines(f"BD-1-黑-M {MAX_QTY + 1} 1\nBD-1-黑-M 1 2000000"), "第 1 行")
    assert any("第 2 行：单价" in d and "单价应在" in d for d in error.details)
    line = po.lines.get()
    refused(lambda: order_edits.update_line(manager, line, quantity=MAX_QTY + 1), "采购数量应在")
    refused(lambda: order_edits.update_order(manager, po, transport_cost_fen=MAX_FEN + 1), "运费应在")
    po.refresh_from_db()
    assert (po.lines.get().quantity, po.transport_cost_fen) == (2, 0)


def test_pur2_quotes_within_the_bounds(po):
    manager = po.manager
    with transaction.atomic():
        po_svc.transition(po_svc.lock(po), PurchaseOrder.State.QUOTING, manager)
    line = po.lines.get()
    quote = lambda **kw: quotes.record_quote(manager, po, po.supplier, **{"prices": {line.pk: 100}, **kw})  # noqa: E731
    refused(lambda: quote(prices={line.pk: MAX_FEN + 1}), "单价应在")
    refused(lambda: quote(lead_time_days=366), "交货周期应在 0 到 365 天")
    refused(lambda: quote(transport_cost_fen=2**31), "运费应在")
    assert not Quote.objects.exists()


def test_pur3_one_payment_within_the_total_bound(po):
    manager = po.manager
    with transaction.atomic():
        po_svc.transition(po_svc.lock(po), PurchaseOrder.State.ORDERED, manager)
    refused(lambda: payments.add_payment(manager, po, amount_fen=10**9 + 1), "付款金额应在")
    assert not Payment.objects.exists()


def test_pur1_supplier_lead_time_and_supplied_product_within_the_bounds(goods):
    refused(lambda: suppliers.create_supplier(None, code="S9", name="九", lead_time_days=2**31), "交货周期应在")
    supplier = suppliers.create_supplier(None, code="S9", name="九")
    set_item = lambda **kw: suppliers.set_supplier_product(None, supplier, goods.product, **kw)  # noqa: E731
    refused(lambda: set_item(unit_cost_fen=MAX_FEN + 1), "进价应在")
    refused(lambda: set_item(unit_cost_fen=100, min_order_qty=MAX_QTY + 1), "起订量应在")
    assert not SupplierProduct.objects.exists()


def test_inv3_counted_and_scanned_quantities_within_the_bound(po):
    manager = po.manager
    with transaction.atomic():
        po_svc.transition(po_svc.lock(po), PurchaseOrder.State.ORDERED, manager)
    slip = receiving.create_receipt(manager, order=po)
    line = slip.lines.get()
    rows = [{"line": line.pk, "counted": MAX_QTY + 1, "faulty": 0}]
    refused(lambda: receiving.save_counts(manager, slip, rows, version=slip.version), "实到应在")
    refused(lambda: receiving.scan(manager, slip, line.sku.code, qty=2**31), "扫码数量应在")
    assert slip.lines.get().counted_qty == 0


# ---- shipping (SHIP-1, SHIP-5) ---------------------------------------------------------------------------------


def test_ship5_rate_table_and_quote_within_the_bounds(world):
    load_carriers()
    sto = Carrier.objects.get(code="STO")
    rates = list(FreightRate.objects.filter(carrier=sto).values())

    def save(**kw):
        values = {"first_weight_g": 1000, "first_yuan": "5", "step_g": 1000, "step_yuan": "2", **kw}
        return carriers.save_rate(None, sto, "33", **values)

    refused(lambda: save(first_weight_g=MAX_GRAMS + 1), "首重应在")
    refused(lambda: save(step_yuan="2000000"), "续重价格应在")
    refused(lambda: save(first_yuan="1" + "0" * 30), "金额过大")
    refused(lambda: carriers.quote("33", 2**31), "重量应在")
    assert list(FreightRate.objects.filter(carrier=sto).values()) == rates


def test_ship1_scale_weight_within_the_bound():
    assert verify.parse_weight("1.2kg") == 1200
    refused(lambda: verify.parse_weight("101kg"), "重量应在 1 到 100,000 克")
    refused(lambda: verify.parse_weight("9" * 400), "请输入重量")  # a stuck key: never float('inf')


def test_ship5_bill_lines_past_the_bounds_are_row_errors(goods):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhanggui.fulfilment.models import Package
    from zhanggui.fulfilment.services import packages
    from zhanggui.fulfilment.services.fees import import_carrier_bill
    from zhanggui.orders.models import OrderLine

    load_carriers()
    sto = Carrier.objects.get(code="STO")
    order = Order.objects.create(
        shop=goods.world.shop_a, platform_order_no="BD-PKG-1", state=Order.State.APPROVED, receiver_name="王五",
        receiver_phone="13900001111", province="浙江省", city="杭州市", district="西湖区", address_detail="文三路 8 号",
        ordered_at=dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC), paid_at=dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC),
    )  # fmt: skip
    OrderLine.objects.create(order=order, line_no=1, sku=goods.sku, outer_code=goods.sku.code, quantity=1)
    package = packages.create_for_order(order, None)
    Package.objects.filter(pk=package.pk).update(carrier=sto, waybill_no="7700000001")
    rows = (
        ("1e400,5", "计费重量超出允许范围"),
        ("nan,5", "重量格式不正确"),
        ("150,5", "计费重量应在"),
        ("1,2000000", "费用应在"),
    )
    for row, words in rows:
        bill = SimpleUploadedFile("b.csv", f"运单号,重量kg,费用元\n7700000001,{row}\n".encode())
        result = import_carrier_bill(None, sto, bill)
        assert result.updated == 0 and words in result.errors[0], result.errors
    assert Package.objects.get(pk=package.pk).courier_fee_fen is None


# ---- files, settings and parsing -------------------------------------------------------------------------------


def test_ord1_platform_file_cells_within_the_bounds():
    assert parse_qty("3") == 3 and parse_fen("201.12") == 20112
    for text in ("1e400", "nan", str(MAX_QTY + 1)):
        with pytest.raises(BadValue):
            parse_qty(text)
    with pytest.raises(BadValue, match="金额应在"):
        parse_fen("20000000")  # ¥20,000,000 on one order: past the company's total bound


def test_money_parsing_refuses_absurd_magnitudes():
    assert yuan_to_fen("999999999999999") == 99999999999999900  # the parse; the business bound is the service's
    refused(lambda: yuan_to_fen("1" + "0" * 30), "金额过大")


def test_shop2_money_settings_are_never_negative_nor_past_the_money_bound(world):
    manager = world.people["manager"]
    refused(lambda: update_settings(manager, world.shop_a, {"fulfilment.remote_surcharge": "-1"}))
    refused(lambda: update_settings(manager, world.shop_a, {"fulfilment.urgent_surcharge": "2000000"}))
    assert get_definition("fulfilment.remote_surcharge").parse("15") == 1500


def test_shop3_opening_amounts_within_the_money_bound(world):
    start_opening_checklist(None, world.shop_a, started_on=dt.date(2026, 12, 1))
    step = OpeningStep.objects.filter(checklist__shop=world.shop_a, amount_fen__isnull=False).first()
    before = step.amount_fen
    refused(lambda: update_opening_step(None, step, amount_fen=MAX_FEN + 1), "应在")
    assert OpeningStep.objects.get(pk=step.pk).amount_fen == before


def test_a_version_that_is_not_a_number_is_stale_never_skipped(po):
    refused(lambda: order_edits.update_order(po.manager, po, version="-1", note="x"), "已被他人修改")
    refused(lambda: order_edits.update_order(po.manager, po, version="abc", note="x"), "已被他人修改")


def test_a_page_answers_a_number_past_the_column_with_a_chinese_400(world, client_for, rf):
    """Ids past the column in a list of checkboxes (roles): refused with a 400 in Chinese and nothing saved — the
    form's own error where the database compares them (PostgreSQL), else the 400 page of
    core.middleware.OutOfRangeInputMiddleware (SQLite cannot even bind them), never a 500."""
    from django.db import DataError

    from zhanggui.core.access import ShopScope
    from zhanggui.core.middleware import OutOfRangeInputMiddleware

    staff = world.people["designer"]
    client = client_for(world.people["manager"])
    client.raise_request_exception = False
    response = client.post(f"/team/{staff.pk}/update/", {"name": "改名", "roles": [str(10**30)], "shops": ["1"]})
    assert response.status_code == 400 and type(staff).objects.get(pk=staff.pk).name == staff.name
    request = rf.post("/team/1/update/")
    request.user, request.session = world.people["manager"], {}
    request.scope = ShopScope(request)
    for error in (OverflowError("Python int too large"), DataError("integer out of range")):
        page = OutOfRangeInputMiddleware(lambda r: None).process_exception(request, error)
        assert page.status_code == 400 and "输入的内容无法使用" in page.content.decode()


@pytest.mark.parametrize("qty", [MAX_QTY + 1, 2**31 - 1])
def test_api_answers_a_business_bound_with_422_in_chinese(goods, client_for, qty):
    """The schema lets 2^31 − 1 through (it fits the column); the service refuses it: 422 and the Chinese reason."""
    import json

    from zhanggui.core.services import create_api_token

    manager = goods.world.people["manager"]
    _token, key = create_api_token(manager, "bounds")
    response = client_for(manager).post(
        "/api/v1/stock-adjustments",
        json.dumps({"sku": goods.sku.code, "qty": qty}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["code"] == "out_of_range" and "入库数量应在 1 到 1,000,000 之间" in answer["message"]
    assert StockLevel.objects.get(sku=goods.sku).on_hand == 20


def test_prod1_product_file_cells_past_the_bounds_are_row_errors():
    """PROD-1: the product import (a bulk path that skips the per-SKU service) holds the file to the same bounds."""
    from zhanggui.catalog import rules_imports as rules

    keys = [c.key for c in rules.columns()]
    cells = dict(style_code="X-1", name="裙", colour="黑", size="M", code="X-1-黑-M")
    values = {**cells, "weight_g": str(MAX_GRAMS + 1), "cost_fen": "1e400", "list_price_fen": "1000001"}
    row, errors = rules.parse_row(2, [values.get(k, "") for k in keys], rules.map_headers(rules.export_headers()))
    reasons = [e.reason for e in errors]
    assert row is None and len(errors) == 3, errors
    assert any("重量应不超过 100,000 克" in r for r in reasons) and any("金额过大" in r for r in reasons)
    assert any("金额应不超过 ¥1,000,000.00" in r for r in reasons)
