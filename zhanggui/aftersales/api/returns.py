"""Returns received API (INV-5) under /api/v1/aftersales/returns: the scan (lookup by return waybill, order number
or receiver phone's last 4 digits) and the receive action — the same services, permission (aftersales.receive_return),
shop scope and masking as the scanner page. Bad input answers 422 with a Chinese message naming the line; a
receipt based on an older `version` 400 stale_version; a case already received 422 already_received; a case not
waiting for its return 409."""

import datetime as dt

from ninja import Router, Schema
from pydantic import Field

from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Quantity

from .. import selectors
from ..models import Case
from ..services import cases as svc
from ..services import receiving
from ..services.errors import CaseInputError

router = Router(tags=["aftersales"])
RECEIVE = "aftersales.receive_return"


class ReceiverOut(Schema):
    name: str
    phone: str
    address: str


class ReturnLineOut(Schema):
    line_no: int
    code: str
    title: str
    properties: str
    quantity: int
    has_sku: bool


class WaitingCaseOut(Schema):
    id: int
    number: str
    shop_id: int
    order_no: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    version: int
    return_tracking_no: str
    receiver: ReceiverOut
    lines: list[ReturnLineOut]


class ScanOut(Schema):
    code: str
    by: str  # tracking / order / phone, or "" when nothing matched
    message: str
    unknown: bool  # nothing knows this code: keep the parcel as an 无主退件 on the page
    cases: list[WaitingCaseOut]


class InspectIn(Schema):
    line_no: int = Field(ge=1, le=10_000)
    intact: Quantity | None = 0
    damaged: Quantity | None = 0
    wrong: Quantity | None = 0
    missing: Quantity | None = 0
    exchange_sku: str = Field(default="", max_length=64)  # an exchange: the merchant code to send instead
    note: str = Field(default="", max_length=200)


class ReceiveIn(Schema):
    version: int | None = None
    lines: list[InspectIn] = Field(default_factory=list, max_length=500)
    note: str = Field(default="", max_length=200)


class ReceivedOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    version: int
    returned_at: dt.datetime | None
    replacement_order_id: int | None
    replacement_order_no: str | None


def _waiting(case: Case, user) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "shop_id": case.shop_id,
        "order_no": case.order.platform_order_no,
        "kind": case.kind,
        "kind_label": svc.kind_label(case.kind),
        "state": case.state,
        "state_label": svc.state_label(case.state),
        "version": case.version,
        "return_tracking_no": case.return_tracking_no,
        "receiver": selectors.receiver_of(case.order, user),
        "lines": [
            {
                "line_no": ln.order_line.line_no,
                "code": ln.order_line.sku.code if ln.order_line.sku_id else ln.order_line.outer_code,
                "title": ln.order_line.title,
                "properties": ln.order_line.properties,
                "quantity": ln.quantity,
                "has_sku": ln.order_line.sku_id is not None,
            }
            for ln in case.lines.all()
        ],
    }


@api_route(router.get, "/aftersales/returns/scan", perm=RECEIVE, response=ScanOut)
def scan_return(request, code: str = ""):
    """INV-5: the cases of the caller's shops waiting for this return (waybill, order number or phone last 4)."""
    found = receiving.find_waiting(request.user, code[:100])
    return {
        "code": found.code,
        "by": found.by,
        "message": found.message,
        "unknown": found.unknown,
        "cases": [_waiting(c, request.user) for c in found.cases],
    }


@api_route(router.post, "/aftersales/returns/{case_id}/receive", perm=RECEIVE, response=ReceivedOut)
def receive_return(request, case_id: int, payload: ReceiveIn):
    """INV-5: record what came back per line (intact → stock, damaged → damaged account, wrong / missing recorded)
    and post the stock with the case's move in one transaction; an exchange all intact gets its new ¥0 order."""
    case = selectors.load_case(request.user, case_id)
    if not payload.lines:
        raise CaseInputError("no_lines", "请填写每行商品的验货结果", "lines")
    by_no = {ln.order_line.line_no: ln for ln in case.lines.select_related("order_line")}
    unknown = [f"售后单没有第 {ln.line_no} 行商品" for ln in payload.lines if ln.line_no not in by_no]
    if unknown:
        raise CaseInputError("bad_line", unknown[0], "lines", details=unknown)
    inspected = {
        by_no[ln.line_no].pk: receiving.Inspected(
            intact=ln.intact or 0,
            damaged=ln.damaged or 0,
            wrong=ln.wrong or 0,
            missing=ln.missing or 0,
            exchange_sku=ln.exchange_sku or None,
            note=ln.note,
        )
        for ln in payload.lines
    }
    done = receiving.receive(request.user, case, inspected, version=payload.version, note=payload.note)
    return {
        "id": done.pk,
        "number": done.number,
        "state": done.state,
        "state_label": svc.state_label(done.state),
        "version": done.version,
        "returned_at": done.returned_at,
        "replacement_order_id": done.replacement_order_id,
        "replacement_order_no": done.replacement_order.platform_order_no if done.replacement_order_id else None,
    }
