"""Warehouse documents of a print batch (SHIP-1): waybill labels, packing slips and the picking list.

Builders turn packages into plain data (LabelData, SlipData, PickRow) with a fixed number of queries however many
packages there are (prefetch of shop/platform, carrier, orders, lines, SKUs, waybill accounts and home bins);
renderers (services/label_layout.py, core/pdf.py) turn the data into PDF bytes. The caller (the print batch of the
packages helper) passes the packages already sorted by order time (SHIP-1) and records the print.

Receiver privacy on labels is the platform's rule, not the viewer's (privacy waybills: channels.waybills).
Printing needs fulfilment.print_package; the viewer is named on the slips.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from zhanggui.channels import waybills
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.money import format_fen

from ..models import Package, WaybillAccount
from .label_layout import LabelData, SlipData, SlipLine, render_labels, render_slips

NO_BIN = "未设库位"

PREFETCH_SLICE = 400
_PREFETCH = (
    "shop__platform",
    "carrier",
    "package_orders__order",  # the package's own order is among them: not fetched twice (see _prefetch)
    "lines__order_line",
    "lines__sku__product",
    "waybill_number__account",
)


def _prefetch(packages: list[Package]) -> list[Package]:
    packages = list(packages)
    # In slices: SQLite refuses one statement with thousands of terms ("Expression tree is too large").
    for start in range(0, len(packages), PREFETCH_SLICE):
        prefetch_related_objects(packages[start : start + PREFETCH_SLICE], *_PREFETCH)
    missing = []
    for p in packages:
        if Package.order.is_cached(p):
            continue
        own = next((link.order for link in p.package_orders.all() if link.order_id == p.order_id), None)
        if own is None:
            missing.append(p)
        else:
            p.order = own
    for start in range(0, len(missing), PREFETCH_SLICE):
        prefetch_related_objects(missing[start : start + PREFETCH_SLICE], "order")
    return packages


def _orders(package: Package) -> list:
    orders = [link.order for link in package.package_orders.all()] or [package.order]
    return sorted(orders, key=lambda o: (o.ordered_at is None, o.ordered_at, o.pk))


def _lines(package: Package):
    return list(package.lines.all())


def _code(line) -> str:
    return line.sku.code if line.sku_id else (line.order_line.outer_code or line.order_line.title[:12])


def _sender_accounts(packages: list[Package]) -> dict:
    """(carrier_id, shop_id) → the account whose sender block prints when the package took no pool number."""
    carriers = {p.carrier_id for p in packages if p.carrier_id}
    found: dict = {}
    accounts = WaybillAccount.objects.filter(carrier_id__in=carriers, active=True).order_by("shop_id", "id")
    for account in accounts:  # shop accounts win over shared ones (shop_id None sorts … per backend: handle both)
        if account.shop_id is None:
            found.setdefault((account.carrier_id, None), account)
        else:
            found.setdefault((account.carrier_id, account.shop_id), account)
    return found


def _account(package: Package, fallback: dict):
    number = getattr(package, "waybill_number", None)
    if number is not None:
        return number.account
    return fallback.get((package.carrier_id, package.shop_id)) or fallback.get((package.carrier_id, None))


def _address(order) -> str:
    region = "".join(p for p in (order.province, order.city, order.district) if p)
    rest = " ".join(p for p in (order.street, order.address_detail) if p)
    return f"{region} {rest}".strip() if rest else (region or order.address_raw)


def _routing(order) -> str:
    # No carrier waybill API yet: the destination city + district stands in for the 大头笔/三段码, which only the
    # carrier may assign (platform-formats §3) — never a computed code.
    return " ".join(p for p in (order.city or order.province, order.district) if p) or order.province or "—"


def _refuse_encrypted(packages: list[Package]) -> None:
    """SHIP-1, TEAM-5: a label is never drawn without the full receiver — an order whose receiver the platform
    encrypts (PDD, waybills.platform_waybill) is printed on the platform's own e-waybill, never on ours."""
    for p in packages:
        for order in _orders(p):
            service = waybills.platform_waybill_for(p.shop.platform_id, order)
            if service:
                raise DomainError(
                    "platform_waybill",
                    f"包裹 {p.package_no}（订单 {order.platform_order_no}）收件人信息已加密，"
                    f"不能打印我们的面单，请用{service}打单",
                    "packages",
                )


def build_labels(packages: list[Package]) -> list[LabelData]:
    """SHIP-1: one LabelData per package, in the given order. Every package needs its waybill number."""
    packages = _prefetch(packages)
    missing = [p.package_no for p in packages if not p.waybill_no]
    if missing:
        raise DomainError("no_waybill", f"包裹 {'、'.join(missing[:5])} 还没有运单号，请先取号", "packages")
    _refuse_encrypted(packages)
    fallback = _sender_accounts(packages)
    printed = clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")
    labels = []
    for p in packages:
        order = p.order
        name, phone = waybills.receiver(p.shop.platform_id, order.receiver_name, order.receiver_phone)
        account = _account(p, fallback)
        carrier = p.carrier
        cod = order.payment_method == "cod"
        items: dict[str, int] = defaultdict(int)
        for line in _lines(p):
            items[_code(line)] += line.quantity
        labels.append(
            LabelData(
                waybill_no=p.waybill_no,
                carrier_name=(carrier.name if carrier else "") or "快递",
                product_title=waybills.product_title(cod),
                routing=_routing(order),
                receiver_name=name,
                receiver_phone=phone,
                receiver_address=_address(order),
                sender_name=(account.sender_name if account and account.sender_name else p.shop.name),
                sender_phone=account.sender_phone if account else "",
                sender_address=account.sender_address if account else "",
                items=list(items.items()),
                order_nos=[o.platform_order_no for o in _orders(p)],
                package_no=p.package_no,
                printed_at=printed,
                urgent=p.urgent,
                cod_text=f"代收 {format_fen(order.paid_fen)}" if cod else "",
                note=p.carrier_note,
            )
        )
    return labels


def _who(viewer) -> str:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return ""
    return f"{getattr(viewer, 'number', '')} {getattr(viewer, 'name', '')}".strip()


def build_slips(packages: list[Package], viewer=None) -> list[SlipData]:
    """SHIP-1: the packing slip that goes into the parcel, one per package."""
    packages = _prefetch(packages)
    printed = clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")
    who = _who(viewer)
    slips = []
    for p in packages:
        orders = _orders(p)
        order = p.order
        lines = [
            SlipLine(
                code=_code(line),
                title=line.order_line.title or (line.sku.product.name if line.sku_id else ""),
                properties=line.order_line.properties,
                quantity=line.quantity,
            )
            for line in _lines(p)
        ]
        slips.append(
            SlipData(
                shop_name=p.shop.name,
                package_no=p.package_no,
                order_nos=[o.platform_order_no for o in orders],
                receiver=waybills.receiver_name(p.shop.platform_id, order.receiver_name),
                buyer_nick=order.buyer_nick,
                buyer_message="；".join(o.buyer_message for o in orders if o.buyer_message),
                seller_remark="；".join(o.seller_remark for o in orders if o.seller_remark),
                lines=lines,
                carrier_name=p.carrier.name if p.carrier else "",
                waybill_no=p.waybill_no,
                printed_at=printed,
                printed_by=who,
            )
        )
    return slips


def labels_pdf(packages: list[Package], size: str, viewer) -> bytes:
    """SHIP-1: waybill labels, one page per package: size "76x130" (一联单) or "100x180" (二联单 with 收件联)."""
    if size not in ("76x130", "100x180"):
        raise DomainError("label_size", "面单尺寸只能是 76x130 或 100x180", "size")
    return render_labels(build_labels(packages), size)


def slips_pdf(packages: list[Package], viewer) -> bytes:
    """SHIP-1: packing slips (100 × 150 mm), one or more pages per package."""
    return render_slips(build_slips(packages, viewer))


# ---------------------------------------------------------------------------------------------------------------
# picking list


@dataclass
class PickRow:
    bin: str  # bin code, 未设库位 when the SKU has no home bin in the package's warehouse
    sku_code: str
    title: str  # product name or the order line's title
    properties: str  # colour / size
    quantity: int
    packages: int  # how many packages need it
    warehouse: str = ""
    bin_position: int = 0


def pick_list(packages: list[Package]) -> list[PickRow]:
    """SHIP-1: what to fetch for a batch, one row per (warehouse bin, SKU), sorted by warehouse, bin walk order and
    code, then SKU code, so a picker walks the warehouse once; SKUs without a home bin come last."""
    from zhanggui.inventory.models import StockLevel

    packages = _prefetch(packages)
    prefetch_related_objects(packages, "warehouse")
    sku_ids = {line.sku_id for p in packages for line in _lines(p) if line.sku_id}
    warehouse_ids = {p.warehouse_id for p in packages}
    homes = {
        (level.sku_id, level.warehouse_id): level.home_bin
        for level in StockLevel.objects.filter(sku_id__in=sku_ids, warehouse_id__in=warehouse_ids).select_related(
            "home_bin"
        )
    }
    rows: dict[tuple, PickRow] = {}
    seen: dict[tuple, set] = defaultdict(set)
    for p in packages:
        for line in _lines(p):
            home = homes.get((line.sku_id, p.warehouse_id)) if line.sku_id else None
            code = _code(line)
            key = (p.warehouse_id, home.pk if home else None, code)
            row = rows.get(key)
            if row is None:
                if line.sku_id:
                    sku = line.sku
                    title = sku.product.name
                    props = " ".join(x for x in (sku.colour, sku.size) if x)
                else:
                    title, props = line.order_line.title, line.order_line.properties
                row = rows[key] = PickRow(
                    bin=home.code if home else NO_BIN,
                    sku_code=code,
                    title=title,
                    properties=props,
                    quantity=0,
                    packages=0,
                    warehouse=p.warehouse.code,
                    bin_position=home.position if home else 0,
                )
            row.quantity += line.quantity
            seen[key].add(p.pk)
    for key, row in rows.items():
        row.packages = len(seen[key])
    return sorted(rows.values(), key=lambda r: (r.warehouse, r.bin == NO_BIN, r.bin_position, r.bin, r.sku_code))


def pick_list_pdf(packages: list[Package], batch_no: str) -> bytes:
    """SHIP-1: the picking list on A4 in the house document style (core/pdf.py)."""
    from zhanggui.core import pdf

    packages = list(packages)
    rows = pick_list(packages)
    several = len({r.warehouse for r in rows}) > 1
    doc = pdf.Document(
        title="拣货单",
        number=batch_no,
        facts=[
            ("打印时间", clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")),
            ("包裹数", str(len(packages))),
            ("拣货行数", str(len(rows))),
            ("商品件数", str(sum(r.quantity for r in rows))),
        ],
        columns=[
            pdf.Column("库位", 26),
            pdf.Column("商家编码", 36),
            pdf.Column("商品 / 规格", 72),
            pdf.Column("数量", 16, numeric=True),
            pdf.Column("包裹数", 16, numeric=True),
            pdf.Column("已拣", 14),
        ],
        rows=[
            [
                f"{r.warehouse} {r.bin}" if several else r.bin,
                r.sku_code,
                f"{r.title} {r.properties}".strip(),
                r.quantity,
                r.packages,
                "□",
            ]
            for r in rows
        ],
        totals=["合计", "", "", sum(r.quantity for r in rows), len(packages), ""],
        notes=["按库位顺序拣货，一次走完；未设库位的商品在最后。"],
        signatures=["拣货人", "复核人"],
    )
    return pdf.render(doc)
