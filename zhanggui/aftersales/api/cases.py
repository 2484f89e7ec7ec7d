"""After-sales cases API (AS-2, AS-5, AS-6) under /api/v1/aftersales/cases: list (tabs and filters as the queue),
one case, open, move, assign — the same services, permissions, shop scope and masking as the pages. Bad input
answers 422 with a Chinese message (schema errors and the services' CaseInputError); a second open case of the same
order and type 409; an illegal move 409; a change based on an older `version` 400 stale_version."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from zhanggui.core import clock
from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen, Quantity
from zhanggui.core.events import present_event, timeline_for
from zhanggui.orders.models import Order

from .. import selectors
from ..models import Case
from ..services import cases as svc
from ..services import policy, work
from ..services.errors import CaseInputError

router = Router(tags=["aftersales"])
VIEW, ADD, CHANGE = "aftersales.view_case", "aftersales.add_case", "aftersales.change_case"
KindName = Literal[
    "refund_unshipped", "refund_shipped", "return_refund", "exchange", "resend", "lost_damaged", "consult"
]
StateName = Literal[
    "new", "waiting_buyer", "waiting_return", "received", "refunding", "resending", "claiming", "done", "refused",
    "cancelled",
]  # fmt: skip
TabName = Literal["pending", "waiting_buyer", "waiting_return", "overdue", "escalated", "closed", "all"]
Party = Literal["", "seller", "buyer", "courier", "supplier"]


class CaseOut(Schema):
    id: int
    number: str
    shop_id: int
    shop: str
    order_id: int
    order_no: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    version: int
    reason: str
    reason_text: str
    responsible: str
    owner_number: str | None
    follow_up_at: dt.datetime | None
    overdue: bool
    escalated_at: dt.datetime | None
    requested_refund_fen: int
    agreed_refund_fen: int | None
    refundable_fen: int
    platform_refund_id: str | None
    platform_status: str  # the platform's refund status as last imported (AS-2)
    platform_refunded_fen: int | None  # what the platform says it refunded (a return not yet received)
    source: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


class CaseLineOut(Schema):
    line_no: int
    code: str
    title: str
    properties: str
    ordered: int
    quantity: int
    paid_fen: int


class BrokenOut(Schema):
    name: str
    text: str
    why: str


class ReceiverOut(Schema):
    name: str
    phone: str
    address: str


class EventOut(Schema):
    at: dt.datetime
    actor_number: str
    kind_label: str
    from_state: str
    to_state: str
    note: str


class CaseDetailOut(CaseOut):
    lines: list[CaseLineOut]
    receiver: ReceiverOut
    policy_version: int | None
    broken_clauses: list[BrokenOut]
    postage_payer: str | None
    photos: int
    next_states: list[str]
    timeline: list[EventOut]


class CasePage(Schema):
    count: int
    tabs: dict[str, int]
    items: list[CaseOut]


class LineIn(Schema):
    line_no: int = Field(ge=1, le=10_000)
    quantity: Quantity


class CaseIn(Schema):
    order_id: int = Field(ge=1, le=2**63 - 1)
    kind: KindName
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    reason_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    reason_text: str = Field(default="", max_length=200)
    responsible: Party = ""
    requested_refund_fen: Fen = 0
    platform_refund_id: str | None = Field(default=None, max_length=64)
    follow_up_at: dt.datetime | None = None
    note: str = Field(default="", max_length=500)


class MoveIn(Schema):
    # one of StateName, checked by the service after the shop scope (another shop's case answers 404 first)
    to: str = Field(default="", max_length=20)
    version: int | None = None
    note: str = Field(default="", max_length=500)
    agreed_refund_fen: Fen | None = None


class AssignIn(Schema):
    case_ids: list[int] = Field(min_length=1, max_length=work.ASSIGN_MAX)
    owner: str = Field(max_length=16)  # the 工号


class AssignOut(Schema):
    assigned: int


def _out(c: Case, now) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "shop_id": c.shop_id,
        "shop": c.shop.name,
        "order_id": c.order_id,
        "order_no": c.order.platform_order_no,
        "kind": c.kind,
        "kind_label": svc.kind_label(c.kind),
        "state": c.state,
        "state_label": svc.state_label(c.state),
        "version": c.version,
        "reason": c.reason.name if c.reason_id else "",
        "reason_text": c.reason_text,
        "responsible": c.responsible,
        "owner_number": c.owner.number if c.owner_id else None,
        "follow_up_at": c.follow_up_at,
        "overdue": c.is_open and c.follow_up_at is not None and c.follow_up_at < now,
        "escalated_at": c.escalated_at,
        "requested_refund_fen": c.requested_refund_fen,
        "agreed_refund_fen": c.agreed_refund_fen,
        "refundable_fen": c.refundable_fen,
        "platform_refund_id": c.platform_refund_id,
        "platform_status": c.platform_status,
        "platform_refunded_fen": c.platform_refunded_fen,
        "source": c.source,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
    }


def _detail(request, case_id) -> dict:
    c = selectors.load_case(request.user, case_id)
    now = clock.now()
    return {
        **_out(c, now),
        "lines": selectors.case_lines(c),
        "receiver": selectors.receiver_of(c.order, request.user),
        "policy_version": c.policy.number if c.policy_id else None,
        "broken_clauses": [b.__dict__ for b in policy.check(c)],
        "postage_payer": policy.postage_payer(c),
        "photos": c.photos.count(),
        "next_states": svc.allowed_moves(c),
        "timeline": [present_event(e, request.user) for e in timeline_for(c)[:200]],
    }


@api_route(router.get, "/aftersales/cases", perm=VIEW, response=CasePage)
def list_cases(
    request,
    tab: TabName = "all",
    kind: KindName | None = None,
    state: StateName | None = None,
    owner: str = "",
    age: int = 0,
    shop_id: int | None = None,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
):
    """AS-2, AS-6: the cases of the caller's shops (库管: returns and exchanges only); `tabs` counts every state
    group under the same filters; `owner` = a staff id, "me" or "none"; `age` = opened at least so many days ago."""
    now = clock.now()
    shops = allowed_shops(request.user)
    if shop_id is not None:
        shops = shops.filter(pk=shop_id)
    params = {"tab": tab, "kind": kind or "", "state": state or "", "owner": owner, "age": age, "q": q}
    filters = selectors.CaseFilters.from_params(params)
    base = filters.apply(selectors.cases_for(request.user, shops), request.user, now)
    counts = selectors.tab_counts(base, now)
    offset = max(offset, 0)
    rows = list(selectors.queue(base, filters, now)[offset : offset + max(1, min(limit, 500))])
    return {"count": counts[filters.tab], "tabs": counts, "items": [_out(c, now) for c in rows]}


@api_route(router.post, "/aftersales/cases/assign", perm=CHANGE, response=AssignOut)
def assign_cases(request, payload: AssignIn):
    """AS-6: hand open cases of the caller's shops to one 工号 (set-based). Declared before /cases/{case_id},
    which would take "assign" for an id."""
    owner = selectors.handlers([]).filter(number=payload.owner.strip()).first()
    if owner is None:
        raise CaseInputError("bad_owner", f"工号 {payload.owner} 不存在或不处理售后", "owner")
    return {"assigned": work.assign(request.user, payload.case_ids, owner, shops=allowed_shops(request.user))}


@api_route(router.get, "/aftersales/cases/{case_id}", perm=VIEW, response=CaseDetailOut)
def get_case(request, case_id: int):
    """AS-1, AS-2: one case with its lines, the receiver (masked per role), the broken policy clauses, the allowed
    moves and the timeline."""
    return _detail(request, case_id)


@api_route(router.post, "/aftersales/cases", perm=ADD, response={201: CaseDetailOut})
def open_case(request, payload: CaseIn):
    """AS-2: open a case of an order of the caller's shops; lines by line number with partial quantities."""
    order = scoped_get(Order.objects.select_related("shop"), request.user, pk=payload.order_id)
    by_no = {ln.line_no: ln for ln in order.lines.all()}
    missing = [f"订单没有第 {ln.line_no} 行商品" for ln in payload.lines if ln.line_no not in by_no]
    if missing:
        raise CaseInputError("bad_line", missing[0], "lines", details=missing)
    case = svc.open_case(
        request.user,
        order=order,
        kind=payload.kind,
        lines=[(by_no[ln.line_no], ln.quantity) for ln in payload.lines],
        reason=payload.reason_id,
        reason_text=payload.reason_text,
        responsible=payload.responsible,
        requested_refund_fen=payload.requested_refund_fen,
        follow_up_at=payload.follow_up_at,
        platform_refund_id=payload.platform_refund_id,
        source=Case.Source.API,
        note=payload.note,
    )
    return Status(201, _detail(request, case.pk))


@api_route(router.post, "/aftersales/cases/{case_id}/moves", perm=CHANGE, response=CaseDetailOut)
def move_case(request, case_id: int, payload: MoveIn):
    """AS-2: move the case (the type's table decides); → refunding needs agreed_refund_fen (AS-5)."""
    case = selectors.load_case(request.user, case_id)
    svc.move(
        request.user,
        case,
        payload.to,
        version=payload.version,
        note=payload.note,
        agreed_refund_fen=payload.agreed_refund_fen,
    )
    return _detail(request, case.pk)
