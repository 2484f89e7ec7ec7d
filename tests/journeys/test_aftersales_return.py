"""Journey across orders → aftersales → team (AS-1, AS-2, AS-5, AS-6): a Taobao export brings an order that was
shipped; customer service opens a return from the order page's 发起售后 button, the buyer's goods come back, the
refund is agreed within what was paid and paid — moved from the page and through the API, the one service behind
both. The queue's tabs follow every move, the order's timeline names the case, and a case nobody followed up goes to
the manager: a task on the duty chart's owner's to-do list, and the 已升级 tab."""

import datetime as dt
import json

import pytest

from tests.journeys.floor import SHIPPED, export, new_order_no, shop_floor
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import work
from zhanggui.core import clock
from zhanggui.core.events import timeline_for
from zhanggui.team.models import Duty, Task
from zhanggui.team.services import set_duty_owners

State = Case.State


@pytest.fixture
def floor(world):
    return shop_floor(world)


def _tabs(client) -> dict:
    return client.get("/api/v1/aftersales/cases").json()["tabs"]


def test_a_return_from_the_order_page_to_the_refund_and_an_escalation(floor, world, client_for):
    cs, manager = world.people["cs"], world.people["manager"]
    order = export(world, new_order_no(), SHIPPED, qty=2, paid="198.00")
    assert order.state == "shipped"
    client = client_for(cs)

    # 发起售后 on the order page leads to the form of this order; one of the two pieces goes back
    assert f'href="/aftersales/new/?order={order.pk}"' in client.get(f"/orders/{order.pk}/").content.decode()
    line = order.lines.get()
    form = {"kind": "return_refund", f"qty_{line.pk}": "1", "reason_text": "偏大", "amount": "99", "owner": cs.pk}
    assert client.post(f"/aftersales/new/?order={order.pk}", form).status_code == 302
    case = Case.objects.get(order=order)
    assert (case.refundable_fen, case.requested_refund_fen, case.policy.number) == (line.paid_fen // 2, 9900, 1)
    assert timeline_for(order).filter(kind="aftersales_opened", to_state__startswith=case.number).exists()
    assert _tabs(client)["pending"] == 1

    # agreed through the API, received and refunded on the page
    api = client.post(
        f"/api/v1/aftersales/cases/{case.pk}/moves",
        json.dumps({"to": "waiting_return", "version": case.version}),
        content_type="application/json",
    )
    assert api.status_code == 200 and _tabs(client)["waiting_return"] == 1
    case.refresh_from_db()
    # INV-5: the return is scanned on the returns page by its order number and inspected: the piece is intact
    assert case.number in client.get(f"/aftersales/returns/?code={order.platform_order_no}").content.decode()
    received = {"version": case.version, "intact_1": "1", "damaged_1": "0", "wrong_1": "0", "missing_1": "0"}
    client.post(f"/aftersales/returns/{case.pk}/receive/", received)
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.returned_at
    client.post(f"/aftersales/{case.pk}/move/", {"to": "refunding", "amount": "99.01", "version": case.version})
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED  # AS-5: more than was paid for one piece
    client.post(f"/aftersales/{case.pk}/move/", {"to": "refunding", "amount": "95", "version": case.version})
    case.refresh_from_db()
    client.post(f"/aftersales/{case.pk}/move/", {"to": "done", "version": case.version})
    case.refresh_from_db()
    assert (case.state, case.agreed_refund_fen) == (State.DONE, 9500) and case.closed_at
    assert [e.actor_number for e in timeline_for(case).filter(kind="case_state")] == ["T002"] * 4
    tabs = _tabs(client)
    assert tabs["closed"] == 1 and tabs["pending"] == tabs["waiting_return"] == 0 and tabs["all"] == 1

    # a second case of the order, not followed up in time, goes to the manager (AS-6)
    set_duty_owners(None, Duty.objects.get(role__code="manager", title="客户投诉与纠纷处理"), [manager])
    exchange = Case.objects.get(pk=client.post(
        "/api/v1/aftersales/cases",
        json.dumps({"order_id": order.pk, "kind": "exchange", "lines": [{"line_no": 1, "quantity": 1}],
                    "reason_text": "换小一码"}),
        content_type="application/json",
    ).json()["id"])  # fmt: skip
    Case.objects.filter(pk=exchange.pk).update(follow_up_at=clock.now() - dt.timedelta(minutes=1))
    assert work.escalate_overdue() == 1
    task = Task.objects.get(assignee=manager, rule="AS-6")
    assert exchange.number in task.title
    assert exchange.number in client_for(manager).get("/team/tasks/").content.decode()
    assert client_for(manager).get("/api/v1/aftersales/cases", {"tab": "escalated"}).json()["count"] == 1
