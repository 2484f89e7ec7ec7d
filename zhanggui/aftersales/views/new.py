"""Opening a case (/aftersales/new/?order=<id>, AS-2): reached from the order page's 发起售后 button (registered with
core.navigation, so orders never import aftersales) or from the queue by order number. The form: type, the order's
lines with the quantity of each (partial quantities allowed), reason from the type's list or in words, responsible
party, refund requested (yuan; never more than was paid — AS-5), platform refund id, owner and follow-up. The service
decides; its refusal is shown next to the field and nothing typed is lost."""

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from zhanggui.core.access import page, scoped_get
from zhanggui.core.errors import DomainError
from zhanggui.orders.models import Order

from .. import selectors
from ..models import Case, Reason
from ..services import cases as svc
from ..services.refunds import line_paid
from .common import ADD, fen_from, moment_from, staff_choice

Kind = Case.Kind


def _order_param(request):
    value = str(request.GET.get("order") or request.POST.get("order") or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _find(request) -> Order | None:
    """The order of ?order=<id> within the user's shops (404 for another shop's), or by its number (?q=)."""
    order_id = _order_param(request)
    if order_id is not None:
        return scoped_get(Order.objects.select_related("shop__platform"), request.user, pk=order_id)
    number = str(request.GET.get("q") or "").replace("\x00", "").strip()[:64]
    if not number:
        return None
    return Order.objects.filter(shop__in=request.scope.allowed, platform_order_no=number).first()


def _suggested_kind(order: Order) -> str:
    if order.state in svc.UNSHIPPED_ORDERS:
        return Kind.REFUND_UNSHIPPED
    return Kind.RETURN_REFUND if order.state in svc.SHIPPED_ORDERS else Kind.CONSULT


@page(ADD)
def new_case(request):
    order = _find(request)
    if order is None:
        asked = str(request.GET.get("q") or "").strip()
        return render(request, "aftersales/new_find.html", {"asked": asked[:64], "missing": bool(asked)})
    lines = list(order.lines.select_related("sku").order_by("line_no"))
    values = request.POST if request.method == "POST" else {}
    errors = {}
    if request.method == "POST":
        p = request.POST
        owner = selectors.handlers([order.shop]).filter(pk=p.get("owner") if str(p.get("owner")).isdigit() else None)
        try:
            case = svc.open_case(
                request.user,
                order=order,
                kind=p.get("kind", ""),
                lines=[(ln.pk, p.get(f"qty_{ln.pk}") or 0) for ln in lines],
                reason=p.get("reason") or None,
                reason_text=p.get("reason_text", ""),
                responsible=p.get("responsible", ""),
                requested_refund_fen=fen_from(p.get("amount"), "requested_refund_fen") or 0,
                owner=owner.first(),
                follow_up_at=moment_from(p.get("follow_up_at")),
                platform_refund_id=p.get("platform_refund_id", ""),
                note=p.get("note", ""),
            )
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(request, _("After-sales case %(number)s opened.") % {"number": case.number})
            return redirect("aftersales:detail", case_id=case.pk)
    paid = line_paid(order, lines)
    kind = values.get("kind") or request.GET.get("kind") or _suggested_kind(order)
    reasons = list(Reason.objects.filter(is_active=True).order_by("kind", "position", "pk"))
    earlier = list(selectors.cases_for(request.user, [order.shop]).filter(order=order).order_by("-created_at"))
    return render(
        request,
        "aftersales/new.html",
        {
            "order": order,
            "order_state": order.get_state_display(),
            "receiver": selectors.receiver_of(order, request.user),
            "lines": [
                {
                    "line": ln,
                    "paid": paid.get(ln.pk, 0),
                    # one line: all of it; several: the person picks (nothing is taken by accident)
                    "qty": values.get(f"qty_{ln.pk}", 0) if values else (ln.quantity if len(lines) == 1 else 0),
                }
                for ln in lines
            ],
            "kinds": [(k, svc.kind_label(k)) for k in Kind.values],
            "kind": kind if kind in Kind.values else _suggested_kind(order),
            "reasons": [(r.pk, r.kind, r.name) for r in reasons],
            "parties": list(svc.PARTY_NAMES.items()),
            "handlers": [staff_choice(s) for s in selectors.handlers([order.shop])],
            "owner": int(values["owner"]) if str(values.get("owner", "")).isdigit() else request.user.pk,
            "refund_kinds": json.dumps(sorted(svc.REFUND_KINDS)),
            "values": values,
            "errors": errors,
            "cases": [(c, svc.kind_label(c.kind), svc.state_label(c.state)) for c in earlier],
        },
        status=400 if errors else 200,
    )


urls = [path("new/", new_case, name="new")]
