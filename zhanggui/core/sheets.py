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
- Every workbook is checked against settings.SHEET_LIMITS before the parser sees it (`check_workbook`): the
  decompressed size of its parts, the declared dimension, and the rows, columns and cells its sheet really holds —
  streamed over the sheet's XML, so a tiny file naming a cell at XFD1048576 is refused instead of expanded (the
  parser would allocate every cell of the range). Text files are held to the column limit row by row.

`iter_rows` is the bare hot path (the orders import: rows as lists, no line numbers, errors replaced);
`read_rows` is what the small uploads use: (line number as the user sees it, cells), strict decoding, the limits.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from pathlib import Path

from .errors import DomainError
from .export_cells import unescape

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
    """Strip tabs/CR/LF/spaces (JD pads cells with \\t), unwrap Excel formula cells `="123"` / `=""` and drop the
    apostrophe our own exports put before a formula trigger (core.export_cells)."""
    value = value.strip()
    if value[:1] == "'":
        value = unescape(value).strip()
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


# ---------------------------------------------------------------- workbook limits (checked before parsing)

_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br(?:\w*):id=\"([^\"]+)\"")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_CELL_COL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]+)\d')
_CELL_ROW = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="[A-Z]+(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")


def limits() -> dict:
    from django.conf import settings

    return settings.SHEET_LIMITS


def _column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(char) - 64
    return number


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (what the parser reads as sheet 0)."""
    names = set(archive.namelist())
    try:
        book = archive.open("xl/workbook.xml").read(1 << 20)
        rels = archive.open("xl/_rels/workbook.xml.rels").read(1 << 20)
        first = _FIRST_SHEET.search(book).group(1)
        for rel in _REL.findall(rels):
            attrs = dict(_ATTR.findall(rel))
            if attrs.get(b"Id") == first:
                target = attrs[b"Target"].decode().lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path in names:
                    return path
    except (KeyError, AttributeError, zipfile.BadZipFile, OSError):
        pass
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else (sheets[0] if sheets else "")


def _over(what: str, found: int, limit: int):
    raise SheetError("too_large", f"表格太大，无法导入：{what} {found:,}，上限 {limit:,}（请拆分文件或删去多余的行列）")


def _check_extent(rows: int, columns: int, limit: dict) -> None:
    if rows > limit["rows"]:
        _over("行数", rows, limit["rows"])
    if columns > limit["columns"]:
        _over("列数", columns, limit["columns"])
    if rows * columns > limit["cells"]:
        _over("单元格范围（行 × 列）", rows * columns, limit["cells"])


def check_workbook(data) -> None:
    """settings.SHEET_LIMITS on a workbook (bytes or path), before it is parsed: the decompressed size of its parts
    (as declared, then as really read), the declared dimension, and the rows, columns and cells of its first sheet.
    A SheetError in Chinese when a limit is passed; not a ZIP (an old .xls) → nothing to check here."""
    limit = limits()
    unzipped = limit["unzipped_mb"] << 20
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes | bytearray) else data)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a ZIP: the parser says what it is
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        if declared > unzipped:
            _over("解压后大小（MB）", declared >> 20, limit["unzipped_mb"])
        path = _first_sheet_path(archive)
        if not path:
            return
        rows = columns = cells = read = 0
        dimension_seen = False
        carry = b""
        try:
            with archive.open(path) as part:
                while piece := part.read(1 << 20):
                    read += len(piece)
                    if read > unzipped:
                        _over("解压后大小（MB）", read >> 20, limit["unzipped_mb"])
                    buffer = carry + piece
                    end = buffer.rfind(b">") + 1
                    buffer, carry = buffer[:end], buffer[end:]
                    if len(carry) > 1 << 20:  # a tag longer than 1 MB: not a spreadsheet's XML
                        raise SheetError("unreadable", "无法读取 XLSX 文件：工作表内容异常")
                    if not dimension_seen and (match := _DIMENSION.search(buffer)):
                        dimension_seen = True
                        last_col, last_row = (match.group(3), match.group(4)) if match.group(3) else match.group(1, 2)
                        _check_extent(int(last_row or 0), _column_number(last_col or b""), limit)
                    rows = max([rows, *map(int, _ROW.findall(buffer)), *map(int, _CELL_ROW.findall(buffer))])
                    letters = set(_CELL_COL.findall(buffer))
                    if letters:
                        columns = max(columns, max(map(_column_number, letters)))
                    cells += len(_CELL.findall(buffer))
                    _check_extent(rows, columns, limit)
                    if cells > limit["cells"]:
                        _over("单元格数", cells, limit["cells"])
        except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
            raise SheetError("unreadable", f"无法读取 XLSX 文件：{exc}") from None


def _sheet(data):
    """The first sheet of a workbook (bytes or path), parsed after check_workbook; a broken workbook is a
    SheetError."""
    from python_calamine import CalamineWorkbook

    check_workbook(data)
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
        columns = limits()["columns"]
        for row in csv.reader(itertools.chain((first,), text), delimiter=delimiter):
            if len(row) > columns:
                _over("列数", len(row), columns)
            yield row


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
        columns = limits()["columns"]
        try:
            for count, cells in enumerate(reader, start=1):
                if limit is not None and count > limit:
                    raise SheetError("too_many_rows", f"一次最多导入 {max_rows} 行")
                if len(cells) > columns:
                    _over(f"第 {line} 行的列数", len(cells), columns)
                yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:  # a cell over csv's size limit, a NUL, a broken quote
            raise SheetError("unreadable", f"第 {line} 行无法读取（{exc}），请检查文件是否为 CSV 表格") from None
