"""Ship (SHIP-1): packed → shipped once (the Shipment row is one-to-one with the package; two people at
once ship it once — PostgreSQL test below); stock committed with the waybill number (whole order, or only the
package's lines via stock.commit_part for a split order); the order gets carrier + tracking and 已发货 or 部分发货;
the platform batch-ship files; the daily shipping record."""

import csv
import io
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.fulfilment.test_verify import approved_order, print_package, printed
from tests.fulfilment.test_verify import stocked as stocked  # the fixture
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier, Package, Shipment
from zhanggui.fulfilment.services import packages, shipping, verify
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order
from zhanggui.orders.services import states

P = Package.State
S = Order.State


def packed(stocked, **kw) -> Package:
    """A printed package, every item scanned, weighed and packed."""
    packer = stocked.world.people["warehouse"]
    package = printed(stocked, **kw)
    for line in verify.package_lines(package):
        for _ in range(line["needed"]):
            verify.scan_item(packer, package, line["code"])
    verify.weigh(packer, package, "500")
    package.refresh_from_db()
    assert package.state == P.PACKED
    return package


def level(sku):
    return StockLevel.objects.values_list("on_hand", "reserved").get(sku=sku)


def ship_entries(waybill):
    return list(
        LedgerEntry.objects.filter(reason="ship", document=waybill)
        .order_by("sku_id")
        .values_list("sku__code", "on_hand_change", "reserved_change")
    )


# ---- ship -----------------------------------------------------------------------------------------------------


def test_shipping_commits_stock_and_moves_the_order_to_shipped(stocked):
    """SHIP-1: packed → shipped; stock leaves in one ledger entry per SKU with the waybill number; the order gets
    the carrier and tracking number and 已发货."""
    package = packed(stocked, waybill="2680000000101")  # 2 × D-黑-S of 10
    assert level(stocked.s) == (10, 2)
    shipper = stocked.world.people["warehouse"]
    shipping.ship_package(shipper, package)
    package.refresh_from_db()
    order = package.order
    order.refresh_from_db()
    assert package.state == P.SHIPPED and package.shipped_at is not None
    shipment = Shipment.objects.get(package=package)
    assert shipment.waybill_no == "2680000000101" and shipment.ship_day == clock.today()
    assert shipment.shipped_by == shipper and shipment.weight_g == 500
    assert level(stocked.s) == (8, 0)
    assert ship_entries("2680000000101") == [("D-黑-S", -2, -2)]
    assert order.state == S.SHIPPED and order.tracking_no == "2680000000101" and order.carrier == "申通快递"
    assert list(order.lines.values_list("shipped_qty", flat=True)) == [2]


def test_a_package_ships_once(stocked):
    """SHIP-1: the second press is refused in Chinese; stock moved once."""
    package = packed(stocked)
    shipping.ship_package(None, package)
    with pytest.raises(DomainError) as err:
        shipping.ship_package(None, package)
    assert err.value.code == "already_shipped" and "不能重复发货" in err.value.message
    assert Shipment.objects.filter(package=package).count() == 1 and level(stocked.s) == (8, 0)


def test_the_database_refuses_a_second_shipment_row(stocked):
    """The one-to-one key is the database's word, whatever the code above it does."""
    from django.db import IntegrityError

    package = packed(stocked)
    shipping.ship_package(None, package)
    s = Shipment.objects.get(package=package)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.create(package=package, shop=s.shop, carrier=s.carrier, waybill_no="X", ship_day=s.ship_day,
                                shipped_at=s.shipped_at)  # fmt: skip


@pytest.mark.parametrize("state", sorted(["printed", "to_print", "cancelled"]))
def test_only_packed_packages_ship(stocked, state):
    package = printed(stocked)
    Package.objects.filter(pk=package.pk).update(state=state)
    with pytest.raises(DomainError):
        shipping.ship_package(None, package)
    assert not Shipment.objects.exists() and level(stocked.s) == (10, 2)


def test_an_order_on_hold_does_not_ship(stocked):
    package = packed(stocked)
    states.hold(stocked.world.people["manager"], package.order, "买家要求改地址")
    with pytest.raises(DomainError) as err:
        shipping.ship_package(None, package)
    assert err.value.code == "order_not_shippable" and not Shipment.objects.exists()


def split(stocked):
    """An order of 2 × S and 1 × M split into two packages: the auto package cancelled, two planned by hand."""
    order = approved_order(stocked, lines=[(stocked.s, 2), (stocked.m, 1)])
    boss = stocked.world.people["manager"]
    with transaction.atomic():
        packages.cancel_for_order(order, boss, "拆单")
    line_s, line_m = order.lines.order_by("line_no")
    first = packages.create_package([order], [(line_s, 2)], boss)
    second = packages.create_package([order], [(line_m, 1)], boss)
    return order, first, second


def pack(stocked, package, waybill):
    packer = stocked.world.people["warehouse"]
    print_package(package, waybill)
    for line in verify.package_lines(package):
        for _ in range(line["needed"]):
            verify.scan_item(packer, package, line["code"])
    verify.weigh(packer, package, "300")


def test_a_split_order_ships_part_then_the_rest(stocked):
    """SHIP-1 + split: the first parcel commits only its lines (stock.commit_part) and the order is 部分发货; the
    last one commits what is left of the order's reservation and the order is 已发货."""
    order, first, second = split(stocked)
    assert level(stocked.s) == (10, 2) and level(stocked.m) == (1, 1)
    pack(stocked, first, "2680000000201")
    shipping.ship_package(None, first)
    order.refresh_from_db()
    assert order.state == S.PART_SHIPPED and order.tracking_no == "2680000000201"
    assert level(stocked.s) == (8, 0) and level(stocked.m) == (1, 1)
    assert ship_entries("2680000000201") == [("D-黑-S", -2, -2)]
    assert Reservation.objects.get(sku=stocked.m).state == "open"
    pack(stocked, second, "2680000000202")
    shipping.ship_package(None, second)
    order.refresh_from_db()
    assert order.state == S.SHIPPED and order.tracking_no == "2680000000202"
    assert level(stocked.m) == (0, 0) and ship_entries("2680000000202") == [("D-黑-M", -1, -1)]
    assert list(order.lines.order_by("line_no").values_list("shipped_qty", flat=True)) == [2, 1]
    assert not Reservation.objects.filter(state="open").exists()


# ---- stock.commit_part ----------------------------------------------------------------------------------------


def test_commit_part_takes_part_of_an_open_reservation(stocked):
    """commit_part: on hand and reserved down together, one ledger entry per SKU with the document; the rest of
    the reservation stays open."""
    stock.reserve("order:900", [(stocked.s, 5)])
    entries = stock.commit_part("order:900", [(stocked.s.pk, 2)], "WB1")
    assert [(e.on_hand_change, e.reserved_change, e.document, e.note) for e in entries] == [
        (-2, -2, "WB1", "order:900")
    ]
    assert level(stocked.s) == (8, 3)
    assert Reservation.objects.get(reference="order:900").quantity == 3
    stock.commit_part("order:900", [(stocked.s.pk, 3)], "WB2")
    assert level(stocked.s) == (5, 0) and Reservation.objects.get(reference="order:900").state == "committed"


def test_commit_part_ships_unreserved_units_from_available_stock(stocked):
    """An order that was out of stock had nothing reserved: its units leave from the available stock."""
    stock.commit_part("order:901", [(stocked.s, 4)], "WB3")
    assert level(stocked.s) == (6, 0) and ship_entries("WB3") == [("D-黑-S", -4, 0)]


def test_commit_part_refuses_more_than_there_is(stocked):
    stock.reserve("order:902", [(stocked.s, 9)])
    with pytest.raises(DomainError) as err:
        stock.commit_part("order:903", [(stocked.s, 2)], "WB4")  # 1 available
    assert err.value.code == "insufficient_stock" and level(stocked.s) == (10, 9)
    assert not ship_entries("WB4")


# ---- batch ship ----------------------------------------------------------------------------------------------


def test_ship_packages_ships_each_and_reports_refusals(stocked):
    good = packed(stocked)
    not_ready = printed(stocked)
    outcome = shipping.ship_packages(None, [good.pk, not_ready.pk])
    assert [p.pk for p in outcome.shipped] == [good.pk]
    assert [pk for pk, _ in outcome.refused] == [not_ready.pk] and "验货打包后才能发货" in outcome.refused[0][1]


# ---- batch-ship files and the daily record --------------------------------------------------------------------


def rows_of(data: bytes, encoding: str):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_the_taobao_batch_ship_file_is_gbk_with_order_carrier_and_waybill(stocked):
    """SHIP-1 批量发货: Taobao's upload columns 订单编号, 物流公司, 运单号 in GBK, the carrier as Taobao names it."""
    package = packed(stocked, waybill="2680000000301")
    shipping.ship_package(None, package)
    name, data = shipping.batch_ship_file(stocked.world.shop_a, clock.today())
    assert name.endswith(".csv") and "tb-a" in name
    assert rows_of(data, "gbk") == [["订单编号", "物流公司", "运单号"],
                                    [package.order.platform_order_no, "申通快递", "2680000000301"]]  # fmt: skip
    assert Shipment.objects.get(package=package).uploaded_at is not None


def test_the_jd_file_names_the_carrier_as_jd_expects(stocked):
    sto = Carrier.objects.get(code="STO")
    sto.platform_codes = {**sto.platform_codes, "jd": {"code": "470", "name": "申通快递(京东)"}}
    sto.save()
    package = packed(stocked, shop=stocked.world.shop_b, waybill="2680000000302")
    shipping.ship_package(None, package)
    _name, data = shipping.batch_ship_file(stocked.world.shop_b, clock.today())
    assert rows_of(data, "gbk")[0] == ["订单号", "物流公司", "运单号"]
    assert rows_of(data, "gbk")[1][1:] == ["申通快递(京东)", "2680000000302"]


def test_platform_batch_ship_files_carry_only_that_platforms_orders(stocked):
    """SHIP-1 批量发货: a manual order (our SD… number) shipped from a Taobao shop is not in Taobao's file — the
    seller centre rejects order numbers it never issued — and its shipment is not marked uploaded; the platform's
    own order is in it."""
    ours = packed(stocked, waybill="2680000000303")
    Order.objects.filter(pk=ours.order_id).update(source=Order.Source.MANUAL, platform_order_no="SD20261207-0001")
    theirs = packed(stocked, waybill="2680000000304")
    for package in (ours, theirs):
        shipping.ship_package(None, package)
    _name, data = shipping.batch_ship_file(stocked.world.shop_a, clock.today())
    assert rows_of(data, "gbk")[1:] == [[theirs.order.platform_order_no, "申通快递", "2680000000304"]]
    assert "SD20261207-0001" not in data.decode("gbk")
    assert Shipment.objects.get(package=ours).uploaded_at is None
    assert Shipment.objects.get(package=theirs).uploaded_at is not None


def test_the_daily_record_page_lists_the_day_and_ships_packed_packages(stocked, client_for):
    package = packed(stocked, waybill="2680000000401")
    client = client_for(stocked.world.people["warehouse"])
    before = client.get("/shipping/shipped/").content.decode()
    assert package.package_no in before and "ship-form" in before
    resp = client.post("/shipping/ship/", {"package": [package.pk], "next": "/shipping/shipped/"})
    assert resp.status_code == 302
    day = clock.today().isoformat()
    page = client.get(f"/shipping/shipped/?day={day}").content.decode()
    assert "2680000000401" in page and "summary-table" in page
    file = client.get(f"/shipping/shipped/file/?day={day}&shop={stocked.world.shop_a.pk}")
    assert file.status_code == 200 and "2680000000401" in file.content.decode("gbk")
    pdf = client.get(f"/shipping/shipped/pdf/?day={day}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_api_ships_once_and_lists_the_day(stocked, client_for):
    package = packed(stocked, waybill="2680000000501")
    client = client_for(stocked.world.people["warehouse"])
    first = client.post(f"/api/v1/packages/{package.pk}/ship")
    assert first.status_code == 200 and first.json()["waybill_no"] == "2680000000501"
    again = client.post(f"/api/v1/packages/{package.pk}/ship")
    assert again.status_code == 400 and again.json()["code"] == "already_shipped"
    assert "不能重复发货" in again.json()["message"]
    listed = client.get(f"/api/v1/shipments?day={clock.today().isoformat()}").json()
    assert [s["waybill_no"] for s in listed] == ["2680000000501"]
    other = client_for(stocked.world.outsider).get(f"/api/v1/shipments?day={clock.today().isoformat()}")
    assert other.status_code == 200 and other.json() == []  # shop scope: shop_a's shipments are not theirs


# ---- concurrency (PostgreSQL) ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_shipping_the_same_package_ship_it_once(world):
    """SHIP-1: two threads press 发货 on one package at once: exactly one Shipment, stock committed once, the other
    gets a Chinese refusal (never a 500)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from tests.fulfilment.test_verify import build_stock, load_carriers

    load_carriers()
    stocked_ = build_stock(world)
    package = packed(stocked_, waybill="2680000000601")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            shipping.ship_package(None, package.pk)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_shipped", "ok"]
    assert Shipment.objects.filter(package=package).count() == 1
    assert level(stocked_.s) == (8, 0) and len(ship_entries("2680000000601")) == 1
