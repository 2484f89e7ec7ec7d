"""Manual orders (ORD-1 manual entry) with the import's validation (ORD-7), reservation on payment (ORD-4) and the
bank-transfer hold until finance confirms (ORD-5, ORD-3 green)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.inventory.models import Reservation
from zhanggui.orders.models import Order
from zhanggui.orders.services import states
from zhanggui.orders.services.manual import confirm_payment, create_manual_order

from .test_states import build_stock, level

S = Order.State
CJK = re.compile(r"[\u4e00-\u9fff]")


def new(stocked, **kw):
    args = dict(
        receiver_name="王五",
        receiver_phone="138 1234 5678",
        address="广东省 深圳市 南山区 科技园南路 1 号",
        lines=[("D-黑-S", 2, 9900)],
        postage_fen=1000,
    )
    args.update(kw)
    return create_manual_order(stocked.world.people["cs"], stocked.world.shop_a, **args)


@pytest.fixture
def stocked(world):
    return build_stock(world)


@pytest.fixture
def finance(stocked):
    """The finance person with the ORD-5 permission (declared on Order by the lead; created here for the test)."""
    ct = ContentType.objects.get_for_model(Order)
    perm, _ = Permission.objects.get_or_create(codename="confirm_payment", content_type=ct, defaults={"name": "x"})
    person = stocked.world.people["finance"]
    person.user_permissions.add(perm)
    return type(person).objects.get(pk=person.pk)  # fresh permission cache


def test_manual_order_is_created_paid_reserved_and_numbered(stocked):
    order = new(stocked, buyer_nick="小王", buyer_message="尽快发")
    assert re.fullmatch(r"SD\d{8}-0001", order.platform_order_no)
    assert order.state == S.TO_REVIEW and order.source == Order.Source.MANUAL and order.kind == Order.Kind.NORMAL
    assert (order.goods_fen, order.postage_fen, order.paid_fen) == (19800, 1000, 20800)
    assert order.receiver_phone == "13812345678" and order.phone_last4 == "5678"
    assert order.address_raw.startswith("广东省")
    assert (order.province, order.city, order.district, order.address_detail) == (
        "广东省",
        "深圳市",
        "南山区",
        "科技园南路 1 号",
    )
    assert order.adcode == "440305" and not order.exc_address
    line = order.lines.get()
    assert (line.sku_id, line.quantity, line.unit_price_fen, line.outer_code) == (stocked.s.pk, 2, 9900, "D-黑-S")
    assert level(stocked.s).reserved == 2  # ORD-4
    second = new(stocked)
    assert second.platform_order_no.endswith("-0002")
    ct = ContentType.objects.get_for_model(Order)
    kinds = list(
        Event.objects.filter(content_type=ct, object_id=str(order.pk)).order_by("id").values_list("kind", flat=True)
    )
    assert kinds[:2] == ["order_created", "order_state"]


def test_unpaid_manual_order_waits_without_reservation(stocked):
    order = new(stocked, paid=False)
    assert order.state == S.PENDING_PAYMENT and order.paid_fen == 0
    assert not Reservation.objects.filter(reference=f"order:{order.pk}").exists()


def test_ORD_1_manual_numbers_are_unique_across_shops(stocked):
    """Our own numbers are unique company-wide: the second shop's first order of the day does not repeat SD…-0001."""
    first = new(stocked)
    other = create_manual_order(
        stocked.world.people["manager"],
        stocked.world.shop_b,
        receiver_name="赵六",
        receiver_phone="13912345678",
        address="广东省 深圳市 南山区 科技园南路 2 号",
        lines=[("D-黑-S", 1, 9900)],
    )
    assert first.platform_order_no.endswith("-0001") and other.platform_order_no.endswith("-0002")


def test_ORD_1_numbers_issued_before_the_sequence_are_never_reissued(stocked):
    first = new(stocked)
    taken = first.platform_order_no.replace("-0001", "-0007")
    Order.objects.filter(pk=first.pk).update(platform_order_no=taken)
    from zhanggui.core.models import Sequence

    Sequence.objects.all().delete()  # as on the day the sequence was introduced
    assert new(stocked).platform_order_no == taken.replace("-0007", "-0008")


def test_ORD_1_double_submit_with_one_key_creates_one_order(stocked):
    first = new(stocked, idempotency_key="k-123")
    again = new(stocked, idempotency_key="k-123")
    assert again.pk == first.pk and Order.objects.count() == 1
    assert new(stocked, idempotency_key="k-456").pk != first.pk  # another form is another order


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("receiver_phone", "1381234567", "bad_phone"),  # 10 digits
        ("receiver_phone", "12345678901", "bad_phone"),  # not a mobile prefix
        ("receiver_phone", "电话", "bad_phone"),
        ("receiver_phone", "", "required"),
        ("receiver_name", " ", "required"),
        ("address", "", "required"),
        ("postage_fen", -1, "out_of_range"),
        ("postage_fen", 100_000_001, "out_of_range"),  # rule 7: past the company's money bound
        ("kind", "gift", "bad_kind"),
        ("lines", [], "no_lines"),
    ],
)
def test_ORD_7_manual_order_validation_in_chinese(stocked, field, value, code):
    with pytest.raises(DomainError) as info:
        new(stocked, **{field: value})
    assert info.value.code == code and CJK.search(info.value.message)
    assert not Order.objects.exists()


def test_ORD_9_unsplittable_address_goes_to_the_address_queue(stocked):
    order = new(stocked, address="公司前台自取")
    assert order.exc_address and order.address_raw == "公司前台自取" and order.province == ""


def test_ORD_7_landline_is_accepted(stocked):
    assert new(stocked, receiver_phone="0755-26888888").receiver_phone == "0755-26888888"
    assert new(stocked, receiver_phone="+86 139 0000 1111").receiver_phone == "13900001111"


def test_ORD_7_every_bad_line_is_named(stocked):
    stocked.m.is_active = False
    stocked.m.save()
    with pytest.raises(DomainError) as info:
        new(
            stocked,
            lines=[("NOPE", 1, 100), ("D-黑-M", 1, 100), ("D-黑-S", 0, 100), ("D-黑-S", 1, -5), ("D-黑-S", 1, 0)],
        )
    details = info.value.details
    assert info.value.code == "bad_lines" and len(details) == 4
    assert "第 1 行" in details[0] and "不存在" in details[0]
    assert "第 2 行" in details[1] and "停用" in details[1]
    assert "第 3 行" in details[2] and "数量" in details[2]
    assert "第 4 行" in details[3] and "单价应在 ¥0.00 到" in details[3]  # rule 7: core.bounds
    assert not Order.objects.exists()


def test_resend_links_the_original_order(stocked):
    original = new(stocked)
    resend = new(stocked, kind="resend", original_order=original, lines=[(stocked.s, 1, 0)])
    assert resend.kind == Order.Kind.RESEND and resend.goods_fen == 0
    assert f"补发，原订单 {original.platform_order_no}" in resend.seller_remark
    assert resend.seller_remark.startswith(stocked.world.people["cs"].number)
    with pytest.raises(DomainError) as info:
        new(stocked, kind="resend")
    assert info.value.code == "original_required"
    other = Order.objects.create(shop=stocked.world.shop_b, platform_order_no="JD1")
    with pytest.raises(DomainError):
        new(stocked, kind="resend", original_order=other)


def test_ORD_5_bank_transfer_is_held_until_finance_confirms(stocked, finance):
    order = new(stocked, payment_method="bank")
    assert order.state == S.ON_HOLD and order.hold_reason == states.BANK_HOLD_REASON
    assert level(stocked.s).reserved == 2  # the goods are kept for the buyer meanwhile
    with pytest.raises(DomainError) as info:  # customer service cannot confirm money
        confirm_payment(stocked.world.people["cs"], order, bank="工商银行", amount_fen=20800)
    assert info.value.code == "forbidden"
    with pytest.raises(DomainError) as info:
        states.approve(stocked.world.people["cs"], order)
    with pytest.raises(DomainError) as info:
        confirm_payment(finance, order, bank="工商银行", amount_fen=100)
    assert info.value.code == "amount_short"
    confirm_payment(finance, order, bank="工商银行", amount_fen=20800, version=order.version)
    order.refresh_from_db()
    assert order.state == S.TO_REVIEW and order.flag == Order.Flag.GREEN  # ORD-3 green = bank transfer received
    assert order.seller_remark.splitlines()[-1] == f"{finance.number} 工商银行 到账 ¥208.00"
    states.approve(stocked.world.people["cs"], order)
    assert order.state == S.APPROVED


def test_ORD_5_confirming_a_non_bank_order_is_refused(stocked, finance):
    with pytest.raises(DomainError) as info:
        confirm_payment(finance, new(stocked), bank="工商银行", amount_fen=20800)
    assert info.value.code == "not_bank"
