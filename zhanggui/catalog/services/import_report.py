"""The error report of an import (PROD-1): one line per bad row with its line number, the columns and the Chinese
reasons, followed by the original cells, so the report itself can be corrected and imported again.
"""

from pathlib import Path

from django.conf import settings

from zhanggui.core.export_cells import safe_cell, safe_row

from .. import rules_imports as rules
from ..rules_imports import RowError

REPORT_DIR = Path("private") / "imports"


def write_error_report(errors: list[RowError], header: list, failed_rows: dict[int, list], name: str) -> str:
    """Write MEDIA_ROOT/private/imports/<name>-errors.xlsx; returns its path relative to MEDIA_ROOT."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    by_line: dict[int, list[RowError]] = {}
    for err in errors:
        by_line.setdefault(err.line, []).append(err)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("导入错误")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE2E1")
    from openpyxl.cell import WriteOnlyCell

    head = []
    for text in ["行号", "列", "原因", *[rules.cell_text(h) for h in header]]:
        cell = WriteOnlyCell(sheet, value=safe_cell(text))
        cell.font = bold
        if text in ("行号", "列", "原因"):
            cell.fill = fill
        head.append(cell)
    sheet.append(head)
    for line in sorted(by_line):
        errs = by_line[line]
        columns = "；".join(dict.fromkeys(e.column for e in errs if e.column))
        reasons = "；".join(e.reason for e in errs)
        sheet.append(safe_row([line, columns, reasons, *[_plain(v) for v in failed_rows.get(line, [])]]))
    sheet.column_dimensions["C"].width = 60
    folder = Path(settings.MEDIA_ROOT) / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-errors.xlsx"
    book.save(path)
    return str(path.relative_to(settings.MEDIA_ROOT))


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
