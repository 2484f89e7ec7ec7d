"""The order state machine (ORD-4, ORD-7): one transition table, one function per move, timeline with 工号,
versions; ORD-4 reservation on payment and release on closing; ORD-5 bank-transfer hold."""

import pytest
from django.contrib.contenttypes.models import ContentType

from zhanggui.catalog.services.products import create_product
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.models import Event
from zhanggui.inventory.models import Reservation, StockLevel, Warehouse
from zhanggui.inventory.services.stock import receive_stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import states
from zhanggui.orders.services.states import TRANSITIONS

S = Order.State


class Stock:
    pass


@pytest.fixture
def stocked(world):
    return build_stock(world)


def build_stock(world) -> Stock:
    """world + a default warehouse + product D (black S/M) with 10 black-S and 1 black-M on hand."""
    s = Stock()
    s.world = world
    s.warehouse = Warehouse.objects.create(code="MAIN", name="主仓", is_default=True)
    product = create_product(world.people["manager"], style_code="D", name="连衣裙", colours=["黑"], sizes=["S", "M"])
    skus = {sku.code: sku for sku in product.skus.all()}
    s.s, s.m = skus["D-黑-S"], skus["D-黑-M"]
    receive_stock(world.people["manager"], s.s, s.warehouse, 10, reason="opening")
    receive_stock(world.people["manager"], s.m, s.warehouse, 1, reason="opening")
    return s


_numbers = iter(range(1, 10_000))


def make_order(world, *, state=S.PENDING_PAYMENT, lines=(), shop=None, **extra) -> Order:
    order = Order.objects.create(
        shop=shop or world.shop_a, platform_order_no=f"T{next(_numbers):06d}", state=state, **extra
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, line_no=n, sku=sku, outer_code=getattr(sku, "code", "X"), quantity=qty)
            for n, (sku, qty) in enumerate(lines, start=1)
        ]
    )
    return order


def level(sku) -> StockLevel:
    return StockLevel.objects.get(sku=sku)


def state_events(order):
    ct = ContentType.objects.get_for_model(Order)
    return list(Event.objects.filter(content_type=ct, object_id=str(order.pk), kind="order_state").order_by("id"))


# ---- the table -------------------------------------------------------------------------------------------------


def test_happy_path_every_move_on_the_timeline_with_the_staff_number(stocked):
    """ORD-4, ORD-7: 待付款 → 待审核 → 已审核 → 待发货 → 部分发货 → 已发货 → 已签收 → 交易成功, each recorded."""
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 2)])
    states.mark_paid(cs, order)
    assert order.state == S.TO_REVIEW and order.paid_at is not None
    states.approve(cs, order, version=order.version)
    states.send_to_ship(cs, order, version=order.version)
    states.ship_partly(cs, order, carrier="中通", tracking_no="ZT1")
    states.ship(cs, order, carrier="中通", tracking_no="ZT2")
    assert order.tracking_no == "ZT2" and order.shipped_at is not None
    states.sign(cs, order)
    states.complete(cs, order)
    order.refresh_from_db()
    assert order.state == S.COMPLETED and order.completed_at is not None
    assert order.version == 8
    events = state_events(order)
    assert [(e.from_state, e.to_state) for e in events] == [
        ("待付款", "待审核"),
        ("待审核", "已审核"),
        ("已审核", "待发货（打单）"),
        ("待发货（打单）", "部分发货"),
        ("部分发货", "已发货"),
        ("已发货", "已签收"),
        ("已签收", "交易成功"),
    ]
    assert {e.actor_number for e in events} == {cs.number}
    assert "ZT2" in events[4].note


@pytest.mark.parametrize(
    "start,to",
    # sorted: TRANSITIONS holds sets, and every xdist worker must collect the same test ids in the same order
    sorted((a, b) for a, targets in TRANSITIONS.items() for b in targets if a != S.ON_HOLD),
)
def test_every_legal_transition_of_the_table(world, start, to):
    """ORD-7: every move the table allows succeeds through `transition` and bumps the version."""
    order = make_order(world, state=start)
    moved = states.transition(order, to, world.people["manager"], note="测试")
    assert moved.state == to and order.state == to and moved.version == 2
    assert state_events(order)[-1].to_state == states.state_label(to)


@pytest.mark.parametrize(
    "start,to",
    sorted((a, b) for a in TRANSITIONS for b in S.values if b not in TRANSITIONS[a] and b != a and a != S.ON_HOLD),
)
def test_illegal_transitions_are_refused_naming_both_states(world, start, to):
    order = make_order(world, state=start)
    with pytest.raises(IllegalTransition) as info:
        states.transition(order, to, world.people["manager"])
    assert states.state_label(start) in info.value.message and states.state_label(to) in info.value.message
    order.refresh_from_db()
    assert order.state == start and order.version == 1 and not state_events(order)


def test_final_states_have_no_way_out_and_completed_cannot_close(world):
    for final in (S.COMPLETED, S.CLOSED):
        with pytest.raises(IllegalTransition):
            states.close(world.people["cs"], make_order(world, state=final), "退款")


def test_closing_after_shipping_is_a_refund_after_shipment(world):
    """Decision: 已发货，退款成功 closes a shipped order (platform status mapping §2.6)."""
    order = make_order(world, state=S.SHIPPED)
    states.close(world.people["cs"], order, "已发货，退款成功")
    assert order.state == S.CLOSED and order.closed_at is not None


def test_close_and_hold_need_a_reason(world):
    order = make_order(world, state=S.TO_REVIEW)
    with pytest.raises(DomainError) as info:
        states.close(world.people["cs"], order, " ")
    assert info.value.code == "reason_required"
    with pytest.raises(DomainError):
        states.hold(world.people["cs"], order, "")


def test_unknown_state_is_refused(world):
    with pytest.raises(DomainError) as info:
        states.transition(make_order(world), "teleported", world.people["cs"])
    assert info.value.code == "bad_state"


# ---- hold / release ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", [S.TO_REVIEW, S.APPROVED, S.TO_SHIP])
def test_hold_and_release_return_to_the_previous_state(world, start):
    cs = world.people["cs"]
    order = make_order(world, state=start)
    states.hold(cs, order, "买家要求暂缓发货")
    order.refresh_from_db()
    assert order.state == S.ON_HOLD and order.state_before_hold == start and order.hold_reason == "买家要求暂缓发货"
    assert states.allowed_moves(order) == [start, S.CLOSED]
    states.release_hold(cs, order)
    order.refresh_from_db()
    assert order.state == start and order.state_before_hold == "" and order.hold_reason == ""
    events = state_events(order)
    assert (events[0].to_state, events[1].to_state) == ("挂起", states.state_label(start))
    assert "暂缓发货" in events[0].note


def test_held_order_cannot_jump_to_another_state(world):
    order = make_order(world, state=S.TO_REVIEW)
    states.hold(world.people["cs"], order, "核实地址")
    with pytest.raises(IllegalTransition) as info:
        states.transition(order, S.TO_SHIP, world.people["cs"])
    assert "待审核" in info.value.message
    states.close(world.people["cs"], order, "买家取消")  # closing a held order is allowed
    assert order.state == S.CLOSED


@pytest.mark.parametrize("start", [S.PENDING_PAYMENT, S.SHIPPED, S.COMPLETED])
def test_hold_only_before_shipping(world, start):
    with pytest.raises(IllegalTransition):
        states.hold(world.people["cs"], make_order(world, state=start), "x")


def test_release_of_an_order_not_on_hold_is_refused(world):
    with pytest.raises(IllegalTransition) as info:
        states.release_hold(world.people["cs"], make_order(world, state=S.APPROVED))
    assert info.value.code == "not_on_hold"


# ---- versions ---------------------------------------------------------------------------------------------------


def test_stale_version_is_refused(world):
    cs = world.people["cs"]
    order = make_order(world, state=S.TO_REVIEW)
    seen = order.version
    states.approve(cs, order.pk, version=seen)  # someone else, from the same page
    with pytest.raises(DomainError) as info:
        states.hold(cs, order.pk, "x", version=seen)
    assert info.value.code == "stale_version" and "刷新" in info.value.message
    order.refresh_from_db()
    assert order.state == S.APPROVED and order.version == seen + 1


# ---- stock (ORD-4) ----------------------------------------------------------------------------------------------


def test_ORD_4_paying_reserves_and_closing_releases(stocked):
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 2), (stocked.s, 1), (stocked.m, 1)])
    states.mark_paid(cs, order)
    ref = f"order:{order.pk}"
    rows = {r.sku_id: r for r in Reservation.objects.filter(reference=ref)}
    assert {sku_id: r.quantity for sku_id, r in rows.items()} == {stocked.s.pk: 3, stocked.m.pk: 1}
    assert all(r.state == Reservation.State.OPEN for r in rows.values())
    assert (level(stocked.s).reserved, level(stocked.m).reserved) == (3, 1)
    states.approve(cs, order)  # still reserved once, not twice
    states.hold(cs, order, "等待买家确认尺码")  # held orders keep their goods
    assert level(stocked.s).reserved == 3
    states.close(cs, order, "买家申请退款")
    assert (level(stocked.s).reserved, level(stocked.m).reserved) == (0, 0)
    assert set(Reservation.objects.filter(reference=ref).values_list("state", flat=True)) == {"released"}
    assert level(stocked.s).on_hand == 10


def test_ORD_4_unmatched_lines_are_not_reserved(stocked):
    order = make_order(stocked.world, lines=[(stocked.s, 1), (None, 5)])
    states.mark_paid(stocked.world.people["cs"], order)
    assert list(Reservation.objects.filter(reference=f"order:{order.pk}").values_list("sku_id", "quantity")) == [
        (stocked.s.pk, 1)
    ]


def test_ORD_4_ORD_9_out_of_stock_flags_the_order_instead_of_failing(stocked):
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 1), (stocked.m, 2)])  # only 1 black-M on hand
    states.mark_paid(cs, order)
    order.refresh_from_db()
    assert order.state == S.TO_REVIEW and order.exc_out_of_stock
    assert not Reservation.objects.filter(reference=f"order:{order.pk}").exists()  # all or nothing
    assert level(stocked.s).reserved == 0
    ct = ContentType.objects.get_for_model(Order)
    note = Event.objects.get(content_type=ct, object_id=str(order.pk), kind="order_stock").note
    assert "D-黑-M" in note
    # Stock arrives; the next move reserves and takes the order out of the queue.
    receive_stock(stocked.world.people["manager"], stocked.m, stocked.warehouse, 5, reason="receipt")
    states.approve(cs, order)
    order.refresh_from_db()
    assert not order.exc_out_of_stock and level(stocked.m).reserved == 2


def test_ORD_4_commit_order_ships_the_reserved_goods(stocked):
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 2)])
    states.mark_paid(cs, order)
    states.commit_order(order, "YT123", cs)
    lv = level(stocked.s)
    assert (lv.on_hand, lv.reserved) == (8, 0)
    states.release_order(order, cs)  # nothing left to release
    assert level(stocked.s).on_hand == 8


def test_ORD_5_bank_transfer_goes_on_hold_when_paid(stocked):
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 1)], payment_method="bank")
    states.mark_paid(cs, order)
    order.refresh_from_db()
    assert order.state == S.ON_HOLD and order.state_before_hold == S.TO_REVIEW
    assert order.hold_reason == states.BANK_HOLD_REASON
    with pytest.raises(DomainError) as info:
        states.release_hold(cs, order)
    assert info.value.code == "payment_unconfirmed"
    with pytest.raises(DomainError):
        states.transition(order, S.TO_REVIEW, cs)
