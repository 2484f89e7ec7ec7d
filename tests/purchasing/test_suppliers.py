# ruff: noqa: F811
# (test functions take the imported `po` fixture as a parameter)
"""Suppliers (PUR-1, PUR-3): profile rules, contacts, evaluations, one preferred supplier per product, the quality
record measured at receiving, and the per-supplier purchase documents (amount, transport, paid, owed) with their
XLSX export."""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.purchasing.models import PurchaseOrder, Receipt, ReceiptLine, SupplierExchange, SupplierProduct
from zhanggui.purchasing.services import order_edits, orders, payments
from zhanggui.purchasing.services import suppliers as svc

from .orders_setup import (
    fresh,
    new_order,
    ordered,
    po,  # noqa: F401 (the fixture)
    receive,
)

pytestmark = pytest.mark.django_db


# ---- profile, contacts, evaluations -----------------------------------------------------------------------------


def test_supplier_code_and_name_unique_lead_time_checked_PUR_1(po):
    with pytest.raises(DomainError) as exc:
        svc.create_supplier(po.buyer, code="hz", name="另一家")
    assert exc.value.code == "code_taken" and exc.value.field == "code"
    with pytest.raises(DomainError) as exc:
        svc.create_supplier(po.buyer, code="NB", name="杭州织造")
    assert exc.value.code == "name_taken"
    with pytest.raises(DomainError) as exc:
        svc.create_supplier(po.buyer, code="NB", name="宁波", lead_time_days=400)
    assert exc.value.field == "lead_time_days"
    with pytest.raises(DomainError) as exc:
        svc.create_supplier(po.buyer, code=" ", name="宁波")
    assert exc.value.code == "required"
    nb = svc.create_supplier(po.buyer, code="NB", name="宁波针织", wechat="nb-knit", payment_terms="月结")
    assert (nb.lead_time_days, nb.is_active, nb.payment_terms) == (7, True, "月结")


def test_update_supplier_records_what_changed_PUR_1(po):
    svc.update_supplier(po.buyer, po.hz, lead_time_days=3, is_active=False, phone="0571-1234")
    hz = type(po.hz).objects.get(pk=po.hz.pk)
    assert (hz.lead_time_days, hz.is_active) == (3, False)
    note = timeline_for(hz).filter(kind="supplier_changed").first().note
    assert "交货周期：5 → 3" in note and "启用：是 → 否" in note and "电话" not in note
    with pytest.raises(DomainError):
        svc.update_supplier(po.buyer, hz, code="GZ")


def test_contacts_added_and_removed_PUR_1(po):
    with pytest.raises(DomainError) as exc:
        svc.add_contact(po.buyer, po.hz, name="王姐")
    assert "电话或微信" in exc.value.message
    contact = svc.add_contact(po.buyer, po.hz, name="王姐", role="跟单", wechat="wang-hz")
    assert list(po.hz.contacts.values_list("name", flat=True)) == ["王姐"]
    svc.remove_contact(po.buyer, contact)
    assert not po.hz.contacts.exists()
    assert timeline_for(po.hz).filter(kind="supplier_contact").count() == 2


def test_evaluations_1_to_5_and_their_average_PUR_1(po):
    with pytest.raises(DomainError) as exc:
        svc.evaluate(po.buyer, po.hz, quality=6, delivery=4, price=4, service=4)
    assert exc.value.field == "quality" and "1 到 5" in exc.value.message
    with pytest.raises(DomainError):
        svc.evaluate(po.buyer, po.hz, quality="x", delivery=4, price=4, service=4)
    svc.evaluate(po.buyer, po.hz, quality=5, delivery=4, price=3, service=4, note="做工好")  # 4.0
    svc.evaluate(po.buyer, po.hz, quality=3, delivery=2, price=3, service=4)  # 3.0
    record = svc.quality_record(po.hz)
    assert record.evaluations == 2 and record.score == 3.5
    assert record.aspects == {"quality": 4.0, "delivery": 3.0, "price": 3.0, "service": 4.0}
    # The database refuses scores outside 1–5 even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        po.hz.evaluations.create(quality=0, delivery=1, price=1, service=1)


# ---- products supplied: one preferred supplier per product ------------------------------------------------------


def test_first_supplier_of_a_product_is_preferred_and_swap_unsets_the_old_one_PUR_1(po):
    hz_item = svc.set_supplier_product(po.buyer, po.hz, po.dress, supplier_item_code="HZ-889", unit_cost_fen=3300)
    gz_item = svc.set_supplier_product(po.buyer, po.gz, po.dress, unit_cost_fen=3100, min_order_qty=20)
    assert (hz_item.is_preferred, gz_item.is_preferred) == (True, False)
    assert svc.preferred_supplier(po.dress) == po.hz
    svc.set_preferred(po.buyer, gz_item)  # the swap: one transaction, never two preferred rows
    assert svc.preferred_supplier(po.dress) == po.gz
    assert list(
        SupplierProduct.objects.filter(product=po.dress, is_preferred=True).values_list("supplier__code", flat=True)
    ) == ["GZ"]
    assert SupplierProduct.objects.get(pk=hz_item.pk).is_preferred is False
    assert "首选供应商已改为其他供应商" in timeline_for(po.hz).filter(kind="supplier_product").first().note
    # Updating the price keeps the current choice.
    svc.set_supplier_product(po.buyer, po.hz, po.dress, unit_cost_fen=3200)
    assert svc.preferred_supplier(po.dress) == po.gz
    # And the database itself refuses a second preferred row.
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierProduct.objects.filter(pk=hz_item.pk).update(is_preferred=True)


def test_supplier_product_values_checked_PUR_1(po):
    with pytest.raises(DomainError) as exc:
        svc.set_supplier_product(po.buyer, po.hz, po.dress, unit_cost_fen=-1)
    assert exc.value.field == "unit_cost_fen"
    with pytest.raises(DomainError) as exc:
        svc.set_supplier_product(po.buyer, po.hz, po.dress, min_order_qty=0)
    assert exc.value.field == "min_order_qty"
    assert not SupplierProduct.objects.exists()


# ---- quality record (PUR-1) -------------------------------------------------------------------------------------


def _slip(order, number, counts, state=Receipt.State.POSTED, posted_day=None, supplier=None):
    posted_at = clock.at_local(posted_day, dt.time(15, 0)) if posted_day else clock.now()
    receipt = Receipt.objects.create(
        number=number,
        order=order,
        supplier=supplier,
        warehouse=order.warehouse if order else None,
        state=state,
        posted_at=posted_at if state == Receipt.State.POSTED else None,
    )
    for sku, (counted, faulty) in counts.items():
        ReceiptLine.objects.create(receipt=receipt, sku=sku, counted_qty=counted, faulty_qty=faulty)
    return receipt


def test_quality_record_from_posted_slips_exchanges_and_evaluations_PUR_1(po):
    """PUR-1: received vs faulty pieces of posted slips (a slip counts for its own supplier or its order's),
    refused exchanges, on-time slips (posted by the order's expected Beijing day), average rating."""
    black, white = po.skus["D-黑-S"], po.skus["D-白-M"]
    first, second = ordered(po), ordered(po)
    PurchaseOrder.objects.filter(pk__in=[first.pk, second.pk]).update(expected_on=dt.date(2030, 3, 10))
    _slip(fresh(first), "RK-1", {black: (60, 3), white: (20, 1)}, posted_day=dt.date(2030, 3, 10), supplier=po.hz)
    _slip(fresh(second), "RK-2", {black: (20, 0)}, posted_day=dt.date(2030, 3, 11))  # late; supplier via its order
    _slip(fresh(second), "RK-3", {white: (50, 50)}, state=Receipt.State.DRAFT)  # not posted: ignored
    gz_order = ordered(po, supplier="gz")  # expected in 10 days: a slip posted today is on time
    _slip(gz_order, "RK-4", {black: (10, 5)}, supplier=po.gz)
    SupplierExchange.objects.create(supplier=po.hz, sku=black, warehouse=po.warehouse, quantity=2, state="refused")
    SupplierExchange.objects.create(supplier=po.hz, sku=black, warehouse=po.warehouse, quantity=1, state="exchanged")
    svc.evaluate(po.buyer, po.hz, quality=4, delivery=3, price=5, service=4)

    records = svc.quality_records()
    hz, gz = records[po.hz.pk], records[po.gz.pk]
    assert (hz.received, hz.faulty, hz.refused) == (100, 4, 2)
    assert hz.defect_rate == 4.0
    assert (hz.receipts, hz.on_time, hz.on_time_rate) == (2, 1, 50.0)
    assert hz.score == 4.0
    assert (gz.received, gz.faulty, gz.defect_rate, gz.on_time_rate, gz.score) == (10, 5, 50.0, 100.0, None)
    nb = svc.create_supplier(po.buyer, code="NB", name="宁波针织")
    empty = svc.quality_records([nb.pk])[nb.pk]
    assert (empty.received, empty.defect_rate, empty.on_time_rate) == (0, None, None)


# ---- purchase documents per supplier (PUR-3) --------------------------------------------------------------------


def _documents(po):
    """Four orders with 杭州织造: A ordered (¥550 + ¥20 transport, ¥300 paid), B closed short (10 × ¥35
    ordered, 6 arrived → ¥210), a draft and a cancelled one (neither is a purchase document)."""
    a = ordered(po)
    a = order_edits.update_order(po.buyer, a, transport_cost_fen=2000)
    payments.add_payment(po.buyer, a, amount_fen=30000, paid_on=clock.today())
    b = ordered(po, lines={"D-黑-S": (10, 3500)})
    receive(b, {"D-黑-S": (6, 0)})
    orders.close_order(po.buyer, fresh(b), note="断货")
    new_order(po)
    c = ordered(po)
    orders.cancel_order(po.buyer, c)
    return a, fresh(b)


def test_statement_amount_transport_paid_owed_and_totals_PUR_3(po):
    a, b = _documents(po)
    statement = svc.supplier_statement(po.hz)
    rows = {r.order.number: (r.amount, r.transport, r.paid, r.owed) for r in statement.rows}
    assert rows == {a.number: (55000, 2000, 30000, 27000), b.number: (21000, 0, 0, 21000)}
    assert statement.totals == {"amount": 76000, "transport": 2000, "paid": 30000, "owed": 48000}
    assert svc.owed_by_supplier() == {po.hz.pk: 48000}


def test_statement_filters_by_ordering_day_PUR_3(po):
    a, b = _documents(po)
    PurchaseOrder.objects.filter(pk=b.pk).update(ordered_at=clock.at_local(dt.date(2030, 1, 5), dt.time(23, 30)))
    january = svc.supplier_statement(po.hz, dt.date(2030, 1, 1), dt.date(2030, 1, 5))
    assert [r.order.number for r in january.rows] == [b.number]
    assert january.rows[0].day == dt.date(2030, 1, 5)  # 23:30 Beijing, already the 5th in UTC terms too
    assert [r.order.number for r in svc.supplier_statement(po.hz, date_to=clock.today()).rows] == [a.number]
    assert svc.supplier_statement(po.hz, dt.date(2030, 1, 6), dt.date(2030, 1, 31)).rows == []


def test_statement_xlsx_holds_rows_and_totals_PUR_3(po):
    a, b = _documents(po)
    content = svc.statement_xlsx(svc.supplier_statement(po.hz))
    sheet = load_workbook(io.BytesIO(content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert "杭州织造" in values[0][0]
    assert values[2] == ("日期", "采购单号", "状态", "金额", "运费", "已付", "欠款")
    by_number = {row[1]: row for row in values[3:-1]}
    assert by_number[a.number][2:] == ("已下单", 550, 20, 300, 270)
    assert by_number[b.number][2:] == ("已完结", 210, 0, 0, 210)
    assert values[-1][0] == "合计" and values[-1][3:] == (760, 20, 300, 480)
