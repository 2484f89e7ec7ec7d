"""INV-2: the ledger rebuilds the stock figures exactly — `verify_stock` checks it.

One GROUP BY query sums the ledger's changes per (SKU, warehouse); the stock levels are read in the same order
and the two sorted streams are merged, so memory stays flat on millions of ledger rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum

from ..models import LedgerEntry, StockLevel

_WORDS = ("在库", "预留", "次品待换", "残损账")


@dataclass(frozen=True)
class Difference:
    sku_id: int
    warehouse_id: int
    level: tuple[int, int, int, int] | None  # the stock level's on hand, reserved, faulty, damaged (None: no level)
    ledger: tuple[int, int, int, int]  # what the ledger's changes add up to

    @property
    def on_hand(self) -> int | None:
        return self.level[0] if self.level else None

    @property
    def reserved(self) -> int | None:
        return self.level[1] if self.level else None

    @property
    def ledger_on_hand(self) -> int:
        return self.ledger[0]

    @property
    def ledger_reserved(self) -> int:
        return self.ledger[1]

    def describe(self, sku_codes: dict | None = None, warehouse_names: dict | None = None) -> str:
        sku = (sku_codes or {}).get(self.sku_id, f"SKU#{self.sku_id}")
        wh = (warehouse_names or {}).get(self.warehouse_id, f"仓库#{self.warehouse_id}")
        ledger = "、".join(f"{w} {n}" for w, n in zip(_WORDS, self.ledger, strict=True) if n or w in _WORDS[:2])
        if self.level is None:
            return f"{sku} @ {wh}：没有库存记录，流水合计 {ledger}"
        level = "、".join(f"{w} {n}" for w, n in zip(_WORDS, self.level, strict=True) if n or w in _WORDS[:2])
        return f"{sku} @ {wh}：库存记录 {level}；流水合计 {ledger}"


@dataclass
class StockCheck:
    levels: int = 0  # stock levels compared
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


_FIGURES = ("on_hand", "reserved", "faulty", "damaged")


def verify_stock(chunk_size: int = 5000) -> StockCheck:
    """INV-2: rebuild every stock level from the ledger (sum of changes per SKU and warehouse) and compare it to
    StockLevel (on hand, reserved, faulty, damaged). Returns the number of levels compared and the differences."""
    sums = (
        LedgerEntry.objects.order_by()
        .values("sku_id", "warehouse_id")
        .annotate(**{f"sum_{f}": Sum(f"{f}_change") for f in _FIGURES})
        .order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", *(f"sum_{f}" for f in _FIGURES))
        .iterator(chunk_size=chunk_size)
    )
    levels = (
        StockLevel.objects.order_by("sku_id", "warehouse_id")
        .values_list("sku_id", "warehouse_id", *_FIGURES)
        .iterator(chunk_size=chunk_size)
    )
    check = StockCheck()
    ledger_row, level_row = next(sums, None), next(levels, None)
    while ledger_row is not None or level_row is not None:
        ledger_key = ledger_row[:2] if ledger_row is not None else None
        level_key = level_row[:2] if level_row is not None else None
        ledger = tuple(n or 0 for n in ledger_row[2:]) if ledger_row is not None else None
        level = tuple(level_row[2:]) if level_row is not None else None
        if level_row is not None and (ledger_key is None or level_key < ledger_key):
            check.levels += 1  # a level without any ledger entry must be empty
            if any(level):
                check.differences.append(Difference(*level_key, level, (0, 0, 0, 0)))
            level_row = next(levels, None)
        elif level_row is None or ledger_key < level_key:
            if any(ledger):
                check.differences.append(Difference(*ledger_key, None, ledger))
            ledger_row = next(sums, None)
        else:
            check.levels += 1
            if level != ledger:
                check.differences.append(Difference(*level_key, level, ledger))
            ledger_row, level_row = next(sums, None), next(levels, None)
    return check
