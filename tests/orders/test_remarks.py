"""Seller remarks and flags (ORD-3): `<工号> <快递> <备注>`, newest last within the field's length, flag meanings
as shop settings, batch flagging in one transaction, the red "共 N 单" hint for several orders of one buyer."""

import pytest
from django.contrib.contenttypes.models import ContentType

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.orders.models import Order
from zhanggui.orders.services import remarks
from zhanggui.orders.services.remarks import add_remark, flag_meaning, flag_orders, merge_hint_remark
from zhanggui.shops.settings_store import update_settings

from .test_states import make_order

S = Order.State


def events(order, kind):
    ct = ContentType.objects.get_for_model(Order)
    return list(Event.objects.filter(content_type=ct, object_id=str(order.pk), kind=kind).order_by("id"))


def test_ORD_3_remark_line_is_staff_number_carrier_note(world):
    cs = world.people["cs"]
    order = make_order(world, state=S.TO_REVIEW, seller_remark="平台原备注")
    add_remark(cs, order, "送小样一份", carrier="中通")
    add_remark(cs, order, "改发 EMS", carrier="EMS", flag="red", version=order.version)
    order.refresh_from_db()
    assert order.seller_remark.splitlines() == [
        "平台原备注",
        f"{cs.number} 中通 送小样一份",
        f"{cs.number} EMS 改发 EMS",
    ]
    assert order.flag == "red" and order.version == 3
    assert events(order, "order_remark")[0].actor_number == cs.number
    flag_event = events(order, "order_flag")[0]
    assert (flag_event.from_state, flag_event.to_state) == ("无旗", "红旗")


def test_ORD_3_remark_keeps_within_the_field_by_dropping_the_oldest(world):
    cs = world.people["cs"]
    order = make_order(world, state=S.TO_REVIEW)
    for n in range(30):
        add_remark(cs, order, f"第{n:02d}条" + "备" * 20)
    order.refresh_from_db()
    assert len(order.seller_remark) <= remarks.REMARK_MAX
    lines = order.seller_remark.splitlines()
    assert lines[-1].startswith(f"{cs.number} 第29条") and not any("第00条" in ln for ln in lines)


def test_ORD_3_purple_without_note_writes_the_ready_to_ship_remark(world):
    order = make_order(world, state=S.APPROVED)
    add_remark(world.people["cs"], order, "", flag="purple")
    order.refresh_from_db()
    assert order.flag == "purple" and order.seller_remark == f"{world.people['cs'].number} 准确无误，可以发货"


def test_ORD_3_flag_meanings_are_shop_settings(world):
    assert "同一买家多笔订单" in flag_meaning(world.shop_a, "red")
    assert "银行转账" in flag_meaning(world.shop_a, "green")
    assert flag_meaning(world.shop_a, "yellow") == ""
    update_settings(world.people["manager"], world.shop_a, {"orders.flag_yellow_meaning": "赠品"})
    assert flag_meaning(world.shop_a, "yellow") == "赠品"
    assert flag_meaning(world.shop_b, "yellow") == ""


def test_remark_validation(world):
    order = make_order(world, state=S.TO_REVIEW)
    with pytest.raises(DomainError) as info:
        add_remark(world.people["cs"], order, " ")
    assert info.value.code == "remark_required"
    with pytest.raises(DomainError) as info:
        add_remark(world.people["cs"], order, "x", flag="pink")
    assert info.value.code == "bad_flag"
    with pytest.raises(DomainError) as info:
        add_remark(world.people["cs"], order, "x", version=order.version + 5)
    assert info.value.code == "stale_version"


def test_ORD_3_batch_flag_in_one_go(world, django_assert_max_num_queries):
    cs = world.people["cs"]
    orders = [make_order(world, state=S.APPROVED) for _ in range(5)]
    with django_assert_max_num_queries(12):
        assert flag_orders(cs, orders, "purple", "") == 5
    for order in orders:
        order.refresh_from_db()
        assert order.flag == "purple" and order.version == 2
        assert order.seller_remark == f"{cs.number} 准确无误，可以发货"
        assert events(order, "order_flag")[0].to_state == "紫旗"
    with pytest.raises(DomainError):
        flag_orders(cs, [orders[0].pk, 999_999], "red", "x")
    orders[0].refresh_from_db()
    assert orders[0].flag == "purple"  # nothing changed


def test_ORD_3_red_hint_states_the_total_count_of_a_buyers_open_orders(world):
    cs = world.people["cs"]
    a = make_order(world, state=S.TO_REVIEW, buyer_nick="buyer_x")
    b = make_order(world, state=S.APPROVED, buyer_nick="buyer_x")
    make_order(world, state=S.COMPLETED, buyer_nick="buyer_x")  # not open
    make_order(world, state=S.TO_REVIEW, buyer_nick="buyer_x", shop=world.shop_b)  # other shop
    alone = make_order(world, state=S.TO_REVIEW, buyer_nick="buyer_y")
    assert merge_hint_remark(cs, alone) == 0
    assert merge_hint_remark(cs, a) == 2
    for order in (a, b):
        order.refresh_from_db()
        assert order.flag == "red" and "共 2 单" in order.seller_remark
    assert merge_hint_remark(cs, a) == 2  # again: nothing appended twice
    a.refresh_from_db()
    assert a.seller_remark.count("共 2 单") == 1
    c = make_order(world, state=S.TO_REVIEW, buyer_nick="buyer_x")
    assert merge_hint_remark(cs, c) == 3
    a.refresh_from_db()
    assert a.seller_remark.splitlines()[-1].endswith("同一买家共 3 单，请合并发货")
