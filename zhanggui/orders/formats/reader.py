"""ORD-1 export-file readers: decode, detect the format by its headers, map columns through data/formats.json,
and turn every row into ParsedOrder values or RowError values (every row accounted for; a bad row never stops the
good ones). Pure Python, no database, stream-friendly (csv module over decoded text, no pandas).

Quirks handled (platform-formats.md §1.4–1.6): GBK/GB18030 or UTF-8 with/without BOM (charset-normalizer when
unsure); `="…"` formula cells and `=""` empties; `'` before phones; header names with trailing spaces; trailing
comma on detail rows; tab-padded JD cells; JD one row per SKU line; Taobao order report + 宝贝报表 joined on
订单编号; XLSX via python-calamine; long order ids as strings; Excel-mangled dates; amounts "0元"; PDD order number
date prefix as fallback order date; the cut-down Taobao report (state derived from paid time and refund).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

from . import address
from .types import ParsedLine, ParsedOrder, ReadResult, RowError

DATA = Path(__file__).resolve().parent.parent / "data" / "formats.json"
PLATFORMS = {"taobao", "tmall", "jd", "pdd", "own"}
_BEIJING = dt.timedelta(hours=8)  # China has no DST: Beijing wall time − 8 h = UTC
_TRUE = {"是", "y", "yes", "true", "1", "审核中", "异常"}


@functools.cache
def load_formats() -> dict:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------- decoding and cells


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM (Excel's "Unicode text"), else GB18030 (safe superset of GBK/GB2312),
    else whatever charset-normalizer finds (ORD-1, §1.4)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("gb18030", errors="replace")


def clean(value: str) -> str:
    """Strip tabs/CR/LF/spaces (JD pads cells with \\t) and unwrap Excel formula cells `="123"` / `=""`."""
    value = value.strip()
    if value[:2] == '="' and value[-1:] == '"':
        value = value[2:-1].strip()
    return value


def _xlsx_cell(value) -> str:
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


def iter_rows(name: str, data: bytes):
    """Rows of one file as lists of str (header first). XLSX by its zip signature or name."""
    if data[:2] == b"PK" or name.lower().endswith((".xlsx", ".xls")):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [_xlsx_cell(v) for v in row]
        return
    text = decode(data)
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


# ---------------------------------------------------------------- value parsers


class BadValue(Exception):
    pass


def parse_fen(text: str) -> int:
    """Amount in yuan → fen. Fast path for "201.12" / "0" / "0元"; everything else through yuan_to_fen."""
    if not text:
        return 0
    if text[-1] == "元":
        text = text[:-1]
    whole, _, frac = text.partition(".")
    if whole.isdigit() and (not frac or (frac.isdigit() and len(frac) <= 2)):
        return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    try:
        return yuan_to_fen(text)
    except DomainError as exc:
        raise BadValue(f"金额格式不正确：“{text}”") from exc


def parse_time(text: str) -> dt.datetime | None:
    """Beijing wall time without zone → aware UTC. `2017-07-08 00:42:32`, Excel's `2016/5/23 22:02`, date only."""
    if not text:
        return None
    try:
        if len(text) == 19 and text[4] == "-":
            local = dt.datetime.fromisoformat(text)
        else:
            date_part, _, time_part = text.replace("/", "-").replace("T", " ").partition(" ")
            y, m, d = (int(x) for x in date_part.split("-"))
            hms = [int(float(x)) for x in time_part.strip().split(":")] if time_part.strip() else []
            hms += [0] * (3 - len(hms))
            local = dt.datetime(y, m, d, hms[0], hms[1], hms[2])
    except (ValueError, TypeError) as exc:
        raise BadValue(f"时间格式不正确：“{text}”") from exc
    return (local - _BEIJING).replace(tzinfo=dt.UTC)


def parse_qty(text: str) -> int:
    if not text:
        return 1
    try:
        qty = float(text) if not text.isdigit() else int(text)
    except ValueError as exc:
        raise BadValue(f"数量格式不正确：“{text}”") from exc
    if qty != int(qty) or qty <= 0:
        raise BadValue(f"数量必须是正整数：“{text}”")
    return int(qty)


def parse_phone(text: str) -> str:
    """Strip the `'` Excel guard and spaces; masked numbers (138****1234) are kept as they are."""
    return text.replace("'", "").replace(" ", "").replace("-", "") if text else ""


# ---------------------------------------------------------------- detection


@dataclass
class Layout:
    name: str
    spec: dict
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text
    matched: int


@dataclass
class Detection:
    layout: Layout | None
    missing: list[str] = field(default_factory=list)  # required headers missing in the best candidate
    candidate: str = ""


def _platform_key(platform: str) -> str:
    return "taobao" if platform == "tmall" else platform


def detect(platform: str, header: list[str]) -> Detection:
    """ORD-1: the format whose required headers are all present; most matched headers wins. When none fits,
    the candidate with the most matched headers tells which required columns are missing."""
    stripped = [h.strip().lstrip("\ufeff") for h in header]
    positions: dict[str, int] = {}
    for i, h in enumerate(stripped):
        if h and h not in positions:
            positions[h] = i
    best: Layout | None = None
    near: tuple[int, str, list[str]] | None = None
    for name, spec in load_formats()["formats"].items():
        if platform not in spec["platforms"] and _platform_key(platform) not in spec["platforms"]:
            continue
        columns, headers = {}, {}
        for fld, aliases in spec["fields"].items():
            for alias in aliases:
                if alias in positions:
                    columns[fld], headers[fld] = positions[alias], alias
                    break
        matched = len({positions[a] for aliases in spec["fields"].values() for a in aliases if a in positions})
        missing = [spec["fields"][f][0] for f in spec["required"] if f not in columns]
        if missing:
            if near is None or (matched, -len(missing)) > (near[0], -len(near[2])):
                near = (matched, name, missing)
            continue
        unmatched = len(spec["fields"]) - len(columns)
        if best is None or (matched, -unmatched) > (best.matched, -(len(best.spec["fields"]) - len(best.columns))):
            best = Layout(name, spec, columns, headers, matched)
    if best:
        return Detection(best)
    return Detection(None, near[2] if near else [], near[1] if near else "")


# ---------------------------------------------------------------- rows → values

_TEXT_ORDER_FIELDS = (
    "buyer_nick",
    "buyer_message",
    "seller_remark",
    "receiver_name",
    "province",
    "city",
    "district",
    "street",
    "address_detail",
    "postcode",
    "payment_method",
    "carrier",
    "tracking_no",
    "platform_status",
)
_MONEY_ORDER_FIELDS = ("goods_fen", "postage_fen", "discount_fen", "paid_fen", "refund_fen")
_TIME_FIELDS = ("ordered_at", "paid_at", "shipped_at", "completed_at", "closed_at")


class _RowReader:
    """Turns one row into (field values, line) with per-column errors. Built once per file: the hot loop strips
    only the mapped cells (one dict comprehension) and calls the fast parsers; no per-cell regex or library call."""

    def __init__(self, layout: Layout):
        self.layout = layout
        cols = layout.columns
        self.pairs = list(cols.items())
        money = (*_MONEY_ORDER_FIELDS, "platform_discount_fen", "pay_discount_fen", "total_fen")
        self.money = [f for f in money if f in cols]
        self.times = [f for f in _TIME_FIELDS if f in cols]
        self.order_no = cols["order_no"]
        self.width = max(cols.values()) + 1
        self.has_line = any(f.startswith("line.") for f in cols)
        self.has_phone2 = "receiver_phone2" in cols

    def cell(self, row: list[str], index: int | None) -> str:
        if index is None or index >= len(row):
            return ""
        return clean(row[index])

    def read(self, row: list[str]) -> tuple[dict, ParsedLine | None, list[tuple[str, str]]]:
        """Values by field name, the order line (if the layout has line columns), and (header, reason) errors."""
        headers = self.layout.headers
        if len(row) < self.width:
            row = row + [""] * (self.width - len(row))
        v = {f: (x if (x := row[i].strip())[:1] != "=" else clean(x)) for f, i in self.pairs}
        errors: list[tuple[str, str]] = []
        for f in self.money:
            try:
                v[f] = parse_fen(v[f])
            except BadValue as exc:
                errors.append((headers[f], str(exc)))
        for f in self.times:
            try:
                v[f] = parse_time(v[f])
            except BadValue as exc:
                errors.append((headers[f], str(exc)))
        phone = parse_phone(v.get("receiver_phone", ""))
        if self.has_phone2 and (not phone or set(phone) <= {"*"}):
            phone = parse_phone(v["receiver_phone2"]) or phone
        v["receiver_phone"] = phone
        v.setdefault("address_raw", "")
        v["risk_flag"] = v.get("risk_flag", "").lower() in _TRUE
        line = None
        if self.has_line:
            line = ParsedLine(
                line_no=0,
                title=v.get("line.title", ""),
                outer_code=v.get("line.outer_code", "") or v.get("line.outer_code2", ""),
                properties=v.get("line.properties", ""),
                platform_sku_id=v.get("line.platform_sku_id", ""),
            )
            try:
                line.quantity = parse_qty(v.get("line.quantity", ""))
            except BadValue as exc:
                errors.append((headers["line.quantity"], str(exc)))
            if "line.unit_price_fen" in v:
                try:
                    line.unit_price_fen = parse_fen(v["line.unit_price_fen"])
                except BadValue as exc:
                    errors.append((headers["line.unit_price_fen"], str(exc)))
            line.paid_fen = line.unit_price_fen * line.quantity
        return v, line, errors


def _state(status_map: dict, text: str) -> str | None:
    state = status_map["exact"].get(text)
    if state is None:
        for prefix, mapped in status_map.get("prefixes", {}).items():
            if text.startswith(prefix):
                return mapped
    return state


def _pdd_date(order_no: str) -> dt.datetime | None:
    """PDD 订单号 `260517-607198974342268` (or older `20150909-…`): the date prefix, Beijing midnight → UTC."""
    prefix, sep, _ = order_no.partition("-")
    if not sep or not prefix.isdigit():
        return None
    try:
        if len(prefix) == 6:
            day = dt.datetime(2000 + int(prefix[:2]), int(prefix[2:4]), int(prefix[4:]))
        elif len(prefix) == 8:
            day = dt.datetime(int(prefix[:4]), int(prefix[4:6]), int(prefix[6:]))
        else:
            return None
    except ValueError:
        return None
    return (day - _BEIJING).replace(tzinfo=dt.UTC)


def build_order(layout: Layout, values: dict, order_no: str, file: str, line: int) -> ParsedOrder:
    spec = layout.spec
    order = ParsedOrder(platform_order_no=order_no, source_file=file, source_line=line)
    for f in _TEXT_ORDER_FIELDS:
        if f in values:
            setattr(order, f, values[f])
    for f in (*_MONEY_ORDER_FIELDS, *_TIME_FIELDS):
        if f in values:
            setattr(order, f, values[f])
    order.discount_fen += values.get("platform_discount_fen", 0) + values.get("pay_discount_fen", 0)
    if "total_fen" in values and "discount_fen" not in layout.columns and values["total_fen"] > order.paid_fen:
        order.discount_fen = values["total_fen"] - order.paid_fen
    order.receiver_phone = values["receiver_phone"]
    order.address_raw = values["address_raw"]
    # ORD-1 / §2.6: status text → our state, from data
    status_map = load_formats()["status_maps"][spec["states"]]
    state = _state(status_map, order.platform_status) if order.platform_status else None
    if state is None and spec.get("derive_state") == "paid_refund" and not order.platform_status:
        if order.paid_at is None:
            state = "pending_payment"
        elif order.refund_fen and order.refund_fen >= order.paid_fen:
            state = "closed"
        else:
            state = "to_review"
    for from_state, fld, to_state in status_map.get("upgrade", []):
        if state == from_state and getattr(order, fld, None):
            state = to_state
    if values.get("risk_flag"):
        state = "on_hold"
    order.state = state
    order.risk_hold = state == "on_hold"
    if spec["states"] == "pdd" and order.ordered_at is None:
        order.ordered_at = _pdd_date(order_no) or order.paid_at
    _apply_address(order, spec["address"])
    return order


def _apply_address(order: ParsedOrder, kind: str) -> None:
    """§4 address split; unsplittable → address_ok False (ORD-9 address queue), never a row error."""
    if kind == "split_spaces":
        split = address.split_taobao(order.address_raw) if order.address_raw else None
    elif kind == "text":
        split = address.split_text(order.address_raw) if order.address_raw else None
    elif kind == "columns":
        if order.province or order.city:
            masked = any("*" in (v or "") for v in (order.province, order.city))
            parts = (order.province, order.city, order.district, order.street, order.address_detail)
            order.address_raw = order.address_raw or " ".join(p for p in parts if p)
            order.address_ok = bool(order.province and order.city) and not masked
            if order.address_ok:
                order.adcode = address.divisions().find_district(order.province, order.city, order.district)
            return
        split = address.split_text(order.address_raw) if order.address_raw else None
    else:
        return
    if split is None:
        order.address_ok = False
        return
    order.province, order.city, order.district = split.province, split.city, split.district
    order.address_detail, order.adcode, order.address_ok = split.detail, split.adcode, split.ok
    order.postcode = order.postcode or split.postcode


# ---------------------------------------------------------------- files


@dataclass
class _FileResult:
    layout: Layout | None
    orders: dict[str, ParsedOrder]
    details: list[tuple[int, str, ParsedLine]]  # (line, order_no, line) for detail files
    rows: int


def _read_file(platform: str, name: str, data: bytes, errors: list[RowError]) -> _FileResult:
    rows = iter_rows(name, data)
    header = next(rows, None)
    while header is not None and not any(c.strip() for c in header):
        header = next(rows, None)
    if header is None:
        errors.append(RowError(name, 1, "", "文件是空的，没有表头"))
        return _FileResult(None, {}, [], 0)
    found = detect(platform, header)
    if found.layout is None:
        if not found.missing:
            errors.append(RowError(name, 1, "", "认不出这个文件的格式：表头与该平台的任何导出格式都不符"))
        for column in found.missing:
            errors.append(RowError(name, 1, column, f"缺少必需的列“{column}”，此文件未导入任何订单"))
        return _FileResult(None, {}, [], 0)
    layout = found.layout
    reader = _RowReader(layout)
    order_col = layout.headers["order_no"]
    per_line = layout.spec["layout"] == "line_per_row"
    is_detail = layout.spec["kind"] == "detail"
    orders: dict[str, ParsedOrder] = {}
    details: list[tuple[int, str, ParsedLine]] = []
    count = 0
    for line_no, row in enumerate(rows, start=2):
        if not any(row):
            continue
        order_no = reader.cell(row, reader.order_no)
        if not order_no and not any(c.strip() for c in row):
            continue
        count += 1
        if not order_no:
            errors.append(RowError(name, line_no, order_col, "订单号为空"))
            continue
        values, line, problems = reader.read(row)
        if problems:
            for column, reason in problems:
                errors.append(RowError(name, line_no, column, reason, order_no))
            continue
        if is_detail:
            details.append((line_no, order_no, line))
            continue
        existing = orders.get(order_no)
        if existing is not None and not per_line:
            errors.append(RowError(name, line_no, order_col, "订单号重复，已保留第一行", order_no))
            continue
        if existing is None:
            existing = orders[order_no] = build_order(layout, values, order_no, name, line_no)
        if line is not None:
            if not per_line and not line.unit_price_fen:  # PDD: one line per order row, amounts on the order
                line.unit_price_fen = existing.goods_fen // line.quantity
                line.paid_fen = existing.paid_fen
            line.line_no = len(existing.lines) + 1
            existing.lines.append(line)
    return _FileResult(layout, orders, details, count)


def read_files(platform: str, files: list[tuple[str, bytes]]) -> ReadResult:
    """ORD-1: read one import's files for one platform (taobao, tmall, jd, pdd, own). Taobao's 订单报表 and
    宝贝报表 may come together and are joined on 订单编号; a detail row whose order is not in the report is a
    RowError. Returns every order read and every row that could not be (RowError, Chinese reason)."""
    if platform not in PLATFORMS:
        raise DomainError("unknown_platform", f"未知平台：{platform}", "platform")
    errors: list[RowError] = []
    orders: dict[str, ParsedOrder] = {}
    details: list[tuple[str, int, str, ParsedLine]] = []
    names: list[str] = []
    rows = 0
    for name, data in files:
        result = _read_file(platform, name, data, errors)
        rows += result.rows
        if result.layout is None:
            continue
        if result.layout.spec["kind"] == "detail":
            details.extend((name, ln, no, line) for ln, no, line in result.details)
            if result.layout.name not in names:
                names.append(result.layout.name)
            continue
        if result.layout.name not in names:
            names.insert(0, result.layout.name)
        for no, order in result.orders.items():
            if no in orders:
                errors.append(
                    RowError(name, order.source_line, result.layout.headers["order_no"], "订单号在另一个文件中重复", no)
                )
                continue
            orders[no] = order
    for name, line_no, order_no, line in details:
        order = orders.get(order_no)
        if order is None:
            errors.append(
                RowError(name, line_no, "订单编号", "订单报表中没有这个订单（宝贝报表的行无法对应）", order_no)
            )
            continue
        line.line_no = len(order.lines) + 1
        order.lines.append(line)
    return ReadResult(format="+".join(names), orders=list(orders.values()), errors=errors, rows=rows)
