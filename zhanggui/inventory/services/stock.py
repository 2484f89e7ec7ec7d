"""Stock services — the ONLY place stock levels change (INV-1, INV-2; Saleor's warehouse/management.py idea).

Every change of a StockLevel is one conditional UPDATE that the database checks (never a Python read followed by
a write), returning the figures after the change (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35), and one
LedgerEntry with those figures, the reason, the document and the 工号 of whoever did it. A change of several
levels updates them in primary-key order, so two transactions touching the same levels queue up instead of
deadlocking. The hot path (reserve) is plain SQL: it runs for every paid order line. On PostgreSQL it is ONE
statement (reservations, levels and ledger entries; `_reserve_sql`), so a level stays locked only until the COMMIT.

- `receive_stock`: on hand up (receipt, opening balance, return) or up/down (adjustment, never below reserved).
- `reserve` → `release` / `commit`: the two-stage allocation (django-oscar's allocate → cancel / consume). A
  reservation is unique per (reference, SKU, warehouse), so a retried job never reserves twice — even when two
  retries race, the unique constraint lets only one through (INSERT … ON CONFLICT DO NOTHING RETURNING).
- PROD-6: after the transaction commits, StockChanged (core.domain_events) is delivered for the SKUs whose
  availability in some level crossed zero in it, with the available quantity per SKU (summed over the active
  warehouses) read then; the catalog marks sold-out SKUs and delists listings. Changes that cross no zero publish
  nothing: they cannot make a SKU sold out or back in stock (see `_crosses_zero`), and they are nearly every
  reservation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from zhanggui.catalog.models import ComboItem, Sku
from zhanggui.core import clock
from zhanggui.core.bounds import check_quantity, max_quantity
from zhanggui.core.domain_events import StockChanged, deliver
from zhanggui.core.errors import DomainError

from ..models import LedgerEntry, Reservation, StockLevel, Warehouse

Reason = LedgerEntry.Reason
RECEIVE_REASONS = {Reason.RECEIPT, Reason.OPENING, Reason.RETURN, Reason.ADJUST}
_REASON_WORDS = {Reason.RECEIPT: "入库", Reason.OPENING: "期初", Reason.RETURN: "退货入库", Reason.ADJUST: "调整"}

__all__ = [
    "Move", "add_in_transit", "available_by_sku", "close_many", "commit", "commit_part", "default_warehouse",
    "move_stock", "receive_stock", "release", "reserve",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def _who(actor) -> tuple:
    """(user or None, 工号) for the ledger."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor, getattr(actor, "number", "") or ""
    return None, ""


def _pk(obj) -> int:
    return int(getattr(obj, "pk", obj))


def default_warehouse() -> Warehouse:
    """The warehouse used when none is given: the active default one, else the only active one."""
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("-is_default", "pk")[:2])
    if warehouses and (warehouses[0].is_default or len(warehouses) == 1):
        return warehouses[0]
    if not warehouses:
        raise DomainError("no_warehouse", "还没有仓库，请先新建仓库", "warehouse")
    raise DomainError("no_default_warehouse", "有多个仓库但没有默认仓库，请指定仓库或设置默认仓库", "warehouse")


def _warehouse(warehouse) -> Warehouse:
    if warehouse is None:
        return default_warehouse()
    if not isinstance(warehouse, Warehouse):
        found = Warehouse.objects.filter(pk=warehouse).first()
        if found is None:
            raise DomainError("no_warehouse", "仓库不存在", "warehouse")
        warehouse = found
    if not warehouse.is_active:
        raise DomainError("warehouse_inactive", f"仓库“{warehouse.name}”已停用", "warehouse")
    return warehouse


def _ensure_levels(sku_ids: Iterable[int], warehouse_id: int) -> dict[int, int]:
    """{sku_id: StockLevel pk} for these SKUs in the warehouse, creating missing (empty) levels in one INSERT."""
    sku_ids = set(sku_ids)
    found = dict(StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=sku_ids).values_list("sku_id", "pk"))
    missing = sku_ids - set(found)
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(sku_id=s, warehouse_id=warehouse_id) for s in sorted(missing)], ignore_conflicts=True
        )
        found.update(
            StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=missing).values_list("sku_id", "pk")
        )
    return found


_SQL: dict[str, str] = {}


def _update_sql(by: str) -> str:
    """The conditional UPDATE of one stock level, by its id or by (sku_id, warehouse_id)."""
    if by not in _SQL:
        if connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 35):
            raise RuntimeError("库存服务需要 SQLite 3.35 或更新版本（UPDATE … RETURNING）")
        table = connection.ops.quote_name(StockLevel._meta.db_table)
        where = "id = %s" if by == "id" else "sku_id = %s AND warehouse_id = %s"
        # INV-1: the database decides. The change is applied only when on hand stays ≥ reserved, reserved stays
        # ≥ 0 and the faulty and damaged accounts (INV-3, INV-5) stay ≥ 0 after it; RETURNING gives the figures
        # after the change (PostgreSQL, SQLite ≥ 3.35).
        _SQL[by] = (
            f"UPDATE {table} SET on_hand = on_hand + %s, reserved = reserved + %s, faulty = faulty + %s, "
            f"damaged = damaged + %s, updated_at = %s "
            f"WHERE {where} AND on_hand + %s >= reserved + %s AND reserved + %s >= 0 "
            "AND faulty + %s >= 0 AND damaged + %s >= 0 "
            "RETURNING on_hand, reserved, faulty, damaged"
        )
    return _SQL[by]


Figures = tuple[int, int, int, int]  # on hand, reserved, faulty, damaged — after a change


def _run_update(by: str, key: list, change: Figures, now) -> Figures | None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    on_hand, reserved, faulty, damaged = change
    with connection.cursor() as cursor:
        cursor.execute(
            _update_sql(by),
            [*change, stamp, *key, on_hand, reserved, reserved, faulty, damaged],
        )
        row = cursor.fetchone()
    return tuple(row) if row else None


def _apply(level_pk: int, on_hand_change: int, reserved_change: int, now, faulty=0, damaged=0) -> Figures | None:
    """One conditional UPDATE of a stock level; the figures after it, or None when the database refused."""
    return _run_update("id", [level_pk], (on_hand_change, reserved_change, faulty, damaged), now)


def _apply_at(sku_id: int, warehouse_id: int, on_hand_change: int, reserved_change: int, now) -> Figures | None:
    """The same, addressed by (SKU, warehouse) — the unique index — for a single row (no lock order to keep)."""
    return _run_update("key", [sku_id, warehouse_id], (on_hand_change, reserved_change, 0, 0), now)


def available_by_sku(sku_ids: Iterable[int]) -> dict[int, int]:
    """Available (on hand − reserved) per SKU, summed over the active warehouses; 0 for SKUs without stock.

    Plain SQL: one cheap indexed query (StockChanged reads it after a commit)."""
    ids = sorted({_pk(s) for s in sku_ids})
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    q = connection.ops.quote_name
    level, warehouse = q(StockLevel._meta.db_table), q(Warehouse._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.sku_id, SUM(l.on_hand - l.reserved) FROM {level} l JOIN {warehouse} w ON w.id = l.warehouse_id "
            f"WHERE l.sku_id IN ({marks}) AND w.is_active GROUP BY l.sku_id",
            ids,
        )
        result.update({sku_id: int(qty or 0) for sku_id, qty in cursor.fetchall()})
    return result


def _crosses_zero(entry: LedgerEntry) -> bool:
    """PROD-6: did this change take the level's availability (on hand − reserved) to zero or up from zero?

    Before = after − change. A level's availability never drops below zero (INV-1, the conditional UPDATE), so the
    sum over warehouses is 0 exactly when every level is 0: the sum can only reach or leave 0 in a transaction in
    which some level does. Changes that cross nothing (most reservations, every ship) need no announcement."""
    available = entry.on_hand_after - entry.reserved_after
    before = available - entry.on_hand_change + entry.reserved_change
    return (available > 0) != (before > 0)


def _announce(sku_ids: Iterable[int]) -> None:
    """PROD-6: after the transaction commits, deliver StockChanged for these SKUs (those that crossed zero)."""
    ids = sorted(set(sku_ids))
    if ids:
        transaction.on_commit(lambda: _stock_changed(ids))


def _stock_changed(ids: list[int]) -> None:
    """Read the availability and run the subscribers in one transaction holding the SKU rows (pk order), so two
    announcements of one SKU (sold out here, restocked there) queue up and the later one reads the later stock:
    a subscriber never leaves a stale sold-out mark behind. FOR NO KEY UPDATE: reservations, whose new rows only
    take a key-share lock on the SKU (foreign key), never wait for it."""
    with transaction.atomic():
        list(Sku.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
        deliver(StockChanged(sku_ids=tuple(ids), available=available_by_sku(ids)))


def _ledger(
    sku_id, warehouse_id, reason, document, on_hand_change, reserved_change, after, who, note="", faulty=0, damaged=0
):
    actor, number = who
    return LedgerEntry(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        reason=reason,
        document=(document or "")[:80],
        on_hand_change=on_hand_change,
        reserved_change=reserved_change,
        faulty_change=faulty,
        damaged_change=damaged,
        on_hand_after=after[0],
        reserved_after=after[1],
        faulty_after=after[2],
        damaged_after=after[3],
        actor=actor,
        actor_number=number,
        note=(note or "")[:200],
    )


def _codes(sku_ids: Iterable[int]) -> dict[int, str]:
    return dict(Sku.objects.filter(pk__in=set(sku_ids)).values_list("pk", "code"))


_LEDGER_COLUMNS = (
    "at",
    "sku_id",
    "warehouse_id",
    "reason",
    "document",
    "on_hand_change",
    "reserved_change",
    "faulty_change",
    "damaged_change",
    "on_hand_after",
    "reserved_after",
    "faulty_after",
    "damaged_after",
    "actor_id",
    "actor_number",
    "note",
)


def _write_ledger(entries: list[LedgerEntry], now) -> None:
    """INV-2: the ledger entries of one change in one plain INSERT (the hot path of reserve/release/commit)."""
    if not entries:
        return
    q = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = []
    for e in entries:
        e.at = now
        params += [stamp, *(getattr(e, c) for c in _LEDGER_COLUMNS[1:])]
    row = "(" + ", ".join(["%s"] * len(_LEDGER_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(LedgerEntry._meta.db_table)} ({', '.join(q(c) for c in _LEDGER_COLUMNS)}) "
            f"VALUES {', '.join([row] * len(entries))}",
            params,
        )


# ---------------------------------------------------------------------------------------------------------------
# Receiving and adjusting (INV-1, INV-2)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One change of one SKU's stock: on hand (sellable), faulty (stored apart, INV-3), damaged (separate
    account, INV-3/INV-5). Reserved changes only through reserve/release/commit. `label` names the row in
    errors (e.g. "第 3 行")."""

    sku: object  # a Sku or its id
    on_hand: int = 0
    faulty: int = 0
    damaged: int = 0
    note: str = ""
    label: str = ""


_ACCOUNT_WORDS = (("on_hand", "在库"), ("faulty", "次品待换"), ("damaged", "残损账"))


def _refusal(move: Move, code: str, level: StockLevel | None) -> str:
    """Why the database refused `move`, in words, from the level as it is now."""
    head = f"{move.label + '：' if move.label else ''}{code}"
    on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
    if move.on_hand < 0 and on_hand + move.on_hand < reserved:
        if reserved:
            return f"{head} 在库 {on_hand} 件、已预留 {reserved} 件，不能减少 {-move.on_hand} 件（在库不能少于预留）"
        return f"{head} 在库 {on_hand} 件，不能减少 {-move.on_hand} 件"
    for account, word in _ACCOUNT_WORDS[1:]:
        change, now = getattr(move, account), getattr(level, account, 0) if level else 0
        if change < 0 and now + change < 0:
            return f"{head} {word} {now} 件，不能减少 {-change} 件"
    return f"{head} 库存变动被拒绝"


def move_stock(actor, moves, *, reason: str, document: str = "", warehouse=None, note: str = "") -> list[LedgerEntry]:
    """Apply `moves` (list of Move) to `warehouse` (None: the default one) in ONE transaction — all or nothing
    (INV-2): each is one conditional UPDATE the database checks and one ledger entry with `reason` and `document`.
    When the database refuses any move, nothing is written and DomainError "stock_refused" lists every refused
    row in `details`. Levels are updated in primary-key order (no deadlocks between two postings)."""
    if reason not in Reason.values or reason in {Reason.RESERVE, Reason.RELEASE, Reason.SHIP}:
        raise DomainError("bad_reason", f"不支持的库存变动原因：{reason}", "reason")
    moves = [m for m in moves if m.on_hand or m.faulty or m.damaged]
    if not moves:
        raise DomainError("no_lines", "没有要记账的数量", "lines")
    high = max_quantity()  # rule 7: every source (slip, return, stocktake, script) within the company's bound
    if too_big := [m for m in moves if max(abs(m.on_hand), abs(m.faulty), abs(m.damaged)) > high]:
        labels = [f"{m.label or 'SKU ' + str(_pk(m.sku))}：数量超过 {high:,}" for m in too_big]
        raise DomainError("out_of_range", "；".join(labels), "lines", labels)
    skus = {s.pk: s for s in Sku.objects.filter(pk__in={_pk(m.sku) for m in moves})}
    problems = []
    for m in moves:
        sku = skus.get(_pk(m.sku))
        if sku is None:
            problems.append(f"{m.label + '：' if m.label else ''}SKU {_pk(m.sku)} 不存在")
        elif sku.is_combo:
            problems.append(f"{m.label + '：' if m.label else ''}组合装 {sku.code} 没有自己的库存，请对其组成 SKU 记账")
    if problems:
        raise DomainError("bad_lines", "；".join(problems), "lines", problems)
    warehouse = _warehouse(warehouse)
    who = _who(actor)
    with transaction.atomic():
        levels = _ensure_levels(skus, warehouse.pk)
        now = clock.now()
        entries, refused = [], []
        for m in sorted(moves, key=lambda m: levels[_pk(m.sku)]):
            sku_id = _pk(m.sku)
            after = _apply(levels[sku_id], m.on_hand, 0, now, m.faulty, m.damaged)
            if after is None:
                refused.append((m, sku_id))
                continue
            entries.append(
                _ledger(
                    sku_id,
                    warehouse.pk,
                    reason,
                    document,
                    m.on_hand,
                    0,
                    after,
                    who,
                    m.note or note,
                    m.faulty,
                    m.damaged,
                )
            )
        if refused:
            current = StockLevel.objects.in_bulk([levels[s] for _, s in refused])
            details = [_refusal(m, skus[s].code, current.get(levels[s])) for m, s in refused]
            transaction.set_rollback(True)
            raise DomainError("stock_refused", "；".join(details), "lines", details)
        LedgerEntry.objects.bulk_create(entries)  # not the hot path: the entries come back with their ids
        _announce(e.sku_id for e in entries if _crosses_zero(e))
    return entries


def receive_stock(
    actor, sku, warehouse, qty: int, document: str = "", reason: str = "receipt", note: str = ""
) -> LedgerEntry:
    """Change the on-hand quantity of `sku` in `warehouse` (None: the default one) by `qty` (INV-1, INV-2).

    reason: receipt (入库), opening (期初), return (退货入库) — qty > 0; adjust (调整) — qty ≠ 0, and on hand may
    never drop below what is reserved. Returns the ledger entry (before/after figures, the actor's 工号).
    """
    if reason not in RECEIVE_REASONS:
        raise DomainError("bad_reason", f"不支持的库存变动原因：{reason}", "reason")
    low = -max_quantity() if reason == Reason.ADJUST else 1  # INV-2: only an adjustment takes away
    qty = check_quantity(qty, f"{_REASON_WORDS[reason]}数量", "qty", low=low)
    if qty == 0 or (qty < 0 and reason != Reason.ADJUST):
        raise DomainError("bad_quantity", f"{_REASON_WORDS[reason]}数量必须大于 0", "qty")
    if not isinstance(sku, Sku) and not Sku.objects.filter(pk=sku).exists():
        raise DomainError("no_sku", "SKU 不存在", "sku")
    try:
        (entry,) = move_stock(
            actor, [Move(sku, on_hand=qty)], reason=reason, document=document, warehouse=warehouse, note=note
        )
    except DomainError as error:
        if error.code == "stock_refused":
            raise DomainError("below_reserved", error.message, "qty") from None
        if error.code == "bad_lines":
            raise DomainError("combo_no_stock", error.message, "sku") from None
        raise
    return entry


def add_in_transit(warehouse_id: int, changes: dict[int, int]) -> None:
    """In transit (在途, INV-1): goods ordered from suppliers and not yet received. Not physical stock, so no ledger
    entry; purchasing adds on ordering and takes off on receipt, closing or cancelling. Never below zero."""
    changes = {sku_id: delta for sku_id, delta in changes.items() if delta}
    if not changes:
        return
    levels = _ensure_levels(changes, warehouse_id)
    for sku_id in sorted(changes, key=levels.get):  # primary-key order, as everywhere
        StockLevel.objects.filter(pk=levels[sku_id]).update(
            in_transit=Greatest(F("in_transit") + changes[sku_id], 0), updated_at=clock.now()
        )


# ---------------------------------------------------------------------------------------------------------------
# Reserve → release / commit (INV-1)
# ---------------------------------------------------------------------------------------------------------------


def _expand(lines) -> dict[int, int]:
    """{part SKU id: quantity} in SKU order: a combination SKU stands for its parts (qty × part quantity)."""
    wanted: dict[int, int] = defaultdict(int)
    is_combo: dict[int, bool] = {}
    for sku, qty in lines:
        try:
            qty = int(qty)
        except (TypeError, ValueError):
            raise DomainError("bad_quantity", "数量必须是整数", "qty") from None
        if qty <= 0:
            raise DomainError("bad_quantity", "预留数量必须大于 0", "qty")
        wanted[_pk(sku)] += qty
        if isinstance(sku, Sku):
            is_combo[sku.pk] = sku.is_combo
    if not wanted:
        raise DomainError("no_lines", "没有要预留的商品", "lines")
    unknown = set(wanted) - set(is_combo)
    if unknown:  # SKUs given by id: one query
        is_combo.update(Sku.objects.filter(pk__in=unknown).values_list("pk", "is_combo"))
        missing = set(wanted) - set(is_combo)
        if missing:
            raise DomainError("no_sku", f"SKU 不存在：{', '.join(map(str, sorted(missing)))}", "lines")
    combos = [pk for pk in wanted if is_combo[pk]]
    parts: dict[int, int] = defaultdict(int)
    for pk, qty in wanted.items():
        if not is_combo[pk]:
            parts[pk] += qty
    if combos:
        items = ComboItem.objects.filter(combo_id__in=combos).values_list("combo_id", "component_id", "quantity")
        seen = set()
        for combo_id, component_id, part_qty in items:
            parts[component_id] += wanted[combo_id] * part_qty
            seen.add(combo_id)
        empty = set(combos) - seen
        if empty:
            codes = _codes(empty)
            raise DomainError("combo_without_parts", f"组合装 {'、'.join(codes.values())} 没有设置组成 SKU", "lines")
    return dict(sorted(parts.items()))  # SKU order: racing retries insert their reservations in one order


def reserve(reference: str, lines: Iterable[tuple], warehouse=None, actor=None) -> list[Reservation]:
    """Reserve `lines` = [(sku or sku id, qty)] for `reference` (e.g. "order-line:123") in `warehouse` (INV-1).

    All or nothing in one transaction; a combination SKU reserves its parts. Idempotent per (reference, SKU,
    warehouse): a retry returns the existing reservations and changes nothing, whatever state they are in
    (a released reference needs a new reference to reserve again). Refused with DomainError "insufficient_stock"
    naming the SKU and what is available when the database finds too little stock — nothing is written then.
    Returns the reservations of the reference for these SKUs, in SKU order.
    """
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("no_reference", "缺少预留单据号", "reference")
    if len(reference) > 80:
        raise DomainError("reference_too_long", "预留单据号不能超过 80 个字符", "reference")
    parts = _expand(lines)
    warehouse = _warehouse(warehouse)
    return _reserve(reference, parts, warehouse, _who(actor))


def _existing(reference: str, sku_ids, warehouse_id: int) -> list[Reservation]:
    return list(
        Reservation.objects.filter(reference=reference, warehouse_id=warehouse_id, sku_id__in=sku_ids).order_by(
            "sku_id"
        )
    )


def _insert_reservations(reference: str, warehouse_id: int, parts: dict[int, int], now) -> dict[int, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: {sku_id: reservation pk} of the rows this call created.

    The unique constraint on (reference, sku, warehouse) decides: a reservation that exists — or that a racing
    retry has inserted and then commits (PostgreSQL waits for it) — is skipped, never duplicated."""
    q = connection.ops.quote_name
    table = q(Reservation._meta.db_table)
    columns = ", ".join(q(c) for c in ("reference", "sku_id", "warehouse_id", "quantity", "state", "created_at"))
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(parts))
    params = []
    stamp = connection.ops.adapt_datetimefield_value(now)
    for sku_id, qty in parts.items():
        params += [reference, sku_id, warehouse_id, qty, Reservation.State.OPEN, stamp]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} "
            f"ON CONFLICT ({q('reference')}, {q('sku_id')}, {q('warehouse_id')}) DO NOTHING RETURNING id, sku_id",
            params,
        )
        return {sku_id: pk for pk, sku_id in cursor.fetchall()}


def _reserve_sql(n: int) -> str:
    """PostgreSQL: the reservations, the conditional UPDATE of their levels and the ledger entries in ONE
    statement of `n` lines — one round trip, so the levels' row locks are held only until the COMMIT.

    The same steps in the same order as the general path (`_insert_reservations`, then `_reserve_levels`): the
    reservation rows first (a racing retry waits on the unique constraint and then inserts nothing); the levels
    only when every row was inserted (else nothing is updated and the caller takes the general path for a partial
    retry); with several lines they are locked in primary-key order first (no deadlocks with other postings); each
    changes only when on hand stays ≥ reserved (INV-1); one ledger entry per changed level with the figures after
    (INV-2). Returns one row per inserted reservation: id, SKU id, the figures after (NULL: refused)."""
    key = f"reserve:{n}"
    if key not in _SQL:
        q = connection.ops.quote_name
        reservation, level, ledger = (q(m._meta.db_table) for m in (Reservation, StockLevel, LedgerEntry))
        lock = (
            f"lk AS (SELECT l.id FROM {level} l JOIN line ON line.sku_id = l.sku_id, c WHERE l.warehouse_id = c.wh "
            "ORDER BY l.id FOR NO KEY UPDATE OF l), "
        )
        _SQL[key] = (
            # The values once (each parameter is sent and quoted once), then the lines.
            "WITH c AS (SELECT %s::varchar AS ref, %s::bigint AS wh, %s::timestamptz AS now, %s::varchar AS state, "
            "%s::varchar AS reason, %s::bigint AS actor, %s::varchar AS number), "
            f"line (sku_id, qty) AS (VALUES {', '.join(['(%s::bigint, %s::integer)'] * n)}), "
            f"ins AS (INSERT INTO {reservation} (reference, sku_id, warehouse_id, quantity, state, created_at) "
            "SELECT c.ref, line.sku_id, c.wh, line.qty, c.state, c.now FROM c, line "
            "ON CONFLICT (reference, sku_id, warehouse_id) DO NOTHING RETURNING id, sku_id), "
            f"{lock if n > 1 else ''}"
            f"upd AS (UPDATE {level} l SET reserved = l.reserved + line.qty, updated_at = c.now FROM line, c "
            "WHERE l.sku_id = line.sku_id AND l.warehouse_id = c.wh AND l.on_hand >= l.reserved + line.qty "
            f"AND (SELECT count(*) FROM ins) = {n} {'AND (SELECT count(*) FROM lk) >= 0 ' if n > 1 else ''}"
            "RETURNING l.sku_id, line.qty, l.on_hand, l.reserved, l.faulty, l.damaged), "
            f"led AS (INSERT INTO {ledger} ({', '.join(q(c) for c in _LEDGER_COLUMNS)}) SELECT c.now, upd.sku_id, "
            "c.wh, c.reason, c.ref, 0, upd.qty, 0, 0, upd.on_hand, upd.reserved, upd.faulty, upd.damaged, c.actor, "
            "c.number, '' FROM upd, c) "
            "SELECT ins.id, ins.sku_id, upd.on_hand, upd.reserved, upd.faulty, upd.damaged "
            "FROM ins LEFT JOIN upd ON upd.sku_id = ins.sku_id"
        )
    return _SQL[key]


def _reserve_at_once(reference, parts, warehouse_id, now, who) -> dict[int, tuple[int, Figures | None]]:
    """{SKU id: (new reservation id, figures after or None when refused)} — see `_reserve_sql`."""
    actor, number = who
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        reference,
        warehouse_id,
        stamp,
        Reservation.State.OPEN,
        Reason.RESERVE,
        actor.pk if actor is not None else None,
        number,
    ]
    for sku_id, qty in parts.items():
        params += [sku_id, qty]
    with connection.cursor() as cursor:
        cursor.execute(_reserve_sql(len(parts)), params)
        rows = cursor.fetchall()
    return {sku_id: (pk, tuple(after) if after[0] is not None else None) for pk, sku_id, *after in rows}


_RESERVATION_FIELDS = ("id", "reference", "sku_id", "warehouse_id", "quantity", "state", "created_at", "closed_at")


def _reserve(reference, parts, warehouse, who) -> list[Reservation]:
    with transaction.atomic():
        now = clock.now()
        if connection.vendor == "postgresql":  # the hot path: one statement
            done = _reserve_at_once(reference, parts, warehouse.pk, now, who)
            inserted = {sku_id: pk for sku_id, (pk, _after) in done.items()}
        else:  # the reservations first: a racing retry waits on the unique constraint, then changes nothing
            done, inserted = {}, _insert_reservations(reference, warehouse.pk, parts, now)
        existing = []
        if len(inserted) < len(parts):  # a retry: these exist already and stay as they are
            existing = _existing(reference, [s for s in parts if s not in inserted], warehouse.pk)
        todo = {sku_id: qty for sku_id, qty in parts.items() if sku_id in inserted}
        if not todo:
            return existing
        if len(inserted) == len(parts) and done:  # applied by the statement: refused lines roll it all back
            for sku_id, (_id, after) in sorted(done.items()):
                if after is None:
                    raise _insufficient(sku_id, warehouse, parts[sku_id])
            crossed = [sku_id for sku_id, (_id, after) in done.items() if after[0] == after[1]]  # the last units
        else:
            crossed = _reserve_levels(reference, todo, warehouse, who, now)
        _announce(crossed)
    # As loaded from the database (Model.from_db: positional values, the cheap way to build an instance).
    created = [
        Reservation.from_db(
            connection.alias,
            _RESERVATION_FIELDS,
            (inserted[sku_id], reference, sku_id, warehouse.pk, qty, Reservation.State.OPEN, now, None),
        )
        for sku_id, qty in todo.items()
    ]
    return sorted(existing + created, key=lambda r: r.sku_id)


def _reserve_levels(reference, todo: dict[int, int], warehouse, who, now) -> list[int]:
    """The general path (SQLite, or a partial retry): reserve `todo` {SKU id: qty} in the levels, once the
    reservation rows are in, with one ledger entry each; the SKUs whose availability reached zero."""
    entries = []
    if len(todo) == 1:  # one row, no order to keep
        ((sku_id, qty),) = todo.items()
        after = _apply_at(sku_id, warehouse.pk, 0, qty, now)
        if after is None:
            raise _insufficient(sku_id, warehouse, qty)
        entries.append(_ledger(sku_id, warehouse.pk, Reason.RESERVE, reference, 0, qty, after, who))
    else:
        levels = dict(StockLevel.objects.filter(warehouse_id=warehouse.pk, sku_id__in=todo).values_list("sku_id", "pk"))
        # Primary-key order: concurrent reservations of overlapping SKUs queue up instead of deadlocking.
        for sku_id, level_pk in sorted(((s, levels.get(s)) for s in todo), key=lambda p: (p[1] or 0, p[0])):
            qty = todo[sku_id]
            after = _apply(level_pk, 0, qty, now) if level_pk else None
            if after is None:
                raise _insufficient(sku_id, warehouse, qty)
            entries.append(_ledger(sku_id, warehouse.pk, Reason.RESERVE, reference, 0, qty, after, who))
    _write_ledger(entries, now)
    return [e.sku_id for e in entries if _crosses_zero(e)]


def _insufficient(sku_id: int, warehouse: Warehouse, qty: int) -> DomainError:
    """The refusal, naming the SKU and what is available (read only to word the message)."""
    level = StockLevel.objects.filter(sku_id=sku_id, warehouse_id=warehouse.pk).values("on_hand", "reserved").first()
    available = level["on_hand"] - level["reserved"] if level else 0
    code = _codes([sku_id]).get(sku_id, str(sku_id))
    return DomainError(
        "insufficient_stock", f"库存不足：{code} 需要 {qty} 件，{warehouse.name}可用 {max(available, 0)} 件", "lines"
    )


def close_many(items: dict[str, tuple[str, str]], state: str, actor=None) -> list[Reservation]:
    """Release (state released) or commit (committed: shipped) every open reservation of the references in `items`
    {reference: (document, note)}: one ledger entry per (reference, SKU, warehouse), in a fixed number of queries for
    any number of references — one conditional UPDATE per stock level, not per reference (an import batch)."""
    items = {(reference or "").strip(): value for reference, value in items.items()}
    ship = state == Reservation.State.COMMITTED
    who = _who(actor)
    with transaction.atomic():
        # Lock the open reservations (PK order) so a concurrent release/commit of the same reference waits and
        # then finds them closed: each unit is given back or shipped exactly once.
        open_ = list(
            Reservation.objects.select_for_update()
            .filter(reference__in=list(items), state=Reservation.State.OPEN)
            .order_by("pk")
        )
        open_ = [r for r in open_ if r.state == Reservation.State.OPEN]
        if not open_:
            return []
        by_level: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in open_:
            by_level[(r.sku_id, r.warehouse_id)][r.reference] += r.quantity
        levels = {
            (s, w): pk
            for s, w, pk in StockLevel.objects.filter(
                sku_id__in={k[0] for k in by_level}, warehouse_id__in={k[1] for k in by_level}
            ).values_list("sku_id", "warehouse_id", "pk")
        }
        now, entries, reason = clock.now(), [], Reason.SHIP if ship else Reason.RELEASE
        for key in sorted(by_level, key=lambda k: levels.get(k, 0)):
            parts = by_level[key]
            qty, level_pk = sum(parts.values()), levels.get(key)
            after = _apply(level_pk, -qty if ship else 0, -qty, now) if level_pk else None
            if after is None:  # cannot happen while the reservations and levels agree (stock-verify)
                code = _codes([key[0]]).get(key[0], key[0])
                raise DomainError(
                    "reservation_mismatch", f"{code} 的预留数与库存记录不一致，请运行库存核对", "reference"
                )
            on_hand, reserved = after[0] + (qty if ship else 0), after[1] + qty  # before the whole change
            for reference in sorted(parts):  # then each reference's entry in turn, with its figures after it
                part, (document, note), gone = parts[reference], items[reference], parts[reference] if ship else 0
                on_hand, reserved = on_hand - gone, reserved - part
                figures = (on_hand, reserved, after[2], after[3])
                document, note = (document, reference) if ship else (reference, note)
                entries.append(_ledger(*key, reason, document, -gone, -part, figures, who, note))
        _write_ledger(entries, now)
        Reservation.objects.filter(pk__in=[r.pk for r in open_]).update(state=state, closed_at=now)
        for r in open_:
            r.state, r.closed_at = state, now
        # A release gives availability back; a commit (ship) takes on hand and reserved down alike: never a crossing.
        _announce(e.sku_id for e in entries if _crosses_zero(e))
    return open_


def release(reference: str, actor=None, note: str = "") -> list[Reservation]:
    """Give back every open reservation of `reference` (order cancelled, refund): reserved goes down, one
    ledger entry per SKU (reason release). Idempotent: a second call finds nothing open and returns []."""
    return close_many({reference: ("", note)}, Reservation.State.RELEASED, actor)


def commit(reference: str, document: str, actor=None) -> list[Reservation]:
    """Ship the open reservations of `reference`: on hand and reserved both go down in ONE ledger entry per SKU
    (reason ship, `document` e.g. the waybill number, the reference in the note); reservations → committed.
    Idempotent: a second call finds nothing open and returns []."""
    return close_many({reference: (document, "")}, Reservation.State.COMMITTED, actor)


def commit_part(reference: str, lines: Iterable[tuple], document: str, actor=None) -> list[LedgerEntry]:
    """Ship PART of `reference` (a split package, SHIP-1): `lines` = [(sku or sku id, qty)] leave the
    warehouse. Same ledger rules as `commit`: one entry per SKU (reason ship, `document` = the waybill number, the
    reference in the note), on hand and reserved down together. The units come out of the reference's open
    reservation first (its quantity goes down; at zero it is committed); units the reference never held (an order
    that was out of stock and had nothing reserved) come out of the available stock, and the database refuses
    when there is not enough (DomainError "insufficient_stock"). A combination SKU ships its parts."""
    reference = (reference or "").strip()
    parts = _expand(lines)
    warehouse = default_warehouse()
    who = _who(actor)
    with transaction.atomic():
        held = {
            r.sku_id: r
            for r in Reservation.objects.select_for_update()
            .filter(reference=reference, sku_id__in=parts, state=Reservation.State.OPEN)
            .order_by("pk")
        }
        wh_of = {sku_id: (held[sku_id].warehouse_id if sku_id in held else warehouse.pk) for sku_id in parts}
        levels = {sku_id: _ensure_levels([sku_id], wh)[sku_id] for sku_id, wh in wh_of.items()}
        now = clock.now()
        entries = []
        for sku_id in sorted(parts, key=levels.get):  # primary-key order, as everywhere
            qty = parts[sku_id]
            r = held.get(sku_id)
            from_reserved = min(qty, r.quantity) if r else 0
            after = _apply(levels[sku_id], -qty, -from_reserved, now)
            if after is None:
                level = StockLevel.objects.filter(pk=levels[sku_id]).values("on_hand", "reserved").first()
                available = (level["on_hand"] - level["reserved"]) if level else 0
                code = _codes([sku_id]).get(sku_id, sku_id)
                raise DomainError(
                    "insufficient_stock",
                    f"库存不足：{code} 发货 {qty} 件，其中 {qty - from_reserved} 件未预留，可用 {max(available, 0)} 件",
                    "lines",
                )
            entries.append(
                _ledger(sku_id, wh_of[sku_id], Reason.SHIP, document, -qty, -from_reserved, after, who, reference)
            )
            if r is not None:
                if from_reserved >= r.quantity:
                    Reservation.objects.filter(pk=r.pk).update(state=Reservation.State.COMMITTED, closed_at=now)
                else:
                    Reservation.objects.filter(pk=r.pk).update(quantity=r.quantity - from_reserved)
        _write_ledger(entries, now)
        _announce(e.sku_id for e in entries if _crosses_zero(e))
    return entries
