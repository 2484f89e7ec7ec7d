"""Reading the small tables people upload in the shipping pages (tracking scans, carrier bills): CSV (UTF-8 or
GBK, as carrier sites export them) or XLSX, first row the headers. Rows come back as dicts with their line number."""

from __future__ import annotations

import csv
import datetime as dt
import io

from zhanggui.core import clock
from zhanggui.core.errors import DomainError

MAX_ROWS = 50_000


def read_rows(upload) -> list[tuple[int, dict]]:
    """[(line number, {header: value})] of an uploaded file; empty rows skipped."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    rows = _xlsx_rows(data) if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK" else _csv_rows(data)
    if not rows:
        raise DomainError("empty_file", "文件是空的", "file")
    headers = [str(h or "").strip() for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if number > MAX_ROWS + 1:
            raise DomainError("too_many_rows", f"一次最多导入 {MAX_ROWS} 行", "file")
        if not any(str(v or "").strip() for v in values):
            continue
        out.append((number, {h: values[i] if i < len(values) else "" for i, h in enumerate(headers) if h}))
    return out


def decode_text(data: bytes) -> str:
    """An uploaded text file as the seller centres and carriers write them: UTF-8 (with or without BOM) or GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("bad_encoding", "无法识别文件编码（请用 UTF-8 或 GBK 的 CSV，或 XLSX）", "file")


def _csv_rows(data: bytes) -> list[list]:
    return [row for row in csv.reader(io.StringIO(decode_text(data)))]


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable workbook is the user's file problem
        raise DomainError("bad_file", f"无法读取 Excel 文件：{exc}", "file") from None
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pick(row: dict, *names: str) -> str:
    """The first non-empty value among columns `names` (tolerant of header variants), as stripped text."""
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip() != "":
            return value if isinstance(value, dt.datetime | int | float) else str(value).strip()
    return ""


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S")


def parse_time(value) -> dt.datetime | None:
    """A scan time: an Excel datetime or text; a time without zone is Beijing time."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in TIME_FORMATS:
                try:
                    moment = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    return moment.astimezone(dt.UTC)
