"""The custom-work panel of the order detail page (ORD-8) and its actions: turn a not-yet-reviewed order into a
customised one, upload design files / proofs / QC photos, confirm the details and ship date, production done,
QC pass or fail. The files are served only here, to people who may see the order (shop scope: another shop's file
answers 404), always as a download with the original name and `nosniff`."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page, scoped_get
from zhanggui.core.actions import run_action
from zhanggui.core.privacy import can_see_pii

from ..models import CustomFile, CustomWork, Order
from ..services import custom as svc
from .common import CHANGE, VIEW, clean_text

Stage = CustomWork.Stage


def _steps(stage: str) -> list[dict]:
    """The step bar: design → confirm → production → QC → normal flow (done steps, the current one, the rest)."""
    labels = [
        (Stage.AWAITING_DESIGN, pgettext("custom order step", "Design")),
        (Stage.TO_CONFIRM, pgettext("custom order step", "Confirm details")),
        (Stage.IN_PRODUCTION, pgettext("custom order step", "Production")),
        (Stage.QC, pgettext("custom order step", "Quality check")),
        (Stage.DONE, pgettext("custom order step", "Normal flow")),
    ]
    at = svc.ORDER.index(stage)
    return [
        {"stage": s, "label": label, "n": n, "state": "done" if n - 1 < at else "current" if n - 1 == at else "todo"}
        for n, (s, label) in enumerate(labels, start=1)
    ]


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def panel(request, order) -> dict:
    """Context for orders/_detail_custom.html: nothing for normal orders (转为定制订单 is one of the page's actions,
    services.order_actions)."""
    can_change = request.user.has_perm(CHANGE)
    if order.kind != Order.Kind.CUSTOM:
        return {"custom": None}
    work = svc.work_of(order)
    stage = work.stage if work else Stage.AWAITING_DESIGN
    files = list(work.files.select_related("uploaded_by")) if work else []
    show = can_see_pii(request.user)
    final = order.state in {Order.State.COMPLETED, Order.State.CLOSED}
    return {
        "custom": {
            "work": work,
            "stage": stage,
            "stage_label": CustomWork.Stage(stage).label,
            "steps": _steps(stage),
            "choices": clean_text(work.choices if work else "", request.user, show),
            "delivery_date": work.delivery_date if work else None,
            "overdue": svc.is_overdue(work),
            "today": clock.today(),
            "files": [
                {
                    "pk": f.pk,
                    "name": f.name,
                    "kind": f.get_kind_display(),
                    "size": _size(f.size),
                    "uploader": f.uploaded_by.number if f.uploaded_by else "",
                    "at": f.uploaded_at,
                }
                for f in files
            ],
            "kinds": CustomFile.Kind.choices,
            "can_change": can_change and not final,
            "editable_choices": stage in (Stage.AWAITING_DESIGN, Stage.TO_CONFIRM),
        },
    }


def _back(order):
    return redirect(reverse("orders:detail", kwargs={"order_id": order.pk}) + "#custom-work")


def _load(request, order_id):
    from .detail import load  # detail imports this module

    return load(request.user, order_id)


@require_POST
@page(CHANGE)
def start_view(request, order_id: int):
    """转为定制订单 (ORD-8)."""
    order = _load(request, order_id)
    p = request.POST
    run_action(
        request,
        lambda: svc.start_custom(request.user, order, p.get("choices", ""), version=p.get("version") or None),
        _("The order is now a customised order"),
    )
    return _back(order)


@require_POST
@page(CHANGE)
def upload_view(request, order_id: int):
    order = _load(request, order_id)
    run_action(
        request,
        lambda: svc.add_file(request.user, order, request.FILES.get("file"), request.POST.get("kind", "design")),
        lambda f: _("File uploaded: ") + f.name,
    )
    return _back(order)


@require_POST
@page(CHANGE)
def step_view(request, order_id: int):
    """The one action the stage allows: save choices, confirm (choices + ship date), production done, QC."""
    order = _load(request, order_id)
    p = request.POST
    version = p.get("version") or None
    action = p.get("action", "")
    user = request.user
    steps = {
        "save": (lambda: svc.save_choices(user, order, p.get("choices", ""), version=version), _("Choices saved")),
        "confirm": (
            lambda: svc.confirm_details(
                user,
                order,
                choices=p.get("choices", ""),
                delivery_date=p.get("delivery_date", ""),
                producer=p.get("producer", ""),
                version=version,
            ),
            _("Details confirmed: production started"),
        ),
        "produced": (
            lambda: svc.finish_production(user, order, version=version, note=p.get("note", "")),
            _("Production done: waiting for the quality check"),
        ),
        "qc_pass": (
            lambda: svc.pass_qc(user, order, version=version, note=p.get("note", "")),
            _("Quality check passed: the order goes on in the normal flow"),
        ),
        "qc_fail": (
            lambda: svc.fail_qc(user, order, p.get("note", ""), version=version),
            _("Quality check failed: back to production"),
        ),
    }
    if action in steps:
        change, done = steps[action]
        run_action(request, change, done)
    return _back(order)


@page(VIEW)
def file_view(request, custom_file_id: int):
    """A custom order's file, for people who may see its order (shop-scoped: 404 for other shops)."""
    item = scoped_get(
        CustomFile.objects.select_related("work__order"), request.user, "work__order__shop", pk=custom_file_id
    )
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=item.content_type or "application/octet-stream", as_attachment=True, filename=item.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


urls = [
    path("<int:order_id>/custom/start/", start_view, name="custom_start"),
    path("<int:order_id>/custom/files/", upload_view, name="custom_upload"),
    path("<int:order_id>/custom/step/", step_view, name="custom_step"),
    path("custom-files/<int:custom_file_id>/", file_view, name="custom_file"),
]
