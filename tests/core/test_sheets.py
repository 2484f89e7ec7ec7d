"""core.sheets, the one CSV/XLSX reader (ORD-1 §1.4, PROD-1, PROD-10, SHIP-1): encodings, BOMs, XLSX, line
numbers, the limits that protect memory, and a Chinese error for anything that is not a table."""

import codecs
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from zhanggui.core import sheets
from zhanggui.core.sheets import SheetError

ROWS = [["订单号", "收货人", "金额"], ["1001", "王小明", "9.90"], ["1002", "陈小雨", "0"]]


def csv_text(rows=ROWS, sep=","):
    return "\r\n".join(sep.join(r) for r in rows) + "\r\n"


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_text().encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text().encode("utf-8"), "utf-8-sig"),
        (csv_text().encode("gbk"), "gb18030"),
        (csv_text().replace("陈", "䶮").encode("gb18030"), "gb18030"),  # outside GBK: GB18030's four-byte form
        (csv_text().encode("utf-16"), "utf-16"),  # Excel's "Unicode text": UTF-16 with BOM
        (codecs.BOM_UTF16_BE + csv_text().encode("utf-16-be"), "utf-16"),
    ],
)
def test_every_encoding_is_found_and_read_alike(data, encoding, tmp_path):
    assert sheets.text_encoding(data) == encoding
    expected = ROWS if "䶮" not in data.decode(encoding) else [ROWS[0], ROWS[1], ["1002", "䶮小雨", "0"]]
    assert list(sheets.iter_rows("a.csv", data)) == expected
    assert [cells for _line, cells in sheets.read_rows("a.csv", data)] == expected
    path = tmp_path / "a.csv"  # a path reads the same, piecewise
    path.write_bytes(data)
    assert list(sheets.iter_rows("a.csv", path)) == expected


def test_tab_separated_and_excel_formula_cells():
    data = csv_text([["订单编号", "金额"], ['="0012345"', "1"]], sep="\t").encode("gbk")
    rows = list(sheets.iter_rows("x.csv", data))
    assert rows[1] == ['="0012345"', "1"] and sheets.clean(rows[1][0]) == "0012345"
    assert sheets.clean('=""') == "" and sheets.clean("\t 12 \t") == "12"


def test_line_numbers_are_the_lines_the_user_sees():
    """A quoted cell with a line break spans two lines: the next row is numbered after it; blank lines count."""
    data = 'a,b\r\n1,"第一行\r\n第二行"\r\n\r\n3,x\r\n'.encode("gbk")
    assert list(sheets.read_rows("a.csv", data)) == [
        (1, ["a", "b"]),
        (2, ["1", "第一行\r\n第二行"]),
        (4, []),
        (5, ["3", "x"]),
    ]


def test_xlsx_rows_as_text_or_as_values():
    """XLSX by its signature whatever the name; whole numbers lose ".0" (order and waybill numbers), times as text;
    text=False gives calamine's values."""
    when = dt.datetime(2026, 5, 17, 8, 30)
    data = xlsx([["单号", "重量", "时间"], [12345678901234, 1.5, when], [None, None, None], ["SF1", 2, "x"]])
    assert sheets.is_xlsx("upload.bin", data)
    assert list(sheets.read_rows("upload.bin", data)) == [
        (1, ["单号", "重量", "时间"]),
        (2, ["12345678901234", "1.5", "2026-05-17 08:30:00"]),
        (3, ["", "", ""]),
        (4, ["SF1", "2", "x"]),
    ]
    raw = dict(sheets.read_rows("a.xlsx", data, text=False))
    assert raw[2][:2] == [12345678901234.0, 1.5] and raw[2][2] == when
    assert list(sheets.iter_rows("a.xlsx", data))[1] == ["12345678901234", "1.5", "2026-05-17 08:30:00"]


def test_limits_refuse_before_the_rows_are_held():
    data = csv_text([["a"], *[[str(n)] for n in range(10)]]).encode()
    assert len(list(sheets.read_rows("a.csv", data, max_rows=10))) == 11
    with pytest.raises(SheetError, match="一次最多导入 9 行") as caught:
        list(sheets.read_rows("a.csv", data, max_rows=9))
    assert caught.value.code == "too_many_rows" and caught.value.field == "file"
    with pytest.raises(SheetError, match="一次最多导入 9 行"):  # XLSX: on the sheet's size, before any row
        sheets.read_rows("a.xlsx", xlsx([["a"], *[[n] for n in range(10)]]), max_rows=9)
    with pytest.raises(SheetError, match="文件太大，上限 1 MB"):
        sheets.read_rows("a.csv", b"a\n" * (1 << 19) + b"b", max_bytes=1 << 20)
    huge = b"a,b\n1," + b"x" * 200_000 + b"\n"  # one cell over csv's limit: an error naming the line, not a crash
    with pytest.raises(SheetError, match="第 2 行无法读取"):
        list(sheets.read_rows("a.csv", huge))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("junk.csv", b"\x00\x01\x02" * 100, "不是 CSV 文本文件"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip", "无法读取 XLSX 文件"),
        ("bad.csv", codecs.BOM_UTF8 + "订单号\n".encode() + b"\xff\xfe\xfa", "文件标记为 UTF-8"),
    ],
)
def test_garbage_is_a_chinese_error(name, data, message):
    with pytest.raises(SheetError, match=message) as caught:
        list(sheets.read_rows(name, data))
    assert caught.value.field == "file"
    if not data.startswith(codecs.BOM_UTF8):  # the hot path refuses it too (its decoding replaces bad bytes)
        with pytest.raises(SheetError, match=message):
            list(sheets.iter_rows(name, data))


def test_count_lines_and_decode():
    data = csv_text().encode("gbk")
    assert sheets.count_lines(data) == 3
    assert sheets.decode(data) == csv_text()
