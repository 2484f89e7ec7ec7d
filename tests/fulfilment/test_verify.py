"""Scan-verify and weigh (SHIP-1): the waybill finds a printed package; each scanned unit counts once
(conditional UPDATE, the check constraint behind it); a wrong or extra item raises the alarm, counts nothing and
goes on the timeline; the weight must be within the shop's tolerance before the package is packed — or a person
overrides with a reason. The scan page and the API answer in small JSON."""

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from tests.orders.test_states import build_stock, make_order
from zhanggui.core.company_settings import update_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Carrier, Package, PackageLine
from zhanggui.fulfilment.services import packages, verify
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.services import states

P = Package.State
_numbers = itertools.count(1)
RECEIVER = {"receiver_name": "王小明", "receiver_phone": "13912345678", "province": "浙江省", "city": "杭州市",
            "district": "西湖区", "address_detail": "文三路 100 号"}  # fmt: skip


@pytest.fixture
def stocked(world):
    load_carriers()
    stock = build_stock(world)
    stock.s.barcode = "6901234567892"
    stock.s.save(update_fields=["barcode"])
    return stock


def approved_order(stocked, lines=None, shop=None):
    """A paid order approved by the manager: it has one to_print package (ORD-7)."""
    n = next(_numbers)
    order = make_order(
        stocked.world,
        lines=lines or [(stocked.s, 2)],
        shop=shop,
        ordered_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
        **RECEIVER,
    )
    boss = stocked.world.people["manager"]
    states.mark_paid(boss, order)
    states.approve(boss, order)
    return order


def print_package(package: Package, waybill: str, actor=None, expected_g: int | None = None) -> Package:
    """Stand-in for the printing part: a waybill number and the move to printed."""
    with transaction.atomic():
        current = packages.lock(package)
        current.waybill_no = waybill
        current.carrier = current.carrier or Carrier.objects.get(code="STO")
        fields = ["waybill_no", "carrier"]
        if expected_g is not None:
            current.expected_weight_g = expected_g
            fields.append("expected_weight_g")
        packages.move_locked(current, P.PRINTED, actor, "打印面单", fields=fields)
    return current


def printed(stocked, waybill=None, lines=None, expected_g=None, shop=None):
    order = approved_order(stocked, lines, shop)
    package = Package.objects.get(package_orders__order=order)
    return print_package(package, waybill or f"268{next(_numbers):010d}", expected_g=expected_g)


def alarms(package):
    ct = ContentType.objects.get_for_model(Package)
    return list(Event.objects.filter(content_type=ct, object_id=str(package.pk), kind="scan_alarm").order_by("id"))


def verified(package):
    return list(PackageLine.objects.filter(package=package).order_by("id").values_list("verified_qty", flat=True))


# ---- finding the package --------------------------------------------------------------------------------------


def test_the_waybill_or_the_package_number_finds_a_printed_package(stocked):
    package = printed(stocked, "2680000000011")
    shops = [stocked.world.shop_a]
    assert verify.find_package(shops, " 2680000000011 ").pk == package.pk
    assert verify.find_package(shops, package.package_no).pk == package.pk


def test_another_shops_package_is_not_found(stocked):
    """Shop scope: a packer of shop_b scanning shop_a's waybill finds nothing."""
    printed(stocked, "2680000000012")
    with pytest.raises(DomainError) as err:
        verify.find_package([stocked.world.shop_b], "2680000000012")
    assert err.value.code == "not_found" and "找不到" in err.value.message


@pytest.mark.parametrize(
    ("state", "code", "words"),
    sorted(
        [
            ("to_print", "not_printed", "还没有打印面单"),
            ("cancelled", "package_cancelled", "已取消"),
            ("packed", "package_packed", "已验货打包"),
            ("shipped", "package_shipped", "已发货"),
        ]
    ),
)
def test_only_printed_packages_can_be_verified(stocked, state, code, words):
    """SHIP-1: verification starts from 已打单; every other state is refused in Chinese."""
    package = printed(stocked, "2680000000013")
    Package.objects.filter(pk=package.pk).update(state=state)
    with pytest.raises(DomainError) as err:
        verify.find_package([stocked.world.shop_a], "2680000000013")
    assert err.value.code == code and words in err.value.message


# ---- scanning items -------------------------------------------------------------------------------------------


def test_each_scan_counts_one_unit_by_code_or_barcode_and_never_more_than_the_line(stocked):
    """SHIP-1: verify the goods against the waybill (item code and quantity); an extra unit is an alarm."""
    packer = stocked.world.people["warehouse"]
    package = printed(stocked)  # 2 × D-黑-S
    first = verify.scan_item(packer, package, "D-黑-S")
    assert first.counted and not first.alarm and not first.complete
    second = verify.scan_item(packer, package, "6901234567892")  # the barcode
    assert second.counted and second.complete and verified(package) == [2]
    extra = verify.scan_item(packer, package, "D-黑-S")
    assert extra.alarm == "extra_item" and not extra.counted and "多货" in extra.message
    assert verified(package) == [2]
    assert [e.note for e in alarms(package)] == [extra.message]


def test_a_wrong_item_raises_the_alarm_and_counts_nothing(stocked):
    packer = stocked.world.people["warehouse"]
    package = printed(stocked)
    result = verify.scan_item(packer, package, "D-黑-M")  # a real SKU, not in this parcel
    assert result.alarm == "wrong_item" and "错货" in result.message and "D-黑-M" in result.message
    assert verified(package) == [0]
    assert len(alarms(package)) == 1 and alarms(package)[0].actor_number == packer.number


def test_the_database_refuses_a_count_above_the_quantity(stocked):
    """SHIP-1: the check constraint package_line_not_over backs the conditional UPDATE."""
    package = printed(stocked)
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageLine.objects.filter(package=package).update(verified_qty=3)


def test_a_scan_counts_nothing_once_the_package_left_printed(stocked):
    """A package cancelled while the packer was scanning: the conditional UPDATE counts nothing."""
    packer = stocked.world.people["warehouse"]
    package = printed(stocked)
    Package.objects.filter(pk=package.pk).update(state=P.CANCELLED)
    with pytest.raises(DomainError) as err:
        verify.scan_item(packer, package, "D-黑-S")
    assert err.value.code == "package_moved" and verified(package) == [0]


# ---- weighing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "grams"),
    sorted([("1200", 1200), ("1200g", 1200), ("1.2kg", 1200), ("1.2", 1200), ("0.35 KG", 350), ("2公斤", 2000)]),
)
def test_weights_are_read_in_grams_or_kilograms(typed, grams):
    assert verify.parse_weight(typed) == grams


@pytest.mark.parametrize("typed", sorted(["", "abc", "0", "-5", "200kg"]))
def test_nonsense_weights_are_refused(typed):
    with pytest.raises(DomainError):
        verify.parse_weight(typed)


def scanned(stocked, expected_g=1000, **kw):
    packer = stocked.world.people["warehouse"]
    package = printed(stocked, expected_g=expected_g, **kw)
    for _ in range(2):
        verify.scan_item(packer, package, "D-黑-S")
    return package


def test_weighing_before_every_item_is_scanned_is_refused(stocked):
    packer = stocked.world.people["warehouse"]
    package = printed(stocked, expected_g=1000)
    verify.scan_item(packer, package, "D-黑-S")
    with pytest.raises(DomainError) as err:
        verify.weigh(packer, package, "1000")
    assert err.value.code == "not_verified" and "还差 1 件" in err.value.message


def test_a_weight_within_tolerance_packs_the_package(stocked):
    """SHIP-1: weigh → pass → packed, with the weight, the time and the packer."""
    packer = stocked.world.people["warehouse"]
    package = scanned(stocked, expected_g=1000)
    result = verify.weigh(packer, package, "1.08kg")  # 10 % of 1000 g = 100 g > 50 g
    package.refresh_from_db()
    assert not result.alarm and package.state == P.PACKED
    assert package.weight_g == 1080 and package.packed_by == packer and package.packed_at is not None


@pytest.mark.parametrize(
    ("pct", "grams", "weight", "passes"),
    sorted(
        [
            (10, 50, "1101", False),  # allowed ±100 g (10 % of 1000)
            (10, 50, "1100", True),
            (10, 50, "899", False),
            (2, 50, "1050", True),  # allowed ±50 g (the grams are larger than 2 %)
            (2, 50, "1051", False),
            (0, 0, "1001", False),
        ]
    ),
)
def test_the_tolerance_is_the_larger_of_percent_and_grams(stocked, pct, grams, weight, passes):
    """SHIP-1 company settings fulfilment.weight_tolerance_pct / _g (one packing station for every shop)."""
    boss = stocked.world.people["manager"]
    update_company_settings(boss, {"fulfilment.weight_tolerance_pct": pct, "fulfilment.weight_tolerance_g": grams})
    package = scanned(stocked, expected_g=1000)
    result = verify.weigh(stocked.world.people["warehouse"], package, weight)
    package.refresh_from_db()
    assert (package.state == P.PACKED) is passes
    assert (result.alarm == "weight") is not passes


def test_a_wrong_weight_alarms_and_a_reason_lets_it_pass(stocked):
    packer = stocked.world.people["warehouse"]
    package = scanned(stocked, expected_g=1000)
    result = verify.weigh(packer, package, "1500")
    package.refresh_from_db()
    assert result.alarm == "weight" and "重了 500 克" in result.message and package.state == P.PRINTED
    assert package.weight_g is None and alarms(package)[-1].note == result.message
    verify.weigh(packer, package, "1500", override_reason="赠品比预计的重")
    package.refresh_from_db()
    assert package.state == P.PACKED and package.weight_g == 1500


# ---- the page and the API -------------------------------------------------------------------------------------


def test_the_scan_page_walks_waybill_items_and_weight(stocked, client_for):
    packer = stocked.world.people["warehouse"]
    package = printed(stocked, "2680000000021", expected_g=1000)
    client = client_for(packer)
    page = client.get("/shipping/scan/")
    assert (
        page.status_code == 200 and 'id="scan-input"' in page.content.decode() and "autofocus" in page.content.decode()
    )
    found = client.post("/shipping/scan/code/", {"code": "2680000000021", "step": "waybill"}).json()
    assert found["package_id"] == package.pk and found["lines"][0]["needed"] == 2 and not found["complete"]
    wrong = client.post("/shipping/scan/code/", {"code": "D-黑-M", "package": package.pk}).json()
    assert wrong["alarm"] == "wrong_item"
    for _ in range(2):
        last = client.post("/shipping/scan/code/", {"code": "D-黑-S", "package": package.pk}).json()
    assert last["complete"] and last["lines"][0]["scanned"] == 2
    done = client.post("/shipping/scan/weigh/", {"weight": "1.02", "package": package.pk}).json()
    assert done["state"] == "packed" and not done["alarm"]


def test_the_scan_page_answers_refusals_in_chinese_without_a_500(stocked, client_for):
    client = client_for(stocked.world.people["warehouse"])
    resp = client.post("/shipping/scan/code/", {"code": "NOPE", "step": "waybill"})
    assert resp.status_code == 400 and "找不到" in resp.json()["error"]


def test_the_scan_page_is_for_packers_only(stocked, client_for):
    assert client_for(stocked.world.people["cs"]).get("/shipping/scan/").status_code == 403


def test_the_api_scans_and_weighs(stocked, client_for):
    package = printed(stocked, "2680000000031", expected_g=0)  # no expected weight: any weight passes
    client = client_for(stocked.world.people["warehouse"])
    found = client.post("/api/v1/scan", {"code": "2680000000031"}, content_type="application/json").json()
    assert found["package_id"] == package.pk
    for _ in range(2):
        item = client.post(
            "/api/v1/scan", {"code": "D-黑-S", "package_id": package.pk}, content_type="application/json"
        ).json()
    assert item["complete"]
    weighed = client.post(
        f"/api/v1/packages/{package.pk}/weigh", {"weight": "800"}, content_type="application/json"
    ).json()
    assert weighed["state"] == "packed" and weighed["weight_g"] == 800
