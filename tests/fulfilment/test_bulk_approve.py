"""审单 at scale (ORD-7, ORD-4, ORD-8, SHIP-2, SHIP-3): states.approve_many approves many orders set-based with the
same observable result as states.approve one by one (state, version, timeline, reservation, and the package
with its carrier, deadline and lines made by packages.create_for_orders); refusals with Chinese reasons; and a
query count that does not grow with the number of orders."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.test_states import build_stock, make_order
from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Package, PackageOrder
from zhanggui.fulfilment.services import review, sla
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services.stock import receive_stock
from zhanggui.orders.models import CustomWork, Order
from zhanggui.orders.services import states

S = Order.State
HANGZHOU = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address_detail": "文三路1号"}
TACHENG = {"province": "新疆维吾尔自治区", "city": "塔城地区", "district": "塔城市", "adcode": "654201"}  # 申通 不到
LHASA = {"province": "西藏自治区", "city": "拉萨市", "district": "城关区", "address_detail": "北京中路1号"}


@pytest.fixture
def stocked(world):
    load_carriers()
    stock = build_stock(world)
    receive_stock(world.people["manager"], stock.s, stock.warehouse, 200, reason="receipt")
    return stock


def paid(stocked, address=HANGZHOU, qty=1, **extra) -> Order:
    order = make_order(stocked.world, lines=[(stocked.s, qty)], receiver_name="张三", **address, **extra)
    states.mark_paid(stocked.world.people["cs"], order)
    return order


def unreserved(stocked, address=HANGZHOU) -> Order:
    """A 待审核 order that holds no reservation (imported straight into 待审核): approval must reserve it (ORD-4)."""
    return make_order(stocked.world, state=S.TO_REVIEW, lines=[(stocked.s, 2)], paid_at=clock.now(), **address)


def observed(order: Order) -> dict:
    """What a person can see of an approved order and its package (ids and numbers left out)."""
    order.refresh_from_db()
    ct = ContentType.objects.get_for_model(Order)
    events = Event.objects.filter(content_type=ct, object_id=str(order.pk), kind="order_state").order_by("id")
    package = Package.objects.get(order=order)
    pct = ContentType.objects.get_for_model(Package)
    created = Event.objects.get(content_type=pct, object_id=str(package.pk), kind="package_created")
    return {
        "state": order.state,
        "version": order.version,
        "events": [(e.actor_number, e.from_state, e.to_state, e.note) for e in events],
        "reserved": sorted(
            Reservation.objects.filter(reference=states.reference(order)).values_list("sku_id", "quantity", "state")
        ),
        "package": (
            package.state,
            package.shop_id,
            package.warehouse_id,
            package.carrier.code,
            package.carrier_note,
            package.surcharge_fen,
            package.expected_fee_fen,
            package.expected_weight_g,
        ),
        # SHIP-2: the deadline follows the order's payment under the shop's settings (times differ per order)
        "times": (
            package.paid_at == order.paid_at,
            package.ordered_at == (order.ordered_at or order.created_at),
            package.ship_deadline == sla.ship_deadline(order.shop, order.paid_at),
        ),
        "package_orders": list(PackageOrder.objects.filter(package=package).values_list("order_id", flat=True))
        == [order.pk],
        "lines": sorted(package.lines.values_list("order_line__line_no", "sku_id", "quantity")),
        "created": (created.actor_number, created.to_state, created.note.replace(order.platform_order_no, "#")),
    }


def handful(stocked) -> list[Order]:
    return [paid(stocked), paid(stocked, TACHENG, qty=2), paid(stocked, LHASA), unreserved(stocked)]


def test_approve_many_gives_the_same_result_as_approve_one_by_one(stocked):
    """ORD-7 / ORD-4 / SHIP-2 / SHIP-3: state, version, timeline with 工号, reservation (also made for an order that
    had none), and the package (carrier incl. the EMS switch where 申通 does not reach, remote surcharge, deadline,
    weight, lines, timeline) are the same whether the orders are approved one by one or in one batch."""
    cs = stocked.world.people["cs"]
    singles, batch = handful(stocked), handful(stocked)
    for order in singles:
        states.approve(cs, order, note="审单通过")
    approved, refused = states.approve_many(cs, [o.pk for o in batch], note="审单通过")
    assert refused == [] and sorted(o.pk for o in approved) == sorted(o.pk for o in batch)
    for one, many in zip(singles, batch, strict=True):
        expected, got = observed(one), observed(many)
        assert got == expected
        assert got["times"] == (True, True, True) and got["package_orders"]
    tacheng = observed(batch[1])["package"]
    assert tacheng[3] == "EMS" and "改发" in tacheng[4]  # SHIP-3 fallback, remarked
    assert observed(batch[3])["reserved"] == [(stocked.s.pk, 2, Reservation.State.OPEN)]  # ORD-4
    numbers = list(Package.objects.filter(order__in=batch).values_list("package_no", flat=True))
    assert len(set(numbers)) == len(batch)  # one range of package numbers, no clash with the singles
    assert not set(numbers) & set(Package.objects.filter(order__in=singles).values_list("package_no", flat=True))


def test_approve_many_refuses_with_reasons_and_approves_the_rest(stocked):
    """Refused, unchanged: not 待审核 (held), stale version, customised and unfinished (ORD-8), unknown id."""
    cs = stocked.world.people["cs"]
    good, held, stale, custom, done = (paid(stocked) for _ in range(5))
    states.hold(cs, held, "等买家回复")
    custom.kind = Order.Kind.CUSTOM
    custom.save(update_fields=["kind"])
    CustomWork.objects.create(order=done, stage=CustomWork.Stage.DONE)
    ids = [good.pk, held.pk, stale.pk, custom.pk, done.pk, 999_999]
    approved, refused = states.approve_many(cs, ids, versions={stale.pk: stale.version - 1})
    assert sorted(o.pk for o in approved) == sorted([good.pk, done.pk])
    assert len(refused) == 4
    text = "\n".join(refused)
    assert held.platform_order_no in text and "挂起" in text
    assert f"订单 {stale.platform_order_no} 已被他人修改" in text
    assert "定制订单需先完成生产和质检" in text and custom.platform_order_no in text
    assert "999999" in text
    for order, state in [(held, S.ON_HOLD), (stale, S.TO_REVIEW), (custom, S.TO_REVIEW)]:
        order.refresh_from_db()
        assert order.state == state
        assert not Package.objects.filter(order=order).exists()
    assert Package.objects.filter(order__in=[good, done]).count() == 2


def test_approving_twice_makes_no_second_package(stocked):
    """ORD-7: an order that already has an open package gets none more (create_for_orders skips it)."""
    from zhanggui.fulfilment.services import packages

    order = paid(stocked)
    states.approve(None, order)
    assert packages.create_for_orders([order], None) == []
    assert Package.objects.filter(order=order).count() == 1


def test_batch_approve_is_all_or_nothing_through_approve_many(stocked):
    """ORD-7 batch approve (review.approve_orders): one refused order → nothing kept, every refusal listed."""
    from zhanggui.core.errors import DomainError

    cs = stocked.world.people["cs"]
    a, b = paid(stocked), paid(stocked)
    with pytest.raises(DomainError) as refused:
        review.approve_orders(cs, [a.pk, f"{b.pk}:{b.version + 5}"])
    assert len(refused.value.details) == 1
    a.refresh_from_db()
    assert a.state == S.TO_REVIEW and not Package.objects.filter(order=a).exists()


def approve_counting(stocked, n: int) -> int:
    orders = [paid(stocked) for _ in range(n)]
    with CaptureQueriesContext(connection) as queries:
        assert review.approve_clean(None, [o.pk for o in orders]) == n
    assert Package.objects.filter(order__in=orders, state=Package.State.TO_PRINT).count() == n
    return statements(queries.captured_queries)


def statements(captured) -> int:
    """Statements run, counting one bulk INSERT that the backend split into batches (SQLite's limit of bound
    variables per statement; PostgreSQL sends one) as one."""
    count, last = 0, ""
    for query in captured:
        sql = query["sql"]
        head = sql.split(" (", 1)[0] if sql.startswith("INSERT INTO") else ""
        if not (head and head == last):
            count += 1
        last = head
    return count


def test_query_count_of_a_batch_does_not_grow_with_the_number_of_orders(stocked):
    """ORD-7 batch review is a bulk path (house rule 8): approving 50 orders runs as many queries as approving 5
    (set-based, no per-order query): lock, refusals, reservations, one UPDATE, one timeline INSERT, packages in bulk."""
    few = approve_counting(stocked, 5)
    many = approve_counting(stocked, 50)
    assert many == few
    assert few < 40
