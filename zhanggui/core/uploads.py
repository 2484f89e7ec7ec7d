"""The one entry check of every upload (rule 7: bad input gets a clear error): the size against its limit
(settings.UPLOAD_LIMITS_MB), then what the bytes really are — magic numbers, not the file name — in Chinese.

A spreadsheet is an XLSX (a ZIP holding [Content_Types].xml), an old .xls (OLE2) where the caller accepts it, or
CSV/TXT text (no NUL bytes, no binary signature); an image is JPEG, PNG or WebP. A name that says one thing and
bytes that say another (a PNG renamed .xlsx) are refused. Reading the content (core.sheets, Pillow, the
importers) comes after this check; nothing here parses rows.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .errors import DomainError

MB = 1024 * 1024
HEAD_BYTES = 8192

# What a caller may accept: spreadsheet formats (by suffix) and image formats (by content only).
XLSX, XLS, CSV, TXT = ".xlsx", ".xls", ".csv", ".txt"
SHEETS = (XLSX, CSV)
IMAGES = ("jpeg", "png", "webp")
IMAGE_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}

_SIGNATURES = (  # (kind, prefix); checked in order
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("zip", b"PK\x03\x04"),
    ("zip", b"PK\x05\x06"),  # an empty archive
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # .xls, .doc
    ("gif", b"GIF8"),
    ("pdf", b"%PDF"),
    ("exe", b"MZ"),
    ("exe", b"\x7fELF"),
    ("psd", b"8BPS"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the file's own name, without folders
    size: int
    kind: str  # what the bytes are: xlsx, xls, text, jpeg, png or webp
    suffix: str  # the name's suffix, lower case (".xlsx"); for images the one matching the content


def limit_bytes(purpose: str) -> int:
    """The size limit of an upload kind (settings.UPLOAD_LIMITS_MB)."""
    return int(settings.UPLOAD_LIMITS_MB[purpose]) * MB


def limit_mb(purpose: str) -> int:
    return int(settings.UPLOAD_LIMITS_MB[purpose])


def sniff(head: bytes) -> str:
    """What the first bytes of a file are: png, jpeg, webp, zip, ole, gif, pdf, exe, psd, text or binary."""
    for kind, prefix in _SIGNATURES:
        if head.startswith(prefix):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_UTF16_BOMS) or b"\x00" not in head:
        return "text"
    return "binary"


def _is_xlsx(source) -> bool:
    """A ZIP holding the Office [Content_Types].xml (source: bytes or a seekable file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _suffix_list(accept) -> str:
    suffixes = [a for a in accept if a.startswith(".")]
    return suffixes[0] if len(suffixes) == 1 else "、".join(suffixes[:-1]) + " 或 " + suffixes[-1]


def _refuse(code: str, message: str, field: str):
    raise DomainError(code, message, field)


def check_size(size: int, purpose: str, *, field="file", what="文件") -> None:
    """Refuse an empty file or one over its size limit (settings.UPLOAD_LIMITS_MB[purpose])."""
    if size > limit_bytes(purpose):
        _refuse("file_too_large", f"{what}太大：{size / MB:.1f} MB，上限 {limit_mb(purpose)} MB", field)
    if size <= 0:
        _refuse("file_empty", "文件是空的", field)


def check_content(name: str, size: int, head: bytes, purpose: str, accept=SHEETS, *, field="file", whole=None):
    """The check itself, on a file's name, size and first bytes; `whole` (bytes or a seekable file) lets an XLSX
    be opened to see it really is one. Returns a CheckedUpload or raises a Chinese DomainError on `field`."""
    name = Path(str(name or "").replace("\\", "/")).name
    images = [a for a in accept if a in IMAGES]
    check_size(size if head else 0, purpose, field=field, what="图片" if images else "文件")
    found = sniff(head[:HEAD_BYTES])
    suffix = Path(name).suffix.lower()
    if images:  # images: the content decides, whatever the name says
        if found not in images:
            allowed = "、".join(IMAGE_NAMES[i] for i in images[:-1]) + " 或 " + IMAGE_NAMES[images[-1]]
            _refuse("image_invalid", f"不是有效的图片：只接受 {allowed} 格式的图片文件", field)
        return CheckedUpload(name, size, found, ".jpg" if found == "jpeg" else f".{found}")
    if suffix not in accept:
        _refuse("file_type", f"只能上传 {_suffix_list(accept)} 文件（收到“{name}”）", field)
    if suffix == XLSX:
        if found != "zip" or (whole is not None and not _is_xlsx(whole)):
            _refuse("file_type", "不是有效的 XLSX 文件（旧版 .xls 请在 Excel 里另存为 .xlsx）", field)
        return CheckedUpload(name, size, "xlsx", suffix)
    if suffix == XLS:
        if found not in ("ole", "zip"):
            _refuse("file_type", "不是有效的 Excel 文件，请在 Excel 里另存为 .xlsx 后再上传", field)
        return CheckedUpload(name, size, "xls" if found == "ole" else "xlsx", suffix)
    if found == "zip" and XLSX in accept:
        _refuse("file_type", "这是一个 Excel 文件，请把扩展名改为 .xlsx", field)
    if found != "text":
        kind = suffix.lstrip(".").upper()
        _refuse("file_type", f"“{name}”的内容不是文本（无法识别编码），不是有效的 {kind} 文件", field)
    return CheckedUpload(name, size, "text", suffix)


def check_upload(uploaded, purpose: str, accept=SHEETS, *, field="file") -> CheckedUpload:
    """Check an uploaded file (Django or django-ninja UploadedFile) before anything reads it; the file is left
    at its start. `purpose` names its size limit in settings.UPLOAD_LIMITS_MB; `accept` holds suffixes
    (XLSX, XLS, CSV, TXT) or image formats (IMAGES)."""
    if uploaded is None:
        _refuse("file_required", "请选择要上传的文件", field)
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    size = uploaded.size if getattr(uploaded, "size", None) is not None else len(head)
    try:
        source = uploaded.file if hasattr(uploaded, "file") else uploaded
        return check_content(uploaded.name, size, head, purpose, accept, field=field, whole=source)
    finally:
        uploaded.seek(0)


def check_data(name: str, data: bytes, purpose: str, accept=SHEETS, *, field="file") -> CheckedUpload:
    """The same check on bytes already read (a service handed the content rather than the upload)."""
    return check_content(name, len(data), data[:HEAD_BYTES], purpose, accept, field=field, whole=data)
