"""审单 (ORD-2, ORD-7): the reasons an order waits for a person, computed set-based; automatic approval of clean
orders when the shop's setting is on; batch approve / reject, all or nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.test_states import build_stock, make_order
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import review
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import CustomWork, Order, OrderLine
from zhanggui.orders.services import states
from zhanggui.shops.settings_store import update_settings

S = Order.State
ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address_detail": "文三路1号"}


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def clean_order(stocked, **extra):
    values = {**ADDRESS, "receiver_name": "张三", "receiver_phone": "13800000000", "paid_fen": 9900, **extra}
    order = make_order(stocked.world, lines=[(stocked.s, 1)], **values)
    states.mark_paid(stocked.world.people["cs"], order)
    return order


def auto_on(world, **more):
    update_settings(world.people["manager"], world.shop_a, {"fulfilment.auto_approve": True, **more})


CASES = sorted(
    [
        ("address", {"district": ""}, review.REASON_ADDRESS),
        ("address_flag", {"exc_address": True}, review.REASON_ADDRESS),
        ("amount", {"paid_fen": 100000}, review.REASON_AMOUNT),
        ("message", {"buyer_message": "请发顺丰"}, review.REASON_MESSAGE),
        ("refund", {"exc_refund": True}, review.REASON_REFUND),
        ("remark", {"seller_remark": "T001 换黑色"}, review.REASON_REMARK),
        ("risk", {"exc_risk": True}, review.REASON_RISK),
        ("unmatched", {"exc_unmatched": True}, review.REASON_UNMATCHED),
    ]
)


@pytest.mark.parametrize(("name", "extra", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_reason_keeps_the_order_for_a_person(stocked, name, extra, reason):
    """ORD-7: each condition is named as a reason; the clean order has none."""
    clean = clean_order(stocked)
    held = clean_order(stocked, **extra)
    found = review.reasons([clean, held])
    assert found[clean.pk] == []
    assert reason in found[held.pk]


def test_out_of_stock_line_without_sku_and_unfinished_custom_order_are_reasons(stocked):
    short = clean_order(stocked)
    Order.objects.filter(pk=short.pk).update(exc_out_of_stock=True)
    loose = clean_order(stocked)
    OrderLine.objects.create(order=loose, line_no=9, outer_code="??", quantity=1)
    custom = clean_order(stocked, kind=Order.Kind.CUSTOM)
    done = clean_order(stocked)
    CustomWork.objects.create(order=done, stage=CustomWork.Stage.DONE)
    found = review.reasons(Order.objects.filter(pk__in=[short.pk, loose.pk, custom.pk, done.pk]))
    assert found[short.pk] == [review.REASON_STOCK]
    assert found[loose.pk] == [review.REASON_UNMATCHED]
    assert found[custom.pk] == [review.REASON_CUSTOM]  # ORD-8
    assert found[done.pk] == []


def test_purple_flag_and_merge_remark_do_not_need_attention(stocked):
    """Decision: a remark needs a person unless the order is purple (准确无误) or the remark is our merge note."""
    purple = clean_order(stocked, seller_remark="T001 准确无误，可以发货", flag="purple")
    merged = clean_order(stocked, seller_remark="T001 同一买家2单合并发货", flag="red")
    found = review.reasons([purple, merged])
    assert found == {purple.pk: [], merged.pk: []}


def test_reasons_take_the_same_number_of_queries_for_many_orders(stocked):
    few = [clean_order(stocked, buyer_message="x" if i % 2 else "") for i in range(2)]
    many = few + [clean_order(stocked, exc_risk=bool(i % 2)) for i in range(8)]
    with CaptureQueriesContext(connection) as small:
        review.reasons(Order.objects.filter(pk__in=[o.pk for o in few]))
    with CaptureQueriesContext(connection) as big:
        review.reasons(Order.objects.filter(pk__in=[o.pk for o in many]))
    assert len(big.captured_queries) == len(small.captured_queries)


def test_auto_review_approves_clean_orders_only_when_the_setting_is_on(stocked):
    """ORD-7: off by default — nothing moves; on — clean orders are approved (with their package), others wait."""
    clean = clean_order(stocked)
    noisy = clean_order(stocked, buyer_message="周五前到吗")
    assert review.auto_review(None, stocked.world.shop_a) == {"approved": 0, "waiting": 0}
    auto_on(stocked.world)
    assert review.auto_review(None, stocked.world.shop_a) == {"approved": 1, "waiting": 1}
    clean.refresh_from_db()
    noisy.refresh_from_db()
    assert clean.state == S.APPROVED and noisy.state == S.TO_REVIEW
    assert Package.objects.filter(order=clean, state=Package.State.TO_PRINT).count() == 1


def test_single_order_is_reviewed_when_it_becomes_to_review(stocked, django_capture_on_commit_callbacks):
    """ORD-7: the OrdersMoved listener approves a clean order entering 待审核 (setting on)."""
    auto_on(stocked.world)
    with django_capture_on_commit_callbacks(execute=True):
        order = clean_order(stocked)
    order.refresh_from_db()
    assert order.state == S.APPROVED


def test_amount_limit_follows_the_setting(stocked):
    auto_on(stocked.world, **{"fulfilment.auto_approve_max": "50.00"})
    order = clean_order(stocked, paid_fen=5000)
    assert review.reasons([order])[order.pk] == [review.REASON_AMOUNT]


def test_batch_approve_is_all_or_nothing_with_every_refusal_listed(stocked):
    cs = stocked.world.people["cs"]
    a, b, c = (clean_order(stocked) for _ in range(3))
    states.hold(cs, b, "等买家回复")
    states.hold(cs, c, "等买家回复")
    with pytest.raises(DomainError) as refused:
        review.approve_orders(cs, [a.pk, f"{b.pk}:{b.version}", c.pk])
    assert len(refused.value.details) == 2
    a.refresh_from_db()
    assert a.state == S.TO_REVIEW
    assert review.approve_orders(cs, [a.pk], shops=[stocked.world.shop_a]) == 1
    a.refresh_from_db()
    assert a.state == S.APPROVED


def test_batch_reject_holds_with_the_reason_which_is_required(stocked):
    cs = stocked.world.people["cs"]
    a, b = clean_order(stocked), clean_order(stocked)
    with pytest.raises(DomainError):
        review.reject_orders(cs, [a.pk, b.pk], "  ")
    assert review.reject_orders(cs, [a.pk, b.pk], "地址不全") == 2
    a.refresh_from_db()
    assert a.state == S.ON_HOLD and "地址不全" in a.hold_reason


def test_batch_refuses_orders_of_another_shop(stocked):
    other = make_order(stocked.world, shop=stocked.world.shop_b, state=S.TO_REVIEW)
    with pytest.raises(DomainError):
        review.approve_orders(None, [other.pk], shops=[stocked.world.shop_a])


# ---- page and API ----------------------------------------------------------------------------------------------


def test_review_page_shows_reasons_masks_the_receiver_and_approves_in_batch(stocked, client_for, monkeypatch):
    """ORD-7: the waiting order with its red reason badge and receiver (masked without PII rights); batch approve."""
    noisy = clean_order(stocked, buyer_message="周五前到吗")
    client = client_for(stocked.world.people["cs"])
    page = client.get("/shipping/review/").content.decode()
    assert noisy.platform_order_no in page and review.REASON_MESSAGE in page
    assert "13800000000" in page  # cs may see the buyer's data (TEAM-5)
    monkeypatch.setattr("zhanggui.fulfilment.views.review.can_see_pii", lambda user: False)
    assert "13800000000" not in client.get("/shipping/review/").content.decode()
    client.post("/shipping/review/batch/", {"action": "approve", "order": f"{noisy.pk}:{noisy.version}"})
    noisy.refresh_from_db()
    assert noisy.state == S.APPROVED


def test_review_page_reject_needs_a_reason_and_other_shops_are_refused(stocked, client_for):
    order = clean_order(stocked)
    client = client_for(stocked.world.people["cs"])
    client.post("/shipping/review/batch/", {"action": "reject", "order": str(order.pk), "reason": ""})
    order.refresh_from_db()
    assert order.state == S.TO_REVIEW
    outsider = client_for(stocked.world.outsider)
    outsider.post("/shipping/review/batch/", {"action": "reject", "order": str(order.pk), "reason": "x"})
    order.refresh_from_db()
    assert order.state == S.TO_REVIEW
    client.post("/shipping/review/batch/", {"action": "reject", "order": str(order.pk), "reason": "缺货"})
    order.refresh_from_db()
    assert order.state == S.ON_HOLD


def test_review_api_lists_reasons_and_approves(stocked, client_for):
    clean = clean_order(stocked)
    noisy = clean_order(stocked, exc_risk=True)
    client = client_for(stocked.world.people["cs"])
    body = {row["id"]: row for row in client.get("/api/v1/review").json()}
    assert body[clean.pk]["clean"] and body[noisy.pk]["reasons"] == [review.REASON_RISK]
    answer = client.post("/api/v1/review/approve", {"orders": [clean.pk]}, content_type="application/json")
    assert answer.json() == {"count": 1}
    refused = client.post("/api/v1/review/reject", {"orders": [noisy.pk]}, content_type="application/json")
    assert refused.status_code >= 400


def test_an_import_runs_the_automatic_review(stocked, django_capture_on_commit_callbacks):
    """ORD-7: after an import commits (OrdersImported), the shop's clean orders are approved (setting on)."""
    from zhanggui.core.domain_events import OrdersImported, publish

    order = clean_order(stocked)
    auto_on(stocked.world)
    with django_capture_on_commit_callbacks(execute=True):
        publish(OrdersImported(shop_id=stocked.world.shop_a.pk))  # as import_parsed does at its end
    order.refresh_from_db()
    assert order.state == S.APPROVED
