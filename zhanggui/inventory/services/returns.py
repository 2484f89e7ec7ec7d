"""Returned goods (INV-5): inspected at the warehouse — intact pieces go back to sellable stock, damaged ones to the
separate damaged account (残损账). The seed (S3 二.8): 退货商品到库房后，检查商品是否完好，商品完好重新入库.

After-sales calls `receive_return` with its own reference (e.g. the return case number). A retried job must not
book twice. Decision: the ledger itself is the marker — entries with document = reference and reason return or
damaged mean "already booked" — and the check runs under a per-reference lock, so two retries racing each other
cannot both pass it: on PostgreSQL a transaction-scoped advisory lock on the reference, on SQLite the write
transaction itself (transaction_mode IMMEDIATE serialises writers). No extra table needed, and the ledger
stays the one truth (INV-2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection, transaction

from zhanggui.catalog.models import Sku
from zhanggui.core.bounds import check_quantity
from zhanggui.core.errors import DomainError

from ..models import LedgerEntry
from .stock import Move, _warehouse, move_stock

Reason = LedgerEntry.Reason
RETURN_REASONS = (Reason.RETURN, Reason.DAMAGED)


@dataclass
class ReturnResult:
    entries: list[LedgerEntry]
    created: bool  # False: the reference was booked before, nothing changed


def _lock_reference(reference: str) -> None:
    """Serialise bookings of one reference until the transaction ends (PostgreSQL advisory lock)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE write transaction already serialises every writer
    key = int.from_bytes(hashlib.sha256(f"stock-return:{reference}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _sku(value) -> Sku:
    """A Sku, its id (int), or a merchant code / barcode (str)."""
    if isinstance(value, Sku):
        return value
    if isinstance(value, int):
        sku = Sku.objects.filter(pk=value).first()
    else:
        code = str(value or "").strip()
        sku = Sku.objects.filter(code=code).first() or Sku.objects.filter(barcode=code).first() if code else None
    if sku is None:
        raise DomainError("unknown_sku", f"没有商家编码或条码为 {value} 的商品", "lines")
    return sku


def booked_entries(reference: str):
    return LedgerEntry.objects.filter(document=reference, reason__in=RETURN_REASONS).order_by("pk")


def receive_return(actor, reference: str, lines, warehouse=None) -> ReturnResult:
    """INV-5: book an inspected return. lines = [(sku or id or code, qty, intact: bool, note)]: intact pieces →
    on hand (reason return), damaged → damaged account (reason damaged), document = `reference`.

    All or nothing; idempotent per reference: if the reference was booked already, nothing changes and the
    earlier entries come back with created=False."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("no_reference", "缺少退货单据号", "reference")
    if len(reference) > 80:
        raise DomainError("reference_too_long", "退货单据号不能超过 80 个字符", "reference")
    intact, damaged, problems = [], [], []
    for n, line in enumerate(lines, start=1):
        try:
            sku, qty, ok, note = [*line, ""][:4]
        except (TypeError, ValueError):
            raise DomainError("bad_lines", f"第 {n} 行格式不对", "lines") from None
        label = f"第 {n} 行"
        try:
            sku = _sku(sku)
        except DomainError as exc:
            problems.append(f"{label}：{exc.message}")
            continue
        try:
            qty = check_quantity(qty, "退货数量", "lines")  # rule 7: the company's bounds
        except DomainError as exc:
            problems.append(f"{label} {sku.code}：{exc.message}")
            continue
        note = str(note or "")[:200]
        if ok:
            intact.append(Move(sku, on_hand=qty, note=note or "退货完好入库", label=f"{label} {sku.code}"))
        else:
            damaged.append(Move(sku, damaged=qty, note=note or "退货残损", label=f"{label} {sku.code}"))
    if problems:
        raise DomainError("bad_lines", "；".join(problems), "lines", problems)
    if not intact and not damaged:
        raise DomainError("no_lines", "没有退货明细", "lines")
    warehouse = _warehouse(warehouse)
    with transaction.atomic():
        _lock_reference(reference)
        earlier = list(booked_entries(reference))
        if earlier:
            return ReturnResult(earlier, created=False)
        entries = []
        if intact:
            entries += move_stock(actor, intact, reason=Reason.RETURN, document=reference, warehouse=warehouse)
        if damaged:
            entries += move_stock(actor, damaged, reason=Reason.DAMAGED, document=reference, warehouse=warehouse)
    return ReturnResult(entries, created=True)


def write_off_damaged(actor, sku, warehouse, qty: int, note: str = "", document: str = "") -> LedgerEntry:
    """Write off pieces from the damaged account (报废 / 折价处理): damaged −qty, reason write_off. Refused, naming
    the SKU, when the account holds fewer pieces."""
    qty = check_quantity(qty, "核销数量", "qty")
    sku = _sku(sku)
    (entry,) = move_stock(
        actor,
        [Move(sku, damaged=-qty, note=note, label=sku.code)],
        reason=Reason.WRITE_OFF,
        document=document or "残损核销",
        warehouse=warehouse,
    )
    return entry
