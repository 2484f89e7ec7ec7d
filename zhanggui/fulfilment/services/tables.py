"""Reading the small tables people upload in the shipping pages (tracking scans, carrier bills) through core.sheets:
CSV (UTF-8 or GBK, as carrier sites export them) or XLSX, first row the headers. Rows come back as dicts with their
line number."""

from __future__ import annotations

import datetime as dt

from zhanggui.core import clock, sheets, uploads
from zhanggui.core.errors import DomainError

MAX_ROWS = 50_000
# What the shipping pages accept (checked by core.uploads before reading): XLSX, or CSV / TXT text
TABLE_FILES = (uploads.XLSX, uploads.CSV, uploads.TXT)


def read_rows(upload) -> list[tuple[int, dict]]:
    """[(line number, {header: value})] of an uploaded file (core.sheets: cells as text); empty rows skipped."""
    name = getattr(upload, "name", "") or ""
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    rows = sheets.read_rows(name, data, max_rows=MAX_ROWS)
    _line, header = next(rows, (1, None))
    if header is None:
        raise DomainError("empty_file", "文件是空的", "file")
    headers = [h.strip() for h in header]
    out = []
    for number, values in rows:
        if not any(v.strip() for v in values):
            continue
        out.append((number, {h: values[i] if i < len(values) else "" for i, h in enumerate(headers) if h}))
    return out


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
