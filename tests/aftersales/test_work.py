"""Working a case (AS-6): owners (batch, set-based), follow-up, notes, overdue → escalated to the manager (a task for
the owner of the duty 客户投诉与纠纷处理), taken back only by the manager; the workbench's overdue count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.aftersales import selectors
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import cases, work
from zhanggui.aftersales.services.errors import CaseInputError
from zhanggui.core import clock
from zhanggui.core.events import timeline_for
from zhanggui.orders.models import Order
from zhanggui.team.models import Duty, Task
from zhanggui.team.services import create_staff, set_duty_owners

from .setup import make_order, open_case

State = Case.State
Kind = Case.Kind


def _many(asw, n):
    orders = [make_order(asw.world.shop_a, Order.State.SHIPPED, shipped_days=2) for _ in range(n)]
    return [open_case(asw, order=o) for o in orders]


def test_batch_assign_is_set_based_and_on_every_timeline_as_6(asw):
    """AS-6: ten cases to another 工号 in a fixed number of queries, each with its timeline entry (old → new)."""
    colleague, _pw = create_staff(None, number="T010", name="客服二", roles=["cs"], shops=[asw.world.shop_a])
    warm, few, many = _many(asw, 1), _many(asw, 2), _many(asw, 10)
    work.assign(asw.manager, [warm[0].pk], colleague, shops=[asw.world.shop_a])  # permissions and types cached
    with CaptureQueriesContext(connection) as small:
        assert work.assign(asw.manager, [c.pk for c in few], colleague, shops=[asw.world.shop_a]) == 2
    with CaptureQueriesContext(connection) as big:
        assert work.assign(asw.manager, [c.pk for c in many], colleague, shops=[asw.world.shop_a]) == 10
    assert len(big) == len(small)
    assert set(Case.objects.filter(pk__in=[c.pk for c in many]).values_list("owner__number", flat=True)) == {"T010"}
    event = timeline_for(many[0]).get(kind="case_assigned")
    assert (event.from_state, event.to_state, event.actor_number) == ("T002 测试cs", "T010 客服二", "T001")
    assert Case.objects.get(pk=many[0].pk).version == many[0].version + 1


def test_assign_stays_in_the_callers_shops_and_the_owners_as_6(asw):
    case = open_case(asw)
    assert work.assign(asw.world.outsider, [case.pk], asw.world.outsider, shops=[asw.world.shop_b]) == 0
    with pytest.raises(CaseInputError, match="不负责店铺“甲店”"):
        work.assign(asw.manager, [case.pk], asw.world.outsider, shops=[asw.world.shop_a])
    with pytest.raises(CaseInputError, match="请先勾选"):
        work.assign(asw.manager, [], asw.cs, shops=[asw.world.shop_a])
    closed = cases.move(asw.cs, open_case(asw, kind=Kind.CONSULT, lines=[]), State.DONE)
    assert work.assign(asw.manager, [closed.pk], asw.manager, shops=[asw.world.shop_a]) == 0  # closed: untouched


def test_follow_up_must_be_in_the_future_as_6(asw):
    case = open_case(asw)
    with pytest.raises(CaseInputError, match="应晚于现在"):
        work.set_follow_up(asw.cs, case, clock.now() - dt.timedelta(hours=1))
    when = clock.now() + dt.timedelta(days=2)
    assert work.set_follow_up(asw.cs, case, when, version=case.version).follow_up_at == when
    assert timeline_for(case).filter(kind="case_follow_up").exists()


def test_a_note_goes_on_the_log_with_the_staff_number_as_6(asw):
    case = open_case(asw)
    event = work.add_note(asw.cs, case, "已电话联系买家")
    assert (event.kind, event.actor_number, event.note) == ("case_note", "T002", "已电话联系买家")
    with pytest.raises(CaseInputError):
        work.add_note(asw.cs, case, "  ")


def test_overdue_cases_escalate_to_the_manager_once_as_6(asw):
    """AS-6: the sweep stamps every overdue open case, writes the timeline and hands the duty owner a task each;
    running it again changes nothing. A case followed up in time is left alone."""
    duty = Duty.objects.get(role__code="manager", title="客户投诉与纠纷处理")
    set_duty_owners(None, duty, [asw.manager])
    late, on_time = open_case(asw), open_case(asw, kind=Kind.EXCHANGE)
    Case.objects.filter(pk=late.pk).update(follow_up_at=clock.now() - dt.timedelta(hours=2))
    assert selectors.overdue_count([asw.world.shop_a]) == 1
    assert work.escalate_overdue() == 1
    assert work.escalate_overdue() == 0
    late.refresh_from_db()
    assert late.escalated_at is not None and Case.objects.get(pk=on_time.pk).escalated_at is None
    assert timeline_for(late).get(kind="case_escalated").to_state == "已升级店长"
    task = Task.objects.get(source__startswith=f"aftersales-escalation:{late.pk}:")
    assert task.assignee == asw.manager and task.url == f"/aftersales/{late.pk}/" and task.rule == "AS-6"
    assert selectors.escalated_count([asw.world.shop_a]) == 1
    assert selectors.overdue_count([asw.world.shop_b]) == 0


def test_a_closed_case_is_never_overdue_as_6(asw):
    case = open_case(asw, kind=Kind.CONSULT, lines=[])
    Case.objects.filter(pk=case.pk).update(follow_up_at=clock.now() - dt.timedelta(hours=2))
    cases.move(asw.cs, case, State.DONE)
    assert selectors.overdue_count([asw.world.shop_a]) == 0 and work.escalate_overdue() == 0


def test_escalating_by_hand_needs_a_reason_and_only_the_manager_takes_it_back_as_6(asw, client_for):
    case = open_case(asw)
    with pytest.raises(CaseInputError, match="写明原因"):
        work.escalate(asw.cs, case, "")
    case = work.escalate(asw.cs, case, "买家威胁投诉平台")
    when = (clock.local(clock.now()) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client_for(asw.cs).post(f"/aftersales/{case.pk}/take-back/", {"when": when}).status_code == 403
    response = client_for(asw.manager).post(f"/aftersales/{case.pk}/take-back/", {"when": when, "note": "已安抚"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.escalated_at is None and case.follow_up_at > clock.now()
