"""Stocktake (盘点, INV-6): plan → count → submit → approve and post, one transition table, each move on the
timeline with the 工号.

planned → counting → submitted → posted; planned / counting / submitted → cancelled; submitted → counting is
退回重盘 (sent back for a recount). Nothing else.

The key rule: a count is compared with the ledger AT THE MOMENT IT WAS ENTERED. When a line is counted, its
`book_qty` is the on-hand figure of that moment and `ledger_mark` the id of the last ledger entry of that SKU in
that warehouse then — read in the same transaction with the stock level row locked, so no move slips in between.
The difference counted − book is what posting applies to the CURRENT on hand (one `move_stock`, reason
stocktake, document = the PD number). Orders shipped or goods received after a line was counted therefore stay
on the books: the count corrects only what the shelf and the ledger disagreed about at counting time.

Counting means sellable pieces on the shelf (on hand, reserved ones included — they are still there); faulty
pieces awaiting exchange and the damaged account are stored apart and not part of a stocktake.

INV-6 "monthly, default on the 28th–31st": the window comes from the settings inventory.stocktake_day_from /
inventory.stocktake_day_to, clamped to the month's last day (`stocktake_window`: the reminder, and the reason asked
for a stocktake counted well before the window).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.bounds import check_quantity, max_quantity
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.states import Machine

from ..models import Bin, LedgerEntry, StockLevel, Stocktake, StocktakeLine, Warehouse
from .stock import Move, move_stock
from .stocktake_window import default_window, require_early_reason, window_text

State = Stocktake.State
Scope = Stocktake.Scope

# INV-6: the only moves a stocktake can make.
TRANSITIONS: dict[str, set[str]] = {
    State.PLANNED: {State.COUNTING, State.CANCELLED},
    State.COUNTING: {State.SUBMITTED, State.CANCELLED},
    State.SUBMITTED: {State.POSTED, State.COUNTING, State.CANCELLED},  # → counting: 退回重盘
    State.POSTED: set(),
    State.CANCELLED: set(),
}
OPEN_STATES = (State.PLANNED, State.COUNTING, State.SUBMITTED)
APPROVE_PERM = "inventory.approve_stocktake"
MODES = ("set", "add")
ADDED_NOTE = "盘点中新增"  # the note of a line added during the count (found on the shelf, not on the sheet)
CHUNK = 500  # SKU ids per IN (…) query: whole warehouses have thousands

# Timeline words (Chinese, like every service message).
STATE_WORDS = {
    State.PLANNED: "已计划",
    State.COUNTING: "盘点中",
    State.SUBMITTED: "待审核",
    State.POSTED: "已过账",
    State.CANCELLED: "已取消",
}
SCOPE_WORDS = {Scope.WAREHOUSE: "整仓", Scope.BINS: "按库位", Scope.SKUS: "按 SKU"}

# Only the stocktake's row is locked (of=self), and FOR NO KEY UPDATE: a plain FOR UPDATE over the join would also
# lock the warehouse row, and every ledger INSERT of that warehouse (its foreign-key check) would wait for us while
# we wait for a stock level it holds — a deadlock.
STOCKTAKES = Machine(
    Stocktake,
    TRANSITIONS,
    names=STATE_WORDS,
    name="盘点单 {number}",
    event_kind="stocktake_state",
    related=("warehouse",),
    no_key=True,
)

register_event_kinds(
    {
        "stocktake_planned": "安排盘点",
        "stocktake_state": "盘点状态",
        "stocktake_count": "录入实盘数",
        "stocktake_scan": "扫描盘点",
    }
)


class ApprovalRefused(DomainError):
    """Approving and posting a stocktake is the manager's (inventory.approve_stocktake)."""

    status = 403


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _transition(st: Stocktake, to: str, actor, note: str = "") -> Stocktake:
    """Move a LOCKED stocktake to `to` if the table allows it, with the time (and approver) of the step."""
    STOCKTAKES.check(st, to)
    fields = []
    now = clock.now()
    if to == State.COUNTING and st.state == State.PLANNED:
        st.started_at = now
        fields.append("started_at")
    if to == State.SUBMITTED:
        st.submitted_at = now
        fields.append("submitted_at")
    if to == State.POSTED:
        st.approved_by = actor if getattr(actor, "is_authenticated", False) else None
        st.approved_at = now
        fields += ["approved_by", "approved_at"]
    return STOCKTAKES.move_locked(st, to, actor, note, fields)


def _warehouse(warehouse) -> Warehouse:
    found = warehouse if isinstance(warehouse, Warehouse) else Warehouse.objects.filter(pk=warehouse).first()
    if found is None:
        raise DomainError("no_warehouse", "请选择仓库", "warehouse")
    if not found.is_active:
        raise DomainError("warehouse_inactive", f"仓库“{found.name}”已停用，不能盘点", "warehouse")
    return found


def find_skus(refs: Iterable) -> tuple[dict, list[str]]:
    """{ref: Sku} for Sku objects, ids or codes (merchant code or barcode), and the refs that match nothing."""
    found, codes, ids = {}, set(), set()
    refs = list(refs)
    for ref in refs:
        if isinstance(ref, Sku):
            found[ref] = ref
        elif isinstance(ref, int):
            ids.add(ref)
        else:
            codes.add(str(ref).strip())
    by_id = Sku.objects.select_related("product").in_bulk(ids) if ids else {}
    by_code = {}
    if codes:
        for sku in Sku.objects.select_related("product").filter(Q(code__in=codes) | Q(barcode__in=codes)):
            by_code[sku.code] = sku
            if sku.barcode:
                by_code.setdefault(sku.barcode, sku)
    unknown = []
    for ref in refs:
        if isinstance(ref, Sku):
            continue
        sku = by_id.get(ref) if isinstance(ref, int) else by_code.get(str(ref).strip())
        if sku is None:
            unknown.append(str(ref).strip() or "（空）")
        else:
            found[ref] = sku
    return found, unknown


def _open_lines_elsewhere(warehouse_id: int, sku_ids: set[int], exclude_pk: int | None = None) -> dict[int, str]:
    """{sku_id: PD number} for SKUs already on another open stocktake of the warehouse (posted twice otherwise)."""
    qs = StocktakeLine.objects.filter(stocktake__warehouse_id=warehouse_id, stocktake__state__in=OPEN_STATES)
    if exclude_pk:
        qs = qs.exclude(stocktake_id=exclude_pk)
    return {s: n for s, n in qs.values_list("sku_id", "stocktake__number") if s in sku_ids}


def _next_number(day: dt.date) -> str:
    """PD20261128-01: PD, the Beijing date, the running number of the day."""
    stem = f"PD{day:%Y%m%d}-"
    taken = Stocktake.objects.filter(number__startswith=stem).values_list("number", flat=True)
    seq = max((int(n.rsplit("-", 1)[1]) for n in taken if n.rsplit("-", 1)[1].isdigit()), default=0) + 1
    return f"{stem}{seq:02d}"


def _walk_key(bin_: Bin | None, code: str) -> tuple:
    """Count sheets follow the pickers' walk: bin walk order, then merchant code; SKUs without a bin last."""
    return (bin_ is None, bin_.position if bin_ else 0, bin_.code if bin_ else "", code)


# ---------------------------------------------------------------------------------------------------------------
# Plan, start, cancel, send back
# ---------------------------------------------------------------------------------------------------------------


def plan(
    actor,
    warehouse,
    scope: str = Scope.WAREHOUSE,
    bins=None,
    skus=None,
    window: tuple[dt.date, dt.date] | None = None,
    note: str = "",
    early_reason: str = "",
) -> Stocktake:
    """INV-6: a new stocktake in state planned, numbered PD20261128-01, with one line per SKU to count:
    every SKU with a stock level in the warehouse (scope warehouse), those whose home bin is one of `bins`
    (scope bins) or the given `skus` (ids, Sku objects or codes; scope skus). Combination SKUs have no stock of
    their own and are left out. The default window is this month's (INV-6 settings). Refused when a SKU is already
    on another open stocktake of the warehouse (its count would be posted twice), and when its window starts well
    before the month's window without an `early_reason` (recorded on the timeline)."""
    warehouse = _warehouse(warehouse)
    if scope not in Scope.values:
        raise DomainError("bad_scope", "盘点范围无效", "scope")
    note = (note or "").strip()[:200]
    if window is None:
        start, end = default_window()
    else:
        start, end = window
        if not start or not end:
            raise DomainError("bad_window", "请填写盘点日期", "window")
        if end < start:
            raise DomainError("bad_window", "盘点结束日期不能早于开始日期", "window")
    early = require_early_reason(start, early_reason, "early_reason")  # INV-6: well before the window
    levels = StockLevel.objects.filter(warehouse=warehouse, sku__is_combo=False)
    chosen_bins: list[Bin] = []
    if scope == Scope.BINS:
        ids = {getattr(b, "pk", b) for b in bins or []}
        if not ids:
            raise DomainError("no_bins", "按库位盘点请至少选择一个库位", "bins")
        chosen_bins = list(Bin.objects.filter(pk__in=ids))
        strangers = [b.code for b in chosen_bins if b.warehouse_id != warehouse.pk]
        if strangers or len(chosen_bins) != len(ids):
            raise DomainError("bad_bins", f"库位 {'、'.join(strangers) or '（已删除）'} 不属于{warehouse.name}", "bins")
        rows = dict(levels.filter(home_bin__in=chosen_bins).values_list("sku_id", "home_bin_id"))
    elif scope == Scope.SKUS:
        refs = [s for s in skus or [] if s not in (None, "")]
        if not refs:
            raise DomainError("no_skus", "按 SKU 盘点请至少填写一个商家编码", "skus")
        found, unknown = find_skus(refs)
        if unknown:
            raise DomainError("unknown_sku", f"找不到商家编码或条码：{'、'.join(unknown)}", "skus", unknown)
        combos = sorted({s.code for s in found.values() if s.is_combo})
        if combos:
            raise DomainError("combo", f"组合装 {'、'.join(combos)} 没有自己的库存，请盘点其组成 SKU", "skus", combos)
        sku_ids = {s.pk for s in found.values()}
        rows = dict.fromkeys(sku_ids)
        for part in _chunks(sorted(sku_ids)):
            rows.update(levels.filter(sku_id__in=part).values_list("sku_id", "home_bin_id"))
    else:
        rows = dict(levels.values_list("sku_id", "home_bin_id"))
    if not rows:
        where = {Scope.BINS: "所选库位", Scope.SKUS: "所选 SKU"}.get(scope, warehouse.name)
        raise DomainError("no_lines", f"{where}没有可盘点的 SKU（组合装不单独盘点）", "scope")
    codes = {}
    for part in _chunks(sorted(rows)):
        codes.update(Sku.objects.filter(pk__in=part).values_list("pk", "code"))
    bin_objs = Bin.objects.in_bulk({b for b in rows.values() if b})
    order = sorted(rows, key=lambda s: _walk_key(bin_objs.get(rows[s]), codes[s]))
    for _attempt in range(3):  # two plans in the same second may pick the same number
        try:
            with transaction.atomic():
                # Serialise plans of one warehouse, so two overlapping ones cannot both pass the check below.
                # NO KEY: ledger INSERTs of the warehouse (foreign-key checks) are not held up.
                Warehouse.objects.select_for_update(no_key=True).filter(pk=warehouse.pk).first()
                clash = _open_lines_elsewhere(warehouse.pk, set(rows))
                if clash:
                    number = sorted(set(clash.values()))[0]
                    same = [codes[s] for s, n in clash.items() if n == number]
                    raise DomainError(
                        "overlap",
                        f"与未完成的盘点单 {number} 重叠（{'、'.join(sorted(same)[:5])}"
                        f"{' 等' if len(same) > 5 else ''} {len(same)} 个 SKU），请先完成或取消 {number}",
                        "scope",
                    )
                st = Stocktake.objects.create(
                    number=_next_number(clock.today()),
                    warehouse=warehouse,
                    scope=scope,
                    window_start=start,
                    window_end=end,
                    note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                if chosen_bins:
                    st.bins.set(chosen_bins)
                StocktakeLine.objects.bulk_create(
                    [StocktakeLine(stocktake=st, sku_id=s, bin_id=rows[s]) for s in order], batch_size=CHUNK
                )
                scope_text = SCOPE_WORDS[scope]
                if chosen_bins:
                    scope_text += " " + "、".join(b.code for b in sorted(chosen_bins, key=lambda b: _walk_key(b, "")))
                record_event(
                    actor,
                    st,
                    "stocktake_planned",
                    to_state=STOCKTAKES.label(State.PLANNED),
                    note=f"{warehouse.name} · {scope_text} · {len(order)} 个 SKU · {window_text(start, end)}"
                    + (f" · {note}" if note else "")
                    + (f" · {early}" if early else ""),
                )
                return st
        except IntegrityError:
            continue
    raise DomainError("number_taken", "盘点单号冲突，请重试", "number")


def start(actor, stocktake) -> Stocktake:
    """planned → counting (开始盘点)."""
    with transaction.atomic():
        return _transition(STOCKTAKES.lock(stocktake), State.COUNTING, actor, "开始盘点")


def cancel(actor, stocktake, note: str = "") -> Stocktake:
    """planned / counting / submitted → cancelled; nothing is posted."""
    with transaction.atomic():
        return _transition(STOCKTAKES.lock(stocktake), State.CANCELLED, actor, (note or "").strip()[:200])


def send_back(actor, stocktake, note: str = "") -> Stocktake:
    """退回重盘: submitted → counting. The counts stay; lines counted again take a new book figure."""
    with transaction.atomic():
        return _transition(STOCKTAKES.lock(stocktake), State.COUNTING, actor, (note or "").strip()[:200] or "退回重盘")


# ---------------------------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------------------------


def _snapshot(warehouse_id: int, sku_ids: Iterable[int]) -> dict[int, tuple[int, int | None]]:
    """{sku_id: (on hand, id of the last ledger entry)} NOW, with the stock level rows locked for the rest of the
    caller's transaction: a move of these SKUs (which updates the row first) waits until we commit, and one that
    committed before is in what we read. Empty levels are created for SKUs that have none, so they can be locked
    too (a level with zeros and no ledger entry is what stock-verify expects of a never-moved SKU)."""
    sku_ids = sorted(set(sku_ids))
    levels: dict[int, int] = {}
    for part in _chunks(sku_ids):
        levels.update(StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=part).values_list("sku_id", "pk"))
    missing = [s for s in sku_ids if s not in levels]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(sku_id=s, warehouse_id=warehouse_id) for s in missing], ignore_conflicts=True
        )
        for part in _chunks(missing):
            levels.update(
                StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=part).values_list("sku_id", "pk")
            )
    on_hand: dict[int, int] = {}
    # Primary-key order, like move_stock: a count and a posting touching the same levels queue, never deadlock.
    for part in _chunks(sorted(levels.values())):
        on_hand.update(
            StockLevel.objects.select_for_update(no_key=True)
            .filter(pk__in=part)
            .order_by("pk")
            .values_list("sku_id", "on_hand")
        )
    marks: dict[int, int] = {}
    for part in _chunks(sku_ids):
        marks.update(
            LedgerEntry.objects.filter(warehouse_id=warehouse_id, sku_id__in=part)
            .order_by()  # the model's ordering would split the groups
            .values("sku_id")
            .annotate(mark=Max("id"))
            .values_list("sku_id", "mark")
        )
    return {s: (on_hand.get(s, 0), marks.get(s)) for s in sku_ids}


def _stamp(lines: list[StocktakeLine], counts: dict[int, int], warehouse_id: int, actor) -> None:
    """Write counted quantities with the book figure and ledger mark of this moment (see `_snapshot`)."""
    snap = _snapshot(warehouse_id, [ln.sku_id for ln in lines])
    now = clock.now()
    who = actor if getattr(actor, "is_authenticated", False) else None
    for ln in lines:
        ln.counted_qty = counts[ln.sku_id]
        ln.book_qty, ln.ledger_mark = snap[ln.sku_id]
        ln.counted_at, ln.counted_by = now, who
    StocktakeLine.objects.bulk_update(
        lines, ["counted_qty", "book_qty", "ledger_mark", "counted_at", "counted_by"], batch_size=CHUNK
    )


def _quantity(value, label: str) -> int:
    value = int(value) if isinstance(value, float) and value.is_integer() else value
    return check_quantity(value, f"{label}：实盘数", "qty", low=-max_quantity())  # rule 7: ± the company's bound


def count(actor, stocktake, entries, mode: str = "set") -> list[StocktakeLine]:
    """Enter counts while counting. entries = [(sku or id or code, qty)] or [(sku, qty, seen)] where `seen` is the
    counted figure the person saw before typing (None: uncounted) — when someone else changed it meanwhile the
    save is refused instead of overwriting their count.

    mode "set": the counted quantity becomes qty (typed sheets); mode "add": qty is added (the scanner adds 1 per
    scan; −1 takes a wrong scan back). A SKU not on the sheet but found on the shelf is added as a new line
    (its bin = its home bin here), unless it is on another open stocktake of the warehouse. Unknown codes,
    combination SKUs and negative counts are refused by name. All or nothing.

    Every counted line stores the book figure and the last ledger entry id AT THIS MOMENT (INV-6, see the
    module docstring). Returns the changed lines."""
    if mode not in MODES:
        raise DomainError("bad_mode", "录入方式无效", "mode")
    rows = []
    for i, entry in enumerate(entries or [], start=1):
        ref, qty, *rest = entry
        rows.append((ref, qty, rest[0] if rest else ..., i))
    if not rows:
        raise DomainError("no_entries", "没有要录入的实盘数", "entries")
    found, unknown = find_skus([r[0] for r in rows])
    if unknown:
        raise DomainError(
            "unknown_sku", f"找不到商家编码或条码：{'、'.join(unknown)}", "entries", [f"{u} 不存在" for u in unknown]
        )
    problems: list[str] = []
    wanted: dict[int, int] = {}  # sku_id → qty (set) or total delta (add)
    seen: dict[int, object] = {}
    skus: dict[int, Sku] = {}
    for ref, raw, was, i in rows:
        sku = found[ref]
        skus[sku.pk] = sku
        label = sku.code if len(rows) == 1 else f"第 {i} 条 {sku.code}"
        if sku.is_combo:
            problems.append(f"{label}：组合装没有自己的库存，请盘点其组成 SKU")
            continue
        try:
            qty = _quantity(raw, label)
        except DomainError as error:
            problems.append(error.message)
            continue
        if mode == "set":
            if qty < 0:
                problems.append(f"{label}：实盘数不能为负数")
                continue
            if sku.pk in wanted:
                problems.append(f"{label}：重复录入")
                continue
            wanted[sku.pk] = qty
        else:
            wanted[sku.pk] = wanted.get(sku.pk, 0) + qty
        if was is not ...:
            seen[sku.pk] = was
    if problems:
        raise DomainError("bad_counts", "；".join(problems), "entries", problems)
    with transaction.atomic():
        st = STOCKTAKES.lock(stocktake)
        if st.state != State.COUNTING:
            raise STOCKTAKES.refuse(st, "只有盘点中才能录入实盘数", "not_counting")
        lines = {ln.sku_id: ln for ln in st.lines.filter(sku_id__in=list(wanted))}
        new = [s for s in wanted if s not in lines]
        if new:
            # Like plan(): serialise with plans of this warehouse so a SKU never lands on two open stocktakes.
            Warehouse.objects.select_for_update(no_key=True).filter(pk=st.warehouse_id).first()
            clash = _open_lines_elsewhere(st.warehouse_id, set(new), exclude_pk=st.pk)
            for s in new:
                if s in clash:
                    problems.append(f"{skus[s].code} 不在本盘点单上，且已在盘点单 {clash[s]} 中，请在该单盘点")
        counts: dict[int, int] = {}
        for sku_id, qty in wanted.items():
            line = lines.get(sku_id)
            before = line.counted_qty if line else None
            if sku_id in seen and seen[sku_id] != before:
                now_text = "未盘" if before is None else f"{before} 件"
                problems.append(f"{skus[sku_id].code} 已被他人修改（现为 {now_text}），请刷新后再录入")
                continue
            counts[sku_id] = qty if mode == "set" else (before or 0) + qty
            if counts[sku_id] < 0:
                problems.append(f"{skus[sku_id].code}：已盘 {before or 0} 件，减 {-qty} 件后为负数，实盘数不能为负数")
        if problems:
            raise DomainError("bad_counts", "；".join(problems), "entries", problems)
        if new:
            homes = dict(
                StockLevel.objects.filter(warehouse_id=st.warehouse_id, sku_id__in=new).values_list(
                    "sku_id", "home_bin_id"
                )
            )
            StocktakeLine.objects.bulk_create(
                [StocktakeLine(stocktake=st, sku_id=s, bin_id=homes.get(s), note=ADDED_NOTE) for s in new]
            )
            lines.update({ln.sku_id: ln for ln in st.lines.filter(sku_id__in=new)})
        changed = [lines[s] for s in wanted]
        _stamp(changed, counts, st.warehouse_id, actor)
        if mode == "add" and len(changed) == 1:
            ln = changed[0]
            delta = wanted[ln.sku_id]
            note = f"{skus[ln.sku_id].code} {delta:+d} → {ln.counted_qty}" + ("（新增 SKU）" if new else "")
            record_event(actor, st, "stocktake_scan", note=note)
        else:
            listed = "、".join(f"{skus[ln.sku_id].code}={ln.counted_qty}" for ln in changed[:5])
            more = f" 等 {len(changed)} 个 SKU" if len(changed) > 5 else ""
            added = f"，新增 {len(new)} 个 SKU" if new else ""
            record_event(actor, st, "stocktake_count", note=f"{listed}{more}{added}")
    for ln in changed:
        ln.sku = skus[ln.sku_id]
        ln.added = ln.sku_id in new  # a SKU found on the shelf: the page shows its new line
    return changed


def submit(actor, stocktake, uncounted_as_zero: bool = False) -> Stocktake:
    """counting → submitted (交审核). Uncounted lines are refused unless `uncounted_as_zero` — then each is
    counted 0 with the book figure of this moment (the page asks: 还有 N 个 SKU 未盘，按 0 计？)."""
    with transaction.atomic():
        st = STOCKTAKES.lock(stocktake)
        STOCKTAKES.check(st, State.SUBMITTED)
        open_lines = list(st.lines.filter(counted_qty__isnull=True).select_related("sku"))
        note = ""
        if open_lines:
            if not uncounted_as_zero:
                codes = [ln.sku.code for ln in open_lines]
                raise DomainError(
                    "uncounted",
                    f"还有 {len(codes)} 个 SKU 未盘：{'、'.join(codes[:10])}{' 等' if len(codes) > 10 else ''}。"
                    "请盘点，或确认按 0 计后提交",
                    "lines",
                    codes,
                )
            _stamp(open_lines, {ln.sku_id: 0 for ln in open_lines}, st.warehouse_id, actor)
            note = f"{len(open_lines)} 个未盘 SKU 按 0 计"
        return _transition(st, State.SUBMITTED, actor, note)


# ---------------------------------------------------------------------------------------------------------------
# Approval and posting
# ---------------------------------------------------------------------------------------------------------------


def may_approve(actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False) and actor.has_perm(APPROVE_PERM))


def approve(actor, stocktake, note: str = "") -> Stocktake:
    """submitted → posted, by the manager only (inventory.approve_stocktake, checked here as well as by the
    page). ALL differences are posted in ONE transaction: move_stock(reason stocktake, document = PD number), one
    ledger entry per SKU with a difference, applying counted − book-at-count-time to the CURRENT on hand (INV-6).
    When the database refuses any line (e.g. on hand would fall below what paid orders reserved), nothing is
    written, the stocktake stays submitted and the error lists every refused line in Chinese."""
    if not may_approve(actor):
        raise ApprovalRefused("not_allowed", "只有店长（有盘点审核权限的人）可以审核并过账盘点单", "state")
    with transaction.atomic():
        st = STOCKTAKES.lock(stocktake)
        STOCKTAKES.check(st, State.POSTED)
        lines = list(sorted_lines(st).select_related("sku", "bin"))
        uncounted = [ln.sku.code for ln in lines if ln.counted_qty is None or ln.book_qty is None]
        if uncounted:  # cannot happen after submit; guards against data changed by hand
            raise DomainError("uncounted", f"还有未盘的 SKU：{'、'.join(uncounted[:10])}，请退回重盘", "lines")
        moves, gain, loss = [], 0, 0
        for i, ln in enumerate(lines, start=1):
            diff = ln.counted_qty - ln.book_qty
            if not diff:
                continue
            gain, loss = gain + max(diff, 0), loss + max(-diff, 0)
            where = f"第 {i} 行" + (f"（库位 {ln.bin.code}）" if ln.bin else "")
            moves.append(Move(ln.sku, on_hand=diff, label=where, note=f"盘点 账面 {ln.book_qty} 实盘 {ln.counted_qty}"))
        if moves:
            try:
                move_stock(actor, moves, reason="stocktake", document=st.number, warehouse=st.warehouse)
            except DomainError as error:
                if error.code != "stock_refused":
                    raise
                details = error.details or [error.message]
                raise DomainError(
                    "posting_refused",
                    f"盘点单 {st.number} 过账失败，未写入任何库存：{'；'.join(details)}",
                    "lines",
                    details,
                ) from None
        summary = f"盘盈 {gain} 件，盘亏 {loss} 件，{len(moves)} 条库存流水"
        note = (note or "").strip()[:200]
        return _transition(st, State.POSTED, actor, summary + (f"；{note}" if note else ""))


# ---------------------------------------------------------------------------------------------------------------
# Reads for the pages, the PDF and the API
# ---------------------------------------------------------------------------------------------------------------


def sorted_lines(st: Stocktake):
    """The lines in count-sheet order: bin walk order, then merchant code; lines without a bin last."""
    return st.lines.order_by(
        F("bin__position").asc(nulls_last=True), F("bin__code").asc(nulls_last=True), "sku__code", "pk"
    )


def progress(st: Stocktake) -> tuple[int, int]:
    """(counted lines, all lines)."""
    agg = st.lines.aggregate(total=Count("id"), counted=Count("id", filter=Q(counted_qty__isnull=False)))
    return agg["counted"], agg["total"]


@dataclass
class Totals:
    lines: int = 0
    counted: int = 0
    diff_lines: int = 0
    gain_units: int = 0
    gain_fen: int = 0
    loss_units: int = 0
    loss_fen: int = 0

    @property
    def net_units(self) -> int:
        return self.gain_units - self.loss_units

    @property
    def net_fen(self) -> int:
        return self.gain_fen - self.loss_fen


def totals(st: Stocktake) -> Totals:
    """Counted lines, 盘盈 / 盘亏 in pieces and at cost price (Sku.cost_fen), over the whole stocktake."""
    t = Totals()
    for counted, book, cost in st.lines.values_list("counted_qty", "book_qty", "sku__cost_fen"):
        t.lines += 1
        if counted is None or book is None:
            continue
        t.counted += 1
        diff = counted - book
        if diff:
            t.diff_lines += 1
        if diff > 0:
            t.gain_units += diff
            t.gain_fen += diff * (cost or 0)
        elif diff < 0:
            t.loss_units -= diff
            t.loss_fen -= diff * (cost or 0)
    return t


def moved_since_count(st: Stocktake, lines: list[StocktakeLine]) -> dict[int, int]:
    """{line pk: on-hand change booked after the line was counted} — what posting leaves alone (INV-6)."""
    marks = {ln.sku_id: (ln.pk, ln.ledger_mark or 0) for ln in lines if ln.counted_at}
    if not marks:
        return {}
    low = min(m for _pk, m in marks.values())
    result: dict[int, int] = {}
    sku_ids = sorted(marks)
    for part in _chunks(sku_ids):
        rows = (
            LedgerEntry.objects.filter(warehouse_id=st.warehouse_id, sku_id__in=part, id__gt=low)
            .exclude(reason=LedgerEntry.Reason.STOCKTAKE, document=st.number)  # the posting itself
            .values_list("sku_id", "id", "on_hand_change")
        )
        for sku_id, entry_id, change in rows.order_by():
            line_pk, mark = marks[sku_id]
            if entry_id > mark and change:
                result[line_pk] = result.get(line_pk, 0) + change
    return result
