"""Dropship orders (PROD-10 代理发货): order lines of dropship products are passed to the product's preferred
supplier, who ships them to the buyer; the supplier's carrier and tracking number come back by file import.

pending (待发给供应商) → sent (已发供应商, by the export file) → shipped (供应商已发货, by the tracking import);
pending or sent → cancelled. A supplier that ships before the file was marked sent is accepted (pending → shipped).

Receiver name, phone and address are buyer PII (TEAM-5): the export that hands them to the supplier needs
crm.view_buyer_pii and is logged as a "pii_export" event (like crm.services.export_customers_csv); pages and the API
mask them for everyone else (`present_receiver`).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q

from zhanggui.catalog.models import Product, Sku
from zhanggui.core import clock, sheets, uploads
from zhanggui.core.domain_events import DropshipShipped, publish
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.export_cells import safe_row
from zhanggui.core.privacy import PII_VIEW_PERMISSION, can_see_pii, mask_receiver
from zhanggui.core.states import Machine

from ..models import DropshipLine, DropshipOrder, Supplier, SupplierProduct
from .replenishment import preferred_suppliers

State = DropshipOrder.State
EXPORT_HEADERS = (
    "订单号",
    "店铺",
    "收件人",
    "手机",
    "地址",
    "商家编码",
    "供应商货号",
    "品名",
    "颜色",
    "尺码",
    "数量",
    "买家留言",
    "快递公司",
    "快递单号",
)
# Tracking import: the columns we need, by header name (what suppliers write in practice).
IMPORT_COLUMNS = {
    "reference": ("订单号", "订单编号", "平台订单号"),
    "carrier": ("快递公司", "物流公司", "快递"),
    "tracking": ("快递单号", "运单号", "物流单号", "快递单"),
}
OPTIONAL_COLUMNS = {"shop": ("店铺", "店铺名称")}
_TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")
_SCIENTIFIC_RE = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")

register_event_kinds(
    {
        "dropship_queued": "代发订单生成",
        "dropship_sent": "导出给供应商",
        "dropship_shipped": "供应商已发货",
        "dropship_cancelled": "代发订单取消",
    }
)

TRANSITIONS: dict[str, set[str]] = {
    State.PENDING: {State.SENT, State.SHIPPED, State.CANCELLED},
    State.SENT: {State.SHIPPED, State.CANCELLED},
    State.SHIPPED: set(),
    State.CANCELLED: set(),
}


class PiiForbidden(DomainError):
    """The role may not see buyer data, so it may not hand it to a supplier either (TEAM-5)."""

    status = 403


# Labels: the choice labels. Each move has its own timeline kind (dropship_sent, dropship_shipped, …).
DROPSHIPS = Machine(DropshipOrder, TRANSITIONS, name="代发订单 {reference}", event_kind="dropship_state")


# ---------------------------------------------------------------------------------------------------------------
# Showing receiver data (TEAM-5)
# ---------------------------------------------------------------------------------------------------------------


def present_receiver(order: DropshipOrder, user) -> dict:
    """Receiver name, phone and address as this user may see them."""
    if can_see_pii(user):
        return {
            "name": order.receiver_name,
            "phone": order.receiver_phone,
            "address": order.receiver_address,
            "masked": False,
        }
    masked = mask_receiver(order.receiver_name, order.receiver_phone, address=order.receiver_address)
    return {
        "name": masked.name,
        "phone": masked.phone,
        "address": masked.address,
        "masked": True,
    }


# ---------------------------------------------------------------------------------------------------------------
# Queueing (on DropshipRequested, when 审单 approves an order with dropship lines: dropship_routing.py)
# ---------------------------------------------------------------------------------------------------------------


def _required(value, label: str, field_name: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError("required", f"请填写{label}", field_name)
    if len(text) > max_length:
        raise DomainError("too_long", f"{label}不能超过 {max_length} 个字符", field_name)
    return text


@dataclass(frozen=True)
class DropshipWanted:
    """What one order of a shop asks its suppliers to ship: lines [(sku or sku id, quantity)] and the receiver."""

    shop_id: int
    reference: str
    lines: tuple
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    buyer_note: str = ""


def queue_dropship(
    actor,
    shop,
    reference: str,
    lines,
    receiver_name: str,
    receiver_phone: str,
    receiver_address: str,
    buyer_note: str = "",
) -> list[DropshipOrder]:
    """PROD-10: pass the lines [(sku or sku id, quantity)] of order `reference` of `shop` to the suppliers (one
    order of `queue_dropships`, whose rules apply). Returns its dropship orders."""
    wanted = DropshipWanted(
        shop.pk, reference, tuple(lines), receiver_name, receiver_phone, receiver_address, buyer_note
    )
    try:
        return queue_dropships(actor, [wanted])[0]
    except DropshipRefused as refused:
        raise refused.error from None


class DropshipRefused(Exception):
    """`queue_dropships` refused the request at `index` (nothing was written): `error` says why."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(error.message)
        self.index, self.error = index, error


def _checked_lines(lines) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for sku, qty in lines:
        try:
            qty = int(qty)
        except (TypeError, ValueError):
            raise DomainError("bad_quantity", "数量必须是整数", "lines") from None
        if qty < 1:
            raise DomainError("bad_quantity", "代发数量必须大于 0", "lines")
        wanted[int(getattr(sku, "pk", sku))] += qty
    if not wanted:
        raise DomainError("no_lines", "代发订单至少要有一个商品", "lines")
    return wanted


def _supplier_groups(wanted: dict[int, int], skus: dict, suppliers: dict) -> dict[int, list[tuple[int, int]]]:
    """{supplier id: [(sku id, qty)]} of one order: refused for a missing SKU, a product that is not dropship or a
    dropship product without a preferred supplier."""
    missing = sorted(set(wanted) - set(skus))
    if missing:
        raise DomainError("no_sku", f"SKU 不存在：{'、'.join(map(str, missing))}", "lines")
    chosen = [skus[sku_id] for sku_id in wanted]
    own = [s.code for s in chosen if s.product.sourcing != Product.Sourcing.DROPSHIP]
    if own:
        raise DomainError("not_dropship", f"不是代发商品，应由自己仓库发货：{'、'.join(sorted(own))}", "lines", own)
    orphans = sorted({s.product.style_code for s in chosen if s.product_id not in suppliers})
    if orphans:
        raise DomainError(
            "no_supplier", f"代发商品还没有首选供应商，请先在供应商页面设置：{'、'.join(orphans)}", "lines", orphans
        )
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for sku_id, qty in sorted(wanted.items()):
        groups[suppliers[skus[sku_id].product_id].supplier_id].append((sku_id, qty))
    return groups


def queue_dropships(actor, requests: list[DropshipWanted]) -> list[list[DropshipOrder]]:
    """PROD-10: put the dropship lines of many orders on their suppliers' lists, set-based (an 审单 batch): one
    dropship order per (shop, order, preferred supplier of the lines' products), in a fixed number of queries for
    any number of orders (SKUs, suppliers, existing orders, two bulk INSERTs and the timeline). Idempotent: a
    re-queue changes nothing and returns the existing orders. All or nothing: the first request that fails
    (quantities, products that are not dropship, dropship products without a preferred supplier) raises
    DropshipRefused with its index and nothing is written. Returns the dropship orders of each request."""
    prepared = []
    for index, r in enumerate(requests):
        try:
            receiver = (
                _required(r.receiver_name, "收件人", "receiver_name", 60),
                _required(r.receiver_phone, "收件人手机", "receiver_phone", 30),
                _required(r.receiver_address, "收件地址", "receiver_address", 300),
                str(r.buyer_note or "").strip()[:300],
            )
            prepared.append((_required(r.reference, "订单号", "reference", 64), receiver, _checked_lines(r.lines)))
        except DomainError as error:
            raise DropshipRefused(index, error) from None
    all_skus = {sku_id for _ref, _receiver, wanted in prepared for sku_id in wanted}
    skus = Sku.objects.select_related("product").in_bulk(all_skus)
    suppliers = preferred_suppliers({s.product_id for s in skus.values()})
    plans = []  # (request index, shop id, reference, receiver, {supplier id: lines})
    for index, (reference, receiver, wanted) in enumerate(prepared):
        try:
            groups = _supplier_groups(wanted, skus, suppliers)
            plans.append((index, requests[index].shop_id, reference, receiver, groups))
        except DomainError as error:
            raise DropshipRefused(index, error) from None
    with transaction.atomic():
        existing = {
            (o.shop_id, o.reference, o.supplier_id): o
            for o in DropshipOrder.objects.filter(
                shop_id__in={p[1] for p in plans}, reference__in={p[2] for p in plans}
            )
        }
        new = [
            (
                (shop_id, reference, supplier_id),
                DropshipOrder(
                    shop_id=shop_id,
                    reference=reference,
                    supplier_id=supplier_id,
                    receiver_name=receiver[0],
                    receiver_phone=receiver[1],
                    receiver_address=receiver[2],
                    buyer_note=receiver[3],
                ),
                lines,
            )
            for _i, shop_id, reference, receiver, groups in plans
            for supplier_id, lines in sorted(groups.items())
            if (shop_id, reference, supplier_id) not in existing  # a re-queue: left exactly as it is
        ]
        if new:
            try:
                with transaction.atomic():
                    _insert(actor, new)
            except IntegrityError:  # a racing re-queue inserted some first: theirs stand, one by one
                for _key, order, lines in new:
                    _insert_one(actor, order, lines)
            for key, order, _lines in new:
                existing.setdefault(key, order)
        found = existing
        if any(order.pk is None for _k, order, _l in new):  # inserted by the racing re-queue
            found = {
                (o.shop_id, o.reference, o.supplier_id): o
                for o in DropshipOrder.objects.filter(
                    shop_id__in={p[1] for p in plans}, reference__in={p[2] for p in plans}
                )
            }
    return [[found[(shop_id, reference, s)] for s in sorted(groups)] for _i, shop_id, reference, _r, groups in plans]


def _insert(actor, new) -> None:
    orders = DropshipOrder.objects.bulk_create([order for _key, order, _lines in new])
    DropshipLine.objects.bulk_create(
        DropshipLine(order=order, sku_id=sku_id, quantity=qty)
        for order, (_key, _o, lines) in zip(orders, new, strict=True)
        for sku_id, qty in lines
    )
    queued = DROPSHIPS.label(State.PENDING)
    record_events(actor, [(order, "dropship_queued", "", queued, "") for order in orders])


def _insert_one(actor, order: DropshipOrder, lines) -> None:
    order.pk = None
    try:
        with transaction.atomic():
            _insert(actor, [(None, order, lines)])
    except IntegrityError:
        order.pk = None


def cancel_dropship(actor, order: DropshipOrder, note: str = "") -> DropshipOrder:
    """PROD-10: cancel a dropship order that the supplier has not shipped (order refunded or changed)."""
    with transaction.atomic():
        order = DROPSHIPS.lock(order)
        if not DROPSHIPS.allows(order, State.CANCELLED):
            raise DROPSHIPS.refuse(order, "不能取消")
        DROPSHIPS.move_locked(order, State.CANCELLED, actor, note, kind="dropship_cancelled")
    return order


# ---------------------------------------------------------------------------------------------------------------
# Export for the supplier
# ---------------------------------------------------------------------------------------------------------------


def _allowed_shops(actor, shops):
    if shops is not None:
        return shops
    from zhanggui.core.access import allowed_shops

    return allowed_shops(actor)


def export_for_supplier(actor, supplier: Supplier, orders=None, state: str = State.PENDING, shops=None) -> bytes:
    """PROD-10: the XLSX a supplier ships from — one row per line with the full receiver, our merchant code and
    the supplier's item code, and empty 快递公司 / 快递单号 columns for the supplier to fill in and send back.

    `orders`: these dropship orders of the supplier, else all of its orders in `state` (pending, or sent for a
    resend) in `shops` (default: the actor's shops). Pending orders become sent. Only roles that may see buyer
    data (crm.view_buyer_pii) may export it, and each export is a "pii_export" event (TEAM-5)."""
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(PII_VIEW_PERMISSION)):
        raise PiiForbidden(
            "pii_forbidden", "导出给供应商的文件含收件人姓名、手机和地址，你的角色没有查看买家信息的权限", "supplier"
        )
    exportable = {State.PENDING, State.SENT}
    with transaction.atomic():
        qs = DropshipOrder.objects.select_for_update().filter(supplier=supplier)
        if orders is not None:
            qs = qs.filter(pk__in=[getattr(o, "pk", o) for o in orders])
        else:
            if state not in exportable:
                raise DomainError("bad_state", "只能导出待发给供应商或已发供应商的订单", "state")
            qs = qs.filter(state=state)
        qs = qs.filter(shop__in=_allowed_shops(actor, shops))
        chosen = list(qs.select_related("shop").order_by("created_at", "pk"))
        wrong = [o.reference for o in chosen if o.state not in exportable]
        if wrong:
            raise DomainError("bad_state", f"这些订单已发货或已取消，不能再导出：{'、'.join(wrong)}", "orders", wrong)
        if not chosen:
            raise DomainError("nothing_to_export", f"{supplier.name} 没有待导出的代发订单", "supplier")
        lines = list(
            DropshipLine.objects.filter(order__in=chosen).select_related("sku__product").order_by("order_id", "pk")
        )
        item_codes = dict(
            SupplierProduct.objects.filter(supplier=supplier, product_id__in={ln.sku.product_id for ln in lines})
            .values_list("product_id", "supplier_item_code")
            .order_by()
        )
        by_order = defaultdict(list)
        for ln in lines:
            by_order[ln.order_id].append(ln)
        content = _workbook(supplier, chosen, by_order, item_codes)
        now = clock.now()
        to_send = [o for o in chosen if o.state == State.PENDING]
        DropshipOrder.objects.filter(pk__in=[o.pk for o in to_send]).update(state=State.SENT, sent_at=now)
        events = []
        for o in chosen:
            if o.state == State.PENDING:
                events.append(DROPSHIPS.event_row(o, State.PENDING, State.SENT, supplier.name, kind="dropship_sent"))
                o.state, o.sent_at = State.SENT, now
            else:
                events.append((o, "dropship_sent", "", "", f"重新导出给 {supplier.name}"))
        record_events(actor, events)
        record_event(
            actor,
            actor,
            "pii_export",
            note=f"代发订单导出给供应商 {supplier.name}：{len(chosen)} 单的收件人信息",
            data={"count": len(chosen), "supplier": supplier.pk, "kind": "dropship"},
        )
    return content


def _workbook(supplier, chosen, by_order, item_codes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "代发订单"
    sheet.append(list(EXPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC" if cell.value in ("快递公司", "快递单号") else "DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for order in chosen:
        for ln in by_order.get(order.pk, []):
            sku = ln.sku
            sheet.append(
                safe_row(
                    [
                        order.reference,
                        order.shop.name,
                        order.receiver_name,
                        order.receiver_phone,
                        order.receiver_address,
                        sku.code,
                        item_codes.get(sku.product_id, ""),
                        sku.product.name,
                        sku.colour,
                        sku.size,
                        ln.quantity,
                        order.buyer_note,
                        "",
                        "",
                    ]
                )
            )
    text_columns = ("A", "D", "N")  # order numbers, phones and tracking numbers stay text (no 1.38E+10)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.column_letter in text_columns:
                cell.number_format = "@"
    widths = (22, 12, 10, 14, 44, 18, 14, 24, 8, 8, 6, 20, 12, 20)
    for letter, width in zip("ABCDEFGHIJKLMN", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Tracking numbers back from the supplier
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class TrackingImportResult:
    rows: int = 0
    updated: int = 0  # orders that got their tracking number (→ shipped)
    unchanged: int = 0  # orders that already had exactly this number
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line in the file, reason)
    references: list[str] = field(default_factory=list)  # the orders updated


def _cell(value) -> str:
    """A cell as text: Excel numbers that are whole (order and tracking numbers) lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().replace("\u3000", " ").strip()


def _read_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    uploads.check_data(filename, data, "dropship_tracking")  # size and content, like every upload
    rows = sheets.read_rows(filename, data, max_bytes=uploads.limit_bytes("dropship_tracking"))
    return [(n, [_cell(v) for v in cells]) for n, cells in rows]


def _header_key(text: str) -> str:
    return re.sub(r"[\s:：*（）()]", "", text or "")


def _columns(header: list[str]) -> dict[str, int]:
    """{column key: index} by header name (extra and reordered columns are fine); a missing column is an error."""
    names = [_header_key(h) for h in header]
    found, missing = {}, []
    for key, aliases in {**IMPORT_COLUMNS, **OPTIONAL_COLUMNS}.items():
        index = next((names.index(a) for a in aliases if a in names), None)
        if index is not None:
            found[key] = index
        elif key in IMPORT_COLUMNS:
            missing.append(aliases[0])
    if missing:
        raise DomainError(
            "missing_column",
            f"文件缺少列：{'、'.join(missing)}（第一行应为表头，需含 订单号、快递公司、快递单号）",
            "file",
            missing,
        )
    return found


def import_tracking(actor, supplier: Supplier, data: bytes, filename: str, shops=None) -> TrackingImportResult:
    """PROD-10: read the supplier's file (CSV in UTF-8 or GBK, or XLSX) back: columns found by header name
    (订单号, 快递公司, 快递单号; 店铺 optional, to tell apart equal order numbers of two shops). Each good row sets
    carrier and tracking number on that supplier's order and marks it shipped (timeline; DropshipShipped is
    published after the commit: the orders app ships the order's lines). Bad rows are reported with their line and
    reason and skipped; every good row is kept. Orders outside `shops` (default: the actor's shops) are unknown here."""
    rows = _read_rows(data, filename)
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise DomainError("file_empty", "文件里没有内容", "file")
    _header_line, header = rows[0]
    cols = _columns(header)
    result = TrackingImportResult()

    def get(cells, key):
        index = cols.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    parsed = []  # (line, reference, shop name, carrier, tracking)
    for line, cells in rows[1:]:
        result.rows += 1
        reference, carrier, tracking = get(cells, "reference"), get(cells, "carrier"), get(cells, "tracking")
        tracking = tracking.replace(" ", "")
        if not reference:
            result.errors.append((line, "订单号为空"))
        elif not tracking:
            result.errors.append((line, f"订单 {reference}：快递单号为空"))
        elif _SCIENTIFIC_RE.match(tracking):
            result.errors.append(
                (line, f"订单 {reference}：快递单号“{tracking}”被 Excel 改成了科学计数法，请把该列设为文本后重新填写")
            )
        elif not _TRACKING_RE.match(tracking):
            result.errors.append((line, f"订单 {reference}：快递单号“{tracking}”格式不对（应为 6–40 位字母或数字）"))
        elif not carrier:
            result.errors.append((line, f"订单 {reference}：快递公司为空"))
        elif len(carrier) > 30:
            result.errors.append((line, f"订单 {reference}：快递公司名称太长（最多 30 个字）"))
        else:
            parsed.append((line, reference, get(cells, "shop"), carrier, tracking))
    with transaction.atomic():
        candidates = defaultdict(list)
        for order in (
            DropshipOrder.objects.select_for_update()
            .filter(supplier=supplier, reference__in={p[1] for p in parsed}, shop__in=_allowed_shops(actor, shops))
            .select_related("shop")
            .order_by("pk")
        ):
            candidates[order.reference].append(order)
        seen: dict[int, tuple[str, str, int]] = {}  # order pk → (carrier, tracking, line) set by this file
        changed, events, now = [], [], clock.now()
        for line, reference, shop_name, carrier, tracking in parsed:
            found = candidates.get(reference, [])
            if shop_name and len(found) > 1:
                found = [o for o in found if o.shop.name == shop_name or o.shop.code == shop_name]
            if not found:
                result.errors.append((line, f"订单 {reference}：不是 {supplier.name} 的代发订单"))
                continue
            if len(found) > 1:
                result.errors.append((line, f"订单 {reference}：多个店铺有这个订单号，请填写“店铺”列"))
                continue
            order = found[0]
            if order.pk in seen:  # another line of the same order (one row per line in our export)
                if seen[order.pk][1] != tracking:
                    result.errors.append(
                        (line, f"订单 {reference}：与第 {seen[order.pk][2]} 行的快递单号 {seen[order.pk][1]} 不同")
                    )
                continue
            seen[order.pk] = (carrier, tracking, line)
            if order.state == State.CANCELLED:
                result.errors.append((line, f"订单 {reference}：已取消，不应发货，请联系供应商"))
            elif order.state == State.SHIPPED:
                if order.tracking_no == tracking:
                    result.unchanged += 1
                else:
                    result.errors.append(
                        (line, f"订单 {reference}：已发货，快递单号为 {order.tracking_no}，与文件中的 {tracking} 不同")
                    )
            else:
                before = order.state
                order.state, order.carrier, order.tracking_no, order.shipped_at = State.SHIPPED, carrier, tracking, now
                changed.append(order)
                events.append(
                    DROPSHIPS.event_row(order, before, State.SHIPPED, f"{carrier} {tracking}", kind="dropship_shipped")
                )
        if changed:
            DropshipOrder.objects.bulk_update(changed, ["state", "carrier", "tracking_no", "shipped_at"])
            record_events(actor, events)
            shipped = defaultdict(list)  # the lines that left with each order: the order ships them
            for order_id, sku_id, qty in DropshipLine.objects.filter(order__in=changed).values_list(
                "order_id", "sku_id", "quantity"
            ):
                shipped[order_id].append((sku_id, qty))
            for order in changed:
                publish(
                    DropshipShipped(
                        shop_id=order.shop_id,
                        reference=order.reference,
                        supplier_id=order.supplier_id,
                        carrier=order.carrier,
                        tracking_no=order.tracking_no,
                        lines=tuple(shipped[order.pk]),
                        actor=actor,
                    )
                )
    result.updated = len(changed)
    result.references = [o.reference for o in changed]
    result.errors.sort()
    return result


def state_counts(qs) -> dict[str, int]:
    """Tab counts in one aggregate."""
    from django.db.models import Count

    return qs.order_by().aggregate(**{s: Count("id", filter=Q(state=s)) for s in State.values})
