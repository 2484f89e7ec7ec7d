"""INV-2: the ledger rebuilds the stock figures exactly — `verify_stock` checks it.

One GROUP BY query sums the ledger's changes per (SKU, warehouse); the stock levels are read in the same order
and the two sorted streams are merged, so memory stays flat on millions of ledger rows.

INV-2, ORD-4: an open reservation must belong to a document that still needs its goods — the reservation of an
order that shipped, was signed for, completed or closed holds stock nobody will ship. Inventory does not import the
documents' apps (the layers point down): each app that reserves registers a *reference check* for its reference
prefix (`register_reference_check("order", check)` in its AppConfig.ready()); `verify_stock` hands each check the
keys of that prefix's open reservations, in chunks, and reports those the check says may not be open. A registry,
not a domain event, because this is a question asked of the upper app (a query), not news of a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from ..models import LedgerEntry, Reservation, StockLevel

# prefix ("order") → check(keys) → {key: why a reservation of that document may not be open (Chinese)}
ReferenceCheck = Callable[[list[str]], dict[str, str]]
_REFERENCE_CHECKS: dict[str, ReferenceCheck] = {}


def register_reference_check(prefix: str, check: ReferenceCheck) -> None:
    """Called by an app that reserves stock under "<prefix>:<key>" (e.g. orders: "order:<pk>"), from its
    AppConfig.ready(): `check` takes keys and answers, for the documents whose state forbids an open reservation,
    why (e.g. "订单 … 已发货"). Re-registering a prefix replaces its check."""
    _REFERENCE_CHECKS[prefix] = check


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


@dataclass(frozen=True)
class StaleReservation:
    """An open reservation whose document no longer needs the goods (INV-2, ORD-4)."""

    reference: str
    sku_id: int
    warehouse_id: int
    quantity: int
    reason: str  # the document's state, in Chinese

    def describe(self, sku_codes: dict | None = None, warehouse_names: dict | None = None) -> str:
        sku = (sku_codes or {}).get(self.sku_id, f"SKU#{self.sku_id}")
        wh = (warehouse_names or {}).get(self.warehouse_id, f"仓库#{self.warehouse_id}")
        return f"{sku} @ {wh}：预留 {self.quantity} 件仍未结束，但{self.reason}（{self.reference}）"


@dataclass
class StockCheck:
    levels: int = 0  # stock levels compared
    differences: list[Difference] = field(default_factory=list)
    stale: list[StaleReservation] = field(default_factory=list)  # open reservations of finished documents

    @property
    def ok(self) -> bool:
        return not self.differences and not self.stale


_FIGURES = ("on_hand", "reserved", "faulty", "damaged")


def verify_stock(chunk_size: int = 5000) -> StockCheck:
    """INV-2: rebuild every stock level from the ledger (sum of changes per SKU and warehouse) and compare it to
    StockLevel (on hand, reserved, faulty, damaged); then check the open reservations against the state of their
    documents (stale_reservations). Returns the number of levels compared and the differences."""
    check = _verify_levels(chunk_size)
    check.stale = stale_reservations(chunk_size)
    return check


def _chunks(items: Iterable, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stale_reservations(chunk_size: int = 5000) -> list[StaleReservation]:
    """INV-2, ORD-4: the open reservations whose document's registered check (register_reference_check) says the
    goods are no longer needed — one query per chunk of open reservations plus the checks' own. References without
    a registered prefix are not judged."""
    found: list[StaleReservation] = []
    rows = (
        Reservation.objects.filter(state=Reservation.State.OPEN)
        .order_by("pk")
        .values_list("reference", "sku_id", "warehouse_id", "quantity")
        .iterator(chunk_size=chunk_size)
    )
    for chunk in _chunks(rows, chunk_size):
        by_prefix: dict[str, list[tuple]] = {}
        for row in chunk:
            prefix, sep, key = row[0].partition(":")
            if sep and prefix in _REFERENCE_CHECKS:
                by_prefix.setdefault(prefix, []).append((key, row))
        for prefix, keyed in by_prefix.items():
            reasons = _REFERENCE_CHECKS[prefix](sorted({key for key, _row in keyed}))
            found += [StaleReservation(*row, reasons[key]) for key, row in keyed if key in reasons]
    return found


def _verify_levels(chunk_size: int) -> StockCheck:
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
