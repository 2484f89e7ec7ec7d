"""Pure rules of the bulk import (PROD-1): header mapping, cell parsing, checks within one file.

No database here: `parse_row` turns one spreadsheet row into values or Chinese reasons, and `FileChecks` catches
what only the whole file shows (a 商家编码 twice, one barcode on two SKUs, one 货号 with two names). The column
map is data: zhanggui/catalog/data/import_columns.json.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from zhanggui.core.bounds import max_fen, max_grams
from zhanggui.core.errors import DomainError
from zhanggui.core.export_cells import unescape
from zhanggui.core.money import format_fen

COLUMNS_FILE = Path(__file__).resolve().parent / "data" / "import_columns.json"
HEADER_SCAN_ROWS = 10  # a title line or two above the header is common in exported sheets
CATEGORY_SEPARATORS = ("/", ">", "＞", "／")

PRODUCT_FIELDS = ("name", "category", "brand")
SKU_FIELDS = ("style_code", "colour", "size", "barcode", "weight_g", "cost_fen", "list_price_fen", "vip_price_fen")
LISTING_FIELDS = ("title", "status", "platform_item_id")


class FileError(DomainError):
    """The file as a whole cannot be imported (unreadable, wrong encoding, not a product file, missing column)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    level: str
    kind: str
    required: bool = False
    max_length: int | None = None
    optional_value: bool = False
    pattern: str = ""
    pattern_message: str = ""
    aliases: tuple = ()


@dataclass
class RowError:
    line: int
    column: str  # the header as written in the file ("" for the whole row)
    reason: str


class Row:
    """One parsed row. `values` holds only the columns present in the file (an absent column is left alone);
    every column is also an attribute (row.code, row.style_code …), None when absent."""

    __slots__ = ("__dict__",)

    def __init__(self, line: int, values: dict, raw=None):
        self.__dict__.update(_ROW_DEFAULTS)
        self.__dict__.update(values)
        self.line = line
        self.values = values
        self.raw = list(raw or [])

    def __repr__(self) -> str:
        return f"Row({self.line}, {self.values!r})"


def _column_keys() -> list[str]:
    return [c["key"] for c in json.loads(COLUMNS_FILE.read_text(encoding="utf-8"))["columns"]]


_ROW_DEFAULTS = dict.fromkeys(_column_keys())


def normalize_header(text) -> str:
    """Compare headers loosely: NFKC (full-width brackets and letters), no spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).lower()


@cache
def _spec() -> dict:
    return json.loads(COLUMNS_FILE.read_text(encoding="utf-8"))


@cache
def columns() -> tuple[Column, ...]:
    return tuple(
        Column(**{**{k: v for k, v in c.items()}, "aliases": tuple(c.get("aliases", ()))}) for c in _spec()["columns"]
    )


@cache
def _header_index() -> dict[str, Column]:
    index = {}
    for col in columns():
        for name in (col.header, *col.aliases):
            index.setdefault(normalize_header(name), col)
    return index


@cache
def status_codes() -> dict[str, str]:
    """Accepted status words (Chinese or code) → Listing.Status value."""
    return {normalize_header(word): code for code, words in _spec()["status_values"].items() for word in words}


def status_label(code: str) -> str:
    return _spec()["status_labels"].get(code, code)


def export_headers() -> list[str]:
    return [c.header for c in columns()]


def map_headers(header_row) -> dict[str, tuple[int, str]]:
    """key → (column index, header as written). The first of two columns with the same meaning wins."""
    found = {}
    index = _header_index()
    for i, cell in enumerate(header_row):
        col = index.get(normalize_header(cell))
        if col and col.key not in found:
            found[col.key] = (i, str(cell).strip())
    return found


def find_header(rows) -> tuple[int, list, dict]:
    """Among the first rows (line, values) pick the one naming most of our columns.

    Returns (line, header values, mapping) and refuses files that are not product files or miss a required column.
    """
    best = (0, None, [], {})
    for n, (line, values) in enumerate(rows):
        mapping = map_headers(values)
        if len(mapping) > len(best[3]):
            best = (n, line, values, mapping)
        if n + 1 >= HEADER_SCAN_ROWS:
            break
    _n, line, header, mapping = best
    required = [c.header for c in columns() if c.required]
    if len(mapping) < 2:
        raise FileError(
            "not_product_file",
            f"不是商品导入文件：前 {HEADER_SCAN_ROWS} 行里找不到表头（需要 {'、'.join(required)} 等列）",
        )
    missing = [c.header for c in columns() if c.required and c.key not in mapping]
    if missing:
        raise FileError("missing_column", f"缺少必填列：{'、'.join(missing)}（第 {line} 行是表头）", field=missing[0])
    return line, header, mapping


# ---- cells ------------------------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: spreadsheet numbers lose their '.0' (barcodes, codes), text loses surrounding spaces."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return unescape(value).strip()  # our own export's formula escaping (core.export_cells) read back
    return str(value).strip()


_CENT = Decimal("0.01")


_PLAIN_MONEY = re.compile(r"(\d{1,13})(?:\.(\d{1,2}))?$")


def parse_money(value) -> int:
    """Yuan → fen: '12.5', '¥1,299.00', 12.3 (a spreadsheet float) → fen; refuses '12.345', negatives, text."""
    kind = type(value)
    if kind is str:
        plain = _PLAIN_MONEY.match(value.strip())
        if plain:  # the common case, without Decimal
            whole, cents = plain.groups()
            return int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
    elif kind is float and value >= 0:
        cents = value * 100
        whole = round(cents)
        if abs(cents - whole) < 1e-6:
            return whole
    elif kind is int and value >= 0:
        return value * 100
    if isinstance(value, float):
        cents = value * 100
        if abs(cents - round(cents)) < 1e-6:  # 19.900000000000002 from a formula is 19.90
            value = f"{round(cents) / 100:.2f}"
    text = cell_text(value).replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额“{cell_text(value)}”不是数字") from None
    if not amount.is_finite():
        raise ValueError(f"金额“{cell_text(value)}”不是数字")
    if amount < 0:
        raise ValueError(f"金额不能为负数：{cell_text(value)}")
    if amount.adjusted() >= 15:  # a stuck key ("1e400"): past any bound, and past what Decimal rounds
        raise ValueError(f"金额过大：{cell_text(value)[:20]}")
    if amount != amount.quantize(_CENT):
        raise ValueError(f"金额最多两位小数：{cell_text(value)}")
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def parse_int(value) -> int:
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    if type(value) is int and value >= 0:
        return value
    if type(value) is str and value.isdigit():
        return int(value)
    text = cell_text(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是整数") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"应为整数：{text}")
    if number < 0:
        raise ValueError(f"不能为负数：{text}")
    return int(number)


def parse_row(line: int, values: list, mapping: dict) -> tuple[Row | None, list[RowError]]:
    """One data row → (Row, []) or (None, reasons); see RowParser (build one per file for speed)."""
    return RowParser(mapping)(line, values)


_LISTING_BLANK_IS_NONE = ("title", "status", "platform_item_id", "platform_sku_id")


class RowParser:
    """Parses the rows of one file. Blank cells: text → "", money/int → 0, VIP价 → none, listing columns → left
    alone (None). A blank row gives (None, []). The per-column plan is built once: 50,000 rows must parse in
    about a second."""

    def __init__(self, mapping: dict):
        cols = {c.key: c for c in columns()}
        self.mapping = mapping
        self.plan = []
        for key, (index, header) in mapping.items():
            col = cols[key]
            blank = None if (col.optional_value or col.level.startswith("listing")) else 0
            pattern = re.compile(col.pattern) if col.pattern else None
            self.plan.append((key, index, header, col.kind, col.max_length, pattern, col.pattern_message, blank))
        self.required = [(c.key, mapping[c.key][1], c.header) for c in columns() if c.required and c.key in mapping]
        self.listing_keys = [k for k in _LISTING_BLANK_IS_NONE if k in mapping]
        self.has_barcode = "barcode" in mapping
        self.statuses = status_codes()
        self.max_fen, self.max_grams = max_fen(), max_grams()  # rule 7: the company's bounds (core.bounds)

    def __call__(self, line: int, values: list) -> tuple[Row | None, list[RowError]]:
        for v in values:
            if v is not None and v != "" and not (type(v) is str and v.isspace()):
                break
        else:
            return None, []
        out, errors = {}, []
        width = len(values)
        for key, index, header, kind, max_length, pattern, pattern_message, blank in self.plan:
            raw = values[index] if index < width else None
            text = raw.strip() if type(raw) is str else cell_text(raw)
            try:
                if kind == "text":
                    if max_length and len(text) > max_length:
                        raise ValueError(f"超过 {max_length} 个字符（{len(text)} 个）")
                    if pattern is not None and text and not pattern.match(text):
                        raise ValueError(f"{pattern_message}：{text}")
                    value = text
                elif not text:
                    value = blank
                elif kind == "money":
                    value = parse_money(raw)
                    if value > self.max_fen:
                        raise ValueError(f"金额应不超过 {format_fen(self.max_fen)}：{cell_text(raw)[:20]}")
                elif kind == "int":
                    value = parse_int(raw)
                    if key == "weight_g" and value > self.max_grams:
                        raise ValueError(f"重量应不超过 {self.max_grams:,} 克：{cell_text(raw)[:20]}")
                else:  # status
                    value = self.statuses.get(normalize_header(text))
                    if value is None:
                        labels = "、".join(_spec()["status_labels"].values())
                        raise ValueError(f"上架状态“{text}”无法识别，应为 {labels}")
            except ValueError as exc:
                errors.append(RowError(line, header, str(exc)))
                continue
            out[key] = value
        for key, header, label in self.required:
            if key in out and not out[key]:
                errors.append(RowError(line, header, f"{label}不能为空"))
        if "cost_fen" in out or "vip_price_fen" in out:
            errors.extend(_price_order(line, out, self.mapping))
        if self.has_barcode and not out.get("barcode"):
            out["barcode"] = None
        for key in self.listing_keys:
            if out.get(key) == "":
                out[key] = None  # a blank listing cell leaves the listing's value alone
        if not out.get("shop_code"):
            mapping = self.mapping
            given = [mapping[k][1] for k in ("title", "price_fen", "status", "platform_item_id") if out.get(k)]
            if given:
                column = mapping["shop_code"][1] if "shop_code" in mapping else "店铺代码"
                errors.append(RowError(line, column, f"填写了{'、'.join(given)}，但没有店铺代码"))
        if errors:
            return None, errors
        return Row(line, out, values), []


def _price_order(line: int, out: dict, mapping: dict) -> list[RowError]:
    """The same price rules as the product form (PROD-9): list price ≥ cost, VIP price ≤ list price."""
    cost, price, vip = out.get("cost_fen") or 0, out.get("list_price_fen") or 0, out.get("vip_price_fen")
    if "list_price_fen" in mapping and price and cost > price:
        return [RowError(line, mapping["list_price_fen"][1], f"吊牌价 {price / 100:.2f} 低于成本价 {cost / 100:.2f}")]
    if "vip_price_fen" in mapping and vip is not None and price and vip > price:
        return [RowError(line, mapping["vip_price_fen"][1], f"VIP价 {vip / 100:.2f} 高于吊牌价 {price / 100:.2f}")]
    return []


def category_path(text: str) -> tuple[str, ...]:
    """'女装/连衣裙' or '女装 > 连衣裙' → ('女装', '连衣裙')."""
    for sep in CATEGORY_SEPARATORS[1:]:
        text = text.replace(sep, CATEGORY_SEPARATORS[0])
    return tuple(part.strip() for part in text.split(CATEGORY_SEPARATORS[0]) if part.strip())


# ---- checks across the file -------------------------------------------------------------------------------------


class FileChecks:
    """What only the whole file shows. Feed rows in file order; the first good row of a 货号 / 商家编码 / listing
    sets the values the later rows must agree with."""

    def __init__(self, mapping: dict):
        self.header = {key: header for key, (_i, header) in mapping.items()}
        self.products: dict[str, Row] = {}
        self.skus: dict[str, Row] = {}
        self.sku_shops: dict[tuple, int] = {}
        self.barcodes: dict[str, Row] = {}
        self.listings: dict[tuple, Row] = {}
        self.platform_items: dict[tuple, Row] = {}

        self.product_keys = [k for k in PRODUCT_FIELDS if k in self.header]
        self.sku_keys = [k for k in SKU_FIELDS if k in self.header]
        self.listing_keys = [k for k in LISTING_FIELDS if k in self.header]

    def _differs(self, row: Row, first: Row, keys) -> list[str]:
        a, b = row.values, first.values
        if [a.get(k) for k in keys] == [b.get(k) for k in keys]:
            return []
        return [self.header[k] for k in keys if a.get(k) != b.get(k)]

    def check(self, row: Row) -> list[RowError]:
        errors = []
        line = row.line
        shop = row.shop_code or ""
        first = self.products.get(row.style_code)
        if first and (diff := self._differs(row, first, self.product_keys)):
            errors.append(
                RowError(line, diff[0], f"货号 {row.style_code} 的{'、'.join(diff)}与第 {first.line} 行不一致")
            )
        first = self.skus.get(row.code)
        if (row.code, shop) in self.sku_shops:
            where = f"（店铺 {shop}）" if shop else ""
            errors.append(
                RowError(
                    line,
                    self.header["code"],
                    f"商家编码 {row.code}{where} 与第 {self.sku_shops[(row.code, shop)]} 行重复",
                )
            )
        elif first and (diff := self._differs(row, first, self.sku_keys)):
            errors.append(RowError(line, diff[0], f"商家编码 {row.code} 的{'、'.join(diff)}与第 {first.line} 行不一致"))
        if row.barcode:
            owner = self.barcodes.get(row.barcode)
            if owner and owner.code != row.code:
                errors.append(
                    RowError(
                        line,
                        self.header["barcode"],
                        f"条码 {row.barcode} 已用于第 {owner.line} 行的商家编码 {owner.code}",
                    )
                )
        if shop:
            first = self.listings.get((shop, row.style_code))
            if first and (diff := [h for k, h in self._listing_diff(row, first)]):
                errors.append(
                    RowError(
                        line,
                        diff[0],
                        f"店铺 {shop} 货号 {row.style_code} 的{'、'.join(diff)}与第 {first.line} 行不一致",
                    )
                )
            if row.platform_item_id:
                other = self.platform_items.get((shop, row.platform_item_id))
                if other and other.style_code != row.style_code:
                    errors.append(
                        RowError(
                            line,
                            self.header["platform_item_id"],
                            f"平台商品ID {row.platform_item_id} 已用于第 {other.line} 行的货号 {other.style_code}",
                        )
                    )
        if errors:
            return errors
        self.products.setdefault(row.style_code, row)
        self.skus.setdefault(row.code, row)
        self.sku_shops[(row.code, shop)] = line
        if row.barcode:
            self.barcodes.setdefault(row.barcode, row)
        if shop:
            self.listings.setdefault((shop, row.style_code), row)
            if row.platform_item_id:
                self.platform_items.setdefault((shop, row.platform_item_id), row)
        return []

    def _listing_diff(self, row: Row, first: Row):
        a, b = row.values, first.values
        for key in self.listing_keys:
            x, y = a.get(key), b.get(key)
            if x is not None and y is not None and x != y:  # a blank cell agrees with anything
                yield key, self.header[key]
