"""Orders API, customised orders (ORD-8): read the custom work of an order, make an order customised, confirm the
details and ship date, production done, QC pass / fail. The same services as the detail page's panel; the
order's version guards every change. Files are uploaded on the page and downloaded from `download_url` (a
permission-checked page view)."""

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema

from zhanggui.core.access import scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Reference
from zhanggui.core.privacy import can_see_pii

from ..models import CustomWork, Order
from ..services import custom as svc
from ..views.common import CHANGE, VIEW, clean_text

router = Router(tags=["orders"])


class CustomFileOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: dt.datetime
    download_url: str


class CustomWorkOut(Schema):
    order_id: int
    order_version: int
    is_custom: bool  # false: a normal order (stage ""); `can_start` says whether it may become customised
    can_start: bool
    stage: str
    stage_label: str
    choices: str
    delivery_date: dt.date | None
    overdue: bool
    confirmed_at: dt.datetime | None
    confirmed_by: str
    producer: str
    production_started_at: dt.datetime | None
    qc_at: dt.datetime | None
    qc_by: str
    qc_note: str
    qc_failures: int
    files: list[CustomFileOut]


class StartIn(Schema):
    choices: str = ""
    version: Reference | None = None


class ConfirmIn(Schema):
    delivery_date: dt.date | None = None  # checked by the service (required, not in the past)
    choices: str | None = None  # None keeps what was written
    producer: str = ""
    version: Reference | None = None


class StepIn(Schema):
    note: str = ""
    version: Reference | None = None


class QcIn(Schema):
    passed: bool = False
    note: str = ""  # required when not passed
    version: Reference | None = None


def _order(order_id: int, user) -> Order:
    return scoped_get(Order.objects.select_related("shop"), user, pk=order_id)


def _number(person) -> str:
    return person.number if person else ""


def _custom_out(order_id: int, user) -> dict:
    order = _order(order_id, user)
    work = (
        CustomWork.objects.select_related("confirmed_by", "qc_by")
        .prefetch_related("files__uploaded_by")
        .filter(order=order)
        .first()
    )
    is_custom = work is not None or order.kind == Order.Kind.CUSTOM
    if work is None:
        work = CustomWork(order=order, stage="" if not is_custom else CustomWork.Stage.AWAITING_DESIGN)
    files = list(work.files.all()) if work.pk else []
    return {
        "order_id": order.pk,
        "order_version": order.version,
        "is_custom": is_custom,
        "can_start": not is_custom and svc.can_start(order),
        "stage": work.stage,
        "stage_label": svc.stage_label(work.stage),
        "choices": clean_text(work.choices, user, can_see_pii(user)),
        "delivery_date": work.delivery_date,
        "overdue": svc.is_overdue(work),
        "confirmed_at": work.confirmed_at,
        "confirmed_by": _number(work.confirmed_by),
        "producer": work.producer,
        "production_started_at": work.production_started_at,
        "qc_at": work.qc_at,
        "qc_by": _number(work.qc_by),
        "qc_note": work.qc_note,
        "qc_failures": work.qc_failures,
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "name": f.name,
                "size": f.size,
                "content_type": f.content_type,
                "uploaded_by": _number(f.uploaded_by),
                "uploaded_at": f.uploaded_at,
                "download_url": reverse("orders:custom_file", kwargs={"custom_file_id": f.pk}),
            }
            for f in files
        ],
    }


@api_route(router.get, "/orders/{order_id}/custom", perm=VIEW, response=CustomWorkOut)
def get_custom(request, order_id: int):
    """ORD-8: the custom work of an order (stage, choices, agreed ship date, overdue, QC, files); for a normal
    order `is_custom` is false and `can_start` says whether it may become customised."""
    return _custom_out(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/custom", perm=CHANGE, response=CustomWorkOut)
def start_custom(request, order_id: int, payload: StartIn):
    """ORD-8: make an order that is not reviewed yet a customised order (idempotent)."""
    order = _order(order_id, request.user)
    svc.start_custom(request.user, order, payload.choices, version=payload.version)
    return _custom_out(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/custom/confirm", perm=CHANGE, response=CustomWorkOut)
def confirm_custom(request, order_id: int, payload: ConfirmIn):
    """ORD-8: the details and `delivery_date` (the agreed ship date, not in the past) are confirmed with the buyer;
    production starts. Needs a design file or `choices`, and a paid order."""
    order = _order(order_id, request.user)
    svc.confirm_details(
        request.user,
        order,
        choices=payload.choices,
        delivery_date=payload.delivery_date,
        producer=payload.producer,
        version=payload.version,
    )
    return _custom_out(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/custom/production-done", perm=CHANGE, response=CustomWorkOut)
def custom_production_done(request, order_id: int, payload: StepIn):
    """ORD-8: production finished; the goods wait for the quality check."""
    order = _order(order_id, request.user)
    svc.finish_production(request.user, order, version=payload.version, note=payload.note)
    return _custom_out(order_id, request.user)


@api_route(router.post, "/orders/{order_id}/custom/qc", perm=CHANGE, response=CustomWorkOut)
def custom_qc(request, order_id: int, payload: QcIn):
    """ORD-8: the quality check — `passed` true: done, the order may be reviewed; false: back to production
    (`note` required)."""
    order = _order(order_id, request.user)
    svc.record_qc(request.user, order, passed=payload.passed, note=payload.note, version=payload.version)
    return _custom_out(order_id, request.user)
