"""Scan-verify and weigh (SHIP-1, S2 steps 9–13): the packer scans the waybill, then every item; the goods must
match the waybill (item code and quantity), then the parcel is weighed against the expected weight and packed.

- `find_package`: the package of a scanned waybill number (or package number) in the shops in view; only a
  package in state 已打单 (printed) can be verified — every other state is refused in Chinese.
- `scan_item`: one unit of an item (SKU merchant code or barcode) → the first of its lines still short gets
  verified_qty + 1 by ONE conditional UPDATE (verified_qty < quantity, package still printed), so a double scan
  can never count more than the line holds; the check constraint package_line_not_over backs it in the database.
  A wrong item (not in the package) or an extra one (its lines are complete) counts nothing, raises the alarm and
  goes on the package's timeline.
- `weigh`: after every line is scanned, the weight (grams or kilograms as typed, or a USB scale acting as a
  keyboard) is compared with the expected weight within the company's tolerance (fulfilment.weight_tolerance_pct /
  _g, the larger of the two); within it the package is packed (weight, packed_at/by), outside it the alarm sounds
  and nothing changes unless a person overrides with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.bounds import check_grams
from zhanggui.core.company_settings import get_company_setting
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.flags import flag_html

from ..models import Package, PackageLine
from . import intercept, packages

State = Package.State

register_event_kinds({"scan_alarm": "验货报警", "weigh": "称重"})

# Why a package cannot be verified, by state (SHIP-1).
_REFUSALS = {
    State.TO_PRINT: "包裹 {no} 还没有打印面单，不能验货",
    State.PACKED: "包裹 {no} 已验货打包，不用重复验货",
    State.SHIPPED: "包裹 {no} 已发货，不能再验货",
    State.SIGNED: "包裹 {no} 已签收，不能再验货",
    State.CANCELLED: "包裹 {no} 已取消，请勿发货，把商品放回货架",
}


@dataclass
class ScanResult:
    """What the scan page shows after a scan: the package lines, and an alarm when something was wrong."""

    package: Package
    lines: list[dict] = field(default_factory=list)
    alarm: str = ""  # "" | wrong_item | extra_item | weight
    message: str = ""
    counted: bool = False
    flag: str | None = None  # the order's flag (ORD-3), shown when the waybill is scanned

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(line["scanned"] >= line["needed"] for line in self.lines)

    def as_json(self) -> dict:
        p = self.package
        shown = {} if self.flag is None else {"flag_html": flag_html(self.flag)}
        return shown | {
            "package_id": p.pk,
            "package_no": p.package_no,
            "waybill_no": p.waybill_no,
            "state": p.state,
            "state_label": packages.state_label(p.state),
            "carrier": getattr(p, "carrier_label", None) or (str(p.carrier) if p.carrier_id else ""),
            "expected_weight_g": p.expected_weight_g,
            "weight_g": p.weight_g,
            "lines": self.lines,
            "complete": self.complete,
            "alarm": self.alarm,
            "message": self.message,
            "counted": self.counted,
        }


def _clean(code) -> str:
    return str(code or "").strip()


def find_package(shops, code: str) -> Package:
    """The package whose waybill number (or package number) was scanned, among `shops`, ready to verify."""
    code = _clean(code)
    if not code:
        raise DomainError("no_code", "请扫描运单号", "code")
    found = list(
        Package.objects.filter(Q(waybill_no=code) | Q(package_no=code), shop__in=shops)
        .select_related("carrier", "order")
        .order_by("-id")[:5]
    )
    if not found:
        raise DomainError("not_found", f"找不到运单号或包裹号为 {code} 的包裹", "code")
    # A re-printed waybill may have left a cancelled package with the same number: the live one wins.
    package = next((p for p in found if p.state != State.CANCELLED), found[0])
    if package.state == State.CANCELLED and package.intercepted_at:  # 拦截: refunded or closed after printing
        raise DomainError("package_intercepted", intercept.refusal(package), "code")
    refusal = _REFUSALS.get(package.state)
    if refusal:
        raise DomainError("not_printed" if package.state == State.TO_PRINT else f"package_{package.state}",
                          refusal.format(no=package.waybill_no or package.package_no), "code")  # fmt: skip
    return package


_LINE_FIELDS = ("id", "quantity", "verified_qty", "sku__code", "sku__barcode", "sku__product__name",
                "order_line__outer_code", "order_line__title")  # fmt: skip


def _line(row) -> dict:
    pk, qty, done, code, barcode, name, outer, title = row
    return {"id": pk, "code": code or outer or "", "barcode": barcode or "", "name": name or title or "",
            "needed": qty, "scanned": done}  # fmt: skip


def package_lines(package: Package) -> list[dict]:
    """The lines of the package as the scan page shows them: code, name, needed, scanned."""
    rows = PackageLine.objects.filter(package=package).order_by("id").values_list(*_LINE_FIELDS)
    return [_line(row) for row in rows]


_SCAN_PACKAGE = ("package_id", "package__package_no", "package__waybill_no", "package__state", "package__shop_id",
                 "package__expected_weight_g", "package__weight_g", "package__carrier_id",
                 "package__carrier__short_name", "package__carrier__name")  # fmt: skip


def load_for_scan(shops, package_id) -> tuple[Package, list[dict]]:
    """The package being verified and its lines in ONE query (the hot path of every item scan, SHIP-1): the
    lines joined with their package, within `shops`. The package comes back with just what the scan page shows."""
    rows = list(
        PackageLine.objects.filter(package_id=package_id, package__shop__in=shops)
        .order_by("id")
        .values_list(*_LINE_FIELDS, *_SCAN_PACKAGE)
    )
    if not rows:
        raise DomainError("no_package", "请先扫描运单号", "package")
    head = rows[0][len(_LINE_FIELDS) :]
    package = Package(
        id=head[0], package_no=head[1], waybill_no=head[2], state=head[3], shop_id=head[4],
        expected_weight_g=head[5], weight_g=head[6], carrier_id=head[7],
    )  # fmt: skip
    package.carrier_label = head[8] or head[9] or ""
    return package, [_line(row[: len(_LINE_FIELDS)]) for row in rows]


def _alarm(actor, package: Package, kind: str, message: str, lines=None) -> ScanResult:
    record_event(actor, package, "scan_alarm", note=message)
    return ScanResult(package, package_lines(package) if lines is None else lines, kind, message)


def scan_item(actor, package: Package, code: str, lines: list[dict] | None = None) -> ScanResult:
    """SHIP-1: one scanned unit of an item (merchant code or barcode of a SKU, or the order line's outer code).
    `lines`: the package's lines when the caller read them already (`load_for_scan`)."""
    code = _clean(code)
    if not code:
        raise DomainError("no_code", "请扫描商品条码", "code")
    lines = package_lines(package) if lines is None else lines
    matching = [line for line in lines if code in (line["code"], line["barcode"])]
    if not matching:
        sku = Sku.objects.filter(Q(code=code) | Q(barcode=code)).values_list("code", flat=True).first()
        what = f"{sku}" if sku else code
        return _alarm(actor, package, "wrong_item", f"错货！{what} 不在包裹 {package.waybill_no} 里，请拿出来", lines)
    for line in matching:
        if line["scanned"] >= line["needed"]:
            continue
        # The database decides: counted only while the line is short and the package is still to verify.
        counted = PackageLine.objects.filter(
            pk=line["id"], verified_qty__lt=F("quantity"), package__state=State.PRINTED
        ).update(verified_qty=F("verified_qty") + 1)
        if counted:
            line["scanned"] += 1
            result = ScanResult(package, lines, counted=True)
            result.message = f"{line['code']} {line['scanned']}/{line['needed']}"
            return result
    if Package.objects.filter(pk=package.pk).values_list("state", flat=True).first() != State.PRINTED:
        raise DomainError("package_moved", f"包裹 {package.package_no} 已不是“已打单”状态，请重新扫描运单", "code")
    needed = sum(line["needed"] for line in matching)
    return _alarm(actor, package, "extra_item", f"多货！{matching[0]['code']} 只需要 {needed} 件，已经扫够了，请拿出来")


_WEIGHT = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,6})?)\s*(kg|公斤|千克|g|克)?\s*$", re.IGNORECASE)


def parse_weight(text) -> int:
    """Grams from what was typed or sent by a scale: "1200", "1200g", "1.2kg", "1.2" (a decimal point without a
    unit means kilograms — what kitchen-style USB scales send), "1.2公斤"."""
    match = _WEIGHT.match(str(text or ""))
    if not match:
        raise DomainError("bad_weight", "请输入重量，例如 1200（克）或 1.2kg", "weight")
    number, unit = match.group(1), (match.group(2) or "").lower()
    kilograms = unit in {"kg", "公斤", "千克"} or (not unit and "." in number)
    grams = round(float(number) * (1000 if kilograms else 1))
    return check_grams(grams, "重量", "weight", low=1)  # rule 7: the company's bound (a stuck scale is not a parcel)


def tolerance_g(expected_g: int) -> int:
    """SHIP-1: how far the weighed parcel may be from the expected weight — the larger of the percentage of the
    expected weight and the fixed grams (packing material weighs something even for a light item). Company-wide
    settings: one packing station weighs every shop's parcels."""
    pct = int(get_company_setting("fulfilment.weight_tolerance_pct") or 0)
    grams = int(get_company_setting("fulfilment.weight_tolerance_g") or 0)
    return max(expected_g * pct // 100, grams)


def weigh(actor, package: Package | int, weight, *, override_reason: str = "") -> ScanResult:
    """SHIP-1: weigh a fully scanned package; within tolerance (or overridden with a reason) it is packed."""
    grams = parse_weight(weight)
    reason = str(override_reason or "").strip()
    with transaction.atomic():
        current = packages.lock(package)
        if current.state != State.PRINTED:
            refusal = _REFUSALS.get(current.state, "包裹 {no} 不能称重")
            raise DomainError(f"package_{current.state}", refusal.format(no=current.package_no), "weight")
        lines = package_lines(current)
        short = [line for line in lines if line["scanned"] < line["needed"]]
        if short:
            missing = "、".join(f"{line['code']} 还差 {line['needed'] - line['scanned']} 件" for line in short)
            raise DomainError("not_verified", f"还没验完货：{missing}", "weight")
        expected = current.expected_weight_g
        allowed = tolerance_g(expected)
        off = grams - expected
        if expected and abs(off) > allowed and not reason:
            message = (
                f"重量不符！称得 {grams} 克，应为 {expected} 克（允许 ±{allowed} 克），"
                f"{'重了' if off > 0 else '轻了'} {abs(off)} 克，请检查是否漏装、多装"
            )
            record_event(actor, current, "scan_alarm", note=message)
            return ScanResult(current, lines, "weight", message)
        note = f"称重 {grams} 克（应为 {expected} 克）" if expected else f"称重 {grams} 克（无预计重量）"
        if expected and abs(off) > allowed:
            note += f"，超出允许范围，{getattr(actor, 'number', '') or ''}放行：{reason}"
        current.weight_g, current.packed_at = grams, clock.now()
        current.packed_by = actor if getattr(actor, "is_authenticated", False) else None
        packages.move_locked(current, State.PACKED, actor, note, fields=["weight_g", "packed_at", "packed_by"])
    return ScanResult(current, lines, message=f"验货通过，已打包：{note}")
