"""Return waybills and unclaimed returns (INV-5).

- `set_return_waybill(actor, case, tracking_no, carrier, *, version)`: the buyer's return waybill on a 退货退款 /
  换货 case (what the warehouse scans). One open case per waybill and shop.
- `keep(actor, shop, tracking_no, *, carrier, note, files)`: a parcel whose waybill matches no case (无主退件) is
  kept with its photos (checked by content like case photos: JPEG/PNG/WebP, size-limited), never lost; the same
  waybill scanned again keeps the one open record (a partial unique index) and adds the photos to it.
- `claim(actor, unclaimed, code, *, version)`: match it to a waiting case of its shop (case number or order
  number); the case gets the waybill, the record is closed with the case; then it is scanned in as that case's
  return. Receiving a case whose waybill is an open unclaimed return claims it too (services/receiving.py).
"""

from __future__ import annotations

import re
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from ..models import Case, UnclaimedPhoto, UnclaimedReturn
from . import photos
from .cases import machine, state_label
from .errors import CaseInputError

State = Case.State
WAYBILL = re.compile(r"^[0-9A-Z-]{6,40}$")
WAYBILL_STATES = {State.NEW, State.WAITING_BUYER, State.WAITING_RETURN}
RETURN_KINDS = {Case.Kind.RETURN_REFUND, Case.Kind.EXCHANGE}
PHOTOS_MAX = 10
TEXT_MAX = 200

register_event_kinds(
    {"case_return_waybill": "退货单号", "unclaimed_return": "无主退件", "unclaimed_claimed": "认领无主退件"}
)


def clean_waybill(raw) -> str:
    code = re.sub(r"\s", "", str(raw or "")).upper()
    if not code:
        raise CaseInputError("required", "请填写退货快递单号", "tracking_no")
    if not WAYBILL.match(code):
        raise CaseInputError("bad_waybill", f"退货快递单号“{str(raw)[:50]}”应为 6–40 位字母、数字或 -", "tracking_no")
    return code


def _text(value, label: str, field: str, limit: int = TEXT_MAX) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise CaseInputError("too_long", f"{label}最多 {limit} 个字", field)
    return text


def set_return_waybill(actor, case: Case, tracking_no, carrier: str = "", *, version=None) -> Case:
    """INV-5: record the buyer's return waybill on a return or exchange case not yet received."""
    code = clean_waybill(tracking_no)
    carrier = _text(carrier, "退货快递公司", "return_carrier", 40)
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        if current.kind not in RETURN_KINDS:
            raise CaseInputError("no_return", f"售后单 {current.number} 不退货，不需要退货单号", "tracking_no")
        m.require(current, WAYBILL_STATES, "填写退货单号")
        clash = (
            Case.objects.filter(shop_id=current.shop_id, return_tracking_no=code, returned_at__isnull=True)
            .exclude(pk=current.pk)
            .exclude(state__in=(State.DONE, State.REFUSED, State.CANCELLED))
            .first()
        )
        if clash is not None:
            raise CaseInputError(
                "waybill_taken",
                f"退货单号 {code} 已登记在售后单 {clash.number}（{state_label(clash.state)}）",
                "tracking_no",
            )
        current.return_tracking_no, current.return_carrier = code, carrier
        m.save(current, ["return_tracking_no", "return_carrier"])
        record_event(actor, current, "case_return_waybill", to_state=code, note=carrier)
    return current


def _save_photo(actor, unclaimed: UnclaimedReturn, uploaded) -> UnclaimedPhoto:
    data, fmt, name = photos._checked(uploaded)
    photo = UnclaimedPhoto(
        unclaimed=unclaimed,
        name=name,
        size=len(data),
        content_type=photos.CONTENT_TYPES[fmt],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ext = "jpg" if fmt == "jpeg" else fmt
    photo.file.save(f"unclaimed/{unclaimed.pk}/{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    try:
        photo.save()
    except Exception:
        photo.file.delete(save=False)
        raise
    return photo


def keep(actor, shop, tracking_no, *, carrier: str = "", note: str = "", files=()) -> UnclaimedReturn:
    """INV-5: keep a parcel nobody's case expects (with photos); the same waybill again adds to the open record."""
    code = clean_waybill(tracking_no)
    carrier = _text(carrier, "快递公司", "carrier", 40)
    note = _text(note, "包裹内容", "note")
    files = [f for f in files or () if f]
    if len(files) > PHOTOS_MAX:
        raise DomainError("too_many_photos", f"每个无主退件最多 {PHOTOS_MAX} 张照片", "file")
    for f in files:  # every photo checked before anything is kept (nothing half-written)
        photos._checked(f)
        f.seek(0)
    if Case.objects.filter(shop=shop, return_tracking_no=code, state=State.WAITING_RETURN).exists():
        raise CaseInputError("has_case", f"退货单号 {code} 有等待退货的售后单，请直接扫描入库", "tracking_no")
    with transaction.atomic():
        try:
            with transaction.atomic():
                unclaimed = UnclaimedReturn.objects.create(
                    shop=shop,
                    tracking_no=code,
                    carrier=carrier,
                    note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                created = True
        except IntegrityError:  # already kept: add the photos to the open record
            unclaimed = UnclaimedReturn.objects.select_for_update().get(
                shop=shop, tracking_no=code, state=UnclaimedReturn.State.OPEN
            )
            created = False
        if unclaimed.photos.count() + len(files) > PHOTOS_MAX:
            raise DomainError("too_many_photos", f"每个无主退件最多 {PHOTOS_MAX} 张照片", "file")
        for f in files:
            _save_photo(actor, unclaimed, f)
        text = "；".join(t for t in (carrier, note, f"{len(files)} 张照片" if files else "") if t)
        record_event(actor, unclaimed, "unclaimed_return", to_state="登记" if created else "补充", note=text, shop=shop)
    return unclaimed


def _case_for(unclaimed: UnclaimedReturn, code: str, cases) -> Case:
    raw = str(code or "").strip()
    if not raw:
        raise CaseInputError("required", "请填写售后单号或订单号", "case")
    found = (
        cases.filter(shop_id=unclaimed.shop_id, state=State.WAITING_RETURN).filter(number=raw.upper()).first()
        or cases.filter(shop_id=unclaimed.shop_id, state=State.WAITING_RETURN, order__platform_order_no=raw)
        .order_by("pk")
        .first()
    )
    if found is None:
        raise CaseInputError("no_case", f"本店铺没有售后单号或订单号为 {raw[:40]} 的等待退货售后单", "case")
    return found


def claim(actor, unclaimed: UnclaimedReturn, code, *, cases, version=None) -> Case:
    """INV-5: match an unclaimed return to a waiting case of its shop (`cases`: those the user may see)."""
    with transaction.atomic():
        current = UnclaimedReturn.objects.select_for_update().get(pk=unclaimed.pk)
        if version not in (None, "") and str(current.version) != str(version):
            raise DomainError("stale_version", "无主退件已被别人处理过，请刷新页面后重试", "version")
        if current.state != UnclaimedReturn.State.OPEN:
            raise CaseInputError("claimed", f"无主退件 {current.tracking_no} 已被认领", "case")
        case = _case_for(current, code, cases)
        m = machine(case)
        locked = m.lock(case)
        m.require(locked, {State.WAITING_RETURN}, "认领无主退件")
        if not locked.return_tracking_no:
            locked.return_tracking_no, locked.return_carrier = current.tracking_no, current.carrier
            m.save(locked, ["return_tracking_no", "return_carrier"])
        _close(actor, current, locked)
        record_event(actor, locked, "unclaimed_claimed", to_state=current.tracking_no, note=current.note)
    return locked


def _close(actor, unclaimed: UnclaimedReturn, case: Case) -> None:
    unclaimed.state = UnclaimedReturn.State.CLAIMED
    unclaimed.case = case
    unclaimed.claimed_by = actor if getattr(actor, "is_authenticated", False) else None
    unclaimed.claimed_at = clock.now()
    unclaimed.version += 1
    unclaimed.save(update_fields=["state", "case", "claimed_by", "claimed_at", "version"])
    record_event(actor, unclaimed, "unclaimed_claimed", to_state=case.number, shop=unclaimed.shop)


def claim_on_receipt(actor, case: Case) -> None:
    """A case received by its waybill closes the open unclaimed return of that waybill (inside the receipt)."""
    if not case.return_tracking_no:
        return
    found = (
        UnclaimedReturn.objects.select_for_update()
        .filter(shop_id=case.shop_id, tracking_no=case.return_tracking_no, state=UnclaimedReturn.State.OPEN)
        .first()
    )
    if found is not None:
        _close(actor, found, case)
