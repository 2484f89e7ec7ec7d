"""Print batches (SHIP-1): the picked 待打单 packages print in order time with numbers from the pool, their orders go
to 待发货; held or closed orders are refused with the reason while the rest print; reprints need a reason and are
recorded; a voided waybill sends the package back to the queue. Pages, PDFs and the API on top."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.fulfilment.test_packages import approved, login, make_stocked, package_of, pool
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package, PrintBatch, WaybillNumber, WaybillPrint
from zhanggui.fulfilment.services import printing
from zhanggui.orders.models import Order
from zhanggui.orders.services import states

P = Package.State


@pytest.fixture
def stocked(world):
    return make_stocked(world)


def test_batch_prints_in_order_time_and_sends_orders_to_ship(stocked):
    """SHIP-1: numbers are handed out in order time, whatever order the boxes were ticked in."""
    pool(10)
    late, early = approved(stocked, minute=30), approved(stocked, minute=5)
    ids = [package_of(late).pk, package_of(early).pk]
    result = printing.print_batch(stocked.world.people["warehouse"], ids, "100x180")
    assert result.refused == [] and result.batch.label_size == "100x180" and result.batch.package_count == 2
    first, second = package_of(early), package_of(late)
    assert (first.waybill_no, second.waybill_no) == ("2680000000001", "2680000000002")
    for p in (first, second):
        assert p.state == P.PRINTED and p.print_count == 1 and p.printed_at and p.print_batch == result.batch
        assert WaybillNumber.objects.get(number=p.waybill_no).package == p
        assert p.order.state == Order.State.TO_SHIP
    prints = WaybillPrint.objects.filter(batch=result.batch)
    assert prints.count() == 2 and not prints.filter(reprint=True).exists()
    assert prints.first().printed_by == stocked.world.people["warehouse"]


def test_held_order_is_refused_with_the_reason_others_print(stocked):
    pool(10)
    held, fine = approved(stocked), approved(stocked)
    states.hold(stocked.world.people["manager"], held, "买家要求改地址")
    result = printing.print_batch(stocked.world.people["warehouse"], [package_of(held).pk, package_of(fine).pk])
    assert [p.order_id for p in result.printed] == [fine.pk]
    assert result.refused == [(package_of(held).package_no, f"订单已挂起（{held.platform_order_no}）")]
    assert package_of(held).state == P.TO_PRINT and not package_of(held).waybill_no


def test_nothing_printable_raises_with_the_reasons(stocked):
    pool(10)
    order = approved(stocked)
    states.hold(stocked.world.people["manager"], order, "风控")
    with pytest.raises(DomainError) as caught:
        printing.print_batch(stocked.world.people["warehouse"], [package_of(order).pk])
    assert caught.value.details == [f"包裹 {package_of(order).package_no}：订单已挂起（{order.platform_order_no}）"]
    assert not PrintBatch.objects.exists()


def test_a_short_pool_prints_what_it_can(stocked):
    pool(1)
    a, b = approved(stocked, minute=1), approved(stocked, minute=2)
    result = printing.print_batch(stocked.world.people["warehouse"], [package_of(a).pk, package_of(b).pk])
    assert [p.order_id for p in result.printed] == [a.pk]
    assert "运单号余量不足" in result.refused[0][1]


def test_no_account_for_the_carrier_is_refused(stocked):
    order = approved(stocked)
    with pytest.raises(DomainError) as caught:
        printing.print_batch(stocked.world.people["warehouse"], [package_of(order).pk])
    assert "没有可用的电子面单账号" in caught.value.details[0]


def test_other_shops_and_already_printed_packages_are_refused(stocked):
    pool(10)
    mine, theirs = approved(stocked), approved(stocked, shop=stocked.world.shop_b)
    warehouse = stocked.world.people["warehouse"]
    printing.print_batch(warehouse, [package_of(mine).pk])
    with pytest.raises(DomainError) as caught:
        printing.print_batch(warehouse, [package_of(mine).pk, package_of(theirs).pk])
    assert any("不是待打单" in d for d in caught.value.details)
    assert any("不在你的店铺范围内" in d for d in caught.value.details)


def test_bad_size_is_refused(stocked):
    with pytest.raises(DomainError, match="76×130"):
        printing.print_batch(stocked.world.people["warehouse"], [1], "A4")


def test_batch_queries_do_not_grow_with_packages(stocked):
    """SHIP-1: packages are read, numbered and updated set-based, and their orders move to 待发货 as one set
    (states.send_to_ship_many); 200 against 20 packages: tests/fulfilment/test_print_all.py."""
    pool(40)
    warehouse = stocked.world.people["warehouse"]

    def count(n):
        orders = [approved(stocked) for _ in range(n)]
        ids = [package_of(o).pk for o in orders]
        with CaptureQueriesContext(connection) as ctx:
            printing.print_batch(warehouse, ids)
        assert all(package_of(o).order.state == Order.State.TO_SHIP for o in orders)
        return len(ctx.captured_queries)

    assert count(2) == count(8)


# ---- reprint and void --------------------------------------------------------------------------------------------


def test_reprint_needs_a_reason_and_is_recorded(stocked):
    pool(5)
    package = package_of(approved(stocked))
    warehouse = stocked.world.people["warehouse"]
    printing.print_batch(warehouse, [package.pk])
    with pytest.raises(DomainError, match="原因"):
        printing.reprint(warehouse, package, "  ")
    again = printing.reprint(warehouse, package, "面单卡纸")
    assert again.print_count == 2
    record = WaybillPrint.objects.get(package=package, reprint=True)
    assert record.reason == "面单卡纸" and record.printed_by == warehouse


def test_a_package_never_printed_cannot_be_reprinted(stocked):
    with pytest.raises(DomainError, match="没有可补打"):
        printing.reprint(None, package_of(approved(stocked)), "卡纸")


def test_void_sends_back_to_the_queue_and_the_next_print_takes_a_new_number(stocked):
    pool(5)
    package = package_of(approved(stocked))
    warehouse = stocked.world.people["warehouse"]
    printing.print_batch(warehouse, [package.pk])
    old = package_of(package.order).waybill_no
    voided = printing.void_waybill(warehouse, package, "选错快递")
    assert voided.state == P.TO_PRINT and voided.waybill_no == ""
    assert WaybillNumber.objects.get(number=old).voided
    printing.print_batch(warehouse, [package.pk])
    assert package_of(package.order).waybill_no not in ("", old)


# ---- pages and API -----------------------------------------------------------------------------------------------


def test_print_button_makes_a_batch_and_its_page_and_pdfs(stocked):
    pool(5)
    a, b = approved(stocked), approved(stocked)
    client = login(stocked.world, "warehouse")
    resp = client.post("/shipping/print/", {"package": [package_of(a).pk, package_of(b).pk], "size": "76x130"})
    batch = PrintBatch.objects.get()
    assert resp.status_code == 302 and resp.url == f"/shipping/batches/{batch.pk}/"
    page = client.get(resp.url)
    assert page.status_code == 200 and package_of(a).waybill_no in page.content.decode()
    assert page.context["pick_rows"][0].quantity == 2
    for name in ("labels", "slips", "picking"):
        pdf = client.get(f"/shipping/batches/{batch.pk}/{name}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), name
    assert client.get("/shipping/batches/").status_code == 200


def test_batch_of_another_shop_is_not_found(stocked):
    pool(5)
    order = approved(stocked)
    result = printing.print_batch(stocked.world.people["manager"], [package_of(order).pk])
    assert login(stocked.world, "outsider").get(f"/shipping/batches/{result.batch.pk}/").status_code == 404


def test_reprint_and_void_buttons(stocked):
    pool(5)
    package = package_of(approved(stocked))
    client = login(stocked.world, "warehouse")
    client.post("/shipping/print/", {"package": [package.pk]})
    resp = client.post(f"/shipping/{package.pk}/reprint/", {"reason": "打印机卡纸"})
    assert resp.status_code == 302 and resp.url.endswith("/label.pdf")
    assert client.get(resp.url).content.startswith(b"%PDF")
    client.post(f"/shipping/{package.pk}/void/", {"reason": "换顺丰"})
    assert package_of(package.order).state == P.TO_PRINT
    detail = client.get(f"/shipping/{package.pk}/").content.decode()
    assert "打印机卡纸" in detail


def test_api_print_batch_reprint_and_labels(stocked):
    pool(5)
    package = package_of(approved(stocked))
    client = login(stocked.world, "warehouse")
    resp = client.post(
        "/api/v1/print-batches", {"package_ids": [package.pk], "size": "76x130"}, content_type="application/json"
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["package_ids"] == [package.pk] and body["waybill_numbers"] == ["2680000000001"]
    labels = client.get(f"/api/v1/print-batches/{body['id']}/labels")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")
    refused = client.post(f"/api/v1/packages/{package.pk}/reprint", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400
    ok = client.post(f"/api/v1/packages/{package.pk}/reprint", {"reason": "卡纸"}, content_type="application/json")
    assert ok.json()["print_count"] == 2
    detail = client.get(f"/api/v1/packages/{package.pk}").json()
    assert detail["waybill_no"] == "2680000000001" and detail["lines"][0]["quantity"] == 1
    listed = client.get("/api/v1/packages", {"q": "2680000000001"}).json()
    assert [p["id"] for p in listed] == [package.pk]


def test_cs_may_not_print(stocked):
    pool(5)
    package = package_of(approved(stocked))
    resp = login(stocked.world, "cs").post("/shipping/print/", {"package": [package.pk]})
    assert resp.status_code == 403 and package_of(package.order).state == P.TO_PRINT


def test_numbers_follow_order_time_across_shops_sharing_an_account(stocked):
    """SHIP-1: one all-shops account hands out its numbers in order time, whichever shop each package is from."""
    pool(10)
    a = approved(stocked, minute=1)
    b = approved(stocked, minute=2, shop=stocked.world.shop_b)
    c = approved(stocked, minute=3)
    printing.print_batch(stocked.world.people["manager"], [package_of(o).pk for o in (c, b, a)])
    assert [package_of(o).waybill_no[-1] for o in (a, b, c)] == ["1", "2", "3"]


def test_batch_numbers_run_per_day_so_batches_in_one_second_never_collide(db):
    """SHIP-1: several print runs in the same second (a demo, a script, two printers) get distinct numbers."""
    import datetime as dt

    from zhanggui.fulfilment.models import PrintBatch
    from zhanggui.fulfilment.services.printing import _create_batch

    moment = dt.datetime(2026, 12, 3, 9, 0, 0, tzinfo=dt.UTC)  # 17:00 in Beijing
    numbers = [_create_batch(moment, package_count=1).batch_no for _ in range(3)]
    assert numbers == ["B2612030001", "B2612030002", "B2612030003"]
    assert PrintBatch.objects.count() == 3
