"""The one escaping rule for every cell we export (rule 7 of the house; OWASP's CSV injection rule): a text cell
that starts with = + - @, a tab or a carriage return is written with a leading apostrophe, so Excel or WPS shows
it as text instead of running it as a formula (=HYPERLINK(…), =cmd|…, @SUM(…)); a plain number ("-12.50") is
left as it is. Every CSV and XLSX export writes its rows through `safe_row` (or `safe_writer` for csv); numbers,
dates and styled cells pass unchanged.

Our own importers read an escaped cell back as what was exported (`unescape`), so an export re-imported
(PROD-1 round trip) changes nothing.
"""

from __future__ import annotations

import csv
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")  # "-12.50", "+8613812345678": a number, never a formula


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
