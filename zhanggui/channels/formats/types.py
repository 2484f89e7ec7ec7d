"""The values a reader hands to the import service. Plain data: easy to build in tests and to compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

# The column a RowError names when the import refuses an order the reader gave (its own checks, ORD-1): the
# headers of the Taobao report, the export most shops send.
CHECK_COLUMNS = {"order_no": "订单编号", "state": "订单状态", "quantity": "购买数量"}


@dataclass
class RowError:
    """ORD-1 "every row accounted for": one bad row, in Chinese, with where it is."""

    file: str
    line: int  # 1-based line number in the file (the header is line 1)
    column: str  # the header text ("" when the row as a whole is at fault)
    reason: str
    order_no: str = ""


@dataclass(slots=True)  # slots: 200k of them per big import, created in the hot loop
class ParsedLine:
    line_no: int  # 1-based within the order
    outer_code: str = ""  # 商家编码 / 外部系统编号 / 货号 — matched to Sku.code or Sku.barcode
    title: str = ""
    properties: str = ""  # 颜色分类：黑色;尺码：M
    unit_price_fen: int = 0
    quantity: int = 1
    paid_fen: int = 0
    platform_sku_id: str = ""


@dataclass(slots=True)
class ParsedOrder:
    platform_order_no: str
    platform_status: str = ""  # the export's own status text
    state: str | None = None  # our state (Order.State value) from the data mapping; None when unknown
    buyer_nick: str = ""
    buyer_message: str = ""
    seller_remark: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    address_raw: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    address_detail: str = ""
    postcode: str = ""
    adcode: str = ""
    address_ok: bool = True  # False: the address could not be split (ORD-9 address queue)
    goods_fen: int = 0
    postage_fen: int = 0
    discount_fen: int = 0
    paid_fen: int = 0
    refund_fen: int = 0
    payment_method: str = ""
    ordered_at: dt.datetime | None = None  # aware, UTC
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    carrier: str = ""
    tracking_no: str = ""
    risk_hold: bool = False  # platform risk control / 锁定 / 审核中
    refund_open: bool = False  # ORD-9 退款申请: the export shows a refund on an order still open
    lines: list[ParsedLine] = field(default_factory=list)
    source_file: str = ""
    source_line: int = 0


@dataclass
class ReadResult:
    format: str  # e.g. "taobao-2020", "jd-2019", "pdd-2023", "generic"
    orders: list[ParsedOrder]
    errors: list[RowError]
    rows: int = 0  # data rows read (orders + detail rows)
    # Streaming (reader.stream_files): batches of orders read while they are consumed — once, by import_parsed.
    # `orders` stays empty then; `errors` and `rows` grow as the batches are read; `estimate` is a cheap count of
    # the orders to come (data lines of the order files) for progress bars, None when unknown.
    batches: Iterator[list[ParsedOrder]] | None = None
    estimate: int | None = None
    files: list = field(default_factory=list, repr=False)  # the stream's opened files (reader.share narrows them)
    # ORD-1: expected columns the files lack and what the import does without them (Chinese, shown with the result)
    notices: list[str] = field(default_factory=list)
