"""Editing a purchase order (PUR-2): its lines (typed or pasted as “商家编码 数量 单价”, changed, removed, added)
before ordering, and its header (supplier and warehouse before ordering; expected date, transport, need and note
until it is closed). Each change: the order locked with the version the person saw, one version bump, one
timeline entry; every bad row is named and nothing is saved unless all rows are good."""

from __future__ import annotations

from django.db import transaction

from zhanggui.catalog.models import Sku
from zhanggui.core.bounds import check_fen, check_quantity
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen, yuan_to_fen

from ..models import PurchaseOrder, PurchaseOrderLine, SupplierProduct
from ..selectors import order_figures
from .orders import HEADER_EDITABLE, bump, lock, require_editable, state_label

register_event_kinds({"po_line": "采购明细"})


def _check_line(label: str, qty, cost) -> tuple[int, int]:
    """Quantity and unit price (fen) within the company's bounds (core.bounds), or a DomainError naming the row."""
    return check_quantity(qty, f"{label}：采购数量", "lines"), check_fen(cost or 0, f"{label}：单价", "lines")


def parse_lines(text: str, supplier=None) -> list[tuple[Sku, int, int]]:
    """Lines typed or pasted as “商家编码 数量 单价” (one per row; spaces, tabs or commas; price in yuan, optional:
    the supplier's price for the product, else the SKU's cost price). All rows are checked; any bad row refuses
    the whole text with one Chinese line per bad row (DomainError.details)."""
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
        try:  # rule 7: the company's bounds; what is not a number at all is named as typed
            qty = check_quantity(parts[1] if len(parts) > 1 else 1, "数量", "lines")
        except DomainError as exc:
            bad = exc.code == "bad_number"
            errors.append(f"{label}：数量“{parts[1][:20]}”应为大于 0 的整数" if bad else f"{label}：{exc.message}")
            continue
        if len(parts) > 2:
            try:
                cost = check_fen(yuan_to_fen(parts[2]), "单价", "lines")
            except DomainError as exc:
                bad = exc.code == "invalid_money"
                errors.append(f"{label}：单价“{parts[2][:20]}”应为金额，如 35.50" if bad else f"{label}：{exc.message}")
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
        require_editable(order)
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
                notes.append(
                    f"{line.sku.code} {line.quantity}×{format_fen(line.unit_cost_fen)} → {qty}×{format_fen(cost)}"
                )
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
                notes.append(f"新增 {code} {qty}×{format_fen(cost)}")
        if errors:
            raise DomainError("bad_lines", f"有 {len(errors)} 行有误：{errors[0]}", "lines", details=errors)
        for pk in sorted(remove):
            notes.append(f"删除 {lines[pk].sku.code}")
        if remove:
            PurchaseOrderLine.objects.filter(pk__in=remove, order=order).delete()
        for line in updates:
            line.quantity = check_quantity(line.quantity, f"{line.sku.code}：采购数量", "lines")
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
                "not_editable", f"采购单 {order.number} 已{state_label(order.state)}，不能再修改", "state"
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
            require_editable(order)
            if supplier is not None and not supplier.is_active:
                raise DomainError("inactive_supplier", f"供应商 {supplier.name} 已停用", "supplier")
            put("supplier", supplier, "供应商")
            order.quotes.filter(is_chosen=True).exclude(supplier=supplier).update(is_chosen=False)
        if warehouse is not _UNSET and warehouse.pk != order.warehouse_id:
            require_editable(order)
            put("warehouse", warehouse, "收货仓库")
        if expected_on is not _UNSET:
            put("expected_on", expected_on, "预计到货")
        if transport_cost_fen is not _UNSET:
            cost = check_fen(transport_cost_fen, "运费", "transport_cost_fen")
            if cost != order.transport_cost_fen:
                fig = order_figures([order.pk])[order.pk]
                if fig.paid > fig.amount + cost:
                    raise DomainError(
                        "below_paid",
                        f"已付款 {format_fen(fig.paid)}，运费至少为 {format_fen(fig.paid - fig.amount)}",
                        "transport_cost_fen",
                    )
            put("transport_cost_fen", cost, "运费", format_fen)
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
