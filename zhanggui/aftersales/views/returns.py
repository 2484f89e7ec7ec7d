"""Returns received (/aftersales/returns/, INV-5): a scanner-first page for the warehouse (库管), 售后 and the manager.
One box with the cursor in it: scan the buyer's return waybill (or type the order number or the receiver phone's
last 4 digits), Enter → the cases of the user's shops waiting for that return, each with its lines and one row of
counts per line (完好 / 破损 / 错发 / 少件, default: every piece intact; an exchange may name the SKU to send
instead). 登记入库 posts the stock and moves the case (services/receiving.py); a double submit is refused by the
version the form carries. An unknown waybill can be kept as an 无主退件 with photos (/aftersales/returns/unclaimed/),
claimed later for a case. Receivers masked per role (TEAM-5)."""

from urllib.parse import urlencode

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import allowed_shops, page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.errors import DomainError
from zhanggui.core.uploads import limit_mb

from .. import selectors
from ..models import Case, UnclaimedPhoto, UnclaimedReturn
from ..services import cases as svc
from ..services import photos, receiving, unclaimed
from .common import CHANGE, STATE_TONES, VIEW

RECEIVE = "aftersales.receive_return"


def _case_row(case: Case, user) -> dict:
    lines = []
    for line in case.lines.all():
        ol = line.order_line
        lines.append(
            {
                "pk": line.pk,
                "line_no": ol.line_no,
                "code": ol.sku.code if ol.sku_id else ol.outer_code,
                "barcode": ol.sku.barcode if ol.sku_id else "",
                "title": ol.title,
                "properties": ol.properties,
                "quantity": line.quantity,
                "has_sku": ol.sku_id is not None,
            }
        )
    return {
        "case": case,
        "kind_label": svc.kind_label(case.kind),
        "state_label": svc.state_label(case.state),
        "tone": STATE_TONES.get(case.state, "secondary"),
        "receiver": selectors.receiver_of(case.order, user),
        "lines": lines,
        "exchange": case.kind == Case.Kind.EXCHANGE,
    }


def _scan_url(code: str = "") -> str:
    return reverse("aftersales:returns") + (f"?{urlencode({'code': code})}" if code else "")


@page(RECEIVE)
def returns_page(request):
    raw = request.GET.get("code", "")
    found = receiving.find_waiting(request.user, raw) if raw.strip() else None
    shops = list(allowed_shops(request.user).select_related("platform"))
    return render(
        request,
        "aftersales/returns.html",
        {
            "code": found.code if found else "",
            "found": found,
            "rows": [_case_row(c, request.user) for c in found.cases] if found else [],
            "by_label": {"tracking": _("return waybill"), "order": _("order number"), "phone": _("phone last 4")}.get(
                found.by if found else "", ""
            ),
            "shops": shops,
            "photo_max_mb": limit_mb(photos.PURPOSE),
            "open_unclaimed": UnclaimedReturn.objects.filter(shop__in=shops, state=UnclaimedReturn.State.OPEN).count(),
        },
    )


def _inspected(post, case: Case) -> dict:
    """{case line pk: Inspected} from the form; its boxes are named by the order's line number (intact_1 …)."""
    out = {}
    for line in case.lines.select_related("order_line"):
        key = str(line.order_line.line_no)
        if f"intact_{key}" not in post:
            continue
        out[line.pk] = receiving.Inspected(
            **{k: post.get(f"{k}_{key}", "0") for k in receiving.OUTCOMES},
            exchange_sku=post.get(f"exchange_{key}", "").strip() or None,
            note=post.get(f"note_{key}", ""),
        )
    return out


def _received_text(case: Case) -> str:
    counts = {k: sum(getattr(r, k) for r in case.return_lines.all()) for k in receiving.OUTCOMES}
    text = _("Case %(number)s: return received — %(intact)s to stock, %(damaged)s to the damaged account") % {
        "number": case.number,
        **counts,
    }
    if counts["wrong"] or counts["missing"]:
        text += _(", %(wrong)s wrong item(s), %(missing)s missing recorded") % counts
    if case.replacement_order_id:
        text += _("; new order %(order)s created for the exchange") % {
            "order": case.replacement_order.platform_order_no
        }
    return text + "."


@require_POST
@page(RECEIVE, shop_scoped=True)
def receive_view(request, case_id: int):
    case = selectors.load_case(request.user, case_id)
    done = run_action(
        request,
        lambda: receiving.receive(
            request.user,
            case,
            _inspected(request.POST, case),
            version=request.POST.get("version") or None,
            note=request.POST.get("note", ""),
        ),
        _received_text,
    )
    return redirect(_scan_url() if done else _scan_url(request.POST.get("code", "") or case.order.platform_order_no))


# ---- 无主退件 ----------------------------------------------------------------------------------------------------


@page(RECEIVE)
def unclaimed_list(request):
    state = request.GET.get("state", "open")
    state = state if state in UnclaimedReturn.State.values else "open"
    shops = request.scope.shops
    qs = UnclaimedReturn.objects.filter(shop__in=shops).select_related("shop__platform", "case", "created_by")
    counts = {s: qs.filter(state=s).count() for s in UnclaimedReturn.State.values}
    rows = list(qs.filter(state=state).prefetch_related("photos").order_by("-created_at", "-pk")[:200])
    return render(
        request,
        "aftersales/unclaimed.html",
        {"rows": rows, "state": state, "counts": counts, "shops": list(request.scope.allowed)},
    )


def _shop(request):
    value = request.POST.get("shop", "")
    shop = allowed_shops(request.user).filter(pk=value if value.isdigit() else None).first()
    if shop is None:
        raise DomainError("bad_shop", "请选择退件所属店铺", "shop")
    return shop


@require_POST
@page(RECEIVE)
def unclaimed_keep(request):
    p = request.POST
    ok = run_action(
        request,
        lambda: unclaimed.keep(
            request.user,
            _shop(request),
            p.get("tracking_no", ""),
            carrier=p.get("carrier", ""),
            note=p.get("note", ""),
            files=request.FILES.getlist("photos"),
        ),
        lambda u: _("Kept as an unclaimed return: %(no)s.") % {"no": u.tracking_no},
    )
    return redirect("aftersales:unclaimed" if ok else _scan_url(p.get("tracking_no", "")))


@require_POST
@page(RECEIVE, shop_scoped=True)
def unclaimed_claim(request, unclaimed_id: int):
    kept = scoped_get(UnclaimedReturn.objects.all(), request.user, pk=unclaimed_id)
    claimed = {}

    def change():
        claimed["case"] = unclaimed.claim(
            request.user,
            kept,
            request.POST.get("case", ""),
            cases=selectors.cases_for(request.user),
            version=request.POST.get("version") or None,
        )
        return claimed["case"]

    ok = run_action(request, change, lambda c: _("Claimed for case %(number)s: inspect it now.") % {"number": c.number})
    if ok:
        case = claimed["case"]
        return redirect(_scan_url(case.return_tracking_no or case.order.platform_order_no))
    return redirect("aftersales:unclaimed")


@page(RECEIVE, shop_scoped=True)
def unclaimed_photo(request, unclaimed_photo_id: int):
    """A photo of an unclaimed return, for staff of its shop only (404 otherwise); never a public URL."""
    photo = scoped_get(UnclaimedPhoto.objects.all(), request.user, "unclaimed__shop", pk=unclaimed_photo_id)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- on the case page and the order page -----------------------------------------------------------------------


@require_POST
@page(CHANGE, shop_scoped=True)
def waybill_view(request, case_id: int):
    case = selectors.load_case(request.user, case_id)
    run_action(
        request,
        lambda: unclaimed.set_return_waybill(
            request.user,
            case,
            request.POST.get("tracking_no", ""),
            request.POST.get("carrier", ""),
            version=request.POST.get("version") or None,
        ),
        _("Return waybill saved."),
    )
    return redirect("aftersales:detail", case_id=case.pk)


@page(VIEW)
def order_cases(request):
    """The order page's 售后单 button (core.navigation): the case of this order, or of which it is the new order of
    an exchange or resend; several → the queue searched by the order number."""
    value = request.GET.get("order", "")
    order_id = int(value) if value.isdigit() and len(value) < 19 else None
    found = list(selectors.cases_of_order(request.user, order_id)[:2]) if order_id else []
    if not found:  # no case (any more, or not for this user): say so
        return render(request, "aftersales/for_order.html", {"order_id": value if value.isdigit() else ""})
    if len(found) == 1:
        return redirect("aftersales:detail", case_id=found[0].pk)
    return redirect(reverse("aftersales:list") + "?" + urlencode({"tab": "all", "q": found[0].order.platform_order_no}))


urls = [
    path("returns/", returns_page, name="returns"),
    path("returns/<int:case_id>/receive/", receive_view, name="return_receive"),
    path("returns/unclaimed/", unclaimed_list, name="unclaimed"),
    path("returns/unclaimed/keep/", unclaimed_keep, name="unclaimed_keep"),
    path("returns/unclaimed/<int:unclaimed_id>/claim/", unclaimed_claim, name="unclaimed_claim"),
    path("returns/unclaimed/photos/<int:unclaimed_photo_id>/", unclaimed_photo, name="unclaimed_photo"),
    path("<int:case_id>/waybill/", waybill_view, name="waybill"),
    path("for-order/", order_cases, name="for_order"),
]
