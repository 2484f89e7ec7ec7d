"""One case (/aftersales/<id>/, AS-1, AS-2, AS-5, AS-6): header (number, type, state, shop, owner, follow-up, overdue
and escalation), the allowed moves as labelled buttons, the order summary (linked to the order page; receiver masked
per role, TEAM-5), the lines with what was paid for them, the policy it is judged under beside them with the broken
clauses in red, photos, follow-up / owner / notes, and the timeline on the right. Every form carries the version the
page showed: a change based on an older one is refused. Each POST calls one service; refusals come back in Chinese.
"""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.uploads import limit_mb

from .. import selectors
from ..models import Case, CasePhoto
from ..services import cases as svc
from ..services import photos, policy, work
from .common import CHANGE, STATE_TONES, TAKE_BACK, VIEW, fen_from, moment_from, staff_choice
from .parcels import case_context as parcel_context

State = Case.State
Kind = Case.Kind

MOVE_LABELS = {
    State.WAITING_BUYER: gettext_lazy("Wait for the buyer"),
    State.NEW: gettext_lazy("Buyer replied"),
    State.WAITING_RETURN: gettext_lazy("Agree to the return"),
    State.RECEIVED: gettext_lazy("Return received"),
    State.REFUNDING: gettext_lazy("Agree to refund"),
    State.RESENDING: gettext_lazy("Send out"),
    State.CLAIMING: gettext_lazy("Claim from the carrier"),
    State.REFUSED: gettext_lazy("Refuse"),
    State.CANCELLED: gettext_lazy("Buyer withdrew"),
}
KIND_MOVE_LABELS = {
    (Kind.EXCHANGE, State.WAITING_RETURN): gettext_lazy("Agree to the exchange"),
    (Kind.EXCHANGE, State.RESENDING): gettext_lazy("Send the exchange"),
    (Kind.RESEND, State.RESENDING): gettext_lazy("Arrange the resend"),
    (Kind.LOST_DAMAGED, State.RESENDING): gettext_lazy("Resend the goods"),
}
DONE_LABELS = {  # → 已完结, named by what was done
    State.REFUNDING: gettext_lazy("Refund paid"),
    State.RESENDING: gettext_lazy("Sent out"),
    State.CLAIMING: gettext_lazy("Claim settled"),
}
DANGER = {State.REFUSED, State.CANCELLED}


def _move_label(case: Case, to: str) -> str:
    if to == State.DONE:
        return str(DONE_LABELS.get(case.state, gettext_lazy("Answered")))
    return str(KIND_MOVE_LABELS.get((case.kind, to), MOVE_LABELS.get(to, svc.state_label(to))))


def _moves(case: Case, broken) -> list[dict]:
    return [
        {
            "to": to,
            "label": _move_label(case, to),
            "amount": to == State.REFUNDING,
            "reason": to == State.REFUSED,
            "outside_policy": bool(broken) and to in svc.AGREEING,
            "danger": to in DANGER,
        }
        for to in svc.allowed_moves(case)
    ]


def _clauses(policy_version, broken, unknown_receipt: bool) -> list[dict]:
    """The policy's clauses with the broken ones marked (plus the return window as the first line, saying when it
    cannot be judged: the order has no signing, ship or receipt time)."""
    if policy_version is None:
        return []
    broken_names = {b.name: b for b in broken}
    window = f"{policy_version.return_window_days} 天退换"
    rows = [{"name": window, "text": f"签收后 {policy_version.return_window_days} 天内可申请退换货"}]
    rows += [{"name": c["name"], "text": c.get("text", "")} for c in policy_version.clauses]
    for row in rows:
        hit = broken_names.get(row["name"])
        row["broken"], row["why"] = hit is not None, hit.why if hit else ""
    if unknown_receipt:
        rows[0]["why"] = _("Cannot be judged: the order has no signing or shipping time")
    return rows


@page(VIEW, shop_scoped=True)
def case_detail(request, case_id: int):
    case = selectors.load_case(request.user, case_id)
    now = clock.now()
    broken = policy.check(case)
    can_change = request.user.has_perm(CHANGE)
    payer = policy.postage_payer(case)
    overdue = case.is_open and case.follow_up_at is not None and case.follow_up_at < now
    photo_list = list(case.photos.all())
    summary = selectors.order_summary(case.order)
    judged = case.kind in policy.JUDGED_KINDS
    return render(
        request,
        "aftersales/detail.html",
        {
            "case": case,
            "kind_label": svc.kind_label(case.kind),
            "state_label": svc.state_label(case.state),
            "tone": STATE_TONES.get(case.state, "secondary"),
            "party_label": svc.PARTY_NAMES.get(case.responsible, ""),
            "reason": case.reason.name if case.reason_id else "",
            "summary": summary,
            "order_state": case.order.get_state_display(),
            "receiver": selectors.receiver_of(case.order, request.user),
            "lines": selectors.case_lines(case),
            "policy": case.policy,
            "clauses": _clauses(case.policy, broken, judged and summary["received_at"] is None),
            "judged": judged,
            "broken": broken,
            "postage": policy.PAYER_NAMES.get(payer, "") if payer else "",
            "photos": {k: [p for p in photo_list if p.kind == k] for k in CasePhoto.Kind.values},
            "photo_max_mb": limit_mb(photos.PURPOSE),
            "moves": _moves(case, broken) if can_change else [],
            "can_change": can_change and case.is_open,
            "can_take_back": request.user.has_perm(TAKE_BACK) and case.escalated_at is not None and case.is_open,
            "overdue": overdue,
            "overdue_by": selectors.age_text(case.follow_up_at, now) if overdue else "",
            "age": selectors.age_text(case.created_at, now),
            "handlers": [staff_choice(s) for s in selectors.handlers([case.shop])] if can_change else [],
            "timeline": [present_event(e, request.user) for e in timeline_for(case)[:200]],
            **selectors.return_facts(case, can_change),  # INV-5: return waybill, inspection, new order
            **parcel_context(request, case),  # AS-4 checklist and claims, AS-5 compensation
        },
    )


def _back(case_id):
    return redirect("aftersales:detail", case_id=case_id)


def _action(perm: str, name: str, change, done):
    """A POST-only view for one form of the case page: load the case the user may see, call the service."""

    @require_POST
    @page(perm, shop_scoped=True)
    def view(request, case_id: int):
        case = selectors.load_case(request.user, case_id)
        run_action(request, lambda: change(request, case), done)
        return _back(case.pk)

    view.__name__ = view.__qualname__ = name
    return view


def _move(request, case):
    p = request.POST
    return svc.move(
        request.user,
        case,
        p.get("to", ""),
        version=p.get("version") or None,
        note=p.get("note", ""),
        agreed_refund_fen=fen_from(p.get("amount"), "agreed_refund_fen"),
    )


def _follow_up(request, case):
    when = moment_from(request.POST.get("when"))
    return work.set_follow_up(
        request.user, case, when, version=request.POST.get("version") or None, note=request.POST.get("note", "")
    )


def _owner(request, case):
    owner_id = request.POST.get("owner", "")
    owner = selectors.handlers([case.shop]).filter(pk=owner_id if owner_id.isdigit() else None).first()
    return work.assign(request.user, [case.pk], owner, shops=request.scope.allowed)


def _conditions(request, case):
    return work.record_conditions(
        request.user, case, request.POST.getlist("unmet"), version=request.POST.get("version") or None
    )


def _escalate(request, case):
    return work.escalate(request.user, case, request.POST.get("note", ""), version=request.POST.get("version") or None)


def _take_back(request, case):
    return work.take_back(
        request.user,
        case,
        moment_from(request.POST.get("when")),
        request.POST.get("note", ""),
        version=request.POST.get("version") or None,
    )


move_view = _action(CHANGE, "move_view", _move, lambda c: _("Case is now: ") + svc.state_label(c.state))
follow_up_view = _action(CHANGE, "follow_up_view", _follow_up, gettext_lazy("Follow-up time saved."))
owner_view = _action(CHANGE, "owner_view", _owner, gettext_lazy("Owner changed."))
note_view = _action(
    CHANGE, "note_view", lambda r, c: work.add_note(r.user, c, r.POST.get("note", "")), gettext_lazy("Note saved.")
)
conditions_view = _action(CHANGE, "conditions_view", _conditions, gettext_lazy("Inspection result saved."))
escalate_view = _action(CHANGE, "escalate_view", _escalate, gettext_lazy("Escalated to the manager."))
take_back_view = _action(TAKE_BACK, "take_back_view", _take_back, gettext_lazy("Escalation taken back."))
photo_upload_view = _action(
    CHANGE,
    "photo_upload_view",
    lambda r, c: photos.add_photo(r.user, c, r.FILES.get("file"), r.POST.get("kind", CasePhoto.Kind.GOODS)),
    gettext_lazy("Photo saved."),
)


@page(VIEW, shop_scoped=True)
def photo_view(request, photo_id: int):
    """A case photo, for people who may see its case (shop and type checked: 404 otherwise); never a public URL."""
    photo = scoped_get(CasePhoto.objects.select_related("case"), request.user, "case__shop", pk=photo_id)
    kinds = selectors.visible_kinds(request.user)
    if kinds is not None and photo.case.kind not in kinds:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


urls = [
    path("<int:case_id>/", case_detail, name="detail"),
    path("<int:case_id>/move/", move_view, name="move"),
    path("<int:case_id>/follow-up/", follow_up_view, name="follow_up"),
    path("<int:case_id>/owner/", owner_view, name="owner"),
    path("<int:case_id>/note/", note_view, name="note"),
    path("<int:case_id>/conditions/", conditions_view, name="conditions"),
    path("<int:case_id>/escalate/", escalate_view, name="escalate"),
    path("<int:case_id>/take-back/", take_back_view, name="take_back"),
    path("<int:case_id>/photos/", photo_upload_view, name="photo_upload"),
    path("photos/<int:photo_id>/", photo_view, name="photo"),
]
