"""The shop's after-sales policy (/aftersales/policy/, AS-1, AS-3) and the reason lists (AS-2).

Everyone who handles or reads cases sees the policy of the shop in view (the shop switcher, or the first of their
shops) with its version history; only the manager saves a change (aftersales.add_policyversion), which writes the
next version — cases keep the version they were judged under. The reasons per case type are maintained here too
(aftersales.change_reason: the manager)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.actions import run_action
from zhanggui.core.errors import DomainError

from ..models import Case, PolicyVersion, Reason
from ..services import policy as svc
from ..services import reasons
from ..services.cases import kind_label
from .common import POLICY_EDIT, POLICY_VIEW, REASON_EDIT

HISTORY = 20


def _shop(request):
    """The shop whose policy is shown: the one in view, else the first of the user's shops (None: no shop)."""
    return request.scope.current or (request.scope.allowed[0] if request.scope.allowed else None)


def _render(request, shop, form=None, errors=None, status=200):
    current = svc.current_policy(shop) if shop else None
    base = current or PolicyVersion(shop=shop, number=0, **svc.defaults())
    form = form or {
        "text": base.text,
        "return_window_days": base.return_window_days,
        "clauses": svc.clauses_text(base.clauses),
        "return_postage": base.return_postage,
        "exchange_postage": base.exchange_postage,
        "repair_terms": base.repair_terms,
        "note": "",
    }
    history = list(PolicyVersion.objects.filter(shop=shop).select_related("created_by")[:HISTORY]) if shop else []
    by_kind = {k: [] for k in Case.Kind.values}
    for r in Reason.objects.order_by("kind", "position", "pk"):
        by_kind[r.kind].append(r)
    return render(
        request,
        "aftersales/policy.html",
        {
            "shop": shop,
            "shops": request.scope.allowed,
            "current": current,
            "base": base,
            "form": form,
            "errors": errors or {},
            "payers": list(svc.PAYER_NAMES.items()),
            "payer_names": svc.PAYER_NAMES,
            "history": [(v, svc.summary(v)) for v in history],
            "reasons": [(k, kind_label(k), by_kind[k]) for k in Case.Kind.values],
            "can_edit": request.user.has_perm(POLICY_EDIT),
            "can_edit_reasons": request.user.has_perm(REASON_EDIT),
        },
        status=status,
    )


@page(POLICY_VIEW)
def policy_page(request):
    return _render(request, _shop(request))


@require_POST
@page(POLICY_EDIT)
def policy_save(request):
    """AS-1: the manager saves the next version of the shop's policy."""
    shop = _shop(request)
    if shop is None:
        raise Http404
    fields = ("text", "return_window_days", "clauses", "return_postage", "exchange_postage", "repair_terms", "note")
    form = {k: request.POST.get(k, "") for k in fields}
    try:
        saved = svc.save_policy(request.user, shop, **form, version=request.POST.get("version") or None)
    except DomainError as exc:
        return _render(request, shop, form, {exc.field or "form": exc.message}, status=400)
    messages.success(request, _("Policy saved as version %(n)s.") % {"n": saved.number})
    return redirect(reverse("aftersales:policy") + f"?shop={shop.code}")


@require_POST
@page(REASON_EDIT)
def reason_add(request):
    """AS-2: a new reason for one case type."""
    p = request.POST
    run_action(request, lambda: reasons.add_reason(request.user, p.get("kind", ""), p.get("name", "")), _("Saved."))
    return redirect(reverse("aftersales:policy") + "#reasons")


@require_POST
@page(REASON_EDIT)
def reason_toggle(request, reason_id: int):
    """AS-2: retire a reason, or bring it back."""
    reason = get_object_or_404(Reason, pk=reason_id)
    active = request.POST.get("active") == "1"
    run_action(request, lambda: reasons.set_reason_active(request.user, reason, active), _("Saved."))
    return redirect(reverse("aftersales:policy") + "#reasons")


urls = [
    path("policy/", policy_page, name="policy"),
    path("policy/save/", policy_save, name="policy_save"),
    path("reasons/", reason_add, name="reason_add"),
    path("reasons/<int:reason_id>/", reason_toggle, name="reason_toggle"),
]
