"""Daily shop traffic (DATA-1): the platforms' daily exports imported as they are, our template, manual entry.

- A file is read through core/sheets.py (XLSX/XLS/CSV; GBK, UTF-8, UTF-8 with BOM) and channels/formats/traffic.py
  (tolerant header matching, which platform's export it is).
- A file of another platform than the shop's is refused whole, nothing recorded.
- Each good row is an upsert per shop and day: a day with identical values is `unchanged` (re-importing the same file
  changes nothing); bad rows are reported in Chinese by line and reason, the good rows kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db import transaction

from zhanggui.channels.formats import traffic as fmt
from zhanggui.core import clock, sheets
from zhanggui.core.bounds import check_between
from zhanggui.core.errors import DomainError

from ..models import ShopDayTraffic

FIELDS = ("pv", "uv", "stay_seconds", "returning_permille", *ShopDayTraffic.SOURCES)
MAX_BYTES = 20 * 1048576
MAX_ROWS = 5000
HEADER_SEARCH = 12  # 生意参谋 puts a few preamble lines above the header


@dataclass
class ImportResult:
    layout: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def layout_name(self) -> str:
        return fmt.LAYOUT_NAMES.get(self.layout, "掌柜模板")


def _upsert(shop, day, values: dict, source: str) -> str:
    """'created' / 'updated' / 'unchanged' for one shop-day (DATA-1: identical values change nothing)."""
    values = {name: int(values.get(name, 0) or 0) for name in FIELDS}
    found = ShopDayTraffic.objects.filter(shop=shop, day=day).first()
    if found is None:
        ShopDayTraffic.objects.create(shop=shop, day=day, source=source, **values)
        return "created"
    if all(getattr(found, name) == value for name, value in values.items()):
        return "unchanged"
    for name, value in values.items():
        setattr(found, name, value)
    found.source = source
    found.save()
    return "updated"


def import_file(actor, shop, name: str, data: bytes) -> ImportResult:
    """DATA-1: import one daily traffic export for `shop`. Raises a DomainError (nothing recorded) for a file that is
    unreadable, has no recognisable header, or is another platform's export."""
    rows = sheets.read_rows(name, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    header_line, cols, header = 0, {}, []
    pending = []
    for line, cells in rows:
        if not header_line:
            found = fmt.columns(cells)
            if all(k in found for k in fmt.REQUIRED):
                header_line, cols, header = line, found, cells
            elif line >= HEADER_SEARCH:
                break
            continue
        pending.append((line, cells))
    if not header_line:
        raise DomainError("no_header", "找不到表头：文件需有“日期”和“访客数”两列（前 12 行内）", "file")
    layout = fmt.layout_of(header)
    platform = shop.platform_id
    if not fmt.fits(layout, platform):
        raise DomainError(
            "wrong_platform",
            f"这是{fmt.LAYOUT_NAMES[layout]}的导出文件，而店铺“{shop.name}”在{shop.platform.name}：整份文件未导入",
            "file",
        )
    result = ImportResult(layout=layout)
    seen: dict = {}
    today = clock.today()
    with transaction.atomic():
        for line, cells in pending:
            row = fmt.read_row(line, cells, cols)
            if row is None:
                continue
            if not row.problem and row.day > today:
                row.problem = f"日期 {row.day} 在今天之后"
            if not row.problem and row.day in seen:
                row.problem = f"日期 {row.day} 与第 {seen[row.day]} 行重复"
            if row.problem:
                result.errors.append(f"第 {line} 行：{row.problem}")
                continue
            seen[row.day] = line
            outcome = _upsert(shop, row.day, row.values, layout)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


LABELS = {"pv": "浏览量", "uv": "访客数", "stay_seconds": "平均停留时长（秒）", "returning_permille": "回访客占比"}
LABELS |= {"search": "搜索", "free": "站内免费", "direct": "直接访问", "paid": "付费推广", "other": "其他来源"}


def record_day(actor, shop, day, values: dict) -> str:
    """DATA-1 manual entry of one day: whole numbers within bounds, named in Chinese when not. Returns the upsert's
    outcome."""
    if day is None or day > clock.today():
        raise DomainError("bad_day", "日期无效或在今天之后", "day")
    clean = {}
    for name in FIELDS:
        high = 1000 if name == "returning_permille" else 2_000_000_000
        clean[name] = check_between(values.get(name, 0) or 0, LABELS[name], name, low=0, high=high)
    if clean["pv"] < clean["uv"]:
        raise DomainError("pv_below_uv", f"浏览量 {clean['pv']} 少于访客数 {clean['uv']}", "pv")
    return _upsert(shop, day, clean, "manual")


def template_xlsx() -> bytes:
    """Our XLSX template (DATA-1): the headers and one example row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "流量"
    sheet.append(list(fmt.TEMPLATE_HEADERS))
    sheet.append(["2026-03-01", 888, 432, 425, "11.12%", 0, 114, 60, 253, 5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
