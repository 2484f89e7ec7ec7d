"""Customised orders (ORD-8, seed S2 "淘宝定制产品运营流程" steps 6–8): the buyer's design files and choices, the
confirmation of details and the agreed ship date with the buyer (定制订单受理), production and quality check (生产制造
与质检) — then the normal flow (审单, 打单, 发货).

The steps of CustomWork.stage (one table, `STEPS`; every step on the order's timeline with the 工号):

    awaiting_design --design file uploaded / choices written--> to_confirm          (automatic)
    awaiting_design, to_confirm --confirm_details(choices, ship date)--> in_production
    in_production --finish_production--> qc
    qc --pass_qc--> done                  (the order may now be reviewed: states.approve)
    qc --fail_qc(note)--> in_production   (qc_failures + 1, the note says what to redo)

Decisions:
- Only an order not yet reviewed can become customised (待付款, 待审核, or 挂起 returning to 待审核): a reviewed order
  would skip the production gate. Orders of kind "custom" (e.g. entered by hand) get their CustomWork on the first
  step; `start_custom` is idempotent.
- confirm_details needs a design file or written choices, a ship date not before today (Beijing), and a paid order
  (we do not produce unpaid custom goods). Choices are fixed from then on.
- ORD-8 gate: states.approve refuses a custom order until its stage is done ("定制订单需先完成生产和质检").
- Overdue: the agreed ship date has passed and QC has not passed (shown red on the panel).
- Every change locks the order and raises its version (the detail page's forms carry it); uploads only add a file,
  so they do not check the version. Closed or completed orders refuse every step.
- Files (≤ 20 MB) are checked by their bytes, never by the name or the browser's Content-Type: images must verify
  with Pillow, PDF / AI / EPS / PSD / CDR / ZIP need their magic numbers and a matching extension; HTML, SVG and
  scripts are refused. Stored under custom-orders/ with a generated name; the original name is kept for download.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import warnings
import zipfile
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from zhanggui.core import clock, uploads
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, register_event_kinds

from ..models import CustomFile, CustomWork, Order
from . import states

Stage = CustomWork.Stage
State = Order.State

CHOICES_MAX = 2000
NOTE_MAX = 200

STAGE_NAMES = {
    Stage.AWAITING_DESIGN: "待收设计稿",
    Stage.TO_CONFIRM: "待确认细节",
    Stage.IN_PRODUCTION: "生产中",
    Stage.QC: "质检中",
    Stage.DONE: "质检通过",
}
# ORD-8: the only moves of the custom work (see the module docstring).
STEPS: dict[str, set[str]] = {
    Stage.AWAITING_DESIGN: {Stage.TO_CONFIRM, Stage.IN_PRODUCTION},
    Stage.TO_CONFIRM: {Stage.IN_PRODUCTION},
    Stage.IN_PRODUCTION: {Stage.QC},
    Stage.QC: {Stage.DONE, Stage.IN_PRODUCTION},
    Stage.DONE: set(),
}
ORDER = [Stage.AWAITING_DESIGN, Stage.TO_CONFIRM, Stage.IN_PRODUCTION, Stage.QC, Stage.DONE]
FILE_KIND_NAMES = {CustomFile.Kind.DESIGN: "设计稿", CustomFile.Kind.PROOF: "效果图", CustomFile.Kind.QC: "质检照片"}

register_event_kinds({"order_custom": "定制订单", "order_custom_file": "定制文件"})

# Formats recognised by their bytes: (label, content type, extensions the name may have).
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", {"jpg", "jpeg"}),
    "PNG": ("image/png", {"png"}),
    "WEBP": ("image/webp", {"webp"}),
    "GIF": ("image/gif", {"gif"}),
    "TIFF": ("image/tiff", {"tif", "tiff"}),
    "BMP": ("image/bmp", {"bmp"}),
}
IMAGE_EXTS = set().union(*(exts for _ct, exts in IMAGE_FORMATS.values()))
ALLOWED_TEXT = "JPEG、PNG、WebP、GIF、TIFF、BMP 图片，PDF、AI、EPS、PSD、CDR 或 ZIP"


def stage_label(stage: str) -> str:
    return STAGE_NAMES.get(stage) or str(stage or "")


# ---------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------


def work_of(order) -> CustomWork | None:
    return CustomWork.objects.filter(order_id=getattr(order, "pk", order)).first()


def is_overdue(work: CustomWork | None, today: dt.date | None = None) -> bool:
    """ORD-8/ORD-9: the agreed ship date has passed (Beijing date) and QC has not passed."""
    if work is None or work.delivery_date is None or work.stage == Stage.DONE:
        return False
    return work.delivery_date < (today or clock.today())


def can_start(order: Order) -> bool:
    """A normal order that has not been reviewed yet can become customised."""
    before = order.state_before_hold if order.state == State.ON_HOLD else order.state
    return before in {State.PENDING_PAYMENT, State.TO_REVIEW}


def review_blockers(orders) -> dict[int, str]:
    """ORD-8: {order id: why the custom order may not be reviewed yet} for many orders in ONE query over CustomWork;
    orders that may be reviewed are absent. Used by states.approve (one order) and states.approve_many (a batch)."""
    orders = list(orders)
    if not orders:
        return {}
    stages = dict(CustomWork.objects.filter(order_id__in=[o.pk for o in orders]).values_list("order_id", "stage"))
    found = {}
    for order in orders:
        if order.kind != Order.Kind.CUSTOM and order.pk not in stages:
            continue
        stage = stages.get(order.pk)
        if stage == Stage.DONE:
            continue
        now = stage_label(stage or Stage.AWAITING_DESIGN)
        found[order.pk] = f"订单 {order.platform_order_no}：定制订单需先完成生产和质检（当前：{now}）"
    return found


def review_blocker(order: Order) -> str:
    """ORD-8: why a custom order may not be reviewed yet ("" when it may). Used by states.approve."""
    return review_blockers([order]).get(order.pk, "")


# ---------------------------------------------------------------------------------------------------------------
# Shared step plumbing
# ---------------------------------------------------------------------------------------------------------------


def _lock_work(current: Order, actor, *, create: bool = False) -> CustomWork:
    """The custom work of the LOCKED order, locked too; created for an order of kind custom (or when `create`)."""
    work = CustomWork.objects.select_for_update().filter(order=current).first()
    if work is not None:
        return work
    if current.kind != Order.Kind.CUSTOM and not create:
        raise DomainError("not_custom", f"订单 {current.platform_order_no} 不是定制订单", "kind")
    work = CustomWork.objects.create(order=current)
    record_event(actor, current, "order_custom", to_state=stage_label(work.stage), note="开始定制流程")
    return work


def _refuse_final(current: Order) -> None:
    if current.state in states.FINAL:
        raise DomainError(
            "order_final",
            f"订单 {current.platform_order_no} 已{states.state_label(current.state)}，不能再修改定制信息",
            "state",
        )


def _move(actor, current: Order, work: CustomWork, to: str, fields: list[str], note: str = "") -> None:
    """Move the LOCKED work to `to` if STEPS allows it; save, raise both versions, timeline entry with 工号."""
    before = work.stage
    if to not in STEPS[before]:
        raise IllegalTransition(
            "illegal_custom_step",
            f"订单 {current.platform_order_no} 的定制进度为“{stage_label(before)}”，不能改为“{stage_label(to)}”",
            "stage",
        )
    work.stage = to
    _save_work(work, ["stage", *fields])
    record_event(actor, current, "order_custom", from_state=stage_label(before), to_state=stage_label(to), note=note)


def _save_work(work: CustomWork, fields: list[str]) -> None:
    work.version += 1
    work.save(update_fields=[*dict.fromkeys([*fields, "version"])])


def _finish(order, current: Order) -> None:
    states.bump(current, [])  # the order's version moves with its custom work: stale forms are refused
    states.sync(order, current)


def _clean_choices(choices) -> str:
    text = str(choices or "").strip()
    if len(text) > CHOICES_MAX:
        raise DomainError("too_long", f"定制要求最多 {CHOICES_MAX} 个字", "choices")
    return text


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return clock.local(value).date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise DomainError("required", "请填写约定发货日期", "delivery_date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError("bad_date", f"日期“{text}”无效，请按 年-月-日 填写", "delivery_date") from None


# ---------------------------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------------------------


def start_custom(actor, order, choices: str = "", *, version=None) -> CustomWork:
    """ORD-8: make the order customised (kind custom + its CustomWork). Idempotent: an order that already has its
    work is returned unchanged. Only orders not reviewed yet (待付款 / 待审核, or held from 待审核)."""
    choices = _clean_choices(choices)
    with transaction.atomic():
        current = states.locked(order, version)
        existing = CustomWork.objects.filter(order=current).first()
        if existing is not None:
            return existing
        _refuse_final(current)
        if not can_start(current):
            raise DomainError(
                "not_convertible",
                f"订单 {current.platform_order_no} 当前为“{states.state_label(current.state)}”，"
                "已审核或已发货的订单不能转为定制订单",
                "state",
            )
        fields = []
        if current.kind != Order.Kind.CUSTOM:
            note = f"由{_kind_name(current.kind)}转为定制订单"
            current.kind = Order.Kind.CUSTOM
            fields.append("kind")
        else:
            note = "开始定制流程"
        work = CustomWork.objects.create(order=current, choices=choices)
        record_event(actor, current, "order_custom", to_state=stage_label(work.stage), note=note)
        if choices:
            _move(actor, current, work, Stage.TO_CONFIRM, ["choices"], note="已记录买家定制要求")
        states.bump(current, fields)
    states.sync(order, current)
    if isinstance(order, Order):
        order.kind = current.kind
    return work


def _kind_name(kind: str) -> str:
    return {"normal": "普通订单", "phone": "电话订单", "resend": "补发订单"}.get(kind, "订单")


def save_choices(actor, order, choices: str, *, version=None) -> CustomWork:
    """Write down the buyer's choices (text, colours, sizes, engraving …) before confirmation; a first entry moves
    awaiting_design → to_confirm."""
    choices = _clean_choices(choices)
    with transaction.atomic():
        current = states.locked(order, version)
        _refuse_final(current)
        work = _lock_work(current, actor)
        if work.stage not in (Stage.AWAITING_DESIGN, Stage.TO_CONFIRM):
            raise DomainError("choices_fixed", "定制要求已确认，不能再修改", "choices")
        work.choices = choices
        if work.stage == Stage.AWAITING_DESIGN and choices:
            _move(actor, current, work, Stage.TO_CONFIRM, ["choices"], note="已记录买家定制要求")
        else:
            _save_work(work, ["choices"])
            record_event(actor, current, "order_custom", to_state=stage_label(work.stage), note="修改定制要求")
        _finish(order, current)
    return work


def confirm_details(actor, order, *, choices=None, delivery_date, version=None, producer: str = "") -> CustomWork:
    """ORD-8 定制订单受理: the details and the ship date are agreed with the buyer; production starts.
    awaiting_design / to_confirm → in_production. `choices` None keeps what was written."""
    day = _parse_date(delivery_date)
    producer = str(producer or "").strip()
    if len(producer) > 60:
        raise DomainError("too_long", "生产方最多 60 个字", "producer")
    with transaction.atomic():
        current = states.locked(order, version)
        _refuse_final(current)
        work = _lock_work(current, actor)
        if work.stage not in (Stage.AWAITING_DESIGN, Stage.TO_CONFIRM):
            raise IllegalTransition(
                "illegal_custom_step",
                f"订单 {current.platform_order_no} 的定制进度为“{stage_label(work.stage)}”，细节已确认过",
                "stage",
            )
        if choices is not None:
            work.choices = _clean_choices(choices)
        if not work.choices and not work.files.filter(kind=CustomFile.Kind.DESIGN).exists():
            raise DomainError("no_design", "请先上传买家的设计稿或填写定制要求，再确认细节", "choices")
        if day < clock.today():
            raise DomainError(
                "date_past", f"约定发货日期 {day:%Y-%m-%d} 已过去，请选择今天或以后的日期", "delivery_date"
            )
        if current.state == State.PENDING_PAYMENT:
            raise DomainError("not_paid", f"订单 {current.platform_order_no} 尚未付款，不能安排生产", "state")
        now = clock.now()
        work.delivery_date, work.confirmed_at = day, now
        work.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        work.production_started_at = now
        work.producer = producer or work.producer
        note = f"已与买家确认细节，约定 {day:%Y-%m-%d} 发货" + (f"，生产方：{work.producer}" if work.producer else "")
        fields = ["choices", "delivery_date", "confirmed_at", "confirmed_by", "production_started_at", "producer"]
        _move(actor, current, work, Stage.IN_PRODUCTION, fields, note=note)
        _finish(order, current)
    return work


def finish_production(actor, order, *, version=None, note: str = "") -> CustomWork:
    """ORD-8 生产制造: production is done; the goods wait for the quality check. in_production → qc."""
    note = str(note or "").strip()[:NOTE_MAX]
    with transaction.atomic():
        current = states.locked(order, version)
        _refuse_final(current)
        work = _lock_work(current, actor)
        _move(actor, current, work, Stage.QC, [], note=note or "生产完成，待质检")
        _finish(order, current)
    return work


def pass_qc(actor, order, *, version=None, note: str = "") -> CustomWork:
    """ORD-8 质检通过: qc → done; the order goes on in the normal flow (it may now be reviewed)."""
    return _qc(actor, order, True, version=version, note=note)


def fail_qc(actor, order, note: str, *, version=None) -> CustomWork:
    """ORD-8 质检不合格: qc → in_production to redo; a note saying what is wrong is required."""
    return _qc(actor, order, False, version=version, note=note)


def record_qc(actor, order, *, passed: bool, note: str = "", version=None) -> CustomWork:
    return _qc(actor, order, bool(passed), version=version, note=note)


def _qc(actor, order, passed: bool, *, version, note) -> CustomWork:
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("too_long", f"质检说明最多 {NOTE_MAX} 个字", "note")
    if not passed and not note:
        raise DomainError("reason_required", "质检不合格请写明原因", "note")
    with transaction.atomic():
        current = states.locked(order, version)
        _refuse_final(current)
        work = _lock_work(current, actor)
        if work.stage != Stage.QC:
            raise IllegalTransition(
                "illegal_custom_step",
                f"订单 {current.platform_order_no} 的定制进度为“{stage_label(work.stage)}”，还不能质检",
                "stage",
            )
        work.qc_at, work.qc_note = clock.now(), note
        work.qc_by = actor if getattr(actor, "is_authenticated", False) else None
        fields = ["qc_at", "qc_by", "qc_note"]
        if passed:
            _move(actor, current, work, Stage.DONE, fields, note=note or "质检通过，转入正常发货流程")
        else:
            work.qc_failures += 1
            fields.append("qc_failures")
            _move(
                actor,
                current,
                work,
                Stage.IN_PRODUCTION,
                fields,
                note=f"质检不合格（第 {work.qc_failures} 次）：{note}",
            )
        _finish(order, current)
    return work


# ---------------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The original file name without folders or control characters (kept for the download)."""
    base = PurePath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|*?:').strip().strip(".")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base or "file"


def _ext(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def sniff(data: bytes, name: str) -> tuple[str, str]:
    """(extension to store, content type) of the bytes, or DomainError. The name's extension must fit the content:
    HTML renamed .jpg, SVG, scripts and unknown formats are refused."""
    ext = _ext(name)
    refused = DomainError("file_type", f"不支持的文件：只接受 {ALLOWED_TEXT}（按文件内容检查）", "file")
    head = data[:16]
    if head.startswith(b"%PDF-"):
        if ext not in {"pdf", "ai"}:  # Illustrator files since CS are PDF inside
            raise refused
        return ext, "application/pdf" if ext == "pdf" else "application/illustrator"
    if head.startswith(b"%!PS-Adobe") or head.startswith(b"\xc5\xd0\xd3\xc6"):
        if ext not in {"eps", "ai"}:
            raise refused
        return ext, "application/postscript"
    if head.startswith(b"8BPS"):
        if ext not in {"psd", "psb"}:
            raise refused
        return ext, "image/vnd.adobe.photoshop"
    if head.startswith(b"RIFF") and data[8:11].lower() == b"cdr":
        if ext != "cdr":
            raise refused
        return ext, "application/vnd.corel-draw"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if ext not in {"zip", "cdr"}:  # CorelDRAW X4+ is a zip too
            raise refused
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise refused from None
        return ext, "application/zip" if ext == "zip" else "application/vnd.corel-draw"
    if ext not in IMAGE_EXTS:
        raise refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # print designs are big; never decoded
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as probe:
                fmt = probe.format
                probe.verify()
    except Image.DecompressionBombError:
        raise DomainError("image_too_big", "图片像素太多，请压缩为 ZIP 或导出 PDF 后上传", "file") from None
    except Exception:
        raise refused from None
    if fmt not in IMAGE_FORMATS:
        raise refused
    content_type, exts = IMAGE_FORMATS[fmt]
    return (ext if ext in exts else sorted(exts)[0]), content_type


def check_file(uploaded_file) -> tuple[bytes, str, str, str]:
    """(bytes, clean original name, stored extension, content type) of an acceptable upload (≤ 20 MB)."""
    if uploaded_file is None:
        raise DomainError("file_required", "请选择要上传的文件", "file")
    limit = uploads.limit_bytes("custom_file")
    size = getattr(uploaded_file, "size", None)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    # size by the one upload check (core.uploads); the signatures of design formats (sniff) are ORD-8's own list
    uploads.check_size(max(size or 0, len(data)) if data else 0, "custom_file")
    name = clean_name(getattr(uploaded_file, "name", ""))
    ext, content_type = sniff(data, name)
    return data, name, ext, content_type


def add_file(actor, order, uploaded_file, kind: str = CustomFile.Kind.DESIGN) -> CustomFile:
    """ORD-8: keep a design file, proof or QC photo of a custom order (checked by content, ≤ 20 MB). A first
    design file moves awaiting_design → to_confirm. Additive: no version check (a colleague's remark in between
    must not lose the upload)."""
    if kind not in CustomFile.Kind.values:
        raise DomainError("bad_kind", f"文件类型不正确：“{kind}”", "kind")
    data, name, ext, content_type = check_file(uploaded_file)
    with transaction.atomic():
        current = states.locked(order)
        _refuse_final(current)
        work = _lock_work(current, actor)
        item = CustomFile(
            work=work,
            kind=kind,
            name=name,
            size=len(data),
            content_type=content_type,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        item.file.save(f"{current.pk}/{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        try:
            item.save()
        except Exception:
            item.file.delete(save=False)
            raise
        record_event(
            actor,
            current,
            "order_custom_file",
            to_state=FILE_KIND_NAMES[kind],
            note=f"{name}（{_size_text(len(data))}）",
        )
        if kind == CustomFile.Kind.DESIGN and work.stage == Stage.AWAITING_DESIGN:
            _move(actor, current, work, Stage.TO_CONFIRM, [], note="已收到买家设计稿")
        _finish(order, current)
    return item


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
