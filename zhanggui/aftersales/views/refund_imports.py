"""Importing the platforms' refund lists (/aftersales/refunds/import/, AS-2, AS-5, ORD-9): pick one of your shops,
upload its 退款管理 / 售后 exports (Taobao/Tmall, JD, PDD as downloaded) or our XLSX template (downloadable here);
the result table shows what was created, updated and left unchanged, and every bad row by file, line and reason.
Managers and the after-sales (客服) role; only the shops the person works for."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from zhanggui.channels.formats.refunds import template_xlsx
from zhanggui.core.access import allowed_shops, page
from zhanggui.core.errors import DomainError

from ..services import refund_import
from .common import ADD

MAX_BYTES = 20 << 20  # per file


def read_uploads(uploads) -> list[tuple[str, bytes]]:
    """[(name, bytes)] of the uploaded files; a Chinese refusal when none or one is too large."""
    files = []
    for upload in uploads:
        if upload.size > MAX_BYTES:
            raise DomainError("file_too_large", f"{upload.name}：文件太大，上限 {MAX_BYTES >> 20} MB", "files")
        files.append((str(upload.name)[:200], upload.read()))
    if not files:
        raise DomainError("no_file", "请选择要导入的退款文件", "files")
    return files


def pick_shop(user, value):
    shop = next((s for s in allowed_shops(user) if str(s.pk) == str(value or "")), None)
    if shop is None:
        raise DomainError("no_shop", "请选择要导入的店铺", "shop")
    return shop


@page(ADD)
def import_page(request):
    shops = list(allowed_shops(request.user))
    chosen = request.POST.get("shop") or (request.scope.current.pk if request.scope.current else "")
    error, result = None, None
    if request.method == "POST":
        try:
            shop = pick_shop(request.user, chosen)
            result = refund_import.import_files(request.user, shop, read_uploads(request.FILES.getlist("files")))
        except DomainError as exc:
            error = exc.message
    context = {"shops": shops, "chosen": str(chosen), "error": error, "result": result}
    return render(request, "aftersales/refund_import.html", context, status=400 if error else 200)


@page(ADD)
def template(request):
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E9%80%80%E6%AC%BE%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


urls = [
    path("refunds/import/", import_page, name="refund_import"),
    path("refunds/template/", template, name="refund_template"),
]
