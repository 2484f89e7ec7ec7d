"""ORD-1 export-file readers: decode, detect the format by its headers, map columns through data/formats.json,
and turn every row into ParsedOrder values or RowError values (every row accounted for; a bad row never stops the
good ones). Pure Python, no database, stream-friendly (csv module over decoded text, no pandas).

Quirks handled (platform-formats.md §1.4–1.6): GBK/GB18030 or UTF-8 with/without BOM (charset-normalizer when
unsure); `="…"` formula cells and `=""` empties; `'` before phones; header names with trailing spaces; trailing
comma on detail rows; tab-padded JD cells; JD one row per SKU line; Taobao order report + 宝贝报表 joined on
订单编号; XLSX via python-calamine; long order ids as strings; Excel-mangled dates; amounts "0元"; PDD order number
date prefix as fallback order date; the cut-down Taobao report (state derived from paid time and refund).

Memory stays flat in the file size (ORD-1): the 宝贝报表 lines wait for their orders, and the rows of a big JD or
template file (one row per order line, beyond OrderRows.SPILL orders) wait to be grouped, in temporary SQLite files
(Scratch), removed when the stream ends or is abandoned.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
from dataclasses import dataclass, field
from pathlib import Path
from zlib import crc32

from zhanggui.channels import PLATFORMS as _PLATFORMS
from zhanggui.core import regions
from zhanggui.core.errors import DomainError
from zhanggui.core.sheets import SheetError, clean, count_lines, is_xlsx, iter_rows, text_encoding

from .scratch import DetailLines, OrderRows
from .types import ParsedLine, ParsedOrder, ReadResult, RowError
from .values import BEIJING, BadValue, parse_fen, parse_phone, parse_qty, parse_time

DATA = Path(__file__).resolve().parent.parent / "data" / "formats.json"
PLATFORMS = set(_PLATFORMS)
_TRUE = {"是", "y", "yes", "true", "1", "审核中", "异常"}


@functools.cache
def load_formats() -> dict:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------- detection


@dataclass
class Layout:
    name: str
    spec: dict
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text
    matched: int
    missing: list[tuple[str, str]] = field(default_factory=list)  # (expected header absent, what the import does)


@dataclass
class Detection:
    layout: Layout | None
    missing: list[str] = field(default_factory=list)  # required headers missing in the best candidate
    candidate: str = ""


def _aliases(spec: dict, header: str) -> list[str]:
    """The headers that stand for `header` in a format (its field's aliases), or the header alone."""
    return next((aliases for aliases in spec["fields"].values() if header in aliases), [header])


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
        best.missing = [
            (header, without)
            for header, without in best.spec.get("expected", {}).items()
            if not any(alias in positions for alias in _aliases(best.spec, header))
        ]
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
    """Turns one row into (field values, line) with per-column errors, and values into a ParsedOrder. Built once
    per file: what depends only on the layout (which fields it has, its status map) is worked out here, so the hot
    loop takes the mapped cells in one C call, strips them, and calls the fast parsers; no per-cell regex or
    library call."""

    def __init__(self, layout: Layout):
        self.layout = layout
        cols = layout.columns
        self.fields = tuple(cols)
        take = operator.itemgetter(*cols.values())
        self.take = take if len(cols) > 1 else lambda row: (take(row),)
        money = (*_MONEY_ORDER_FIELDS, "platform_discount_fen", "pay_discount_fen", "total_fen")
        self.money = [f for f in money if f in cols]
        self.times = [f for f in _TIME_FIELDS if f in cols]
        self.order_no = cols["order_no"]
        self.width = max(cols.values()) + 1
        self.has_line = any(f.startswith("line.") for f in cols)
        self.has_phone2 = "receiver_phone2" in cols
        # build_order: the ParsedOrder fields this layout has, the status map, the address kind
        present = [f for f in (*_TEXT_ORDER_FIELDS, *_MONEY_ORDER_FIELDS, *_TIME_FIELDS) if f in cols]
        self.order_fields = (*present, "receiver_phone", "address_raw")
        self.order_values = operator.itemgetter(*self.order_fields)
        spec = layout.spec
        self.status_map = load_formats()["status_maps"][spec["states"]]
        self.upgrades = self.status_map.get("upgrade", [])
        self.derive_state = spec.get("derive_state") == "paid_refund"
        self.extra_discount = [f for f in ("platform_discount_fen", "pay_discount_fen") if f in cols]
        self.total_discount = "total_fen" in cols and "discount_fen" not in cols
        self.pdd_dates = spec["states"] == "pdd"
        self.address = spec["address"]

    def cell(self, row: list[str], index: int | None) -> str:
        if index is None or index >= len(row):
            return ""
        return clean(row[index])

    def read(self, row: list[str]) -> tuple[dict, ParsedLine | None, list[tuple[str, str]]]:
        """Values by field name, the order line (if the layout has line columns), and (header, reason) errors."""
        headers = self.layout.headers
        if len(row) < self.width:
            row = row + [""] * (self.width - len(row))
        cells = [x.strip() for x in self.take(row)]
        joined = "".join(cells)
        if '="' in joined or "'" in joined:  # Excel formula cells (Taobao's ="…" order numbers), our export's escapes
            cells = [clean(x) if x[:2] == '="' or x[:1] == "'" else x for x in cells]
        v = dict(zip(self.fields, cells, strict=True))
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

    def build_order(self, values: dict, order_no: str, file: str, line: int) -> ParsedOrder:
        """The ParsedOrder of one row's values (read): the state from the status map (ORD-1 / §2.6, as data), the
        address split (§4)."""
        order = ParsedOrder(
            platform_order_no=order_no,
            source_file=file,
            source_line=line,
            **dict(zip(self.order_fields, self.order_values(values), strict=True)),
        )
        for f in self.extra_discount:
            order.discount_fen += values[f]
        if self.total_discount and values["total_fen"] > order.paid_fen:
            order.discount_fen = values["total_fen"] - order.paid_fen
        state = _state(self.status_map, order.platform_status) if order.platform_status else None
        if state is None and self.derive_state and not order.platform_status:
            if order.paid_at is None:
                state = "pending_payment"
            elif order.refund_fen and order.refund_fen >= order.paid_fen:
                state = "closed"
            else:
                state = "to_review"
        for from_state, fld, to_state in self.upgrades:
            if state == from_state and getattr(order, fld, None):
                state = to_state
        if state == "closed" and 0 < order.refund_fen < order.paid_fen:
            state = _open_state(order)  # ORD-9: a partial refund does not close the order
        if values["risk_flag"]:
            state = "on_hold"
        # ORD-9 退款申请: a refund shown on an order that is still open (amount refunded, 退款中, 售后 in progress)
        order.refund_open = state not in ("closed", "completed") and (
            order.refund_fen > 0 or _refund_text(order.platform_status) or _refund_text(values.get("refund_status", ""))
        )
        order.state = state
        order.risk_hold = state == "on_hold"
        if self.pdd_dates and order.ordered_at is None:
            order.ordered_at = _pdd_date(order_no) or order.paid_at
        _apply_address(order, self.address)
        return order


def _open_state(order: ParsedOrder) -> str:
    """The state of a partly refunded order the platform reports closed (ORD-9): what its times say."""
    if order.completed_at:
        return "completed"
    if order.shipped_at or order.tracking_no or "已发货" in order.platform_status:
        return "shipped"
    return "to_review" if order.paid_at or order.paid_fen else "pending_payment"


@functools.lru_cache(maxsize=256)
def _refund_text(text: str) -> bool:
    """Whether a status or 售后状态 text speaks of a refund (data: formats.json "refunds"): 退款中, 售后处理中,
    退款成功 … but not 无售后或售后取消."""
    if not text:
        return False
    words = load_formats()["refunds"]
    return any(w in text for w in words["refund"]) and not any(w in text for w in words["no_refund"])


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
    return _pdd_day(prefix) if sep and prefix.isdigit() else None


@functools.lru_cache(maxsize=1024)  # one prefix per day: a file's orders share a few hundred at most
def _pdd_day(prefix: str) -> dt.datetime | None:
    try:
        if len(prefix) == 6:
            day = dt.datetime(2000 + int(prefix[:2]), int(prefix[2:4]), int(prefix[4:]))
        elif len(prefix) == 8:
            day = dt.datetime(int(prefix[:4]), int(prefix[4:6]), int(prefix[6:]))
        else:
            return None
    except ValueError:
        return None
    return (day - BEIJING).replace(tzinfo=dt.UTC)


def _apply_address(order: ParsedOrder, kind: str) -> None:
    """§4 address split; unsplittable → address_ok False (ORD-9 address queue), never a row error."""
    if kind == "split_spaces":
        split = regions.split_taobao(order.address_raw) if order.address_raw else None
    elif kind == "text":
        split = regions.split_text(order.address_raw) if order.address_raw else None
    elif kind == "columns":
        if not order.province and (order.city or order.district):  # ORD-1: inferred, never left blank
            order.province = regions.divisions().province_of(order.city, order.district)
        if order.province or order.city:
            masked = any("*" in (v or "") for v in (order.province, order.city))
            parts = (order.province, order.city, order.district, order.street, order.address_detail)
            order.address_raw = order.address_raw or " ".join(p for p in parts if p)
            order.address_ok = bool(order.province and order.city) and not masked
            if order.address_ok:
                order.adcode = regions.divisions().find_district(order.province, order.city, order.district)
            return
        split = regions.split_text(order.address_raw) if order.address_raw else None
    else:
        return
    if split is None:
        order.address_ok = False
        return
    order.province, order.city, order.district = split.province, split.city, split.district
    order.address_detail, order.adcode, order.address_ok = split.detail, split.adcode, split.ok
    order.postcode = order.postcode or split.postcode


# ---------------------------------------------------------------- files


class _File:
    """One opened export file: header read and format detected; `records()` streams its good rows."""

    def __init__(self, platform: str, name: str, data, errors: list[RowError]):
        self.name, self.data, self.errors = name, data, errors
        self.part: tuple[int, int] | None = None  # share k of n (reader.share)
        self.layout: Layout | None = None
        self.count = 0  # data rows read
        self.xlsx = is_xlsx(name, data)
        try:
            self.encoding = None if self.xlsx else text_encoding(data)  # found once: share() may open the file again
            rows = iter_rows(name, data, self.encoding)
            header = next(rows, None)
        except SheetError as exc:  # not a table at all (binary, a broken workbook): the file's one error
            errors.append(RowError(name, 1, "", exc.message))
            return
        self.skipped = 1  # rows up to and including the header
        while header is not None and not any(c.strip() for c in header):
            header = next(rows, None)
            self.skipped += 1
        if header is None:
            errors.append(RowError(name, 1, "", "文件是空的，没有表头"))
            return
        found = detect(platform, header)
        if found.layout is None:
            if not found.missing:
                errors.append(RowError(name, 1, "", "认不出这个文件的格式：表头与该平台的任何导出格式都不符"))
            for column in found.missing:
                errors.append(RowError(name, 1, column, f"缺少必需的列“{column}”，此文件未导入任何订单"))
            rows.close()
            return
        self.layout, self.rows = found.layout, rows
        self.reader = _RowReader(self.layout)
        self.is_detail = self.layout.spec["kind"] == "detail"
        self.per_line = self.layout.spec["layout"] == "line_per_row"

    def detach(self) -> None:
        """In a forked process, before reading: a text file opened from its path shares the parent's read position
        (one file description) — open it anew and skip to the first data row. Bytes and a parsed XLSX sheet are in
        memory, and the fork's copy is this process's own."""
        if self.layout is None or self.xlsx or isinstance(self.data, bytes | bytearray | memoryview):
            return
        self.rows = iter_rows(self.name, self.data, self.encoding)
        for _row in range(self.skipped):
            next(self.rows, None)

    def records(self):
        """(line number, order no, values, line) of every row that reads; bad rows go to the errors."""
        name, errors = self.name, self.errors
        reader = self.reader
        order_col = self.layout.headers["order_no"]
        order_index = reader.order_no
        mine, parts = self.part or (0, 1)
        for line_no, row in enumerate(self.rows, start=2):
            if not any(row):
                continue
            order_no = reader.cell(row, order_index)
            if not order_no and not any(c.strip() for c in row):
                continue
            if parts > 1 and (crc32(order_no.encode()) % parts if order_no else 0) != mine:
                continue  # another process's share (reader.share): every row read by exactly one
            self.count += 1
            if not order_no:
                errors.append(RowError(name, line_no, order_col, "订单号为空"))
                continue
            values, line, problems = reader.read(row)
            if problems:
                for column, reason in problems:
                    errors.append(RowError(name, line_no, column, reason, order_no))
                continue
            yield line_no, order_no, values, line

    def orders(self, seen: dict[str, str]):
        """The orders of an order file, streamed when it has one row per order. A file with one row per line (JD,
        our template) is grouped first (OrderRows: on disk when big): an order's rows need not be adjacent. `seen`
        {order no: file} across the files of the import: a number already read is a RowError."""
        if self.per_line:
            yield from self._grouped_orders(seen)
            return
        name = self.name
        for line_no, order_no, values, line in self.records():
            if self._repeated(seen, order_no, line_no):
                continue
            order = self.reader.build_order(values, order_no, name, line_no)
            if line is not None:
                if not line.unit_price_fen:  # PDD: one line per order row, amounts on the order
                    line.unit_price_fen = order.goods_fen // line.quantity
                    line.paid_fen = order.paid_fen
                line.line_no = 1
                order.lines.append(line)
            yield order

    def _grouped_orders(self, seen: dict[str, str]):
        store = OrderRows(self.reader.times)
        try:
            for line_no, order_no, values, line in self.records():
                store.add(order_no, line_no, values, line)
            for order_no, line_no, values, lines in store.grouped():
                if self._repeated(seen, order_no, line_no):
                    continue
                order = self.reader.build_order(values, order_no, self.name, line_no)
                order.lines = lines
                yield order
        finally:  # read to the end, or abandoned halfway
            store.close()

    def _repeated(self, seen: dict[str, str], order_no: str, line_no: int) -> bool:
        """Whether the order number was read before (a RowError: the first row wins); else it is now."""
        if order_no not in seen:
            seen[order_no] = self.name
            return False
        reason = "订单号重复，已保留第一行" if seen[order_no] == self.name else "订单号在另一个文件中重复"
        self.errors.append(RowError(self.name, line_no, self.layout.headers["order_no"], reason, order_no))
        return True


def stream_files(platform: str, files: list[tuple[str, object]], batch: int = 2000) -> ReadResult:
    """ORD-1, streaming: like read_files, but the orders come as `ReadResult.batches` (lists of up to `batch`
    orders) while the files are read — memory does not grow with the order report. `files`: (name, bytes or path).

    Every file is opened and its header checked first, so header-level errors (line 1: not an export, a required
    column missing) are in `errors` before the first batch (imports.check_readable). The Taobao 宝贝报表 join:
    the detail files are read FIRST into a temporary SQLite file (DetailLines: memory stays flat), then the order
    report streams and each batch of orders takes its lines from it in one query; the lines no order claimed are
    RowErrors at the end. The reader stays free of the application's database. `share` narrows the stream to a
    part of the orders before it is read."""
    if platform not in PLATFORMS:
        raise DomainError("unknown_platform", f"未知平台：{platform}", "platform")
    errors: list[RowError] = []
    opened = [_File(platform, name, data, errors) for name, data in files]
    readable = [f for f in opened if f.layout is not None]
    names: list[str] = []
    for f in readable:  # report formats first, detail formats after (e.g. "taobao-2020+taobao-detail")
        if f.layout.name not in names:
            names.insert(len(names) if f.is_detail else 0, f.layout.name)
    reports = [f for f in readable if not f.is_detail]
    estimate = None
    if all(not f.xlsx and not f.per_line for f in reports):
        estimate = sum(max(0, count_lines(f.data) - 1) for f in reports)
    result = ReadResult(format="+".join(names), orders=[], errors=errors, estimate=estimate, files=opened)
    result.notices = _notices(readable)

    def batches():
        details = [f for f in readable if f.is_detail]
        store = DetailLines() if details else None
        joined = store.attach if store else (lambda chunk: chunk)
        try:
            for f in details:
                for line_no, order_no, _values, line in f.records():
                    store.add(order_no, f.name, line_no, line)
                result.rows += f.count
            if store:
                store.seal()
            seen: dict[str, str] = {}
            chunk: list[ParsedOrder] = []
            for f in reports:
                for order in f.orders(seen):
                    chunk.append(order)
                    if len(chunk) >= batch:
                        yield joined(chunk)
                        chunk = []
                result.rows += f.count
            if chunk:
                yield joined(chunk)
            if store:
                errors.extend(store.unclaimed(seen))
        finally:  # exhausted, or abandoned halfway (closed by the import or the garbage collector)
            if store:
                store.close()

    result.batches = batches()
    return result


def _notices(readable: list[_File]) -> list[str]:
    """ORD-1: the expected columns the files lack and what the import does without them (Chinese, for the import
    result): per file its format's `expected` headers (formats.json) that are absent; an order report without item
    columns and no 宝贝报表 beside it."""
    notices = []
    for f in readable:
        notices += [f"{f.name}：缺少“{header}”列，{without}" for header, without in f.layout.missing]
    reports = [f for f in readable if not f.is_detail and not f.reader.has_line]
    if reports and not any(f.is_detail for f in readable):
        names = "、".join(f.name for f in reports)
        notices.append(
            f"{names}：没有商品明细（宝贝报表），订单不含商品行：已付款的订单进入“无商品明细”队列，"
            "不会进入待审核；同时上传宝贝报表重新导入即可补全"
        )
    return notices


def share(result: ReadResult, part: tuple[int, int], *, forked: bool = False) -> ReadResult:
    """Narrow a stream (stream_files, its batches not begun) to share k of n = `part`: only the orders whose number
    hashes (crc32) to k, with their lines and row errors. n processes importing one file side by side each take
    one share, disjoint, every row read by exactly one (imports.import_stream). The files are not opened again:
    their headers were checked and an XLSX sheet parsed once, before the fork. `forked`: in a forked process
    (_File.detach). Returns `result`, narrowed."""
    for f in result.files:
        f.part = part
        if forked:
            f.detach()
    return result


def read_files(platform: str, files: list[tuple[str, object]]) -> ReadResult:
    """ORD-1: read one import's files for one platform (taobao, tmall, jd, pdd, own). Taobao's 订单报表 and
    宝贝报表 may come together and are joined on 订单编号; a detail row whose order is not in the report is a
    RowError. Returns every order read and every row that could not be (RowError, Chinese reason). The whole
    import in memory: the import itself streams (stream_files); this is for tests, previews and small files."""
    result = stream_files(platform, files)
    orders = [order for chunk in result.batches for order in chunk]
    return ReadResult(
        format=result.format, orders=orders, errors=result.errors, rows=result.rows, notices=result.notices
    )
