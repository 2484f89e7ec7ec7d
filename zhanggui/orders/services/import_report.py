"""The downloadable error file of an order import (ORD-1 item 4): one line per bad row."""

from __future__ import annotations

import io

from zhanggui.channels.formats.types import RowError
from zhanggui.core.export_cells import safe_row


def error_report(errors: list[RowError]) -> bytes:
    """ORD-1 item 4: the downloadable error file — one line per bad row with file, line, column and reason."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "导入错误"
    sheet.append(["文件", "行号", "列", "原因", "订单号"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for e in sorted(errors, key=lambda e: (e.file, e.line)):
        sheet.append(safe_row([e.file, e.line, e.column, e.reason, e.order_no]))  # OWASP: no formulas
    for letter, width in zip("ABCDE", (30, 8, 16, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
