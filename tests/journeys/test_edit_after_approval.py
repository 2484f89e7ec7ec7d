"""Journey (ORD-2, ORD-7, SHIP-1, SHIP-3): an order edited after 审单 — its address, a line or its carrier — takes
its open package along (orders → OrderEdited → fulfilment): the carrier rules run again for the new address (申通
does not reach 西藏 → EMS with the remark and the remote surcharge), a printed label is voided and printed again,
the package's lines follow the order's, a carrier the rules refuse refuses the edit, and an address the rules
cannot read puts the order on hold with the reason for 审单."""

import pytest

from tests.fulfilment.test_packages import approved, package_of, package_timeline_notes
from tests.journeys.floor import shop_floor
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package, WaybillNumber
from zhanggui.fulfilment.services import printing
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits

P = Package.State
LHASA = "西藏自治区 拉萨市 城关区 北京中路1号"


@pytest.fixture
def floor(world):
    return shop_floor(world)


def move_to(world, order, address: str) -> Order:
    return edits.change_address(world.people["manager"], order, name="王小明", phone="13912345678", address=address)


def test_an_address_moved_to_tibet_after_approval_switches_to_ems_with_the_remote_surcharge(floor, world):
    """SHIP-3, ORD-2: the package was planned for 杭州 (申通, no surcharge); moved to 拉萨 it goes EMS, noted and
    remarked, with the remote surcharge — no longer 申通 at the 杭州 price."""
    order = approved(floor)
    package = package_of(order)
    assert (package.carrier.code, package.surcharge_fen) == ("STO", 0)
    move_to(world, order, LHASA)
    package.refresh_from_db()
    assert package.state == P.TO_PRINT and package.carrier.code == "EMS" and package.surcharge_fen == 1500
    assert "申通不到西藏自治区，改发EMS" in package.carrier_note
    assert "偏远地区（西藏自治区）加收¥15.00" in package.carrier_note
    assert "订单改了收货地址，重新选择快递" in package_timeline_notes(package)
    order.refresh_from_db()
    assert "EMS 申通不到西藏自治区，改发EMS" in order.seller_remark


def test_a_printed_label_is_voided_and_printed_again_after_an_address_edit(floor, world):
    """SHIP-1: the label names the old address: its number is voided, the package is back in 待打单 (timeline),
    and the next print gives it a new number."""
    order = approved(floor)
    package = package_of(order)
    printing.print_batch(world.people["manager"], [package.pk])
    package.refresh_from_db()
    old = package.waybill_no
    assert package.state == P.PRINTED and old
    move_to(world, order, "浙江省 杭州市 西湖区 文一路 8 号")
    package.refresh_from_db()
    assert package.state == P.TO_PRINT and package.waybill_no == "" and package.print_batch_id is None
    assert WaybillNumber.objects.get(number=old).voided
    assert f"订单改了收货地址，面单 {old} 作废，需重新打印" in package_timeline_notes(package)
    again = printing.print_batch(world.people["manager"], [package.pk])
    assert again.printed[0].waybill_no not in ("", old)


def test_a_quantity_edit_after_approval_is_what_the_package_carries(floor, world):
    """ORD-7: the package's lines follow the order's (2 → 3 units), and the expected weight with them."""
    order = approved(floor, qty=2)
    package = package_of(order)
    edits.change_quantity(world.people["manager"], order, 1, 3)
    package.refresh_from_db()
    assert list(package.lines.values_list("quantity", flat=True)) == [3]
    assert package.state == P.TO_PRINT


def test_a_carrier_edit_after_approval_moves_the_package_or_is_refused(floor, world):
    """ORD-2, SHIP-3: 改快递 on the order moves its package to that carrier; a carrier that does not reach the
    address, or one the carrier table does not know, is refused and nothing is kept."""
    order = approved(floor)
    move_to(world, order, LHASA)
    edits.change_carrier(world.people["manager"], order, "顺丰")
    assert package_of(order).carrier.code == "SF"
    with pytest.raises(DomainError) as err:
        edits.change_carrier(world.people["manager"], order, "圆通")
    assert err.value.code == "unreachable" and "圆通不到西藏自治区" in err.value.message
    with pytest.raises(DomainError) as err:
        edits.change_carrier(world.people["manager"], order, "火星快递")
    assert err.value.code == "unknown_carrier"
    order.refresh_from_db()
    assert order.carrier == "顺丰" and package_of(order).carrier.code == "SF"


def test_an_unreadable_new_address_sends_the_order_back_to_review_on_hold(floor, world):
    """ORD-7: the rules cannot plan a parcel for an address they cannot read: the order waits on hold with the
    reason (printing refuses it) instead of printing the old plan."""
    order = approved(floor)
    package = package_of(order)
    move_to(world, order, "某某地方 随便写的 一个地址")
    order.refresh_from_db()
    assert order.state == Order.State.ON_HOLD and order.state_before_hold == Order.State.APPROVED
    assert order.hold_reason == "重新审单：订单改了收货地址，新地址无法识别"
    with pytest.raises(DomainError) as err:
        printing.print_batch(world.people["manager"], [package.pk])
    assert "订单已挂起" in err.value.details[0]


def test_a_packed_parcel_edited_after_approval_is_printed_checked_and_weighed_again(floor, world):
    """SHIP-1: packed with the old label: back to 待打单, its scans and weight reset, the old number off it."""
    from tests.fulfilment.test_shipping import packed

    package = packed(floor, waybill="2680000000777")
    move_to(world, package.order, "浙江省 杭州市 西湖区 文一路 8 号")
    package.refresh_from_db()
    assert package.state == P.TO_PRINT and package.waybill_no == "" and package.weight_g is None
    assert set(package.lines.values_list("verified_qty", flat=True)) == {0}
    assert "面单 2680000000777 作废，需重新打印" in package_timeline_notes(package)
