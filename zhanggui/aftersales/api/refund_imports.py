"""Refund-list import API (AS-2, AS-5, ORD-9): POST /api/v1/aftersales/refund-imports with `shop_id` and one or more
files (multipart field `files`) — the same service, permission (aftersales.add_case) and shop scope as the page
(/aftersales/refunds/import/). Answers the counts and every bad row (file, line, order number, reason in Chinese)."""

from django.http import Http404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route

from ..services import refund_import
from ..views.refund_imports import pick_shop, read_uploads

router = Router(tags=["aftersales"])
FILES = File(...)
SHOP = Form(...)


class BadRow(Schema):
    file: str
    line: int
    order_no: str
    reason: str


class RefundImportOut(Schema):
    shop_id: int
    formats: list[str]
    created: int
    updated: int
    unchanged: int
    failed: int
    orders_closed: int
    notices: list[str]
    errors: list[BadRow]


@api_route(router.post, "/aftersales/refund-imports", perm="aftersales.add_case", response=RefundImportOut)
def import_refunds(request, shop_id: int = SHOP, files: list[UploadedFile] = FILES):
    """Import the shop's refund-list files (Taobao/Tmall 退款管理, JD 售后, PDD 售后 exports, our template)."""
    if not allowed_shops(request.user).filter(pk=shop_id).exists():
        raise Http404  # another shop's: as if it did not exist (shop scope)
    shop = pick_shop(request.user, shop_id)
    result = refund_import.import_files(request.user, shop, read_uploads(files))
    return {
        "shop_id": shop.pk,
        "formats": result.layouts,
        **result.summary(),
        "notices": result.notices,
        "errors": [{"file": e.file, "line": e.line, "order_no": e.order_no, "reason": e.reason} for e in result.errors],
    }
