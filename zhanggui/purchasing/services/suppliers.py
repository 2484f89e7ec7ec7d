"""Suppliers (PUR-1): profile, contacts, evaluations, the products they supply (one preferred supplier per
product), the quality record measured at receiving, and the per-supplier purchase documents (PUR-3).

Writes: every change in one transaction with a timeline entry on the supplier. Reads (`quality_records`,
`supplier_statement`, `owed_by_supplier`) work on sets with grouped queries, never a query per supplier.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from zhanggui.core import clock
from zhanggui.core.bounds import check_between, check_fen, check_quantity
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.export_cells import safe_row
from zhanggui.core.money import format_fen

from ..models import (
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierContact,
    SupplierEvaluation,
    SupplierExchange,
    SupplierProduct,
)
from ..selectors import order_figures

register_event_kinds(
    {
        "supplier_created": "新建供应商",
        "supplier_changed": "修改供应商",
        "supplier_contact": "供应商联系人",
        "supplier_evaluation": "供应商评价",
        "supplier_product": "供货商品",
    }
)

PROFILE_FIELDS = {
    "code": "编码",
    "name": "名称",
    "contact_name": "联系人",
    "phone": "电话",
    "wechat": "微信",
    "address": "地址",
    "shop_url": "店铺链接",
    "lead_time_days": "交货周期",
    "payment_terms": "结算方式",
    "note": "备注",
    "is_active": "启用",
}
_MAX_LEN = {
    f: Supplier._meta.get_field(f).max_length for f in PROFILE_FIELDS if f not in ("lead_time_days", "is_active")
}
MAX_LEAD_TIME_DAYS = 365


# ---------------------------------------------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------------------------------------------


def _web_link(value: str, label: str, field: str) -> str:
    """PUR-1: a supplier's shop link opens in the browser, so only a web address is kept (http/https); a bare
    `detail.1688.com/…` gets https://, and javascript:, data: or any other scheme is refused."""
    scheme = urlsplit(value).scheme.lower()
    if not scheme and ":" not in value.split("/", 1)[0]:
        value, scheme = f"https://{value}", "https"
    if scheme not in ("http", "https") or not urlsplit(value).netloc:
        raise DomainError("bad_link", f"{label}只能是以 http:// 或 https:// 开头的网址", field)
    return value


def _clean_profile(values: dict, supplier: Supplier | None) -> dict:
    clean = {}
    for name, label in PROFILE_FIELDS.items():
        if name not in values:
            continue
        value = values[name]
        if name == "is_active":
            clean[name] = bool(value)
            continue
        if name == "lead_time_days":
            value = value if value not in (None, "") else 7
            clean[name] = check_between(value, "交货周期", name, low=0, high=MAX_LEAD_TIME_DAYS, unit=" 天")
            continue
        value = str(value or "").strip()
        if name == "shop_url" and value:
            value = _web_link(value, label, name)
        limit = _MAX_LEN.get(name)
        if limit and len(value) > limit:
            raise DomainError("too_long", f"{label}最多 {limit} 个字", name)
        clean[name] = value
    for name, label in (("code", "供应商编码"), ("name", "供应商名称")):
        if name in clean and not clean[name]:
            raise DomainError("required", f"请填写{label}", name)
    others = Supplier.objects.exclude(pk=supplier.pk) if supplier else Supplier.objects.all()
    if "code" in clean and others.filter(code__iexact=clean["code"]).exists():
        raise DomainError("code_taken", f"供应商编码 {clean['code']} 已被使用", "code")
    if "name" in clean and others.filter(name__iexact=clean["name"]).exists():
        raise DomainError("name_taken", f"供应商名称“{clean['name']}”已存在", "name")
    return clean


def create_supplier(actor, **values) -> Supplier:
    """PUR-1: a new supplier; code and name are unique (case-insensitive), lead time 0–365 days."""
    clean = _clean_profile({"lead_time_days": 7, **values}, None)
    for name in ("code", "name"):
        if name not in clean:
            raise DomainError("required", f"请填写供应商{'编码' if name == 'code' else '名称'}", name)
    try:
        with transaction.atomic():
            supplier = Supplier.objects.create(**clean)
            record_event(actor, supplier, "supplier_created", note=f"{supplier.code} {supplier.name}")
    except IntegrityError:  # the same code typed at the same moment elsewhere
        raise DomainError("code_taken", f"供应商编码 {clean['code']} 或名称已被使用", "code") from None
    return supplier


def update_supplier(actor, supplier: Supplier, **values) -> Supplier:
    """PUR-1: change the profile; the timeline lists what changed (old → new)."""
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        clean = _clean_profile(values, supplier)
        changes = []
        for name, value in clean.items():
            before = getattr(supplier, name)
            if before != value:
                changes.append(f"{PROFILE_FIELDS[name]}：{_shown(before)} → {_shown(value)}")
                setattr(supplier, name, value)
        if not changes:
            return supplier
        try:
            with transaction.atomic():
                supplier.save(update_fields=list(clean))
        except IntegrityError:
            raise DomainError("code_taken", "供应商编码或名称已被使用", "code") from None
        record_event(actor, supplier, "supplier_changed", note="；".join(changes))
    return supplier


def _shown(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value) if value not in ("", None) else "（空）"


# ---------------------------------------------------------------------------------------------------------------
# Contacts and evaluations
# ---------------------------------------------------------------------------------------------------------------


def add_contact(actor, supplier: Supplier, *, name: str, role: str = "", phone: str = "", wechat: str = ""):
    """PUR-1: another person at the supplier (老板 / 跟单 / 财务)."""
    name, role, phone, wechat = (str(v or "").strip() for v in (name, role, phone, wechat))
    if not name:
        raise DomainError("required", "请填写联系人姓名", "name")
    for value, label, limit, fname in (
        (name, "姓名", 40, "name"),
        (role, "职务", 40, "role"),
        (phone, "电话", 30, "phone"),
        (wechat, "微信", 40, "wechat"),
    ):
        if len(value) > limit:
            raise DomainError("too_long", f"联系人{label}最多 {limit} 个字", fname)
    if not (phone or wechat):
        raise DomainError("required", "请至少填写电话或微信中的一项", "phone")
    with transaction.atomic():
        contact = SupplierContact.objects.create(supplier=supplier, name=name, role=role, phone=phone, wechat=wechat)
        record_event(actor, supplier, "supplier_contact", to_state=f"{name} {role}".strip(), note="添加联系人")
    return contact


def remove_contact(actor, contact: SupplierContact) -> None:
    with transaction.atomic():
        supplier = contact.supplier
        contact.delete()
        record_event(
            actor, supplier, "supplier_contact", from_state=f"{contact.name} {contact.role}".strip(), note="删除联系人"
        )


ASPECTS = {"quality": "质量", "delivery": "交期", "price": "价格", "service": "服务"}


def evaluate(actor, supplier: Supplier, *, quality, delivery, price, service, note: str = "") -> SupplierEvaluation:
    """PUR-1: a rating of 1–5 per aspect (quality, delivery, price, service) with a note."""
    scores = {}
    for name, label in ASPECTS.items():
        value = {"quality": quality, "delivery": delivery, "price": price, "service": service}[name]
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise DomainError("bad_score", f"{label}评分请选 1 到 5 分", name) from None
        if not 1 <= value <= 5:
            raise DomainError("bad_score", f"{label}评分应为 1 到 5 分（现为 {value}）", name)
        scores[name] = value
    note = str(note or "").strip()
    if len(note) > 200:
        raise DomainError("too_long", "评价备注最多 200 个字", "note")
    with transaction.atomic():
        ev = SupplierEvaluation.objects.create(supplier=supplier, actor=_staff(actor), note=note, **scores)
        summary = " ".join(f"{ASPECTS[k]} {v}" for k, v in scores.items())
        record_event(
            actor, supplier, "supplier_evaluation", to_state=f"{ev.score:.1f} 分", note=f"{summary} {note}".strip()
        )
    return ev


def _staff(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------------------------
# Products supplied (one preferred supplier per product)
# ---------------------------------------------------------------------------------------------------------------


def set_supplier_product(
    actor,
    supplier: Supplier,
    product,
    *,
    supplier_item_code: str = "",
    unit_cost_fen: int = 0,
    min_order_qty: int = 1,
    preferred: bool | None = None,
) -> SupplierProduct:
    """Add or update what `supplier` supplies of `product`. preferred=True makes it THE preferred supplier of the
    product (the old one is unset in the same transaction: the database allows one); None keeps the current
    choice, and the first supplier of a product becomes its preferred one."""
    code = str(supplier_item_code or "").strip()
    if len(code) > 60:
        raise DomainError("too_long", "供应商货号最多 60 个字", "supplier_item_code")
    unit_cost_fen = check_fen(unit_cost_fen or 0, "进价", "unit_cost_fen")  # rule 7: the company's bounds
    min_order_qty = check_quantity(min_order_qty if min_order_qty not in (None, "") else 1, "起订量", "min_order_qty")
    with transaction.atomic():
        item = SupplierProduct.objects.select_for_update().filter(supplier=supplier, product=product).first()
        created = item is None
        if created:
            item = SupplierProduct(supplier=supplier, product=product, is_preferred=False)
        if preferred is None:
            preferred = item.is_preferred or (
                created and not SupplierProduct.objects.filter(product=product, is_preferred=True).exists()
            )
        if preferred and not item.is_preferred:
            _unset_preferred(product, keep=item)
        item.supplier_item_code, item.unit_cost_fen, item.min_order_qty = code, unit_cost_fen, min_order_qty
        item.is_preferred = bool(preferred)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:  # another preferred supplier was set at the same moment
            raise DomainError(
                "preferred_taken", f"{product} 的首选供应商刚被他人修改，请刷新后重试", "preferred"
            ) from None
        record_event(
            actor,
            supplier,
            "supplier_product",
            to_state=f"{product.style_code} {format_fen(unit_cost_fen)}",
            note=("新增供货商品" if created else "修改供货商品") + ("（首选）" if item.is_preferred else ""),
        )
    return item


def _unset_preferred(product, keep: SupplierProduct) -> None:
    qs = SupplierProduct.objects.filter(product=product, is_preferred=True)
    if keep.pk:
        qs = qs.exclude(pk=keep.pk)
    for old in qs.select_related("supplier"):
        old.is_preferred = False
        old.save(update_fields=["is_preferred"])
        record_event(
            None,
            old.supplier,
            "supplier_product",
            from_state=f"{product.style_code} 首选",
            note="首选供应商已改为其他供应商",
        )


def set_preferred(actor, item: SupplierProduct) -> SupplierProduct:
    """Make `item`'s supplier the preferred supplier of its product (the old preferred one is unset)."""
    return set_supplier_product(
        actor,
        item.supplier,
        item.product,
        supplier_item_code=item.supplier_item_code,
        unit_cost_fen=item.unit_cost_fen,
        min_order_qty=item.min_order_qty,
        preferred=True,
    )


def remove_supplier_product(actor, item: SupplierProduct) -> None:
    with transaction.atomic():
        supplier, product = item.supplier, item.product
        item.delete()
        record_event(actor, supplier, "supplier_product", from_state=product.style_code, note="不再供货")


def preferred_supplier(product) -> Supplier | None:
    item = SupplierProduct.objects.select_related("supplier").filter(product=product, is_preferred=True).first()
    return item.supplier if item else None


# ---------------------------------------------------------------------------------------------------------------
# Quality record (PUR-1), measured at receiving
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class QualityRecord:
    """PUR-1: what receiving measured for one supplier. Rates are percentages (None while nothing was measured)."""

    received: int = 0  # pieces counted on posted stock-in slips
    faulty: int = 0  # of those, failed the quality check
    refused: int = 0  # faulty pieces the supplier would not exchange (separate account)
    receipts: int = 0  # posted slips against an order with an expected date
    on_time: int = 0  # of those, posted on or before the order's expected date (Beijing day)
    evaluations: int = 0
    score: float | None = None  # average evaluation 1–5
    aspects: dict = field(default_factory=dict)  # average per aspect

    @property
    def defect_rate(self) -> float | None:
        return round(self.faulty * 100 / self.received, 1) if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.receipts, 1) if self.receipts else None


def quality_records(supplier_ids=None) -> dict[int, QualityRecord]:
    """PUR-1: the quality record of every supplier (or of `supplier_ids`), in five grouped queries.

    A slip belongs to its own supplier, or else to its purchase order's supplier."""
    ids = None if supplier_ids is None else list(supplier_ids)
    records: dict[int, QualityRecord] = {}
    if ids is not None:
        records = {pk: QualityRecord() for pk in ids}

    def rec(pk):
        return records.setdefault(pk, QualityRecord())

    who = Coalesce("receipt__supplier_id", "receipt__order__supplier_id")
    lines = ReceiptLine.objects.filter(receipt__state=Receipt.State.POSTED).annotate(sid=who)
    if ids is not None:
        lines = lines.filter(sid__in=ids)
    for row in lines.values("sid").annotate(received=Sum("counted_qty"), faulty=Sum("faulty_qty")):
        if row["sid"] is not None:
            r = rec(row["sid"])
            r.received, r.faulty = row["received"] or 0, row["faulty"] or 0

    refused = SupplierExchange.objects.filter(state=SupplierExchange.State.REFUSED, supplier__isnull=False)
    if ids is not None:
        refused = refused.filter(supplier_id__in=ids)
    for row in refused.values("supplier_id").annotate(n=Sum("quantity")):
        rec(row["supplier_id"]).refused = row["n"] or 0

    slips = (
        Receipt.objects.filter(state=Receipt.State.POSTED, order__expected_on__isnull=False, posted_at__isnull=False)
        .annotate(sid=Coalesce("supplier_id", "order__supplier_id"), day=TruncDate("posted_at", tzinfo=clock.SHANGHAI))
        .values("sid")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(day__lte=F("order__expected_on"))))
    )
    if ids is not None:
        slips = slips.filter(sid__in=ids)
    for row in slips:
        if row["sid"] is not None:
            r = rec(row["sid"])
            r.receipts, r.on_time = row["n"], row["on_time"]

    evals = SupplierEvaluation.objects.all()
    if ids is not None:
        evals = evals.filter(supplier_id__in=ids)
    for row in evals.values("supplier_id").annotate(
        n=Count("pk"), q=Avg("quality"), d=Avg("delivery"), p=Avg("price"), s=Avg("service")
    ):
        r = rec(row["supplier_id"])
        r.evaluations = row["n"]
        r.aspects = {k: round(float(row[k[0]]), 1) for k in ASPECTS}
        r.score = round(sum(float(row[k]) for k in "qdps") / 4, 2)
    return records


def quality_record(supplier: Supplier) -> QualityRecord:
    return quality_records([supplier.pk])[supplier.pk]


# ---------------------------------------------------------------------------------------------------------------
# Purchase documents per supplier (PUR-3)
# ---------------------------------------------------------------------------------------------------------------

STATEMENT_STATES = (
    PurchaseOrder.State.ORDERED,
    PurchaseOrder.State.PARTIAL,
    PurchaseOrder.State.RECEIVED,
    PurchaseOrder.State.CLOSED,
)


@dataclass
class StatementRow:
    order: PurchaseOrder
    day: dt.date
    amount: int
    transport: int
    paid: int

    @property
    def owed(self) -> int:
        return self.amount + self.transport - self.paid


@dataclass
class Statement:
    supplier: Supplier
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[StatementRow]

    @property
    def totals(self) -> dict:
        return {
            "amount": sum(r.amount for r in self.rows),
            "transport": sum(r.transport for r in self.rows),
            "paid": sum(r.paid for r in self.rows),
            "owed": sum(r.owed for r in self.rows),
        }


def _document_day(order: PurchaseOrder) -> dt.date:
    return clock.local(order.ordered_at or order.created_at).date()


def supplier_statement(
    supplier: Supplier, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Statement:
    """PUR-3: the supplier's purchase documents — one row per order that was placed (ordered, partly received,
    received, closed) with date (the Beijing day it was ordered), amount, transport cost, paid and owed.

    Amount rule (orders.order_amounts): ordered pieces × unit price; once an order is closed, received pieces ×
    unit price (a short-closed order owes only what arrived). owed = amount + transport − paid (negative: a credit
    with the supplier). Dates filter on the ordering day, both ends inclusive."""
    orders = list(PurchaseOrder.objects.filter(supplier=supplier, state__in=STATEMENT_STATES))
    rows = []
    figures = order_figures([o.pk for o in orders])
    for order in orders:
        day = _document_day(order)
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        f = figures[order.pk]
        rows.append(StatementRow(order, day, f.amount, order.transport_cost_fen, f.paid))
    rows.sort(key=lambda r: (r.day, r.order.number))
    return Statement(supplier, date_from, date_to, rows)


def owed_by_supplier(supplier_ids=None) -> dict[int, int]:
    """PUR-3: what the company owes each supplier (or those of `supplier_ids`) over all its placed orders."""
    placed = PurchaseOrder.objects.filter(state__in=STATEMENT_STATES, supplier__isnull=False)
    if supplier_ids is not None:
        placed = placed.filter(supplier_id__in=list(supplier_ids))
    orders = list(placed.values_list("pk", "supplier_id", "transport_cost_fen"))
    figures = order_figures([pk for pk, _s, _t in orders])
    owed: dict[int, int] = {}
    for pk, supplier_id, transport in orders:
        owed[supplier_id] = owed.get(supplier_id, 0) + figures[pk].amount + transport - figures[pk].paid
    return owed


def statement_xlsx(statement: Statement) -> bytes:
    """PUR-3: the statement as an XLSX file (amounts in yuan, two decimals), with its totals row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .orders import STATE_NAMES

    book = Workbook()
    sheet = book.active
    sheet.title = "对账单"
    s = statement.supplier
    span = f"{statement.date_from or '最早'} 至 {statement.date_to or '今天'}"
    sheet.append(safe_row([f"{s.name}（{s.code}）采购对账单", "", "", span]))
    sheet.append([])
    header = ["日期", "采购单号", "状态", "金额", "运费", "已付", "欠款"]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    money = "#,##0.00"
    for r in statement.rows:
        sheet.append(
            safe_row(
                [
                    r.day,
                    r.order.number,
                    STATE_NAMES[r.order.state],
                    r.amount / 100,
                    r.transport / 100,
                    r.paid / 100,
                    r.owed / 100,
                ]
            )
        )
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
    t = statement.totals
    sheet.append(
        [
            "合计",
            f"{len(statement.rows)} 单",
            "",
            t["amount"] / 100,
            t["transport"] / 100,
            t["paid"] / 100,
            t["owed"] / 100,
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=4, min_col=4, max_col=7):
        for cell in row:
            cell.number_format = money
    for col, width in zip("ABCDEFG", (12, 18, 10, 14, 12, 14, 14), strict=True):
        sheet.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
