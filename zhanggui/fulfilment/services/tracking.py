"""Tracking (SHIP-4): follow each parcel until it is received. Scans come from a file the carrier's site exports
(运单号, 时间, 状态 or 描述, 地点) or from the API (a future carrier push); the status is read from the scan text by
keywords kept as data (data/tracking_keywords.json). Re-importing the same scans adds nothing (unique per package,
time and status). A 签收 scan moves the package 已发货 → 已签收, and the order to 已签收 once all its parcels are."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction

from zhanggui.core import uploads

from ..models import Package, PackageOrder, TrackingEvent
from .tables import TABLE_FILES, parse_time, pick, read_rows

KEYWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "tracking_keywords.json"
Status = TrackingEvent.Status
STATUS_NAMES = {
    "collected": "已揽收",
    "in_transit": "运输中",
    "delivering": "派送中",
    "signed": "已签收",
    "problem": "异常",
}


@cache
def _keywords() -> tuple[list[str], dict[str, list[str]]]:
    data = json.loads(KEYWORDS_FILE.read_text(encoding="utf-8"))
    return data["order"], data["keywords"]


def classify(text: str) -> str | None:
    """SHIP-4: the status of a scan from its text (状态 or 描述): a status code, a Chinese name, or keywords."""
    text = (text or "").strip()
    if text in Status.values:
        return text
    order, keywords = _keywords()
    for status in order:
        if any(word in text for word in keywords[status]):
            return status
    return None


@dataclass
class TrackingResult:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    signed_packages: list[str] = field(default_factory=list)
    signed_orders: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"新增轨迹 {self.created} 条，重复 {self.duplicates} 条，错误 {len(self.errors)} 行；"
            f"签收包裹 {len(self.signed_packages)} 个，订单 {len(self.signed_orders)} 个"
        )


def import_tracking(actor, upload, shops=None) -> TrackingResult:
    """Import a tracking file (CSV/XLSX). Rows with an unknown waybill (or one of a shop the user may not see) or
    without a readable time/status come back as errors with their line number; the good rows are kept."""
    uploads.check_upload(upload, "shipping_table", TABLE_FILES)
    events = []
    for line, row in read_rows(upload):
        status_text = pick(row, "状态")
        text = pick(row, "描述", "物流信息", "轨迹", "内容")
        events.append(
            {
                "line": line,
                "waybill_no": str(pick(row, "运单号", "快递单号", "单号")),
                "at": pick(row, "时间", "扫描时间", "操作时间"),
                "status": str(status_text or ""),
                "text": str(text or status_text or ""),
                "location": str(pick(row, "地点", "所在地", "网点") or ""),
            }
        )
    return record_tracking(actor, events, source="file", shops=shops)


def record_tracking(actor, events: list[dict], *, source: str = "api", shops=None) -> TrackingResult:
    """Record scans [{waybill_no, at, status?, text?, location?, line?}] (file rows or an API call)."""
    result = TrackingResult()
    numbers = {str(e.get("waybill_no") or "").strip() for e in events} - {""}
    packages = Package.objects.filter(waybill_no__in=numbers).exclude(state=Package.State.CANCELLED)
    if shops is not None:
        packages = packages.filter(shop__in=shops)
    by_number = {p.waybill_no: p for p in packages.order_by("id")}
    signed: dict[int, dt.datetime] = {}
    fresh: dict[tuple, TrackingEvent] = {}  # one row per (package, time, status), as the unique constraint says
    for n, event in enumerate(events, start=1):
        where = f"第 {event.get('line') or n} 行"
        number = str(event.get("waybill_no") or "").strip()
        package = by_number.get(number)
        if not number:
            result.errors.append(f"{where}：缺少运单号")
            continue
        if package is None:
            result.errors.append(f"{where}：运单号 {number} 不存在")
            continue
        at = parse_time(event.get("at"))
        if at is None:
            result.errors.append(f"{where}：时间“{event.get('at') or ''}”无法识别")
            continue
        status = classify(event.get("status") or "") or classify(event.get("text") or "")
        if status is None:
            result.errors.append(f"{where}：无法识别状态“{event.get('status') or event.get('text') or ''}”")
            continue
        key = (package.pk, at, status)
        if key not in fresh:
            fresh[key] = TrackingEvent(
                package=package,
                at=at,
                status=status,
                text=str(event.get("text") or STATUS_NAMES[status])[:300],
                location=str(event.get("location") or "")[:60],
                source=source,
            )
        if status == Status.SIGNED:
            signed[package.pk] = min(at, signed.get(package.pk, at))
    # SHIP-4, set-based: the scans already recorded (a re-imported file) are counted, the rest inserted at once;
    # ignore_conflicts absorbs the same scan arriving at the same moment from elsewhere.
    known = set(
        TrackingEvent.objects.filter(package_id__in={k[0] for k in fresh}).values_list("package_id", "at", "status")
    )
    new = [event for key, event in fresh.items() if key not in known]
    TrackingEvent.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    result.created += len(new)
    result.duplicates += len(events) - len(result.errors) - len(new)  # good rows already there
    for package_id, at in sorted(signed.items()):
        _sign(actor, package_id, at, result)
    return result


def _sign(actor, package_id: int, at: dt.datetime, result: TrackingResult) -> None:
    """SHIP-4: a shipped package signed for → 已签收; its orders follow when all their parcels are signed."""
    from zhanggui.orders.models import Order
    from zhanggui.orders.services import states as order_states

    from . import packages as package_states

    with transaction.atomic():
        package = package_states.lock(package_id)
        if package.state != Package.State.SHIPPED:
            return
        package.signed_at = at
        package_states.move_locked(package, Package.State.SIGNED, actor, "快递签收", fields=["signed_at"])
        result.signed_packages.append(package.package_no)
        order_ids = list(PackageOrder.objects.filter(package=package).values_list("order_id", flat=True))
        for order in Order.objects.filter(pk__in=order_ids).order_by("pk"):
            links = PackageOrder.objects.filter(order=order).exclude(package__state=Package.State.CANCELLED)
            if links.exclude(package__state=Package.State.SIGNED).exists():
                continue
            if order.state == Order.State.SHIPPED:
                order_states.sign(actor, order, note=f"快递签收（包裹 {package.package_no}）")
                result.signed_orders.append(order.platform_order_no)


def timeline(package) -> list[TrackingEvent]:
    return list(TrackingEvent.objects.filter(package=package).order_by("at", "id"))
