"""The case page's parcel-problem and compensation cards (AS-4, AS-5): the six-step checklist of a 丢件/破损 case
(tick / untick with the 工号), the carrier claims (file, move, record what was paid) and the compensations with
their total. `case_context(request, case)` adds what the cards show to the case page; each POST calls one service
and goes back to the case page; refusals come back in Chinese."""

from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.actions import run_action
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier

from .. import selectors
from ..models import CarrierClaim, Case, Compensation
from ..services import compensation, parcels
from .common import CHANGE, fen_from

CS = CarrierClaim.State
CLAIM_MOVE_LABELS = {
    CS.ACCEPTED: gettext_lazy("Carrier accepted"),
    CS.PAID: gettext_lazy("Carrier paid"),
    CS.REJECTED: gettext_lazy("Carrier refused"),
    CS.WITHDRAWN: gettext_lazy("Withdraw"),
}
CLAIM_TONES = {CS.FILED: "info", CS.ACCEPTED: "warning", CS.PAID: "success", CS.REJECTED: "danger",
               CS.WITHDRAWN: "secondary"}  # fmt: skip


def case_context(request, case: Case) -> dict:
    """What the checklist, claims and compensation cards show (AS-4: only a 丢件/破损 case has the first two)."""
    can_change = request.user.has_perm(CHANGE)
    context = {"comp": compensation.summary(case), "comp_kinds": [(k, compensation.kind_label(k))
                                                                  for k in Compensation.Kind.values]}  # fmt: skip
    if case.kind != Case.Kind.LOST_DAMAGED:
        return context
    parcel = parcels.parcel_of(case)
    claims = []
    for c in case.claims.select_related("carrier").order_by("pk"):
        moves = [(to, CLAIM_MOVE_LABELS[to]) for to in CS.values if parcels.CLAIM_MACHINE.allows(c, to)]
        claims.append({"claim": c, "state_label": parcels.claim_label(c.state), "tone": CLAIM_TONES[c.state],
                       "reason_label": parcels.CLAIM_REASON_NAMES[c.reason],
                       "moves": moves if can_change else []})  # fmt: skip
    steps = parcels.checklist(case)
    return {
        **context,
        "steps": steps,
        "steps_done": sum(1 for s in steps if s["done"]),
        "claims": claims,
        "claim_reasons": list(parcels.CLAIM_REASON_NAMES.items()),
        "carriers": list(Carrier.objects.filter(active=True).order_by("sort", "code")),
        "parcel": parcel,
        # the claim form starts from the parcel's carrier and waybill (else the order's exported ones)
        "claim_carrier_id": parcel.carrier_id if parcel else _carrier_named(case.order.carrier),
        "claim_waybill": parcel.waybill_no if parcel else case.order.tracking_no,
        "parcel_open": case.is_open and can_change,
    }


def _carrier_named(name: str) -> int | None:
    if not name:
        return None
    found = Carrier.objects.filter(name=name).values_list("pk", flat=True).first()
    return found or Carrier.objects.filter(short_name=name[:10]).values_list("pk", flat=True).first()


def _action(name: str, change, done):
    @require_POST
    @page(CHANGE, shop_scoped=True)
    def view(request, case_id: int):
        case = selectors.load_case(request.user, case_id)
        run_action(request, lambda: change(request, case), done)
        return redirect("aftersales:detail", case_id=case.pk)

    view.__name__ = view.__qualname__ = name
    return view


def _tick(request, case):
    step = request.POST.get("step", "")
    if request.POST.get("undo") == "1":
        return parcels.untick(request.user, case, step, request.POST.get("note", ""))
    return parcels.tick(request.user, case, step, request.POST.get("note", ""))


def _file_claim(request, case):
    p = request.POST
    carrier_id = p.get("carrier", "")
    carrier = Carrier.objects.filter(pk=carrier_id).first() if carrier_id.isdigit() else None
    return parcels.file_claim(request.user, case, carrier=carrier, waybill_no=p.get("waybill_no", ""),
                              reason=p.get("reason", ""), claimed_fen=fen_from(p.get("claimed"), "claimed_fen"),
                              note=p.get("note", ""))  # fmt: skip


def _move_claim(request, case):
    p = request.POST
    claim_id = p.get("claim", "")
    claim = case.claims.filter(pk=claim_id if claim_id.isdigit() else None).first()
    if claim is None:
        raise DomainError("no_claim", "没有找到这条理赔", "claim")
    return parcels.move_claim(request.user, claim, p.get("to", ""), version=p.get("version") or None,
                              paid_fen=fen_from(p.get("paid"), "paid_fen"), note=p.get("note", ""))  # fmt: skip


def _compensate(request, case):
    p = request.POST
    return compensation.add(request.user, case, p.get("kind", ""), fen_from(p.get("amount"), "amount_fen"),
                            p.get("note", ""))  # fmt: skip


step_view = _action("step_view", _tick, gettext_lazy("Checklist saved."))
claim_view = _action("claim_view", _file_claim, gettext_lazy("Claim filed."))
claim_move_view = _action("claim_move_view", _move_claim, gettext_lazy("Claim updated."))
compensation_view = _action("compensation_view", _compensate, gettext_lazy("Compensation recorded."))

urls = [
    path("<int:case_id>/steps/", step_view, name="step"),
    path("<int:case_id>/claims/", claim_view, name="claim"),
    path("<int:case_id>/claims/move/", claim_move_view, name="claim_move"),
    path("<int:case_id>/compensation/", compensation_view, name="compensation"),
]
