"""Packages, print batches and waybill pools in the API (SHIP-1): the same services and permissions as the pages."""

from django.http import Http404, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhanggui.core.access import allowed_shops, scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Reference

from .. import selectors
from ..models import Package, PackageLine
from ..services import printing, waybills
from ..views.printing import load_batch
from ..views.waybills import LOAD, VIEW_ACCOUNTS, load_account

router = Router()

VIEW = "fulfilment.view_package"
PRINT = "fulfilment.print_package"


class PackageOut(Schema):
    id: int
    package_no: str
    shop_id: int
    order_id: int
    state: str
    carrier: str | None
    waybill_no: str
    print_count: int
    ordered_at: str | None
    ship_deadline: str | None


class LineOut(Schema):
    order_line_id: int
    sku_code: str
    quantity: int
    verified_qty: int


class PackageDetailOut(PackageOut):
    order_ids: list[int]
    lines: list[LineOut]
    print_batch: str | None
    surcharge_fen: int
    expected_fee_fen: int | None


def _out(p: Package) -> dict:
    return {
        **{f: getattr(p, f) for f in ("id", "package_no", "shop_id", "order_id", "state", "waybill_no", "print_count")},
        "carrier": p.carrier.code if p.carrier else None,
        "ordered_at": p.ordered_at.isoformat() if p.ordered_at else None,
        "ship_deadline": p.ship_deadline.isoformat() if p.ship_deadline else None,
    }


@api_route(router.get, "/packages", perm=VIEW, response=list[PackageOut])
def list_packages(request, state: str = "", q: str = "", shop_id: int = 0, carrier: str = "", limit: int = 100):
    qs = selectors.packages_in_view(allowed_shops(request.user), q=q, shop_id=shop_id, carrier=carrier)
    if state:
        qs = qs.filter(state=state)
    qs = qs.select_related("carrier")
    return [_out(p) for p in qs.order_by("ordered_at", "id")[: max(1, min(limit, 500))]]


@api_route(router.get, "/packages/{package_id}", perm=VIEW, response=PackageDetailOut)
def get_package(request, package_id: int):
    p = scoped_get(Package.objects.select_related("carrier", "print_batch"), request.user, pk=package_id)
    lines = PackageLine.objects.filter(package=p).select_related("sku", "order_line").order_by("id")
    return {
        **_out(p),
        "order_ids": list(p.package_orders.order_by("order_id").values_list("order_id", flat=True)),
        "lines": [
            {
                "order_line_id": ln.order_line_id,
                "sku_code": ln.sku.code if ln.sku else ln.order_line.outer_code,
                "quantity": ln.quantity,
                "verified_qty": ln.verified_qty,
            }
            for ln in lines
        ],
        "print_batch": p.print_batch.batch_no if p.print_batch else None,
        "surcharge_fen": p.surcharge_fen,
        "expected_fee_fen": p.expected_fee_fen,
    }


class PrintIn(Schema):
    package_ids: list[Reference]
    size: str = "76x130"


class Refusal(Schema):
    package_no: str
    reason: str


class BatchOut(Schema):
    id: int
    batch_no: str
    label_size: str
    package_ids: list[int]
    waybill_numbers: list[str]
    refused: list[Refusal]


@api_route(router.post, "/print-batches", perm=PRINT, response=BatchOut)
def create_batch(request, payload: PrintIn):
    """SHIP-1: print the picked 待打单 packages (order time); refused ones come back with their reasons."""
    result = printing.print_batch(request.user, payload.package_ids, payload.size)
    return {
        "id": result.batch.pk,
        "batch_no": result.batch.batch_no,
        "label_size": result.batch.label_size,
        "package_ids": [p.pk for p in result.printed],
        "waybill_numbers": [p.waybill_no for p in result.printed],
        "refused": [{"package_no": no, "reason": why} for no, why in result.refused],
    }


@api_route(router.get, "/print-batches/{batch_id}/labels", perm=PRINT)
def batch_labels(request, batch_id: int, size: str = ""):
    from ..services import documents

    batch, packages = load_batch(request.user, batch_id)
    size = size if size in waybills.SIZES else batch.label_size
    resp = HttpResponse(documents.labels_pdf(packages, size, request.user), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="labels-{batch.batch_no}.pdf"'
    return resp


class ReasonIn(Schema):
    reason: str
    version: Reference | None = None


@api_route(router.post, "/packages/{package_id}/reprint", perm=PRINT, response=PackageOut)
def reprint_package(request, package_id: int, payload: ReasonIn):
    """SHIP-1: reprint with a reason (recorded: who, when, why)."""
    p = scoped_get(Package.objects.all(), request.user, pk=package_id)
    return _out(printing.reprint(request.user, p, payload.reason, version=payload.version))


class PoolOut(Schema):
    account_id: int
    name: str
    carrier: str
    free: int
    used: int
    voided: int
    low: bool


class LoadOut(Schema):
    added: int
    duplicates: int
    errors: list[str]
    summary: str


def _pool(account_id: int, user) -> dict:
    account = load_account(user, account_id)
    counted = waybills.with_counts(type(account).objects.filter(pk=account.pk)).select_related("carrier").first()
    if counted is None:  # pragma: no cover - load_account found it a moment ago
        raise Http404
    return {
        "account_id": counted.pk,
        "name": counted.name,
        "carrier": counted.carrier.code,
        "free": counted.free_count,
        "used": counted.used_count,
        "voided": counted.voided_count,
        "low": counted.free_count < waybills.LOW_POOL,
    }


@api_route(router.get, "/waybill-accounts/{account_id}/numbers", perm=VIEW_ACCOUNTS, response=PoolOut)
def pool_status(request, account_id: int):
    return _pool(account_id, request.user)


@api_route(router.post, "/waybill-accounts/{account_id}/numbers", perm=LOAD, response=LoadOut)
def load_numbers(
    request,
    account_id: int,
    start: Form[str] = "",
    count: Form[int] = 0,
    end: Form[str] = "",
    prefix: Form[str] = "",
    file: File[UploadedFile] = None,
):
    """SHIP-1: load a range (start + count or end, prefix) or a txt / csv / xlsx file (multipart, field `file`)."""
    account = load_account(request.user, account_id)
    if file is not None:
        result = waybills.load_file(request.user, account, file)
    else:
        result = waybills.load_range(request.user, account, start, count or None, end, prefix)
    return {"added": result.added, "duplicates": result.duplicates, "errors": result.errors, "summary": result.summary}
