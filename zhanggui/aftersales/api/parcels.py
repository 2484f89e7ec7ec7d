"""Parcel problems and compensation in the API (AS-4, AS-5) under /api/v1/aftersales/…: the six-step checklist of a
丢件/破损 case, carrier claims and compensations — the same services, permissions and shop scope as the case page
(a case the caller may not see answers 404; 库管 sees no 丢件破损 case). Bad input answers 422 in Chinese, an illegal
claim move 409, a change based on an older claim `version` 400 stale_version."""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier

from .. import selectors
from ..models import CarrierClaim
from ..services import compensation, parcels

router = Router(tags=["aftersales"])
VIEW, CHANGE = "aftersales.view_case", "aftersales.change_case"
StepName = Literal["calm", "record", "address", "compare", "carrier", "report"]
ClaimState = Literal["filed", "accepted", "paid", "rejected", "withdrawn"]
ClaimReason = Literal["lost", "damaged", "confiscated"]
CompKind = Literal["refund", "resend", "gift", "coupon", "cash"]


class StepOut(Schema):
    step: str
    name: str
    done: bool
    done_by: str | None
    done_at: dt.datetime | None
    note: str


# Bodies take plain strings and optional amounts: the services check them AFTER the shop scope, so another shop's
# case answers 404 whatever the body holds (the names are in StepName, ClaimReason, ClaimState, CompKind).
class StepIn(Schema):
    step: str = Field(default="", max_length=10)
    done: bool = True  # False: untick
    note: str = Field(default="", max_length=200)


class ClaimOut(Schema):
    id: int
    case_id: int
    case_number: str
    carrier: str
    carrier_id: int
    waybill_no: str
    reason: str
    reason_label: str
    state: str
    state_label: str
    claimed_fen: int
    paid_fen: int
    filed_on: dt.date
    settled_at: dt.datetime | None
    note: str
    version: int


class ClaimIn(Schema):
    reason: str = Field(default="", max_length=12)
    claimed_fen: Fen | None = None
    carrier_id: int | None = Field(default=None, ge=1, le=2**31 - 1)  # default: the case's parcel
    waybill_no: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=200)


class ClaimMoveIn(Schema):
    to: str = Field(default="", max_length=10)
    version: int | None = None
    paid_fen: Fen | None = None
    note: str = Field(default="", max_length=200)


class CompensationOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount_fen: int
    note: str
    created_by: str | None
    created_at: dt.datetime


class CompensationIn(Schema):
    kind: str = Field(default="", max_length=8)
    amount_fen: Fen | None = None
    note: str = Field(default="", max_length=200)


class CompensationPage(Schema):
    total_fen: int
    refunded_fen: int
    refund_left_fen: int
    items: list[CompensationOut]


class ParcelOut(Schema):
    case_id: int
    steps: list[StepOut]
    claims: list[ClaimOut]
    compensation: CompensationPage


def _claim(c: CarrierClaim) -> dict:
    return {
        "id": c.pk, "case_id": c.case_id, "case_number": c.case.number, "carrier": c.carrier.name,
        "carrier_id": c.carrier_id, "waybill_no": c.waybill_no, "reason": c.reason,
        "reason_label": parcels.CLAIM_REASON_NAMES.get(c.reason, c.reason), "state": c.state,
        "state_label": parcels.claim_label(c.state), "claimed_fen": c.claimed_fen, "paid_fen": c.paid_fen,
        "filed_on": c.filed_on, "settled_at": c.settled_at, "note": c.note, "version": c.version,
    }  # fmt: skip


def _steps(case) -> list[dict]:
    return [{**{k: s[k] for k in ("step", "name", "done", "done_at", "note")},
             "done_by": s["done_by"].number if s["done_by"] else None} for s in parcels.checklist(case)]  # fmt: skip


def _compensation(case) -> dict:
    found = compensation.summary(case)
    items = [
        {"id": r["row"].pk, "kind": r["row"].kind, "kind_label": r["kind_label"], "amount_fen": r["row"].amount_fen,
         "note": r["row"].note, "created_by": r["row"].created_by.number if r["row"].created_by_id else None,
         "created_at": r["row"].created_at}
        for r in found["rows"]
    ]  # fmt: skip
    return {"total_fen": found["total_fen"], "refunded_fen": found["refunded_fen"],
            "refund_left_fen": found["refund_left_fen"], "items": items}  # fmt: skip


def _parcel(case) -> dict:
    claims = case.claims.select_related("carrier", "case").order_by("pk")
    is_parcel = case.kind == "lost_damaged"
    return {"case_id": case.pk, "steps": _steps(case) if is_parcel else [], "claims": [_claim(c) for c in claims],
            "compensation": _compensation(case)}  # fmt: skip


@api_route(router.get, "/aftersales/cases/{case_id}/parcel", perm=VIEW, response=ParcelOut)
def get_parcel(request, case_id: int):
    """AS-4, AS-5: the case's checklist (丢件破损 only), claims and compensations."""
    return _parcel(selectors.load_case(request.user, case_id))


@api_route(router.post, "/aftersales/cases/{case_id}/steps", perm=CHANGE, response=ParcelOut)
def tick_step(request, case_id: int, payload: StepIn):
    """AS-4: tick a step of the six (with the caller's 工号 and now), or untick it with done=false."""
    case = selectors.load_case(request.user, case_id)
    if payload.done:
        parcels.tick(request.user, case, payload.step, payload.note)
    else:
        parcels.untick(request.user, case, payload.step, payload.note)
    return _parcel(case)


@api_route(router.get, "/aftersales/claims", perm=VIEW, response=list[ClaimOut])
def list_claims(request, state: ClaimState | None = None, carrier_id: int | None = None, limit: int = 100,
                offset: int = 0):  # fmt: skip
    """AS-4: the carrier claims of the cases the caller may see, newest first."""
    qs = CarrierClaim.objects.filter(case__in=selectors.cases_for(request.user)).select_related("carrier", "case")
    if state:
        qs = qs.filter(state=state)
    if carrier_id is not None:
        qs = qs.filter(carrier_id=carrier_id)
    offset = max(offset, 0)
    return [_claim(c) for c in qs.order_by("-filed_on", "-pk")[offset : offset + max(1, min(limit, 500))]]


@api_route(router.post, "/aftersales/cases/{case_id}/claims", perm=CHANGE, response={201: ClaimOut})
def file_claim(request, case_id: int, payload: ClaimIn):
    """AS-4: claim from the carrier (carrier and waybill default to the case's parcel)."""
    case = selectors.load_case(request.user, case_id)
    carrier = None
    if payload.carrier_id is not None:
        carrier = Carrier.objects.filter(pk=payload.carrier_id).first()
        if carrier is None:
            raise DomainError("bad_carrier", "没有这家快递公司", "carrier_id")
    claim = parcels.file_claim(request.user, case, carrier=carrier, waybill_no=payload.waybill_no,
                               reason=payload.reason, claimed_fen=payload.claimed_fen, note=payload.note)  # fmt: skip
    return Status(201, _claim(CarrierClaim.objects.select_related("carrier", "case").get(pk=claim.pk)))


@api_route(router.post, "/aftersales/cases/{case_id}/claims/{claim_id}/moves", perm=CHANGE, response=ClaimOut)
def move_claim(request, case_id: int, claim_id: int, payload: ClaimMoveIn):
    """AS-4: the claim's next step; → paid with paid_fen (1 … claimed)."""
    case = selectors.load_case(request.user, case_id)
    claim = case.claims.filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    parcels.move_claim(request.user, claim, payload.to, version=payload.version, paid_fen=payload.paid_fen,
                       note=payload.note)  # fmt: skip
    return _claim(CarrierClaim.objects.select_related("carrier", "case").get(pk=claim.pk))


@api_route(router.get, "/aftersales/cases/{case_id}/compensations", perm=VIEW, response=CompensationPage)
def list_compensations(request, case_id: int):
    """AS-5: the case's compensations with the total and the refund still possible."""
    return _compensation(selectors.load_case(request.user, case_id))


@api_route(router.post, "/aftersales/cases/{case_id}/compensations", perm=CHANGE, response={201: CompensationPage})
def add_compensation(request, case_id: int, payload: CompensationIn):
    """AS-5: record a compensation; a refund never exceeds what was paid for the case's lines (422)."""
    case = selectors.load_case(request.user, case_id)
    compensation.add(request.user, case, payload.kind, payload.amount_fen, payload.note)
    return Status(201, _compensation(case))
