"""SHIP-2: the ship deadline (cutoff, business days, the 48-hour limit, promotion days), the at-risk queue, the
refresh after a settings change, and missing goods → one CS task per order."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.orders.test_states import build_stock, make_order
from zhanggui.core import clock
from zhanggui.core.registry import all_definitions
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import packages, sla
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order
from zhanggui.orders.services import states
from zhanggui.shops.settings_store import update_settings
from zhanggui.team.models import Task

SH = clock.SHANGHAI


def bj(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def defaults(**changes) -> dict:
    values = {d.key: d.default for d in all_definitions()}
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return values


# (case, paid at Beijing, settings changes, expected deadline Beijing) — 2025 calendar: 10-01..10-08 National Day,
# Saturday 10-11 a make-up working day (调休).
CASES = sorted(
    [
        ("before cutoff ships the same day", "2025-11-12 10:00", {}, "2025-11-12 23:59:59"),
        ("at the cutoff ships the next business day", "2025-11-12 16:00", {}, "2025-11-13 23:59:59"),
        ("after cutoff ships the next business day", "2025-11-12 17:30", {}, "2025-11-13 23:59:59"),
        ("friday evening: 48 h limit beats monday", "2025-11-14 17:00", {}, "2025-11-16 17:00"),
        ("saturday morning: 48 h limit", "2025-11-15 09:00", {}, "2025-11-17 09:00"),
        ("sunday evening: monday is within 48 h", "2025-11-16 20:00", {}, "2025-11-17 23:59:59"),
        ("before national day holiday: 48 h limit", "2025-09-30 17:00", {}, "2025-10-02 17:00"),
        ("make-up working saturday ships that day", "2025-10-11 10:00", {}, "2025-10-11 23:59:59"),
        ("holiday morning is not a business day", "2025-10-03 09:00", {}, "2025-10-05 09:00"),
        (
            "earlier cutoff setting",
            "2025-11-12 13:00",
            {"fulfilment__same_day_cutoff": "12:00"},
            "2025-11-13 23:59:59",
        ),
        (
            "shorter limit setting",
            "2025-11-12 17:00",
            {"orders__ship_within_hours": 24},
            "2025-11-13 17:00",
        ),
        (
            "promotion day every year lifts the 48 h limit",
            "2025-11-11 10:00",
            {"fulfilment__promotion_days": "11-11,12-12"},
            "2025-11-14 10:00",
        ),
        (
            "promotion date with extra hours",
            "2025-11-11 10:00",
            {"fulfilment__promotion_days": "2025-11-11", "fulfilment__promotion_extra_hours": 48},
            "2025-11-15 10:00",
        ),
        (
            "promotion date of another year does not count",
            "2025-11-11 10:00",
            {"fulfilment__promotion_days": "2024-11-11"},
            "2025-11-11 23:59:59",
        ),
    ]
)


@pytest.mark.parametrize(("case", "paid", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_ship_deadline(case, paid, changes, expected):
    """SHIP-2: paid before 16:00 on a business day ships that day, else the next business day, never later than
    48 h after payment except on named promotion days."""
    deadline = sla.deadline_from(defaults(**changes), bj(paid))
    assert deadline.tzinfo is not None and deadline.utcoffset() == dt.timedelta(0)  # UTC
    assert deadline == bj(expected)


def test_deadline_is_never_before_payment_nor_after_48_hours():
    """SHIP-2: over a week of payment times every 37 minutes."""
    settings = defaults()
    moment = bj("2025-09-26 00:00")
    while moment < bj("2025-10-13 00:00"):
        deadline = sla.deadline_from(settings, moment)
        assert moment < deadline <= moment + dt.timedelta(hours=48)
        moment += dt.timedelta(minutes=37)


@pytest.mark.parametrize(
    ("seconds", "text"),
    sorted([(3 * 3600 + 12 * 60 + 5, "剩余 3 小时 12 分"), (-2 * 3600, "已超时 2 小时 0 分"), (600, "剩余 10 分")]),
)
def test_format_left(seconds, text):
    assert sla.format_left(seconds) == text


# ---- with the database -----------------------------------------------------------------------------------------


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def approved(stocked, paid_at, qty=1, **extra):
    order = make_order(stocked.world, lines=[(stocked.s, qty)], buyer_nick="小王", **extra)
    states.mark_paid(stocked.world.people["cs"], order)
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at)
    order.refresh_from_db()
    states.approve(stocked.world.people["cs"], order)
    return order


def test_package_gets_the_deadline_and_refresh_follows_the_settings(stocked):
    """SHIP-2: the package created on approval carries the deadline; after the cutoff setting changes, the refresh
    service recomputes the open packages."""
    cs, manager = stocked.world.people["cs"], stocked.world.people["manager"]
    order = approved(stocked, bj("2025-11-12 14:00"))
    package = packages.open_packages(order)[0]
    assert package.ship_deadline == bj("2025-11-12 23:59:59")
    update_settings(manager, stocked.world.shop_a, {"fulfilment.same_day_cutoff": "12:00"})
    assert sla.refresh_deadlines(cs, stocked.world.shop_a) == 1
    package.refresh_from_db()
    assert package.ship_deadline == bj("2025-11-13 23:59:59")
    assert sla.refresh_deadlines(cs, stocked.world.shop_a) == 0


def test_at_risk_lists_near_and_overdue_packages_and_unpackaged_orders(stocked):
    """SHIP-2: within the warning window (4 h) or past; on time first (least time left), then past the 24-hour
    target, then overdue (past 48 h); far deadlines and shipped parcels are not listed; an order waiting for review
    without a package counts too."""
    now = bj("2025-11-12 21:00")
    overdue = packages.open_packages(approved(stocked, bj("2025-11-10 10:00")))[0]  # due 11-10 23:59
    near = packages.open_packages(approved(stocked, bj("2025-11-12 09:00")))[0]  # due 11-12 23:59: 3 h left
    approved(stocked, bj("2025-11-12 20:00"))  # due 11-13 23:59: not yet at risk
    shipped = packages.open_packages(approved(stocked, bj("2025-11-11 09:00")))[0]
    Package.objects.filter(pk=shipped.pk).update(state=Package.State.SHIPPED)
    waiting = make_order(stocked.world, lines=[(stocked.s, 1)], state=Order.State.TO_REVIEW)
    Order.objects.filter(pk=waiting.pk).update(paid_at=bj("2025-11-11 08:00"))  # due 11-11 23:59, no package
    other_shop = make_order(
        stocked.world, lines=[(stocked.s, 1)], state=Order.State.TO_REVIEW, shop=stocked.world.shop_b
    )
    Order.objects.filter(pk=other_shop.pk).update(paid_at=bj("2025-11-11 08:00"))

    rows = sla.at_risk([stocked.world.shop_a], now=now)
    assert [r.number for r in rows] == [near.package_no, waiting.platform_order_no, overdue.package_no]
    assert [r.status for r in rows] == ["soon", "late", "overdue"]
    assert [r.overdue for r in rows] == [False, False, True]  # 超时未发货: past 48 h only
    assert rows[0].time_left == "剩余 2 小时 59 分"
    assert rows[2].time_left.startswith("已超时 1 天 21 小时")
    assert rows[2].hard_deadline == bj("2025-11-12 10:00") and rows[1].hard_deadline == bj("2025-11-13 08:00")


def test_at_risk_page_shows_the_queue_in_scope(stocked, client):
    approved(stocked, bj("2025-11-10 10:00"))
    client.force_login(stocked.world.people["warehouse"])
    response = client.get(reverse("fulfilment:at_risk"))
    assert response.status_code == 200
    assert "已超时" in response.content.decode()
    client.force_login(stocked.world.outsider)  # shop_b only
    assert "已超时" not in client.get(reverse("fulfilment:at_risk")).content.decode()


def test_SHIP_2_missing_goods_create_one_cs_task_per_order_never_twice(stocked):
    """SHIP-2: an order flagged out of stock tells CS at once (no button), an order in a package whose goods are not
    there is tasked by the check; one task per order (source missing:<order id>); running again adds nothing."""
    cs = stocked.world.people["cs"]
    short = make_order(stocked.world, lines=[(stocked.m, 5)], state=Order.State.PENDING_PAYMENT, buyer_nick="缺货买家")
    states.mark_paid(cs, short)  # only 1 black-M on hand → ORD-4 out-of-stock queue
    short.refresh_from_db()
    assert short.exc_out_of_stock
    assert Task.objects.filter(source=f"missing:{short.pk}").count() == 1  # told at once, before any button
    fine = approved(stocked, bj("2025-11-12 09:00"))  # reserved: not missing
    unreserved = make_order(stocked.world, lines=[(stocked.s, 20)], state=Order.State.APPROVED)
    packages.create_for_order(unreserved, cs)  # 20 wanted, 10 on hand, no reservation

    created = sla.flag_missing_goods(cs, stocked.world.shop_a)
    assert [t.source for t in created] == [f"missing:{unreserved.pk}"]
    task = Task.objects.get(source=f"missing:{short.pk}")
    assert task.role.code == "cs" and task.rule == "SHIP-2" and task.shop == stocked.world.shop_a
    assert task.title.startswith("缺货：联系买家换货或退款")
    assert task.url == reverse("orders:detail", args=[short.pk])
    assert not Task.objects.filter(source=f"missing:{fine.pk}").exists()

    assert sla.flag_missing_goods(cs, stocked.world.shop_a) == []
    assert Task.objects.filter(source__startswith="missing:").count() == 2


def test_missing_goods_task_from_the_page_and_the_celery_task(stocked, client):
    from zhanggui.fulfilment.tasks import flag_missing_goods

    cs = stocked.world.people["cs"]
    short = make_order(stocked.world, lines=[(stocked.m, 5)])
    states.mark_paid(cs, short)
    Task.objects.all().delete()  # as if the order was short before CS was told at once
    assert flag_missing_goods() == 1
    client.force_login(cs)
    response = client.post(reverse("fulfilment:at_risk_missing"))
    assert response.status_code == 302
    assert Task.objects.filter(source=f"missing:{short.pk}").count() == 1


def test_SHIP_2_out_of_stock_order_tasks_the_duty_owner_at_once_and_once(stocked):
    """SHIP-2: going into the out-of-stock queue gives the owner of 缺货订单跟进 (duty chart) a task right away;
    marking it short again does not add another."""
    from zhanggui.team.models import Duty

    cs = stocked.world.people["cs"]
    duty = Duty.objects.get(role__code="cs", title="缺货订单跟进")
    duty.owners.set([cs])
    short = make_order(stocked.world, lines=[(stocked.m, 5)], state=Order.State.PENDING_PAYMENT)
    states.mark_paid(cs, short)
    task = Task.objects.get(source=f"missing:{short.pk}")
    assert task.assignee == cs and task.rule == "SHIP-2" and task.shop == stocked.world.shop_a
    states.reserve_order(Order.objects.get(pk=short.pk), cs)  # still short: marked again
    assert Task.objects.filter(source=f"missing:{short.pk}").count() == 1
