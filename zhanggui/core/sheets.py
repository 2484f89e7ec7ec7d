"""The one CSV/XLSX reader (ORD-1 §1.4, PROD-1, PROD-10, SHIP-1, SHIP-5): every import reads its files here.

- Encodings: UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), else UTF-8 or GB18030 (the safe superset of
  GBK/GB2312, what Excel on a Chinese Windows saves) when the whole file decodes strictly with it — checked
  piecewise, nothing kept — else what charset-normalizer finds (rare). A file with NUL bytes and no UTF-16 BOM is
  not text: refused in Chinese.
- CSV delimiter: tab when the first line has more tabs than commas (JD's tab-padded exports), else comma.
- XLSX (and old XLS) by the zip signature or the name, through python-calamine; a broken workbook is a Chinese
  error, never a traceback.
- Streaming: a text file is decoded piecewise (never the whole text at once: the big Taobao reports are ~60 MB of
  GBK), `data` may be the bytes or a path. Memory limits: `max_bytes` (checked before reading), `max_rows`
  (checked on the sheet's size for XLSX before any row is built, while reading for CSV) and csv's own cell limit
  (131,072 characters), each a Chinese SheetError.

`iter_rows` is the bare hot path (the orders import: rows as lists, no line numbers, errors replaced);
`read_rows` is what the small uploads use: (line number as the user sees it, cells), strict decoding, the limits.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from pathlib import Path

from .errors import DomainError

_STR = {str}
_HEAD = 4096  # bytes looked at for NUL (binary content)


class SheetError(DomainError):
    """The file as a whole cannot be read (not a table, broken workbook, unknown encoding, over a limit)."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message, "file")


# ---------------------------------------------------------------- bytes and encodings


def chunks(data, size: int = 1 << 20):
    """The raw bytes of a file (bytes in memory, or a path read piecewise) in pieces."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), size):
            yield view[start : start + size]
        return
    with open(data, "rb") as fh:
        while piece := fh.read(size):
            yield piece


def size_of(data) -> int:
    return len(data) if isinstance(data, bytes | bytearray | memoryview) else Path(data).stat().st_size


def _decodes(data, encoding: str) -> bool:
    """Whether the whole file decodes strictly — checked piecewise, nothing kept (the streaming twin of decode())."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for piece in chunks(data):
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_encoding(data) -> str:
    """The encoding of a text file (see the module text). `data`: bytes or a path. SheetError when it is binary."""
    head = bytes(next(chunks(data, _HEAD), b""))
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise SheetError("encoding", "不是 CSV 文本文件，或编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）")
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(bytes(data) if isinstance(data, bytes | bytearray) else Path(data).read_bytes()).best()
    return best.encoding if best is not None else "gb18030"


def _strict_encoding(data) -> str:
    """text_encoding, and the whole file must decode with it (the small uploads: a bad byte is an error)."""
    encoding = text_encoding(data)
    if encoding in ("utf-8", "gb18030") or _decodes(data, encoding):
        return encoding
    if encoding == "utf-8-sig":
        raise SheetError("encoding", "文件标记为 UTF-8，但内容不是有效的 UTF-8")
    if encoding == "utf-16":
        raise SheetError("encoding", "文件标记为 UTF-16，但内容无法解码")
    raise SheetError("encoding", "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")


def decode(data: bytes) -> str:
    """The whole text of a file, in the encoding text_encoding chooses."""
    return data.decode(text_encoding(data), errors="replace")


def count_lines(data) -> int:
    """Newlines in a file (bytes or path), without decoding: the cheap estimate of its rows for progress bars."""
    return sum(piece.count(b"\n") if isinstance(piece, bytes) else bytes(piece).count(b"\n") for piece in chunks(data))


# ---------------------------------------------------------------- cells


def clean(value: str) -> str:
    """Strip tabs/CR/LF/spaces (JD pads cells with \\t) and unwrap Excel formula cells `="123"` / `=""`."""
    value = value.strip()
    if value[:2] == '="' and value[-1:] == '"':
        value = value[2:-1].strip()
    return value


def xlsx_cell(value) -> str:
    """An XLSX cell as the text a CSV export would hold: whole numbers without ".0" (order and waybill numbers),
    times as `YYYY-MM-DD HH:MM:SS`, booleans 是/否."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    return str(value)


def is_xlsx(name: str, data) -> bool:
    """A workbook by its zip signature or its name; `data`: bytes or a path."""
    return bytes(next(chunks(data, 4), b""))[:2] == b"PK" or name.lower().endswith((".xlsx", ".xls"))


def _sheet(data):
    """The first sheet of a workbook (bytes or path), parsed; a broken workbook is a SheetError."""
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(data, bytes | bytearray):
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        else:
            book = CalamineWorkbook.from_path(str(data))
        return book.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own zoo of errors for broken files
        raise SheetError("unreadable", f"无法读取 XLSX 文件：{exc}") from None


# ---------------------------------------------------------------- rows


def iter_rows(name: str, data, encoding: str | None = None):
    """Rows of one file as lists of str (header first), streamed — the hot path of big imports. `data`: the file's
    bytes or its path. XLSX by its zip signature or name; a text file decoded piecewise in `encoding`, or in the one
    text_encoding finds, undecodable bytes replaced."""
    if is_xlsx(name, data):
        sheet = _sheet(data)
        cell = xlsx_cell
        for row in sheet.iter_rows():
            # the usual export has text cells only: checked in one pass in C, converted only when not
            yield row if set(map(type, row)) == _STR else [v if v.__class__ is str else cell(v) for v in row]
        return
    raw = io.BytesIO(data) if isinstance(data, bytes | bytearray) else open(data, "rb")  # noqa: SIM115
    with io.TextIOWrapper(raw, encoding=encoding or text_encoding(data), errors="replace", newline="") as text:
        first = text.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        yield from csv.reader(itertools.chain((first,), text), delimiter=delimiter)


def read_rows(name: str, data, *, text: bool = True, max_rows: int | None = None, max_bytes: int | None = None):
    """(line, cells) of every row of a file (header and blank rows included), lines numbered as the user sees them
    (1 = first line; a CSV cell with line breaks counts its lines). Decoding is strict: a file that does not decode
    is a SheetError, raised here before any row. `text`: XLSX cells as text (xlsx_cell), else calamine's values
    (float, datetime, str …). `max_rows`: data rows after the header; `max_bytes`: the file's size."""
    if max_bytes is not None and size_of(data) > max_bytes:
        raise SheetError("file_too_large", f"文件太大，上限 {max_bytes // 1048576} MB")
    if is_xlsx(name, data):
        sheet = _sheet(data)
        if max_rows is not None and sheet.end is not None and sheet.end[0] + 1 > max_rows + 1:  # end: last (row, col)
            raise SheetError("too_many_rows", f"一次最多导入 {max_rows} 行")
        return _xlsx_rows(sheet, text)
    return _csv_rows(data, _strict_encoding(data), max_rows)


def _xlsx_rows(sheet, text: bool):
    cell = xlsx_cell
    for line, row in enumerate(sheet.iter_rows(), start=1):
        yield line, ([v if v.__class__ is str else cell(v) for v in row] if text else row)


def _csv_rows(data, encoding: str, max_rows: int | None):
    raw = io.BytesIO(data) if isinstance(data, bytes | bytearray) else open(data, "rb")  # noqa: SIM115
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as fh:
        first = fh.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        reader = csv.reader(itertools.chain((first,), fh), delimiter=delimiter)
        line, limit = 1, None if max_rows is None else max_rows + 1
        try:
            for count, cells in enumerate(reader, start=1):
                if limit is not None and count > limit:
                    raise SheetError("too_many_rows", f"一次最多导入 {max_rows} 行")
                yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:  # a cell over csv's size limit, a NUL, a broken quote
            raise SheetError("unreadable", f"第 {line} 行无法读取（{exc}），请检查文件是否为 CSV 表格") from None
