"""Scan-verify and weigh (/shipping/scan/, SHIP-1): one page made for a barcode scanner — keyboard only, the
input always focused, Enter submits (scanners send Enter). Each scan is one small POST answered with JSON, so a
round trip stays well under 100 ms; the rules are in services/verify.py."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from zhanggui.core.access import has_access, page
from zhanggui.core.errors import DomainError

from ..models import Package
from ..services import intercept, verify
from .common import PACK, SHIP


@page(PACK)
def scan_page(request):
    context = {"can_ship": has_access(request.user, SHIP), "intercepted": intercept.recent(request.scope.shops)}
    return render(request, "fulfilment/scan.html", context)


def _package_id(request) -> int | None:
    value = str(request.POST.get("package") or "")
    return int(value) if value.isdigit() else None


def _package(request) -> Package:
    value = str(request.POST.get("package") or "")
    found = Package.objects.filter(pk=value if value.isdigit() else None, shop__in=request.scope.shops)
    package = found.select_related("carrier").first()
    if package is None:
        raise DomainError("no_package", "请先扫描运单号", "package")
    return package


def _answer(change) -> JsonResponse:
    try:
        result = change()
    except DomainError as exc:
        return JsonResponse({"error": exc.message, "code": exc.code}, status=400)
    return JsonResponse(result.as_json())


@require_POST
@page(PACK)
def scan_code(request):
    """Step 1 (no package yet, or a waybill scanned again): the package; step 2: one item of it."""
    code = request.POST.get("code", "")

    def change():
        if request.POST.get("step") == "waybill" or not request.POST.get("package"):
            package = verify.find_package(request.scope.shops, code)
            lines = verify.package_lines(package)
            return verify.ScanResult(package, lines, message=f"运单 {package.waybill_no}", flag=package.order.flag)
        package, lines = verify.load_for_scan(request.scope.shops, _package_id(request))
        return verify.scan_item(request.user, package, code, lines)

    return _answer(change)


@require_POST
@page(PACK)
def scan_weigh(request):
    return _answer(
        lambda: verify.weigh(
            request.user, _package(request), request.POST.get("weight"), override_reason=request.POST.get("reason", "")
        )
    )


urls = [
    path("scan/", scan_page, name="scan"),
    path("scan/code/", scan_code, name="scan_code"),
    path("scan/weigh/", scan_weigh, name="scan_weigh"),
]
