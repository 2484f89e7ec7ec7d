"""INV-2: the ledger rebuilds the stock figures exactly — `verify_stock` checks it.

One GROUP BY query sums the ledger's changes per (SKU, warehouse); the stock levels are read in the same order
and the two sorted streams are merged, so memory stays flat on millions of ledger rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum

from ..models import LedgerEntry, StockLevel


@dataclass(frozen=True)
class Difference:
    sku_id: int
    warehouse_id: int
    on_hand: int | None  # the stock level's figure (None: no stock level at all)
    reserved: int | None
    ledger_on_hand: int  # what the ledger adds up to
    ledger_reserved: int

    def describe(self, sku_codes: dict | None = None, warehouse_names: dict | None = None) -> str:
        sku = (sku_codes or {}).get(self.sku_id, f"SKU#{self.sku_id}")
        wh = (warehouse_names or {}).get(self.warehouse_id, f"仓库#{self.warehouse_id}")
        if self.on_hand is None:
            return f"{sku} @ {wh}：没有库存记录，流水合计在库 {self.ledger_on_hand}、预留 {self.ledger_reserved}"
        return (
            f"{sku} @ {wh}：库存记录 在库 {self.on_hand}、预留 {self.reserved}；"
            f"流水合计 在库 {self.ledger_on_hand}、预留 {self.ledger_reserved}"
        )


@dataclass
class StockCheck:
    levels: int = 0  # stock levels compared
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify_stock(chunk_size: int = 5000) -> StockCheck:
    """INV-2: rebuild every stock level from the ledger (sum of changes per SKU and warehouse) and compare it to
    StockLevel (on hand, reserved). Returns the number of levels compared and the differences."""
    sums = (
        LedgerEntry.objects.order_by()
        .values("sku_id", "warehouse_id")
        .annotate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
        .order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", "on_hand", "reserved")
        .iterator(chunk_size=chunk_size)
    )
    levels = (
        StockLevel.objects.order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", "on_hand", "reserved")
        .iterator(chunk_size=chunk_size)
    )
    check = StockCheck()
    ledger_row, level_row = next(sums, None), next(levels, None)
    while ledger_row is not None or level_row is not None:
        ledger_key = ledger_row[:2] if ledger_row is not None else None
        level_key = level_row[:2] if level_row is not None else None
        if level_row is not None and (ledger_key is None or level_key < ledger_key):
            check.levels += 1  # a level without any ledger entry must be empty
            if level_row[2] or level_row[3]:
                check.differences.append(Difference(*level_row, 0, 0))
            level_row = next(levels, None)
        elif level_row is None or ledger_key < level_key:
            if ledger_row[2] or ledger_row[3]:
                check.differences.append(Difference(*ledger_key, None, None, ledger_row[2] or 0, ledger_row[3] or 0))
            ledger_row = next(sums, None)
        else:
            check.levels += 1
            if (level_row[2], level_row[3]) != (ledger_row[2] or 0, ledger_row[3] or 0):
                check.differences.append(Difference(*level_row, ledger_row[2] or 0, ledger_row[3] or 0))
            ledger_row, level_row = next(sums, None), next(levels, None)
    return check
