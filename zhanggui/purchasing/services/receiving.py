"""Receiving (INV-3): the stock-in slip (入库单) from counting to posting, and PUR-4 (a restock that differs).

The seed's procedure (S3 运营流程): goods arrive → the warehouse counts them, sorted by colour and size (分码分色),
with item codes → prints the slip → checks it with the purchaser (进货人员) → posts it into the stock software.
Faulty pieces found in the quality check go on the supplier-exchange list and are stored apart (StockLevel.faulty).

States: counting (draft) → checked with purchaser → posted; counting/checked → cancelled; checked → counting
(the purchaser sends it back). Counts change only while counting. Every change raises `version`: a change based
on an older version is refused ("已被他人修改，请刷新").

Decisions (documented here, tested in tests/purchasing/test_receiving.py):
- Check (核对) needs purchasing.check_receipt. The person who counted may not check their own count (four eyes),
  except a manager (店长): in a one-person shop the manager both counts and checks.
- Over-delivery is refused: a purchase-order line never receives more than its outstanding quantity. Extra pieces
  go on a separate free receipt (no purchase order), so the purchase order and its money stay exact.
- Posting is ONE transaction with the receipt row locked (select_for_update): stock moves (good → on hand, faulty →
  faulty), exchange rows, purchase-order received quantities and state, in-transit, timeline, PUR-4 tasks. Any
  refusal rolls back everything; two postings at once → exactly one succeeds.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse

from zhanggui.catalog.models import Sku
from zhanggui.catalog.selectors import size_rank
from zhanggui.core import clock, pdf
from zhanggui.core.bounds import check_quantity
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.states import Machine
from zhanggui.inventory.models import Bin, LedgerEntry, StockLevel
from zhanggui.inventory.services.stock import Move, add_in_transit, default_warehouse, move_stock
from zhanggui.inventory.services.warehouses import set_home_bin
from zhanggui.team.tasks_service import assign_to_roles

from ..models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, SupplierExchange
from . import orders

State = Receipt.State
CHECK_PERM = "purchasing.check_receipt"
SLIP_STATE_WORDS = {State.DRAFT: "清点中", State.CHECKED: "已核对", State.POSTED: "已入库", State.CANCELLED: "已作废"}

# INV-3: the only moves a stock-in slip can make.
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.CHECKED, State.CANCELLED},
    State.CHECKED: {State.DRAFT, State.POSTED, State.CANCELLED},
    State.POSTED: set(),
    State.CANCELLED: set(),
}

register_event_kinds(
    {
        "rk_created": "新建入库单",
        "rk_counted": "清点",
        "rk_scan": "扫码清点",
        "rk_state": "入库单状态",
        "rk_differs": "补货与上批不同",
    }
)


SLIPS = Machine(Receipt, TRANSITIONS, name="入库单 {number}", event_kind="rk_state")  # labels: the choice labels


def _is_manager(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.groups.filter(role__code="manager").exists()


def _int(value, label: str, field: str) -> int:
    try:
        return int(str(value).strip() or 0)
    except (TypeError, ValueError):
        raise DomainError("bad_quantity", f"{label}：{field}必须是整数", field) from None


def _counted(value, label: str, what: str) -> int:
    """A counted quantity: 0 … the company's bound (rule 7, core.bounds)."""
    return check_quantity(str(value).strip() or 0, f"{label}：{what}", "lines", low=0)


# ---- reading --------------------------------------------------------------------------------------------------


def line_sort_key(line: ReceiptLine, colour_rank: dict) -> tuple:
    """分码分色: product (style code), colour (in the order the product's colours were created), size S<M<L."""
    sku = line.sku
    return (sku.product.style_code, colour_rank.get((sku.product_id, sku.colour), 0), size_rank(sku.size), sku.pk)


def sorted_lines(receipt: Receipt) -> list[ReceiptLine]:
    """The slip's lines sorted by product, colour and size (INV-3 "分码分色"), each with `.row` = 1, 2, 3…"""
    lines = list(receipt.lines.select_related("sku__product", "bin", "order_line"))
    colour_rank: dict = {}
    for line in sorted(lines, key=lambda ln: ln.sku_id):
        colour_rank.setdefault((line.sku.product_id, line.sku.colour), line.sku_id)
    lines.sort(key=lambda ln: line_sort_key(ln, colour_rank))
    for n, line in enumerate(lines, start=1):
        line.row = n
        line.label = f"第 {n} 行 {line.sku.code}"
    return lines


def totals(lines) -> dict:
    expected = sum(ln.expected_qty for ln in lines)
    counted = sum(ln.counted_qty for ln in lines)
    faulty = sum(ln.faulty_qty for ln in lines)
    return {"expected": expected, "counted": counted, "faulty": faulty, "good": counted - faulty}


def _home_bins(sku_ids, warehouse_id) -> dict[int, int | None]:
    return dict(
        StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=set(sku_ids)).values_list(
            "sku_id", "home_bin_id"
        )
    )


# ---- creating -------------------------------------------------------------------------------------------------


def create_receipt(actor, *, order: PurchaseOrder | None = None, supplier=None, warehouse=None, note: str = ""):
    """INV-3: a new stock-in slip in state counting. Against a purchase order (ordered or partly received): one
    line per line still outstanding, expected = outstanding, the bin = the SKU's home bin. Free (no order): no
    lines yet — they are added by scanning merchant codes or barcodes; the supplier is optional."""
    if order is not None:
        order = PurchaseOrder.objects.select_related("supplier", "warehouse").get(pk=getattr(order, "pk", order))
        if order.state not in orders.OPEN_FOR_RECEIPT:
            raise DomainError(
                "order_not_open",
                f"采购单 {order.number} 当前为“{order.get_state_display()}”，只有已下单或部分到货的采购单可以入库",
                "order",
            )
        outstanding = [ln for ln in order.lines.all() if ln.outstanding > 0]
        if not outstanding:
            raise DomainError("nothing_outstanding", f"采购单 {order.number} 已全部到货", "order")
        supplier, warehouse = order.supplier, order.warehouse
    else:
        warehouse = warehouse or default_warehouse()
        outstanding = []
    bins = _home_bins([ln.sku_id for ln in outstanding], warehouse.pk)
    for _attempt in range(3):  # two slips created in the same second may pick the same number
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    number=orders.next_number("RK", Receipt),
                    order=order,
                    supplier=supplier,
                    warehouse=warehouse,
                    note=(note or "")[:200],
                )
                ReceiptLine.objects.bulk_create(
                    ReceiptLine(
                        receipt=receipt,
                        sku_id=ln.sku_id,
                        order_line=ln,
                        expected_qty=ln.outstanding,
                        bin_id=bins.get(ln.sku_id),
                    )
                    for ln in outstanding
                )
                record_event(
                    actor,
                    receipt,
                    "rk_created",
                    to_state=SLIPS.label(State.DRAFT),
                    note=f"采购单 {order.number}" if order else "无采购单入库",
                )
                return receipt
        except IntegrityError:
            continue
    raise DomainError("number_taken", "入库单号冲突，请重试", "number")


# ---- counting -------------------------------------------------------------------------------------------------


def save_counts(
    actor,
    receipt: Receipt,
    rows,
    *,
    version,
    differs_from_last_batch: bool | None = None,
    difference_note: str | None = None,
    note: str | None = None,
) -> Receipt:
    """INV-3: save the count of several lines at once. rows = [{"line": id, "counted", "faulty", "bin", "note"}]
    (missing keys keep their value). Refused as a whole, naming each bad row: negative counts, faulty more than
    counted, a bin of another warehouse. Also the PUR-4 flag "与上批不同" and what differs."""
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        SLIPS.require(receipt, {State.DRAFT}, "修改清点数量（请先退回清点）")
        SLIPS.check_version(receipt, version)
        by_id = {ln.pk: ln for ln in sorted_lines(receipt)}
        bins = {b.pk: b for b in Bin.objects.filter(warehouse_id=receipt.warehouse_id)}
        problems, changed = [], []
        for row in rows:
            line = by_id.get(_int(row.get("line"), "明细", "line"))
            if line is None:
                problems.append(f"明细 {row.get('line')} 不在入库单 {receipt.number} 中")
                continue
            try:
                counted = _counted(row.get("counted", line.counted_qty), line.label, "实到")
                faulty = _counted(row.get("faulty", line.faulty_qty), line.label, "次品")
            except DomainError as exc:
                problems.append(exc.message)
                continue
            if faulty > counted:
                problems.append(f"{line.label}：次品 {faulty} 件多于实到 {counted} 件")
                continue
            bin_id = line.bin_id
            if "bin" in row:
                raw = str(row.get("bin") or "").strip()
                bin_id = int(raw) if raw.isdigit() else None
                if raw and bin_id not in bins:
                    problems.append(f"{line.label}：库位不在{receipt.warehouse.name}")
                    continue
            line_note = str(row.get("note", line.note) or "").strip()[:200]
            if (counted, faulty, bin_id, line_note) != (line.counted_qty, line.faulty_qty, line.bin_id, line.note):
                line.counted_qty, line.faulty_qty, line.bin_id, line.note = counted, faulty, bin_id, line_note
                changed.append(line)
        if problems:
            raise DomainError("bad_counts", "；".join(problems), "lines", problems)
        header_before = (receipt.differs_from_last_batch, receipt.difference_note, receipt.note)
        if differs_from_last_batch is not None:
            receipt.differs_from_last_batch = bool(differs_from_last_batch)
        if difference_note is not None:
            receipt.difference_note = difference_note.strip()[:300]
        if note is not None:
            receipt.note = note.strip()[:200]
        if receipt.differs_from_last_batch and not receipt.difference_note:
            raise DomainError("difference_note", "勾选了“与上批不同”，请写明哪里不同（质量、细节…）", "difference_note")
        header_changed = header_before != (receipt.differs_from_last_batch, receipt.difference_note, receipt.note)
        if not changed and not header_changed:
            return receipt  # nothing new: no version bump, no timeline noise
        ReceiptLine.objects.bulk_update(changed, ["counted_qty", "faulty_qty", "bin", "note"])
        if changed and getattr(actor, "is_authenticated", False):
            receipt.counted_by = actor  # whoever entered the count (the four-eyes rule of `check` uses it)
        SLIPS.save(receipt, ["counted_by", "differs_from_last_batch", "difference_note", "note"])
        sums = totals(by_id.values())
        parts = [f"改了 {len(changed)} 行；实到 {sums['counted']} 件，次品 {sums['faulty']} 件"] if changed else []
        if header_changed and receipt.differs_from_last_batch:
            parts.append(f"与上批不同：{receipt.difference_note}")
        elif header_changed:
            parts.append("修改备注/与上批相同")
        record_event(actor, receipt, "rk_counted", note="；".join(parts))
    return receipt


def find_sku(code: str) -> Sku:
    code = (code or "").strip()
    if not code:
        raise DomainError("no_code", "请扫描或输入商家编码/条码", "code")
    sku = Sku.objects.select_related("product").filter(Q(code=code) | Q(barcode=code)).first()
    if sku is None:
        raise DomainError("unknown_sku", f"没有商家编码或条码为 {code} 的商品", "code")
    if sku.is_combo:
        raise DomainError("combo", f"{sku.code} 是组合装，请按组成 SKU 入库", "code")
    return sku


def scan(actor, receipt: Receipt, code: str, qty: int = 1) -> ReceiptLine:
    """Scanner friendly counting: a scanned merchant code or barcode adds `qty` (1) to its line's counted
    quantity. On a free receipt an SKU not on the slip gets a new line; on a purchase-order receipt it is refused
    (over-delivery and wrong items go on a separate free receipt)."""
    qty = check_quantity(qty, "扫码数量", "qty")  # rule 7: 1 … the company's bound
    sku = find_sku(code)
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        SLIPS.require(receipt, {State.DRAFT}, "继续清点（请先退回清点）")
        line = ReceiptLine.objects.filter(receipt=receipt, sku=sku).first()
        if line is None:
            if receipt.order_id:
                raise DomainError(
                    "not_on_order",
                    f"{sku.code} 不在采购单 {receipt.order.number} 中：多出或错发的货请另开一张无采购单的入库单",
                    "code",
                )
            home = _home_bins([sku.pk], receipt.warehouse_id).get(sku.pk)
            line = ReceiptLine.objects.create(receipt=receipt, sku=sku, counted_qty=qty, bin_id=home)
        else:
            line.counted_qty = check_quantity(line.counted_qty + qty, f"{sku.code} 实到", "qty")
            line.save(update_fields=["counted_qty"])
        receipt.counted_by = actor if getattr(actor, "is_authenticated", False) else receipt.counted_by
        SLIPS.save(receipt, ["counted_by"])
        record_event(actor, receipt, "rk_scan", note=f"{sku.code} +{qty}（实到 {line.counted_qty}）")
    line.sku = sku
    return line


# ---- checking, posting, cancelling ----------------------------------------------------------------------------


def _over_delivery(receipt: Receipt, lines) -> list[str]:
    """Lines receiving more than their purchase-order line still awaits (read after the order is locked)."""
    order_lines = {ol.pk: ol for ol in PurchaseOrderLine.objects.filter(order_id=receipt.order_id)}
    problems = []
    for line in lines:
        ol = order_lines.get(line.order_line_id)
        if ol is None or not line.counted_qty:
            continue
        if line.counted_qty > ol.outstanding:
            problems.append(
                f"{line.label}：采购 {ol.quantity} 件，已到 {ol.received_qty} 件，本次实到 {line.counted_qty} 件，"
                f"超出 {line.counted_qty - ol.outstanding} 件。请按采购数量入库，多出的另开一张无采购单的入库单"
            )
    return problems


def check(actor, receipt: Receipt, *, version, note: str = "") -> Receipt:
    """INV-3: the purchaser checks the counted slip (核对) — counting → checked. Needs purchasing.check_receipt;
    the counter may not check their own count unless they are the manager. Refused when nothing was counted or a
    line exceeds what its purchase order still awaits (caught here, before posting)."""
    if not getattr(actor, "has_perm", lambda p: False)(CHECK_PERM):
        raise DomainError("forbidden", "只有进货人员（有“核对入库单”权限）可以核对入库单", "state")
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        SLIPS.require(receipt, {State.DRAFT}, "核对")
        SLIPS.check_version(receipt, version)
        if receipt.counted_by_id and receipt.counted_by_id == actor.pk and not _is_manager(actor):
            raise DomainError("same_person", "清点人不能核对自己清点的入库单，请由进货人员核对", "checked_by")
        lines = sorted_lines(receipt)
        if not any(ln.counted_qty for ln in lines):
            raise DomainError("nothing_counted", f"入库单 {receipt.number} 还没有清点数量", "lines")
        problems = _over_delivery(receipt, lines) if receipt.order_id else []
        if problems:
            raise DomainError("over_delivery", "；".join(problems), "lines", problems)
        receipt.checked_by, receipt.checked_at = actor, clock.now()
        SLIPS.move_locked(receipt, State.CHECKED, actor, note, ["checked_by", "checked_at"])
    return receipt


def reopen(actor, receipt: Receipt, *, version, note: str = "") -> Receipt:
    """The purchaser sends a checked slip back to counting (the count did not match)."""
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        SLIPS.require(receipt, {State.CHECKED}, "退回清点")
        SLIPS.check_version(receipt, version)
        receipt.checked_by, receipt.checked_at = None, None
        SLIPS.move_locked(receipt, State.DRAFT, actor, note, ["checked_by", "checked_at"])
    return receipt


def cancel(actor, receipt: Receipt, *, version, note: str = "") -> Receipt:
    """作废: a slip not yet posted is cancelled (nothing was booked, so nothing to undo)."""
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        SLIPS.require(receipt, {State.DRAFT, State.CHECKED}, "作废（已入库的单据不能作废）")
        SLIPS.check_version(receipt, version)
        SLIPS.move_locked(receipt, State.CANCELLED, actor, note)
    return receipt


def post(actor, receipt: Receipt, *, version) -> Receipt:
    """INV-3: post a checked slip, all or nothing in ONE transaction:

    - stock: good pieces → on hand, faulty → faulty (stored apart), reason receipt, document = slip number;
    - the supplier-exchange list: one row per line with faulty pieces;
    - the purchase order: received/faulty per line, state → partly received or received, in transit down by the
      counted pieces (never below 0), a timeline entry;
    - the SKU's home bin set from the line's bin when it had none (INV-4);
    - PUR-4: when the slip differs from the earlier batch, tasks for the editor and the designer.

    The receipt row is locked first, so a second posting at the same time waits and is then refused."""
    with transaction.atomic():
        receipt = SLIPS.lock(receipt)
        if receipt.state == State.POSTED:
            raise IllegalTransition("already_posted", f"入库单 {receipt.number} 已入库，不能重复入库", "state")
        if receipt.state == State.CANCELLED:
            raise IllegalTransition("cancelled", f"入库单 {receipt.number} 已作废，不能入库", "state")
        if receipt.state != State.CHECKED:
            raise IllegalTransition("not_checked", f"入库单 {receipt.number} 还没有与进货人员核对，不能入库", "state")
        SLIPS.check_version(receipt, version)
        lines = sorted_lines(receipt)
        booked = [ln for ln in lines if ln.counted_qty]
        if not booked:
            raise DomainError("nothing_counted", f"入库单 {receipt.number} 没有实到数量", "lines")
        order = None
        if receipt.order_id:
            order = orders.lock(receipt.order_id)  # receipts of one order post one after the other
            if order.state not in orders.OPEN_FOR_RECEIPT:
                raise DomainError(
                    "order_not_open",
                    f"采购单 {order.number} 已“{order.get_state_display()}”，不能再入库；"
                    "如货已到，请开无采购单的入库单",
                    "order",
                )
            problems = _over_delivery(receipt, booked)
            if problems:
                raise DomainError("over_delivery", "；".join(problems), "lines", problems)
        moves = [
            Move(ln.sku_id, on_hand=ln.good_qty, faulty=ln.faulty_qty, label=ln.label, note=ln.note) for ln in booked
        ]
        move_stock(
            actor, moves, reason=LedgerEntry.Reason.RECEIPT, document=receipt.number, warehouse=receipt.warehouse
        )
        supplier_id = receipt.supplier_id or (order.supplier_id if order else None)
        SupplierExchange.objects.bulk_create(
            SupplierExchange(
                supplier_id=supplier_id,
                receipt_line=ln,
                sku_id=ln.sku_id,
                warehouse_id=receipt.warehouse_id,
                quantity=ln.faulty_qty,
                reason=ln.note or "次品",
            )
            for ln in booked
            if ln.faulty_qty
        )
        homes = _home_bins([ln.sku_id for ln in booked if ln.bin_id], receipt.warehouse_id)
        for ln in booked:
            if ln.bin_id and homes.get(ln.sku_id) is None:
                set_home_bin(actor, ln.sku, receipt.warehouse, ln.bin)
        counted = sum(ln.counted_qty for ln in booked)
        faulty = sum(ln.faulty_qty for ln in booked)
        if order is not None:
            _receive_on_order(actor, order, receipt, booked, counted, faulty)
        receipt.posted_by, receipt.posted_at = actor, clock.now()
        if not receipt.supplier_id and supplier_id:
            receipt.supplier_id = supplier_id
        note = f"良品 {counted - faulty} 件入库，次品 {faulty} 件进换货清单" if faulty else f"{counted} 件入库"
        SLIPS.move_locked(receipt, State.POSTED, actor, note, ["posted_by", "posted_at", "supplier"])
        if receipt.differs_from_last_batch:
            _tell_team(actor, receipt, booked)
    return receipt


def _receive_on_order(actor, order: PurchaseOrder, receipt: Receipt, booked, counted: int, faulty: int) -> None:
    """PUR-2: the purchase order learns what arrived: received per line, state, in transit (INV-1)."""
    for ln in booked:
        if ln.order_line_id:
            orders.add_received(ln.order_line, ln.counted_qty, ln.faulty_qty)
    add_in_transit(order.warehouse_id, {ln.sku_id: -ln.counted_qty for ln in booked if ln.order_line_id})
    complete = not PurchaseOrderLine.objects.filter(order=order, received_qty__lt=F("quantity")).exists()
    target = PurchaseOrder.State.RECEIVED if complete else PurchaseOrder.State.PARTIAL
    if target != order.state:
        orders.transition(order, target, actor, note=f"入库单 {receipt.number}")
    else:
        orders.bump(order, [])
    record_event(actor, order, "po_receipt", note=f"入库单 {receipt.number}：实到 {counted} 件，次品 {faulty} 件")


def _tell_team(actor, receipt: Receipt, booked) -> None:
    """PUR-4: the restock differs from the earlier batch → the editor and the designer update images, description
    and price. One task per role and slip (a retried posting does not task twice), naming the products."""
    products = []
    for ln in booked:
        if ln.sku.product not in products:
            products.append(ln.sku.product)
    names = "、".join(f"{p.style_code} {p.name}" for p in products)
    detail = (
        f"入库单 {receipt.number} 的货与上批不同：{receipt.difference_note}\n"
        f"涉及商品：{names}\n请核对并更新主图、详情描述和价格。"
    )
    url = reverse("catalog:detail", args=[products[0].pk]) if products else ""
    more = f" 等 {len(products)} 款" if len(products) > 1 else ""
    title = f"补货与上批不同：{products[0].style_code if products else receipt.number}{more}"
    assign_to_roles(
        actor, ["editor", "designer"], title=title, detail=detail, url=url, source=f"receipt:{receipt.pk}", rule="PUR-4"
    )
    for product in products:
        record_event(actor, product, "rk_differs", note=f"入库单 {receipt.number}：{receipt.difference_note}")


# ---- the printed slip -----------------------------------------------------------------------------------------


def slip_document(receipt: Receipt, printed_by: str = "") -> pdf.Document:
    """INV-3: the printed stock-in slip, two copies (库房联 / 进货人员联), lines sorted by colour and size."""
    lines = sorted_lines(receipt)
    sums = totals(lines)

    def who(user) -> str:
        return str(user) if user else ""  # 工号 and name

    facts = [
        ("供应商", receipt.supplier.name if receipt.supplier_id else "—"),
        ("采购单", receipt.order.number if receipt.order_id else "无（自由入库）"),
        ("仓库", receipt.warehouse.name),
        ("日期", clock.local(receipt.created_at).strftime("%Y-%m-%d")),
        ("状态", SLIP_STATE_WORDS[receipt.state]),
        ("清点人", who(receipt.counted_by) or "—"),
    ]
    if receipt.checked_by_id:
        facts.append(("核对人", who(receipt.checked_by)))
    columns = [
        pdf.Column("商家编码", 44),
        pdf.Column("品名", 40),
        pdf.Column("颜色", 15),
        pdf.Column("尺码", 11),
        pdf.Column("库位", 16),
        pdf.Column("应到", 13, numeric=True),
        pdf.Column("实到", 13, numeric=True),
        pdf.Column("次品", 13, numeric=True),
        pdf.Column("良品", 13, numeric=True),
    ]
    rows = [
        [
            ln.sku.code,
            ln.sku.product.name,
            ln.sku.colour or "—",
            ln.sku.size or "—",
            ln.bin.code if ln.bin_id else "",
            ln.expected_qty if ln.order_line_id else "—",
            ln.counted_qty,
            ln.faulty_qty or "",
            ln.good_qty,
        ]
        for ln in lines
    ]
    total_row = [
        "合计",
        f"{len(lines)} 行",
        "",
        "",
        "",
        sums["expected"],
        sums["counted"],
        sums["faulty"],
        sums["good"],
    ]
    notes = []
    faulty_lines = [ln for ln in lines if ln.faulty_qty]
    if faulty_lines:
        notes.append(
            "次品（单独存放，列入供应商换货清单）："
            + "；".join(f"{ln.sku.code} {ln.faulty_qty} 件{('：' + ln.note) if ln.note else ''}" for ln in faulty_lines)
        )
    if receipt.differs_from_last_batch:
        notes.append(f"与上批不同：{receipt.difference_note}")
    if receipt.note:
        notes.append(f"备注：{receipt.note}")
    return pdf.Document(
        title="入库单",
        number=receipt.number,
        facts=facts,
        columns=columns,
        rows=rows,
        totals=total_row,
        notes=notes,
        signatures=["清点人", "核对人（进货人员）"],
        copies=["库房联", "进货人员联"],
        printed_by=printed_by,
    )
