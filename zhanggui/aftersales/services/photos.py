"""Photos of a case (AS-2): of the goods and of the waybill. The bytes are checked by the one upload check
(core.uploads: size limit settings.UPLOAD_LIMITS_MB["aftersales_photo"], JPEG / PNG / WebP by content, never by
name), then decoded fully by Pillow so a truncated or forged image is refused in Chinese. Stored under
aftersales/<case>/ with a generated name; served only through the case photo view (role + shop checked), never
from MEDIA_URL."""

from __future__ import annotations

import io
import uuid
import warnings
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from zhanggui.core import uploads
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from ..models import OPEN_STATES, Case, CasePhoto
from .cases import machine

PURPOSE = "aftersales_photo"
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
MAX_PIXELS = 40_000_000
PHOTOS_MAX = 30  # per case

register_event_kinds({"case_photo": "售后照片"})


def _checked(uploaded_file) -> tuple[bytes, str, str]:
    """(bytes, kind jpeg/png/webp, clean original name) of an acceptable photo."""
    checked = uploads.check_upload(uploaded_file, PURPOSE, uploads.IMAGES)
    limit = uploads.limit_bytes(PURPOSE)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:  # the declared size was wrong
        raise DomainError("file_too_large", f"图片太大，上限 {uploads.limit_mb(PURPOSE)} MB", "file")
    refused = DomainError("image_invalid", "不是有效的图片：只接受 JPEG、PNG 或 WebP 格式的图片文件", "file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[checked.kind]]) as image:
                if image.size[0] * image.size[1] > MAX_PIXELS:
                    raise DomainError("image_too_big", "图片像素太多，请缩小后再上传", "file")
                image.load()
    except DomainError:
        raise
    except Exception:
        raise refused from None
    name = PurePath(str(checked.name or "photo").replace("\\", "/")).name[:120] or "photo"
    return data, checked.kind, name


def add_photo(actor, case: Case, uploaded_file, kind: str = CasePhoto.Kind.GOODS) -> CasePhoto:
    """AS-2: keep a photo of the goods or of the waybill on the case (additive: no version check)."""
    if kind not in CasePhoto.Kind.values:
        raise DomainError("bad_kind", "请选择照片类型：商品或快递面单", "kind")
    data, fmt, name = _checked(uploaded_file)
    with transaction.atomic():
        current = machine(case).lock(case)
        machine(case).require(current, OPEN_STATES, "上传照片")
        if current.photos.count() >= PHOTOS_MAX:
            raise DomainError("too_many_photos", f"每个售后单最多 {PHOTOS_MAX} 张照片", "file")
        photo = CasePhoto(
            case=current,
            kind=kind,
            name=name,
            size=len(data),
            content_type=CONTENT_TYPES[fmt],
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ext = "jpg" if fmt == "jpeg" else fmt
        photo.file.save(f"{current.pk}/{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        try:
            photo.save()
        except Exception:
            photo.file.delete(save=False)
            raise
        label = "商品照片" if kind == CasePhoto.Kind.GOODS else "快递面单照片"
        record_event(actor, current, "case_photo", to_state=label, note=name)
    return photo
