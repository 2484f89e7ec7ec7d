"""The one escaping rule for every cell we export (rule 7 of the house; OWASP's CSV injection rule): a text cell
that starts with = + - @, a tab or a carriage return is written with a leading apostrophe, so Excel or WPS shows
it as text instead of running it as a formula (=HYPERLINK(…), =cmd|…, @SUM(…)); a plain number ("-12.50") is
left as it is. Every CSV and XLSX export writes its rows through `safe_row` (or `safe_writer` for csv); numbers,
dates and styled cells pass unchanged.

Our own importers read an escaped cell back as what was exported (`unescape`), so an export re-imported
(PROD-1 round trip) changes nothing.

Money goes out as yuan with two decimals (rule 9, like the pages): `yuan(fen)` is the cell value (a Decimal such as
87.00, None for no amount) and `MONEY_FORMAT` the number format an XLSX money column is shown with.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")  # "-12.50", "+8613812345678": a number, never a formula


MONEY_FORMAT = "#,##0.00"
_CENT = Decimal("0.01")


def yuan(fen) -> Decimal | None:
    """An amount in fen as the yuan a person reads: 8700 → Decimal("87.00"); None stays None."""
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(_CENT)


def money_columns(sheet, columns: str, first_row: int = 2) -> None:
    """Show the given columns ("GHI") of a filled (not write-only) sheet as yuan with two decimals."""
    for letter in columns:
        for cell in sheet[letter][first_row - 1 :]:
            if isinstance(cell.value, int | float | Decimal):
                cell.number_format = MONEY_FORMAT


def safe_cell(value):
    """A cell value as it may be exported: text starting with a formula trigger gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return QUOTE + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def unescape(value):
    """The text a cell held before safe_cell (an apostrophe before a trigger is ours, not the user's)."""
    if isinstance(value, str) and value[:1] == QUOTE and value[1:].startswith(TRIGGERS):
        return value[1:]
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_writer(out, **kwargs) -> _SafeWriter:
    """csv.writer whose every row goes through safe_row."""
    return _SafeWriter(csv.writer(out, **kwargs))
