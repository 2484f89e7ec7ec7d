"""The supplier-exchange list (换货清单, INV-3): faulty pieces found at receiving, per supplier.

The seed (S3 运营流程 7 / 二.2): the warehouse lists the faulty goods (two copies: one for the purchaser, one kept by
the warehouse), stores them apart, the purchaser takes them back to the supplier; what comes back exchanged is
booked in again, what the supplier will not exchange goes on a separate account (单独建账).

Rows (SupplierExchange) are created by posting a stock-in slip; the pieces sit in StockLevel.faulty meanwhile.
    stored apart (pending) → handed to purchaser (sent) → exchanged | not exchanged (refused)
    pending may also be settled directly (the supplier's rep exchanges on the spot).
- exchanged: faulty −n, on hand +n (reason exchange): good pieces came back for the faulty ones.
- refused:   faulty −n, damaged +n (reason damaged): the separate account.
Part of a row can be settled: the row is split (the settled part becomes its own closed row, the rest stays).
Batch actions are all or nothing, rows locked in primary-key order; a row someone else settled meanwhile is
refused by name.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from zhanggui.core import clock, pdf
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_events, register_event_kinds
from zhanggui.core.states import Machine
from zhanggui.inventory.models import LedgerEntry
from zhanggui.inventory.services.stock import Move, move_stock

from ..models import Supplier, SupplierExchange

State = SupplierExchange.State

# INV-3: the only moves an exchange row can make.
TRANSITIONS: dict[str, set[str]] = {
    State.PENDING: {State.SENT, State.EXCHANGED, State.REFUSED},
    State.SENT: {State.EXCHANGED, State.REFUSED},
    State.EXCHANGED: set(),
    State.REFUSED: set(),
}
OPEN = (State.PENDING, State.SENT)

register_event_kinds({"hh_state": "换货状态"})


EXCHANGES = Machine(
    SupplierExchange,
    TRANSITIONS,
    name="换货 #{pk} {sku.code}",  # labels: the choice labels
    event_kind="hh_state",
    related=("sku", "receipt_line__receipt"),
)


def document_of(ex: SupplierExchange) -> str:
    """The ledger document of an exchange row: the stock-in slip it came from, else the row itself."""
    if ex.receipt_line_id:
        return ex.receipt_line.receipt.number
    return f"换货#{ex.pk}"


def _parse(items) -> dict[int, int | None]:
    """items: ids, or (id, qty) pairs (qty None = the whole row)."""
    wanted: dict[int, int | None] = {}
    for item in items:
        pk, qty = item if isinstance(item, (tuple, list)) else (item, None)
        try:
            pk = int(pk)
            qty = None if qty in (None, "") else int(qty)
        except (TypeError, ValueError):
            raise DomainError("bad_quantity", "数量必须是整数", "quantity") from None
        wanted[pk] = qty
    if not wanted:
        raise DomainError("nothing_selected", "请先勾选换货记录", "ids")
    return wanted


def send(actor, items, note: str = "") -> list[SupplierExchange]:
    """Hand the selected rows to the purchaser (交进货人员): pending → sent. No stock change — the pieces stay on
    the faulty account until the supplier has settled them."""
    return _change(actor, items, State.SENT, note)


def resolve(actor, items, outcome: str, note: str = "") -> list[SupplierExchange]:
    """Settle rows: outcome exchanged (已换回: faulty → on hand, reason exchange) or refused (不予换货: faulty →
    damaged account, reason damaged). items = ids or (id, qty): a qty below the row's quantity splits the row."""
    if outcome not in (State.EXCHANGED, State.REFUSED):
        raise DomainError("bad_outcome", "换货结果只能是“已换回”或“不予换货”", "outcome")
    return _change(actor, items, outcome, note)


def _change(actor, items, to: str, note: str) -> list[SupplierExchange]:
    wanted = _parse(items)
    with transaction.atomic():
        rows = EXCHANGES.lock_many(wanted)
        missing = set(wanted) - {r.pk for r in rows}
        if missing:
            raise DomainError("not_found", f"换货记录不存在：{'、'.join(map(str, sorted(missing)))}", "ids")
        problems = []
        for ex in rows:
            qty = wanted[ex.pk]
            if not EXCHANGES.allows(ex, to):
                problems.append(EXCHANGES.illegal(ex, to).message)
            elif qty is not None and not 1 <= qty <= ex.quantity:
                problems.append(f"{EXCHANGES.name(ex)}：数量应在 1 到 {ex.quantity} 之间")
        if problems:
            raise IllegalTransition("illegal_transition", "；".join(problems), "ids", problems)
        now = clock.now()
        done, events = [], []
        for ex in rows:
            qty = wanted[ex.pk] or ex.quantity
            before = ex.state
            if qty < ex.quantity:  # split: the rest stays where it was
                ex.quantity -= qty
                ex.save(update_fields=["quantity"])
                part = SupplierExchange.objects.create(
                    supplier_id=ex.supplier_id,
                    receipt_line_id=ex.receipt_line_id,
                    sku_id=ex.sku_id,
                    warehouse_id=ex.warehouse_id,
                    quantity=qty,
                    reason=ex.reason,
                    state=to,
                    closed_at=now if to in (State.EXCHANGED, State.REFUSED) else None,
                )
                part.sku, part.receipt_line = ex.sku, ex.receipt_line
                events.append((ex, before, f"拆出 {qty} 件（#{part.pk}），余 {ex.quantity} 件"))
                ex = part
            else:
                ex.state = to
                ex.closed_at = now if to in (State.EXCHANGED, State.REFUSED) else None
                ex.save(update_fields=["state", "closed_at"])
            events.append((ex, before, f"{qty} 件{('：' + note) if note else ''}"))
            done.append(ex)
        if to in (State.EXCHANGED, State.REFUSED):
            _book(actor, done, to)
        record_events(actor, [EXCHANGES.event_row(ex, before, ex.state, text) for ex, before, text in events])
    return done


def _book(actor, rows, outcome: str) -> None:
    """The stock side of settled rows, one move_stock per warehouse and document (all inside the caller's
    transaction: a refused move rolls the whole batch back)."""
    groups: dict[tuple[int, str], list[Move]] = defaultdict(list)
    for ex in rows:
        if outcome == State.EXCHANGED:
            move = Move(
                ex.sku_id, on_hand=ex.quantity, faulty=-ex.quantity, label=EXCHANGES.name(ex), note="供应商换回"
            )
        else:
            move = Move(
                ex.sku_id, faulty=-ex.quantity, damaged=ex.quantity, label=EXCHANGES.name(ex), note="供应商不予换货"
            )
        groups[(ex.warehouse_id, document_of(ex))].append(move)
    reason = LedgerEntry.Reason.EXCHANGE if outcome == State.EXCHANGED else LedgerEntry.Reason.DAMAGED
    for (warehouse_id, document), moves in sorted(groups.items()):
        move_stock(actor, moves, reason=reason, document=document, warehouse=warehouse_id)


# ---- reading and printing ------------------------------------------------------------------------------------


def exchange_rows(*, state: str | None = None, supplier_id: int | None = None):
    qs = SupplierExchange.objects.select_related(
        "supplier", "sku__product", "warehouse", "receipt_line__receipt"
    ).order_by("supplier__code", "-created_at", "-pk")
    if state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return qs


def list_document(rows, supplier: Supplier | None, printed_by: str = "") -> pdf.Document:
    """INV-3: the printable exchange list, two copies (进货人员联 / 库房联)."""
    rows = list(rows)
    day = clock.today()
    number = f"HH{day:%Y%m%d}-{supplier.code if supplier else 'ALL'}"
    facts = [
        ("供应商", supplier.name if supplier else "全部供应商"),
        ("日期", f"{day:%Y-%m-%d}"),
    ]
    if supplier:
        contact = " ".join(x for x in (supplier.contact_name, supplier.phone, supplier.wechat) if x)
        facts.append(("联系人", contact or "—"))
        if supplier.address:
            facts.append(("地址", supplier.address))
    columns = [
        pdf.Column("商家编码", 44),
        pdf.Column("品名", 36),
        pdf.Column("颜色", 15),
        pdf.Column("尺码", 11),
        pdf.Column("数量", 12, numeric=True),
        pdf.Column("次品原因", 32),
        pdf.Column("入库单", 30),
    ]
    if supplier is None:
        columns[5] = pdf.Column("次品原因 / 供应商", 32)
    body = [
        [
            ex.sku.code,
            ex.sku.product.name,
            ex.sku.colour or "—",
            ex.sku.size or "—",
            ex.quantity,
            ex.reason if supplier else f"{ex.reason} / {ex.supplier.name if ex.supplier_id else '—'}",
            ex.receipt_line.receipt.number if ex.receipt_line_id else "—",
        ]
        for ex in rows
    ]
    return pdf.Document(
        title="供应商换货清单",
        number=number,
        facts=facts,
        columns=columns,
        rows=body,
        totals=["合计", f"{len(rows)} 行", "", "", sum(ex.quantity for ex in rows), "", ""],
        notes=["次品单独存放；换回的货再做换货入库，供应商不予换货的记入残损账（单独建账）。"],
        signatures=["库房", "进货人员"],
        copies=["进货人员联", "库房联"],
        printed_by=printed_by,
    )
