"""After-sales cases (AS-2, AS-5): opening (type against the order's state, partial quantities, reasons, refund within
what was paid — in the service AND the database), one open case per order and type, one transition table per type,
every move on the timeline with the 工号, versions."""

import pytest
from django.db import IntegrityError, transaction

from zhanggui.aftersales.models import Case, CaseLine, Reason
from zhanggui.aftersales.services import cases, receiving
from zhanggui.aftersales.services.errors import CaseInputError, DuplicateCase
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import timeline_for

from .setup import lines_of, open_case, recorded_only

State = Case.State
Kind = Case.Kind


def test_open_a_return_with_a_partial_quantity_as_2(asw):
    """AS-2: a case of one dress out of two; the owner is whoever opened it; judged under the shop's policy v1;
    on the case's timeline and the order's timeline with the 工号."""
    reason = Reason.objects.get(kind=Kind.RETURN_REFUND, name="尺码不合适")
    case = open_case(asw, reason=reason, responsible="buyer", requested_refund_fen=5000)
    assert case.number.startswith("SH") and case.state == State.NEW
    assert [(ln.order_line.line_no, ln.quantity) for ln in case.lines.all()] == [(1, 1)]
    assert case.owner == asw.cs and case.follow_up_at is not None
    assert case.policy.number == 1 and case.refundable_fen == 5000  # one dress of two paid ¥100
    assert case.source == Case.Source.PAGE
    event = timeline_for(case).get()
    assert (event.kind, event.actor_number, event.to_state) == ("case_opened", "T002", "待处理")
    assert "尺码不合适" in event.note and "¥50.00" in event.note
    on_order = timeline_for(asw.shipped).get(kind="aftersales_opened")
    assert case.number in on_order.to_state and on_order.actor_number == "T002"


def test_a_quantity_above_the_ordered_one_is_refused_as_2(asw):
    with pytest.raises(CaseInputError, match="1 到 2 之间") as exc:
        open_case(asw, lines=lines_of(asw.shipped, 3))
    assert exc.value.status == 422
    assert not Case.objects.exists()


def test_lines_of_another_order_and_no_lines_are_refused_as_2(asw):
    with pytest.raises(CaseInputError, match="不属于订单"):
        open_case(asw, lines=[(asw.unshipped.lines.first(), 1)])
    with pytest.raises(CaseInputError, match="请选择售后的商品"):
        open_case(asw, lines=[])
    assert open_case(asw, kind=Kind.CONSULT, lines=[]).lines.count() == 0  # a question needs no lines


def test_the_type_must_fit_the_orders_state_as_2(asw):
    with pytest.raises(CaseInputError, match="已发货"):
        open_case(asw, kind=Kind.REFUND_UNSHIPPED, order=asw.shipped)
    with pytest.raises(CaseInputError, match="还未发货"):
        open_case(asw, kind=Kind.RETURN_REFUND, order=asw.unshipped)
    with pytest.raises(CaseInputError, match="还未付款"):
        open_case(asw, kind=Kind.CONSULT, order=asw.unpaid, lines=[])
    assert open_case(asw, kind=Kind.REFUND_UNSHIPPED, requested_refund_fen=16000, lines=lines_of(asw.unshipped))


def test_a_reason_is_required_and_must_belong_to_the_type_as_2(asw):
    with pytest.raises(CaseInputError, match="请选择售后原因"):
        open_case(asw, reason_text="")
    wrong = Reason.objects.filter(kind=Kind.EXCHANGE).first()
    with pytest.raises(CaseInputError, match="没有这个售后原因"):
        open_case(asw, reason=wrong)
    retired = Reason.objects.filter(kind=Kind.RETURN_REFUND).first()
    Reason.objects.filter(pk=retired.pk).update(is_active=False)
    with pytest.raises(CaseInputError, match="没有这个售后原因"):
        open_case(asw, reason=retired)


def test_the_refund_never_exceeds_what_was_paid_for_the_lines_as_5(asw):
    """AS-5: one dress of two paid ¥100 → at most ¥50; the whole order → what it paid, postage included."""
    with pytest.raises(CaseInputError, match=r"超过了这些商品的实付金额 ¥50\.00"):
        open_case(asw, requested_refund_fen=5001)
    case = open_case(asw, kind=Kind.REFUND_SHIPPED, lines=lines_of(asw.shipped), requested_refund_fen=16000)
    assert case.refundable_fen == 16000
    with pytest.raises(CaseInputError, match="不退款"):
        open_case(asw, kind=Kind.EXCHANGE, requested_refund_fen=100)


def test_the_database_refuses_a_refund_above_the_paid_amount_as_5(asw):
    """AS-5: the check constraint holds whatever writes (an import, a script) — not only the service."""
    case = open_case(asw, requested_refund_fen=5000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(requested_refund_fen=5001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(agreed_refund_fen=case.refundable_fen + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(agreed_refund_fen=-1)


def test_one_open_case_per_order_and_type_as_2(asw):
    """AS-2: a second open case of the same order and type is refused in Chinese (409), by the database too; another
    type is fine, and once the first is closed a new one may be opened."""
    first = open_case(asw)
    with pytest.raises(DuplicateCase, match=f"已有进行中的“退货退款”售后单 {first.number}") as exc:
        open_case(asw)
    assert exc.value.status == 409
    with pytest.raises(IntegrityError), transaction.atomic():  # the partial unique index itself
        Case.objects.create(number="SHX1", shop=first.shop, order=first.order, kind=first.kind)
    assert open_case(asw, kind=Kind.EXCHANGE)
    cases.move(asw.cs, first, State.CANCELLED, note="买家撤销")
    assert open_case(asw).pk != first.pk


def test_a_platform_refund_id_is_unique_per_shop_as_2(asw):
    open_case(asw, platform_refund_id="RF-1")
    with pytest.raises(DuplicateCase, match="RF-1"):
        open_case(asw, kind=Kind.EXCHANGE, platform_refund_id="RF-1")
    assert open_case(asw, order=asw.other_shop, platform_refund_id="RF-1", actor=asw.manager)


@pytest.mark.parametrize("kind", Kind.values)
def test_every_type_has_one_table_that_ends_in_a_closed_state_as_2(kind):
    """AS-2: each type's table is reachable from 待处理 and every open state leads on (no dead ends)."""
    table = cases.TRANSITIONS[kind]
    seen, todo = {State.NEW}, [State.NEW]
    while todo:
        for to in table.get(todo.pop(), ()):
            if to not in seen:
                seen.add(to)
                todo.append(to)
    assert State.DONE in seen
    assert all(table.get(s) for s in seen if s not in {State.DONE, State.REFUSED, State.CANCELLED})
    assert cases.machine(kind).transitions == table


def test_a_return_walks_its_table_with_the_staff_number_on_every_move_as_2(asw):
    case = open_case(asw, requested_refund_fen=5000)
    case = cases.move(asw.cs, case, State.WAITING_RETURN, version=case.version)
    case = receiving.receive(asw.cs, case, recorded_only(case))  # INV-5: only by scanning the return
    case = cases.move(asw.cs, case, State.REFUNDING, agreed_refund_fen=4500)
    case = cases.move(asw.manager, case, State.DONE)
    assert case.state == State.DONE and case.closed_at and case.agreed_refund_fen == 4500
    moves = list(timeline_for(case).filter(kind="case_state").order_by("at", "id"))
    assert [(e.from_state, e.to_state, e.actor_number) for e in moves] == [
        ("待处理", "等买家退货", "T002"),
        ("等买家退货", "退货已收到", "T002"),
        ("退货已收到", "待退款", "T002"),
        ("待退款", "已完结", "T001"),
    ]
    assert moves[2].note.startswith("同意退款 ¥45.00")


def test_a_move_outside_the_types_table_is_refused_in_words_as_2(asw):
    case = open_case(asw, kind=Kind.RESEND)
    with pytest.raises(IllegalTransition, match="当前为“待处理”，不能改为“等买家退货”"):
        cases.move(asw.cs, case, State.WAITING_RETURN)
    consult = open_case(asw, kind=Kind.CONSULT, lines=[])
    with pytest.raises(IllegalTransition):
        cases.move(asw.cs, consult, State.REFUNDING, agreed_refund_fen=100)


def test_agreeing_a_refund_needs_the_amount_within_the_paid_one_as_5(asw):
    case = open_case(asw, kind=Kind.REFUND_SHIPPED, requested_refund_fen=5000)
    with pytest.raises(CaseInputError, match="请填写退款金额"):
        cases.move(asw.cs, case, State.REFUNDING)
    with pytest.raises(CaseInputError, match="超过了这些商品的实付金额"):
        cases.move(asw.cs, case, State.REFUNDING, agreed_refund_fen=5001)
    assert Case.objects.get(pk=case.pk).state == State.NEW


def test_the_orders_agreed_refunds_together_stay_within_what_it_paid_as_5(asw):
    """AS-5 across cases: ¥160 paid; a refund-only of the whole order agreed at ¥150 leaves ¥10 for the return."""
    whole = open_case(asw, kind=Kind.REFUND_SHIPPED, lines=lines_of(asw.shipped), requested_refund_fen=16000)
    cases.move(asw.cs, whole, State.REFUNDING, agreed_refund_fen=15000)
    ret = open_case(asw, requested_refund_fen=5000)
    ret = cases.move(asw.cs, ret, State.WAITING_RETURN)
    ret = receiving.receive(asw.cs, ret, recorded_only(ret))
    with pytest.raises(CaseInputError, match=r"最多还能退 ¥10\.00"):
        cases.move(asw.cs, ret, State.REFUNDING, agreed_refund_fen=5000)
    assert cases.move(asw.cs, ret, State.REFUNDING, agreed_refund_fen=1000).agreed_refund_fen == 1000


def test_refusing_needs_a_reason_as_2(asw):
    case = open_case(asw)
    with pytest.raises(CaseInputError, match="拒绝售后请写明原因"):
        cases.move(asw.cs, case, State.REFUSED)
    assert cases.move(asw.cs, case, State.REFUSED, note="已穿着").closed_at is not None


def test_a_change_based_on_an_older_version_is_refused(asw):
    case = open_case(asw)
    cases.move(asw.cs, case, State.WAITING_BUYER, version=case.version)
    with pytest.raises(DomainError, match="已被他人修改") as exc:
        cases.move(asw.manager, case, State.REFUSED, version=case.version, note="x")
    assert exc.value.code == "stale_version"


def test_case_lines_keep_their_quantity_positive_in_the_database_as_2(asw):
    case = open_case(asw)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseLine.objects.filter(case=case).update(quantity=0)
