"""Purchase orders (PUR-2): one transition table, one function per move, each on the timeline with the 工号.

need / plan (draft) → comparing quotes → ordered → partly received → received → closed; cancelled before any
receipt. Every change bumps `version`; a change based on an older version is refused (two people editing one
purchase order at once: the second is told to reload, nothing is overwritten).

In transit (INV-1 "在途"): ordering adds the outstanding quantity of each line to StockLevel.in_transit of the
order's warehouse; receipts and closing/cancelling take it off again (inventory.services.stock.add_in_transit).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.states import Machine
from zhanggui.inventory.services.stock import add_in_transit, default_warehouse

from ..models import PurchaseOrder, PurchaseOrderLine

State = PurchaseOrder.State

# PUR-2: the only moves a purchase order can make.
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.QUOTING, State.ORDERED, State.CANCELLED},
    State.QUOTING: {State.DRAFT, State.ORDERED, State.CANCELLED},
    State.ORDERED: {State.PARTIAL, State.RECEIVED, State.CANCELLED},
    State.PARTIAL: {State.RECEIVED, State.CLOSED},
    State.RECEIVED: {State.CLOSED},
    State.CLOSED: set(),
    State.CANCELLED: set(),
}
EDITABLE = {State.DRAFT, State.QUOTING}  # lines and supplier can change only before ordering
OPEN_FOR_RECEIPT = {State.ORDERED, State.PARTIAL}

register_event_kinds(
    {
        "po_created": "新建采购单",
        "po_state": "采购单状态",
        "po_changed": "修改采购单",
        "po_quote": "供应商报价",
        "po_payment": "采购付款",
        "po_problem": "采购问题",
        "po_receipt": "采购到货",
    }
)


# Chinese state names for the timeline and service messages: stored text, so not dependent on the request language.
STATE_NAMES = {
    State.DRAFT: "需求计划",
    State.QUOTING: "询价比价",
    State.ORDERED: "已下单",
    State.PARTIAL: "部分到货",
    State.RECEIVED: "已到货",
    State.CLOSED: "已完结",
    State.CANCELLED: "已取消",
}


PROBLEM_NAMES = {"quality": "质量", "quantity": "数量", "late": "交期延误", "wrong_item": "发错货", "other": "其他"}
METHOD_NAMES = {"bank": "银行转账", "alipay": "支付宝", "wechat": "微信支付", "cash": "现金"}


# of=("self",) (the helper's lock): PostgreSQL refuses FOR UPDATE on the nullable side of the supplier outer join.
PURCHASE_ORDERS = Machine(
    PurchaseOrder,
    TRANSITIONS,
    names=STATE_NAMES,
    name="采购单 {number}",
    event_kind="po_state",
    related=("supplier", "warehouse"),
)
_state_label = PURCHASE_ORDERS.label
check_version = PURCHASE_ORDERS.check_version
lock = PURCHASE_ORDERS.lock  # lock(order, version=None): row lock + stale_version check
bump = PURCHASE_ORDERS.save  # save fields and raise the version


def transition(order: PurchaseOrder, to: str, actor, note: str = "", version=None) -> PurchaseOrder:
    """Move a LOCKED order (see `lock`) to state `to` if the table allows it; timeline entry with 工号.
    In-transit quantities follow: + outstanding on ordering, − outstanding on cancelling or closing."""
    PURCHASE_ORDERS.check(order, to)
    PURCHASE_ORDERS.check_version(order, version)
    before = order.state
    fields = []
    if to == State.ORDERED:
        if order.supplier_id is None:
            raise DomainError("no_supplier", f"采购单 {order.number} 还没有选定供应商，不能下单", "supplier")
        if not order.lines.exists():
            raise DomainError("no_lines", f"采购单 {order.number} 没有商品明细，不能下单", "lines")
        order.ordered_at = clock.now()
        fields.append("ordered_at")
        add_in_transit(order.warehouse_id, {ln.sku_id: ln.outstanding for ln in order.lines.all()})
    if to in {State.CANCELLED, State.CLOSED}:
        if before in OPEN_FOR_RECEIPT:
            add_in_transit(order.warehouse_id, {ln.sku_id: -ln.outstanding for ln in order.lines.all()})
        order.closed_at = clock.now()
        fields.append("closed_at")
    return PURCHASE_ORDERS.move_locked(order, to, actor, note, fields)


def next_number(prefix: str, model, day=None) -> str:
    """Document numbers like CG20261123-001: prefix, Beijing date, running number of the day."""
    day = day or clock.today()
    stem = f"{prefix}{day:%Y%m%d}-"
    last = model.objects.filter(number__startswith=stem).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


def create_order(
    actor,
    *,
    lines,
    supplier=None,
    warehouse=None,
    reason: str = "",
    source: str = PurchaseOrder.Source.MANUAL,
    expected_on=None,
    note: str = "",
    transport_cost_fen: int = 0,
) -> PurchaseOrder:
    """A new purchase order in state need/plan (draft). lines = [(sku or sku id, quantity, unit_cost_fen)];
    quantities ≥ 1, each SKU once (repeated SKUs are added up); combination SKUs are refused (buy their parts)."""
    merged: dict[int, list[int]] = {}
    for sku, qty, cost in lines:
        try:
            qty, cost = int(qty), int(cost or 0)
        except (TypeError, ValueError):
            raise DomainError("bad_quantity", "数量和单价必须是数字", "lines") from None
        if qty < 1:
            raise DomainError("bad_quantity", "采购数量必须大于 0", "lines")
        if cost < 0:
            raise DomainError("bad_price", "采购单价不能为负数", "lines")
        sku_id = getattr(sku, "pk", sku)
        qty_before = merged.get(sku_id, [0, cost])[0]
        merged[sku_id] = [qty_before + qty, cost]
    if not merged:
        raise DomainError("no_lines", "采购单至少要有一个商品", "lines")
    transport_cost_fen = _int(transport_cost_fen or 0, "运费（分）", "transport_cost_fen", high=MAX_PRICE_FEN)
    combos = list(Sku.objects.filter(pk__in=merged, is_combo=True).values_list("code", flat=True))
    if combos:  # a combination has no stock of its own: buy its parts (in transit goes to real SKUs only)
        raise DomainError("combo", f"{'、'.join(combos)} 是组合商品，请按其中的单品采购", "lines")
    warehouse = warehouse or default_warehouse()
    for _attempt in range(3):  # two people creating orders in the same second may pick the same number
        try:
            with transaction.atomic():
                order = PurchaseOrder.objects.create(
                    number=next_number("CG", PurchaseOrder),
                    supplier=supplier,
                    warehouse=warehouse,
                    reason=reason[:200],
                    source=source,
                    expected_on=expected_on,
                    note=note,
                    transport_cost_fen=transport_cost_fen,
                    buyer=actor if getattr(actor, "is_authenticated", False) else None,
                )
                PurchaseOrderLine.objects.bulk_create(
                    PurchaseOrderLine(order=order, sku_id=sku_id, quantity=qty, unit_cost_fen=cost)
                    for sku_id, (qty, cost) in merged.items()
                )
                record_event(actor, order, "po_created", to_state=_state_label(State.DRAFT), note=reason)
                return order
        except IntegrityError:
            continue
    raise DomainError("number_taken", "采购单号冲突，请重试", "number")


def add_received(line: PurchaseOrderLine, counted: int, faulty: int) -> None:
    """Count pieces that arrived against a purchase order line (called by receiving, inside its transaction)."""
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        received_qty=F("received_qty") + counted, faulty_qty=F("faulty_qty") + faulty
    )


# ---------------------------------------------------------------------------------------------------------------
# PUR-2: the purchase flow beyond creation — edit, quotes, order, payments, problems, closing, cancelling.
# Each function: one transaction, the order row locked (`lock`), the version checked (`check_version`: a form's
# hidden `version`; stale → "stale_version"), one version bump and one timeline entry.
# ---------------------------------------------------------------------------------------------------------------

PLACED = (State.ORDERED, State.PARTIAL, State.RECEIVED, State.CLOSED)  # orders that count as purchase documents
PAYABLE = set(PLACED)
HEADER_EDITABLE = {State.DRAFT, State.QUOTING, State.ORDERED, State.PARTIAL, State.RECEIVED}
MAX_QTY = 1_000_000
MAX_PRICE_FEN = 100_000_000  # ¥1,000,000 a piece: anything above is a typo

register_event_kinds({"po_line": "采购明细"})


def _require_editable(order: PurchaseOrder) -> None:
    if order.state not in EDITABLE:
        raise DomainError(
            "not_editable",
            f"采购单 {order.number} 已是“{_state_label(order.state)}”，商品明细和供应商只能在下单前修改",
            "state",
        )


def _int(value, what: str, field: str, *, low: int = 0, high: int = MAX_QTY) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("bad_number", f"{what}必须是整数", field) from None
    if not low <= number <= high:
        raise DomainError("bad_number", f"{what}应在 {low} 到 {high} 之间（现为 {number}）", field)
    return number


def _check_line(label: str, qty, cost) -> tuple[int, int]:
    """Quantity ≥ 1 and a unit price ≥ 0 (fen), or a DomainError naming the row."""
    try:
        qty = int(qty)
    except (TypeError, ValueError):
        raise DomainError("bad_quantity", f"{label}：数量必须是整数", "lines") from None
    if not 1 <= qty <= MAX_QTY:
        raise DomainError("bad_quantity", f"{label}：采购数量必须大于 0（现为 {qty}）", "lines")
    try:
        cost = int(cost or 0)
    except (TypeError, ValueError):
        raise DomainError("bad_price", f"{label}：单价必须是数字", "lines") from None
    if not 0 <= cost <= MAX_PRICE_FEN:
        raise DomainError("bad_price", f"{label}：单价不能为负数或超过 ¥1,000,000", "lines")
    return qty, cost


def parse_lines(text: str, supplier=None) -> list[tuple[Sku, int, int]]:
    """Lines typed or pasted as “商家编码 数量 单价” (one per row; spaces, tabs or commas; price in yuan, optional:
    the supplier's price for the product, else the SKU's cost price). All rows are checked; any bad row refuses
    the whole text with one Chinese line per bad row (DomainError.details)."""
    from zhanggui.core.money import yuan_to_fen

    from ..models import SupplierProduct

    rows = []
    for number, raw in enumerate(str(text or "").splitlines(), start=1):
        parts = raw.replace("，", ",").replace(",", " ").split()
        if parts:
            rows.append((number, parts))
    if not rows:
        raise DomainError("no_lines", "请填写商品明细：每行“商家编码 数量 单价”", "lines")
    codes = {p[0] for _n, p in rows}
    skus = {s.code: s for s in Sku.objects.select_related("product").filter(code__in=codes)}
    barcodes = {s.barcode: s for s in Sku.objects.select_related("product").filter(barcode__in=codes - set(skus))}
    prices = {}
    if supplier is not None:
        prices = dict(SupplierProduct.objects.filter(supplier=supplier).values_list("product_id", "unit_cost_fen"))
    errors, lines = [], []
    for number, parts in rows:
        label = f"第 {number} 行"
        code = parts[0]
        sku = skus.get(code) or barcodes.get(code)
        if sku is None:
            errors.append(f"{label}：商家编码或条码 {code} 不存在")
            continue
        if sku.is_combo:
            errors.append(f"{label}：{code} 是组合商品，请按其中的单品采购")
            continue
        if len(parts) > 3:
            errors.append(f"{label}：应为“商家编码 数量 单价”，多了“{' '.join(parts[3:])}”")
            continue
        try:
            qty = int(parts[1]) if len(parts) > 1 else 1
            if not 1 <= qty <= MAX_QTY:
                raise ValueError
        except ValueError:
            errors.append(f"{label}：数量“{parts[1]}”应为大于 0 的整数")
            continue
        if len(parts) > 2:
            try:
                cost = yuan_to_fen(parts[2])
            except DomainError:
                errors.append(f"{label}：单价“{parts[2]}”应为金额，如 35.50")
                continue
            if not 0 <= cost <= MAX_PRICE_FEN:
                errors.append(f"{label}：单价“{parts[2]}”不能为负数或超过 ¥1,000,000")
                continue
        else:
            cost = prices.get(sku.product_id, max(int(sku.cost_fen or 0), 0))
        lines.append((sku, qty, cost))
    if errors:
        raise DomainError(
            "bad_lines", f"有 {len(errors)} 行无法识别，请改正后再提交：{errors[0]}", "lines", details=errors
        )
    return lines


def edit_lines(actor, order, *, changes=None, remove=(), add=(), version=None) -> PurchaseOrder:
    """PUR-2: change the lines of a need/plan or quoting order in one go — changes {line id: (quantity,
    unit_cost_fen)}, remove [line id], add [(sku, quantity, unit_cost_fen)] (a SKU already on the order adds
    its quantity). Every bad row is named; nothing is saved unless all rows are good."""
    changes = dict(changes or {})
    remove = {int(pk) for pk in remove}
    with transaction.atomic():
        order = lock(order, version)
        _require_editable(order)
        lines = {ln.pk: ln for ln in order.lines.select_related("sku")}
        errors, notes = [], []
        unknown = [pk for pk in [*changes, *remove] if int(pk) not in lines]
        if unknown:
            raise DomainError("no_line", "要修改的明细已不在此采购单中，请刷新", "lines")
        updates = []
        for pk, (qty, cost) in changes.items():
            line = lines[int(pk)]
            if line.pk in remove:
                continue
            try:
                qty, cost = _check_line(line.sku.code, qty, cost)
            except DomainError as exc:
                errors.append(exc.message)
                continue
            if (qty, cost) != (line.quantity, line.unit_cost_fen):
                notes.append(f"{line.sku.code} {line.quantity}×{_yuan(line.unit_cost_fen)} → {qty}×{_yuan(cost)}")
                line.quantity, line.unit_cost_fen = qty, cost
                updates.append(line)
        by_sku = {ln.sku_id: ln for ln in lines.values() if ln.pk not in remove}
        new = {}
        for sku, qty, cost in add:
            sku_obj = sku if isinstance(sku, Sku) else Sku.objects.filter(pk=sku).first()
            code = sku_obj.code if sku_obj else str(sku)
            try:
                if sku_obj is None:
                    raise DomainError("no_sku", f"{code}：商品不存在", "lines")
                if sku_obj.is_combo:
                    raise DomainError("combo", f"{code}：组合商品请按其中的单品采购", "lines")
                qty, cost = _check_line(code, qty, cost)
            except DomainError as exc:
                errors.append(exc.message)
                continue
            if sku_obj.pk in by_sku:
                line = by_sku[sku_obj.pk]
                line.quantity += qty
                if line not in updates:
                    updates.append(line)
                notes.append(f"{code} +{qty}")
            elif sku_obj.pk in new:
                new[sku_obj.pk].quantity += qty
            else:
                new[sku_obj.pk] = PurchaseOrderLine(order=order, sku=sku_obj, quantity=qty, unit_cost_fen=cost)
                notes.append(f"新增 {code} {qty}×{_yuan(cost)}")
        if errors:
            raise DomainError("bad_lines", f"有 {len(errors)} 行有误：{errors[0]}", "lines", details=errors)
        for pk in sorted(remove):
            notes.append(f"删除 {lines[pk].sku.code}")
        if remove:
            PurchaseOrderLine.objects.filter(pk__in=remove, order=order).delete()
        for line in updates:
            if line.quantity > MAX_QTY:
                raise DomainError("bad_quantity", f"{line.sku.code}：数量太大", "lines")
            line.save(update_fields=["quantity", "unit_cost_fen"])
        PurchaseOrderLine.objects.bulk_create(new.values())
        if not notes:
            return order
        bump(order, [])
        record_event(actor, order, "po_line", note="；".join(notes)[:2000])
    return order


def add_line(actor, order, sku, quantity, unit_cost_fen, version=None) -> PurchaseOrder:
    return edit_lines(actor, order, add=[(sku, quantity, unit_cost_fen)], version=version)


def update_line(actor, line: PurchaseOrderLine, *, quantity=None, unit_cost_fen=None, version=None) -> PurchaseOrder:
    qty = line.quantity if quantity is None else quantity
    cost = line.unit_cost_fen if unit_cost_fen is None else unit_cost_fen
    return edit_lines(actor, line.order_id, changes={line.pk: (qty, cost)}, version=version)


def remove_line(actor, line: PurchaseOrderLine, version=None) -> PurchaseOrder:
    return edit_lines(actor, line.order_id, remove=[line.pk], version=version)


def _yuan(fen: int) -> str:
    from zhanggui.core.money import format_fen

    return format_fen(fen)


_UNSET = object()


def update_order(
    actor,
    order,
    *,
    version=None,
    supplier=_UNSET,
    warehouse=_UNSET,
    expected_on=_UNSET,
    transport_cost_fen=_UNSET,
    reason=_UNSET,
    note=_UNSET,
) -> PurchaseOrder:
    """PUR-2: change the header. Supplier and warehouse only before ordering (in transit is booked per warehouse);
    expected date, transport cost, need and note until the order is closed. Transport cost cannot drop below what
    was already paid beyond the goods."""
    with transaction.atomic():
        order = lock(order, version)
        if order.state not in HEADER_EDITABLE:
            raise DomainError(
                "not_editable", f"采购单 {order.number} 已{_state_label(order.state)}，不能再修改", "state"
            )
        changed, notes = [], []

        def put(name, value, label, shown=str):
            before = getattr(order, name)
            if before != value:
                old, new = (shown(v) if v not in (None, "") else "（空）" for v in (before, value))
                notes.append(f"{label}：{old} → {new}")
                setattr(order, name, value)
                changed.append(name)

        if supplier is not _UNSET and (supplier.pk if supplier else None) != order.supplier_id:
            _require_editable(order)
            if supplier is not None and not supplier.is_active:
                raise DomainError("inactive_supplier", f"供应商 {supplier.name} 已停用", "supplier")
            put("supplier", supplier, "供应商")
            order.quotes.filter(is_chosen=True).exclude(supplier=supplier).update(is_chosen=False)
        if warehouse is not _UNSET and warehouse.pk != order.warehouse_id:
            _require_editable(order)
            put("warehouse", warehouse, "收货仓库")
        if expected_on is not _UNSET:
            put("expected_on", expected_on, "预计到货")
        if transport_cost_fen is not _UNSET:
            cost = _int(transport_cost_fen, "运费（分）", "transport_cost_fen", high=MAX_PRICE_FEN)
            if cost != order.transport_cost_fen:
                fig = order_figures([order.pk])[order.pk]
                if fig.paid > fig.amount + cost:
                    raise DomainError(
                        "below_paid",
                        f"已付款 {_yuan(fig.paid)}，运费至少为 {_yuan(fig.paid - fig.amount)}",
                        "transport_cost_fen",
                    )
            put("transport_cost_fen", cost, "运费", _yuan)
        if reason is not _UNSET:
            text = str(reason or "").strip()
            if len(text) > 200:
                raise DomainError("too_long", "采购需求最多 200 个字", "reason")
            put("reason", text, "采购需求")
        if note is not _UNSET:
            put("note", str(note or "").strip(), "备注")
        if not changed:
            return order
        bump(order, changed)
        record_event(actor, order, "po_changed", note="；".join(notes)[:2000])
    return order


# ---- quotes -----------------------------------------------------------------------------------------------------


def submit_for_quotes(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: need/plan → comparing quotes."""
    with transaction.atomic():
        order = lock(order, version)
        if order.state == State.DRAFT and not order.lines.exists():
            raise DomainError("no_lines", f"采购单 {order.number} 没有商品明细，不能询价", "lines")
        return transition(order, State.QUOTING, actor, note=note)


def back_to_plan(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: comparing quotes → need/plan (the need changed; quotes are kept)."""
    with transaction.atomic():
        return transition(lock(order, version), State.DRAFT, actor, note=note)


def record_quote(
    actor,
    order,
    supplier,
    *,
    prices: dict,
    lead_time_days=7,
    transport_cost_fen=0,
    note: str = "",
    version=None,
):
    """PUR-2: a supplier's quote — a unit price (fen) for every line {line id: fen}, lead time and transport
    cost. Quoting again for the same supplier replaces its quote (after negotiating)."""
    from ..models import Quote, QuoteLine

    with transaction.atomic():
        order = lock(order, version)
        if order.state != State.QUOTING:
            raise DomainError(
                "not_quoting", f"采购单 {order.number} 为“{_state_label(order.state)}”，请先发起询价再录入报价", "state"
            )
        if supplier is None:
            raise DomainError("required", "请选择报价的供应商", "supplier")
        if not supplier.is_active:
            raise DomainError("inactive_supplier", f"供应商 {supplier.name} 已停用", "supplier")
        lead = _int(lead_time_days, "交货周期（天）", "lead_time_days", high=365)
        transport = _int(transport_cost_fen or 0, "运费（分）", "transport_cost_fen", high=MAX_PRICE_FEN)
        lines = list(order.lines.select_related("sku"))
        prices = {int(k): v for k, v in prices.items()}
        errors, clean = [], {}
        for line in lines:
            value = prices.get(line.pk)
            if value in (None, ""):
                errors.append(f"{line.sku.code}：请填写单价")
                continue
            try:
                fen = int(value)
                if not 0 <= fen <= MAX_PRICE_FEN:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(f"{line.sku.code}：单价应为 0 到 ¥1,000,000 的金额")
                continue
            clean[line.pk] = fen
        if errors:
            raise DomainError(
                "bad_quote", f"{supplier.name} 的报价有 {len(errors)} 行有误：{errors[0]}", "prices", details=errors
            )
        quote, created = Quote.objects.update_or_create(
            order=order,
            supplier=supplier,
            defaults={
                "lead_time_days": lead,
                "transport_cost_fen": transport,
                "note": str(note or "")[:200],
                "actor": _who_staff(actor),
            },
        )
        quote.lines.all().delete()
        QuoteLine.objects.bulk_create(
            QuoteLine(quote=quote, line_id=pk, unit_cost_fen=fen) for pk, fen in clean.items()
        )
        goods = sum(ln.quantity * clean[ln.pk] for ln in lines)
        bump(order, [])
        record_event(
            actor,
            order,
            "po_quote",
            to_state=f"{supplier.name} {_yuan(goods + transport)}",
            note=f"{'录入' if created else '更新'}报价：货款 {_yuan(goods)}，运费 {_yuan(transport)}，{lead} 天交货",
        )
    return quote


def _who_staff(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def compare_quotes(order: PurchaseOrder) -> dict:
    """PUR-2: quotes side by side — per line each supplier's unit price (the cheapest marked), goods total,
    transport, total incl. transport, lead time; the cheapest complete quote is marked."""
    quotes = list(order.quotes.select_related("supplier").prefetch_related("lines"))
    lines = list(order.lines.select_related("sku__product"))
    price = {(q.pk, ql.line_id): ql.unit_cost_fen for q in quotes for ql in q.lines.all()}
    rows = []
    for line in lines:
        cells = [price.get((q.pk, line.pk)) for q in quotes]
        low = min((c for c in cells if c is not None), default=None)
        rows.append(
            {
                "line": line,
                "cells": [
                    {
                        "price": c,
                        "amount": None if c is None else c * line.quantity,
                        "cheapest": c is not None and c == low and len(quotes) > 1,
                    }
                    for c in cells
                ],
            }
        )
    columns = []
    for q in quotes:
        missing = [ln.sku.code for ln in lines if (q.pk, ln.pk) not in price]
        goods = sum(price.get((q.pk, ln.pk), 0) * ln.quantity for ln in lines)
        columns.append(
            {
                "quote": q,
                "goods": goods,
                "transport": q.transport_cost_fen,
                "total": goods + q.transport_cost_fen,
                "missing": missing,
                "cheapest": False,
            }
        )
    complete = [c for c in columns if not c["missing"]]
    if len(complete) > 1:
        best = min(c["total"] for c in complete)
        for c in complete:
            c["cheapest"] = c["total"] == best
    return {"quotes": columns, "rows": rows}


def choose_quote(actor, quote, version=None) -> PurchaseOrder:
    """PUR-2: take a quote — its unit prices go onto the lines, its supplier and transport cost onto the order,
    the expected date becomes today + its lead time; it is marked chosen (the others not)."""
    import datetime as dt

    with transaction.atomic():
        order = lock(quote.order_id, version)
        _require_editable(order)
        quote = order.quotes.select_related("supplier").get(pk=quote.pk)
        if not quote.supplier.is_active:
            raise DomainError("inactive_supplier", f"供应商 {quote.supplier.name} 已停用", "supplier")
        prices = dict(quote.lines.values_list("line_id", "unit_cost_fen"))
        lines = list(order.lines.select_related("sku"))
        missing = [ln.sku.code for ln in lines if ln.pk not in prices]
        if missing:
            raise DomainError(
                "incomplete_quote",
                f"{quote.supplier.name} 的报价缺少 {'、'.join(missing)} 的单价，请补全报价后再选定",
                "quote",
            )
        for line in lines:
            if line.unit_cost_fen != prices[line.pk]:
                line.unit_cost_fen = prices[line.pk]
                line.save(update_fields=["unit_cost_fen"])
        order.quotes.exclude(pk=quote.pk).filter(is_chosen=True).update(is_chosen=False)
        quote.is_chosen = True
        quote.save(update_fields=["is_chosen"])
        before = order.supplier.name if order.supplier else ""
        order.supplier = quote.supplier
        order.transport_cost_fen = quote.transport_cost_fen
        order.expected_on = clock.today() + dt.timedelta(days=quote.lead_time_days)
        bump(order, ["supplier", "transport_cost_fen", "expected_on"])
        goods = sum(ln.quantity * ln.unit_cost_fen for ln in lines)
        record_event(
            actor,
            order,
            "po_quote",
            from_state=before,
            to_state=quote.supplier.name,
            note=f"选定报价：货款 {_yuan(goods)}，运费 {_yuan(quote.transport_cost_fen)}，"
            f"预计 {order.expected_on} 到货",
        )
    return order


# ---- ordering, closing, cancelling ------------------------------------------------------------------------------


def place_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: → ordered (from need/plan or quotes). Needs a supplier and lines; in transit goes up by every line
    (INV-1, done by `transition`); the expected date defaults to today + the supplier's lead time."""
    import datetime as dt

    with transaction.atomic():
        order = lock(order, version)
        if order.state in TRANSITIONS and State.ORDERED in TRANSITIONS[order.state]:
            if order.supplier_id and not order.supplier.is_active:
                raise DomainError("inactive_supplier", f"供应商 {order.supplier.name} 已停用，不能下单", "supplier")
            if order.expected_on is None and order.supplier_id:
                order.expected_on = clock.today() + dt.timedelta(days=order.supplier.lead_time_days)
                order.save(update_fields=["expected_on"])
        return transition(order, State.ORDERED, actor, note=note)


def _receipts_in_progress(order) -> list[str]:
    from ..models import Receipt

    return list(
        Receipt.objects.filter(order=order, state__in=[Receipt.State.DRAFT, Receipt.State.CHECKED]).values_list(
            "number", flat=True
        )
    )


def close_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: received → closed, or partly received → closed short (a note saying why is required; what is still
    outstanding comes off in transit). Refused while a problem is open or a stock-in slip is not posted yet."""
    with transaction.atomic():
        order = lock(order, version)
        if State.CLOSED not in TRANSITIONS[order.state]:
            return transition(order, State.CLOSED, actor, note=note)  # raises IllegalTransition with the message
        open_problems = list(order.problems.filter(resolved_at__isnull=True).values_list("description", flat=True))
        if open_problems:
            raise DomainError(
                "open_problems",
                f"采购单 {order.number} 还有 {len(open_problems)} 个未解决的问题（{open_problems[0][:40]}），"
                "请先处理并填写解决办法后再完结",
                "problems",
            )
        pending = _receipts_in_progress(order)
        if pending:
            raise DomainError("receipt_pending", f"入库单 {'、'.join(pending)} 还未过账，请先过账或作废", "receipts")
        note = str(note or "").strip()
        if order.state == State.PARTIAL and not note:
            raise DomainError("note_required", f"采购单 {order.number} 只到了一部分货，短缺完结请填写原因", "note")
        if order.state == State.PARTIAL:
            short = sum(ln.outstanding for ln in order.lines.all())
            note = f"短缺完结（未到 {short} 件）：{note}"
        return transition(order, State.CLOSED, actor, note=note)


def cancel_order(actor, order, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: cancel a need/plan, quoting or ordered order (in transit comes off again). Refused once goods were
    received or a stock-in slip exists, and once money was paid."""
    from ..models import Receipt

    with transaction.atomic():
        order = lock(order, version)
        if State.CANCELLED not in TRANSITIONS[order.state]:
            return transition(order, State.CANCELLED, actor, note=note)  # raises IllegalTransition
        slips = list(order.receipts.exclude(state=Receipt.State.CANCELLED).values_list("number", flat=True))
        if slips:
            raise DomainError("has_receipts", f"采购单 {order.number} 已有入库单 {'、'.join(slips)}，不能取消", "state")
        paid = order_figures([order.pk])[order.pk].paid
        if paid:
            raise DomainError(
                "has_payments", f"采购单 {order.number} 已付款 {_yuan(paid)}，不能取消；请与供应商结清后再处理", "state"
            )
        return transition(order, State.CANCELLED, actor, note=str(note or "").strip())


ACTIONS = {
    State.QUOTING: submit_for_quotes,
    State.DRAFT: back_to_plan,
    State.ORDERED: place_order,
    State.CLOSED: close_order,
    State.CANCELLED: cancel_order,
}


def apply_transition(actor, order, to: str, version=None, note: str = "") -> PurchaseOrder:
    """PUR-2: the move `to` by its function (pages and the API). Partly received / received are set by posting
    stock-in slips, never by hand."""
    if to not in State.values:
        raise DomainError("bad_state", f"未知的采购单状态：{to}", "to")
    if to not in ACTIONS:
        order = order if isinstance(order, PurchaseOrder) else PurchaseOrder.objects.get(pk=order)
        raise IllegalTransition(
            "by_receiving", f"“{_state_label(to)}”由入库单过账自动更新，不能手动设置（采购单 {order.number}）", "to"
        )
    return ACTIONS[to](actor, order, version=version, note=note)


def allowed_actions(order: PurchaseOrder) -> list[str]:
    """The moves a person can make from the order's state (receiving's moves excluded), for the page buttons."""
    return [
        to
        for to in (State.QUOTING, State.ORDERED, State.DRAFT, State.CLOSED, State.CANCELLED)
        if to in TRANSITIONS[order.state]
    ]


# ---- payments and problems --------------------------------------------------------------------------------------


def add_payment(actor, order, *, amount_fen, paid_on=None, method: str = "bank", note: str = "", version=None):
    """PUR-2, PUR-3: money paid to the supplier for a placed order. Never more than amount + transport − paid
    (amount: see `order_figures`); not dated in the future."""
    from ..models import Payment

    amount = _int(amount_fen, "付款金额（分）", "amount", low=1, high=10 * MAX_PRICE_FEN)
    paid_on = paid_on or clock.today()
    if paid_on > clock.today():
        raise DomainError("future_date", "付款日期不能晚于今天", "paid_on")
    if method not in Payment.Method.values:
        raise DomainError("bad_method", "付款方式无效", "method")
    with transaction.atomic():
        order = lock(order, version)
        if order.state not in PAYABLE:
            raise DomainError(
                "not_payable", f"采购单 {order.number} 为“{_state_label(order.state)}”，下单后才能付款", "state"
            )
        fig = order_figures([order.pk])[order.pk]
        due = fig.amount + order.transport_cost_fen
        if fig.paid + amount > due:
            raise DomainError(
                "overpaid",
                f"付款超出应付：应付 {_yuan(due)}"
                f"（货款 {_yuan(fig.amount)} + 运费 {_yuan(order.transport_cost_fen)}），"
                f"已付 {_yuan(fig.paid)}，最多还能付 {_yuan(max(due - fig.paid, 0))}",
                "amount",
            )
        payment = Payment.objects.create(
            order=order,
            amount_fen=amount,
            paid_on=paid_on,
            method=method,
            note=str(note or "")[:200],
            actor=_who_staff(actor),
        )
        bump(order, [])
        record_event(
            actor,
            order,
            "po_payment",
            to_state=_yuan(amount),
            note=f"{METHOD_NAMES[method]} {paid_on}，累计已付 {_yuan(fig.paid + amount)}，"
            f"尚欠 {_yuan(due - fig.paid - amount)} {note}".strip(),
        )
    return payment


def report_problem(actor, order, *, kind: str, description: str, version=None):
    """PUR-2: a problem with the purchase (quality, quantity, late, wrong item); it blocks closing until resolved."""
    from ..models import Problem

    description = str(description or "").strip()
    if kind not in Problem.Kind.values:
        raise DomainError("bad_kind", "请选择问题类型", "kind")
    if not description:
        raise DomainError("required", "请描述问题", "description")
    if len(description) > 300:
        raise DomainError("too_long", "问题描述最多 300 个字", "description")
    with transaction.atomic():
        order = lock(order, version)
        if order.state == State.CANCELLED:
            raise DomainError("cancelled", f"采购单 {order.number} 已取消", "state")
        problem = Problem.objects.create(order=order, kind=kind, description=description, created_by=_who_staff(actor))
        bump(order, [])
        record_event(actor, order, "po_problem", to_state=PROBLEM_NAMES[kind], note=description)
    return problem


def resolve_problem(actor, problem, *, resolution: str, version=None):
    """PUR-2: how a problem was solved and what improves next time (required text)."""
    resolution = str(resolution or "").strip()
    if not resolution:
        raise DomainError("required", "请填写解决办法 / 改进措施", "resolution")
    if len(resolution) > 300:
        raise DomainError("too_long", "解决办法最多 300 个字", "resolution")
    with transaction.atomic():
        order = lock(problem.order_id, version)
        problem = order.problems.select_for_update().get(pk=problem.pk)
        if problem.resolved_at:
            raise DomainError("resolved", "这个问题已经解决过了", "resolution")
        problem.resolution, problem.resolved_at = resolution, clock.now()
        problem.save(update_fields=["resolution", "resolved_at"])
        bump(order, [])
        record_event(
            actor,
            order,
            "po_problem",
            from_state=PROBLEM_NAMES.get(problem.kind, problem.kind),
            to_state="已解决",
            note=f"{problem.description} → {resolution}",
        )
    return problem


# ---------------------------------------------------------------------------------------------------------------
# Reads: figures per order, the list with its tabs and filters
# ---------------------------------------------------------------------------------------------------------------


class OrderFigures:
    """Amount rule (PUR-3): ordered pieces × unit price; once closed, received pieces × unit price (a short-closed
    order owes only what arrived). due = amount + transport; owed = due − paid."""

    __slots__ = ("amount", "faulty", "lines", "paid", "pieces", "received", "transport")

    def __init__(self):
        self.amount = self.paid = self.lines = self.pieces = self.received = self.faulty = self.transport = 0

    @property
    def due(self) -> int:
        return self.amount + self.transport

    @property
    def owed(self) -> int:
        return self.due - self.paid

    @property
    def received_pct(self) -> int:
        return min(round(self.received * 100 / self.pieces), 100) if self.pieces else 0

    @property
    def outstanding(self) -> int:
        return max(self.pieces - self.received, 0)


def order_figures(order_ids) -> dict[int, OrderFigures]:
    """Figures of many orders in three grouped queries (lines, payments, transport)."""
    from django.db.models import Case, Count, IntegerField, Sum, When

    from ..models import Payment

    ids = list(order_ids)
    out = {pk: OrderFigures() for pk in ids}
    if not ids:
        return out
    billed = Case(
        When(order__state=State.CLOSED, then=F("received_qty") * F("unit_cost_fen")),
        default=F("quantity") * F("unit_cost_fen"),
        output_field=IntegerField(),
    )
    for row in (
        PurchaseOrderLine.objects.filter(order_id__in=ids)
        .values("order_id")
        .annotate(
            amount=Sum(billed),
            n=Count("pk"),
            pieces=Sum("quantity"),
            received=Sum("received_qty"),
            faulty=Sum("faulty_qty"),
        )
    ):
        f = out[row["order_id"]]
        f.amount, f.lines, f.pieces = row["amount"] or 0, row["n"], row["pieces"] or 0
        f.received, f.faulty = row["received"] or 0, row["faulty"] or 0
    for row in Payment.objects.filter(order_id__in=ids).values("order_id").annotate(paid=Sum("amount_fen")):
        out[row["order_id"]].paid = row["paid"] or 0
    for pk, transport in PurchaseOrder.objects.filter(pk__in=ids).values_list("pk", "transport_cost_fen"):
        out[pk].transport = transport
    return out


TABS = ("all", State.DRAFT, State.QUOTING, State.ORDERED, State.PARTIAL, State.RECEIVED, State.CLOSED, State.CANCELLED)


class OrderFilters:
    """List filters from the query string: tab (a state or all), supplier id, q (number or merchant code), created
    between date_from and date_to (Beijing days, inclusive), late (expected date passed, goods not all in)."""

    def __init__(self, tab="all", supplier=None, q="", date_from=None, date_to=None, late=False):
        self.tab, self.supplier, self.q = tab, supplier, q
        self.date_from, self.date_to, self.late = date_from, date_to, late

    @classmethod
    def from_params(cls, params) -> OrderFilters:
        import datetime as dt

        def day(value):
            try:
                return dt.date.fromisoformat(str(value)) if value else None
            except ValueError:
                return None

        tab = params.get("tab") or params.get("state") or "all"
        supplier = str(params.get("supplier") or "")
        return cls(
            tab=tab if tab in TABS else "all",
            supplier=int(supplier) if supplier.isdigit() else None,
            q=str(params.get("q") or "").strip()[:64],
            date_from=day(params.get("date_from")),
            date_to=day(params.get("date_to")),
            late=str(params.get("late") or "") in ("1", "true", "on"),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.supplier or self.q or self.date_from or self.date_to or self.late)

    def as_params(self) -> dict:
        params = {
            "supplier": self.supplier or "",
            "q": self.q,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "late": "1" if self.late else "",
        }
        return {k: v for k, v in params.items() if v}


def filtered_orders(filters: OrderFilters, *, with_tab: bool = True):
    from django.db.models import Exists, OuterRef, Q

    qs = PurchaseOrder.objects.all()
    if filters.supplier:
        qs = qs.filter(supplier_id=filters.supplier)
    if filters.q:
        q = filters.q
        on_line = PurchaseOrderLine.objects.filter(order=OuterRef("pk")).filter(
            Q(sku__code__icontains=q) | Q(sku__barcode=q)
        )
        qs = qs.filter(Q(number__icontains=q) | Q(reason__icontains=q) | Exists(on_line))
    if filters.date_from:
        qs = qs.filter(created_at__gte=clock.local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(created_at__lt=clock.local_day_bounds(filters.date_to)[1])
    if filters.late:
        qs = qs.filter(state__in=OPEN_FOR_RECEIPT, expected_on__lt=clock.today())
    if with_tab and filters.tab != "all":
        qs = qs.filter(state=filters.tab)
    return qs


def tab_counts(filters: OrderFilters) -> dict[str, int]:
    from django.db.models import Count

    counts = {t: 0 for t in TABS}
    for row in filtered_orders(filters, with_tab=False).order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    counts["all"] = sum(counts[s] for s in TABS[1:])
    return counts


def is_late(order: PurchaseOrder) -> bool:
    return bool(order.state in OPEN_FOR_RECEIPT and order.expected_on and order.expected_on < clock.today())
