"""The seller centres' batch-ship uploads (SHIP-1 批量发货; platform-formats.md §2): the columns and encoding each
platform's upload expects, and the file written from plain values. Fulfilment gathers the day's parcels; which
shipments go in, and marking them uploaded, stays there."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from zhanggui.core.export_cells import safe_writer

from .carriers import carrier_for_platform

# What each seller centre's 批量发货 upload expects. One CSV per shop and day. Taobao/Tmall and JD: GBK (the
# seller centres and the Excel the templates are edited in are Chinese-Windows tools; a UTF-8 file shows mojibake
# there); PDD and the own channel: UTF-8 with BOM (PDD's upload reads it; Excel recognises the BOM). CSV rather
# than XLSX: it is what the Taobao template downloads as, and one writer serves every platform. The carrier column
# is the name the platform's own carrier list uses (the carrier's platform codes, channels.carriers); JD's numeric
# logistics id and the own channel's code go in an extra column where the platform has one.
BATCH_FORMATS = {
    "taobao": (["订单编号", "物流公司", "运单号"], "gbk"),
    "tmall": (["订单编号", "物流公司", "运单号"], "gbk"),
    "jd": (["订单号", "物流公司", "运单号"], "gbk"),
    "pdd": (["订单号", "快递公司", "快递单号"], "utf-8-sig"),
    "own": (["订单号", "物流公司", "物流公司代码", "运单号", "发货时间"], "utf-8-sig"),
}


@dataclass
class Parcel:
    """One shipped parcel as the batch-ship file needs it: its orders (a merged parcel ships several under one
    waybill number), the carrier (our name and code, and its platform codes) and when it left (Beijing time)."""

    order_nos: list[str]
    carrier_name: str
    carrier_code: str
    waybill_no: str
    shipped_at: dt.datetime
    carrier_codes: dict = field(default_factory=dict)


# Where an order came from (orders.Order.source): only the platform's own orders are known to its seller centre.
PLATFORM_SOURCES = {"import", "api"}  # the platform's export file or its API; "manual": typed in by us (SD…)


def in_platform_file(platform: str, source: str) -> bool:
    """SHIP-1 批量发货: does an order of this source belong in `platform`'s batch-ship upload? A seller centre knows
    only its own orders and rejects the file for an order number it never issued, so manual orders (our SD…
    numbers, phone and resend orders) never go in a marketplace's file; the own channel's file is ours and takes
    every order of its shop."""
    return platform not in BATCH_FORMATS or platform == "own" or source in PLATFORM_SOURCES


def batch_ship_rows(platform: str, parcels: list[Parcel]) -> tuple[list[str], list[list[str]], str]:
    """(header, rows, encoding) of a platform's batch-ship upload: one row per order of each parcel. A platform
    without its own format gets the own channel's."""
    platform = platform if platform in BATCH_FORMATS else "own"
    header, encoding = BATCH_FORMATS[platform]
    rows = []
    for parcel in parcels:
        name, code = carrier_for_platform(parcel.carrier_codes, parcel.carrier_name, parcel.carrier_code, platform)
        for order_no in parcel.order_nos:
            if platform == "own":
                rows.append([order_no, name, code, parcel.waybill_no, parcel.shipped_at.strftime("%Y-%m-%d %H:%M")])
            else:
                rows.append([order_no, name, parcel.waybill_no])
    return header, rows, encoding


def batch_ship_file(platform: str, parcels: list[Parcel]) -> bytes:
    """The batch-ship CSV's bytes, in the platform's encoding."""
    header, rows, encoding = batch_ship_rows(platform, parcels)
    out = io.StringIO()
    writer = safe_writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")
