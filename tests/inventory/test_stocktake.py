"""Stocktake services (盘点, INV-6): window, plan scopes, counting against the ledger at count time, submission,
approval by the manager only, all-or-nothing posting, the monthly reminder.

The stock world (pages_setup.py), 主仓: D-黑-S 20 (5 reserved), D-黑-M 3, D-黑-L 0 (bin A-02), D-白-S 12,
D-白-M 5, D-白-L 40, T-灰-M 2; 分仓: D-黑-S 7.
"""

import datetime as dt
import re

import pytest
from django.db import connection

from zhanggui.catalog.services.combos import create_combo_sku
from zhanggui.core.company_settings import update_company_settings
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import timeline_for
from zhanggui.inventory.models import LedgerEntry, StockLevel, Stocktake
from zhanggui.inventory.services import stock as stock_svc
from zhanggui.inventory.services import stocktake as svc
from zhanggui.inventory.services import stocktake_window as win
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.inventory.services.verify import verify_stock

State = Stocktake.State
NOV = (dt.date(2026, 11, 28), dt.date(2026, 11, 30))


def on_hand(sku, warehouse) -> int:
    return StockLevel.objects.get(sku=sku, warehouse=warehouse).on_hand


def count_rest_as_book(keeper, st):
    """Count every line of `st` not counted yet at its current on hand (no difference)."""
    entries = []
    for line in st.lines.filter(counted_qty__isnull=True).select_related("sku"):
        level = StockLevel.objects.filter(sku=line.sku, warehouse=st.warehouse).first()
        entries.append((line.sku.code, level.on_hand if level else 0))
    svc.count(keeper, st, entries)


@pytest.fixture
def keeper(stock_world):
    return stock_world.keeper


@pytest.fixture
def manager(world):
    return world.people["manager"]


# ---- INV-6: the monthly window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "window"),
    [
        (dt.date(2026, 11, 5), (dt.date(2026, 11, 28), dt.date(2026, 11, 30))),  # 30-day month
        (dt.date(2026, 12, 31), (dt.date(2026, 12, 28), dt.date(2026, 12, 31))),
        (dt.date(2026, 2, 1), (dt.date(2026, 2, 28), dt.date(2026, 2, 28))),  # February
        (dt.date(2028, 2, 1), (dt.date(2028, 2, 28), dt.date(2028, 2, 29))),  # leap February
    ],
)
def test_default_window_is_28th_to_31st_clamped_to_the_month_INV_6(world, day, window):
    assert win.month_window(day) == window  # no company value stored: the documented default


def test_window_days_are_settings_INV_6(world, manager):
    update_company_settings(manager, {"inventory.stocktake_day_from": "25", "inventory.stocktake_day_to": "31"})
    assert win.month_window(dt.date(2026, 2, 3)) == (dt.date(2026, 2, 25), dt.date(2026, 2, 28))
    update_company_settings(manager, {"inventory.stocktake_day_from": "30", "inventory.stocktake_day_to": "31"})
    # Both days past February's end: the window is its last day.
    assert win.month_window(dt.date(2026, 2, 3)) == (dt.date(2026, 2, 28), dt.date(2026, 2, 28))
    update_company_settings(manager, {"inventory.stocktake_day_from": "20", "inventory.stocktake_day_to": "22"})
    # After this month's window, a new stocktake gets next month's.
    assert win.default_window(dt.date(2026, 11, 23)) == (
        dt.date(2026, 12, 20),
        dt.date(2026, 12, 22),
    )
    assert win.default_window(dt.date(2026, 11, 21)) == (
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 22),
    )


# ---- plan: scopes, numbers, overlap --------------------------------------------------------------------------------


def test_plan_whole_warehouse_lists_every_stock_level_in_bin_walk_order_INV_6(stock_world, keeper):
    w = stock_world
    wh_svc.set_home_bin(keeper, w.skus["D-白-S"], w.main, w.bins["A-01"])
    wh_svc.set_home_bin(keeper, w.skus["D-黑-M"], w.main, w.bins["A-01"])
    st = svc.plan(keeper, w.main, "warehouse", note="月末盘点")
    assert re.fullmatch(r"PD\d{8}-01", st.number)
    assert st.state == State.PLANNED and (st.window_start, st.window_end) == win.default_window()
    codes = [ln.sku.code for ln in svc.sorted_lines(st).select_related("sku")]
    # A-01 (walk order 10) first, then A-02 (20), then SKUs without a bin by code; 分仓's levels not included.
    assert codes == ["D-白-S", "D-黑-M", "D-黑-L", "D-白-L", "D-白-M", "D-黑-S", "T-灰-M"]
    event = timeline_for(st).get()
    assert event.kind == "stocktake_planned" and event.actor_number == keeper.number and "7 个 SKU" in event.note
    other = svc.plan(keeper, w.branch, "warehouse")
    assert other.number.endswith("-02") and [ln.sku.code for ln in other.lines.all()] == ["D-黑-S"]


def test_plan_by_bins_and_by_skus_and_combos_left_out_INV_6(stock_world, keeper):
    w = stock_world
    wh_svc.set_home_bin(keeper, w.skus["D-黑-S"], w.main, w.bins["A-01"])
    combo = create_combo_sku(keeper, w.skus["D-黑-S"].product, "D-套装", [(w.skus["D-黑-S"], 1), (w.skus["D-白-S"], 1)])
    st = svc.plan(keeper, w.main, "bins", bins=[w.bins["A-01"]])
    assert list(st.lines.values_list("sku__code", flat=True)) == ["D-黑-S"]
    assert list(st.bins.all()) == [w.bins["A-01"]]
    by_sku = svc.plan(keeper, w.main, "skus", skus=["D-白-S", w.tee.pk], window=NOV)
    assert sorted(by_sku.lines.values_list("sku__code", flat=True)) == ["D-白-S", "T-灰-M"]
    assert (by_sku.window_start, by_sku.window_end) == NOV
    with pytest.raises(DomainError, match="组合装 D-套装"):
        svc.plan(keeper, w.main, "skus", skus=[combo.code])
    with pytest.raises(DomainError, match="NOPE-1"):
        svc.plan(keeper, w.main, "skus", skus=["NOPE-1"])
    branch_bin = wh_svc.create_bins(keeper, w.branch, [{"code": "B-01", "position": 1}])[0]
    with pytest.raises(DomainError, match="B-01 不属于主仓"):
        svc.plan(keeper, w.main, "bins", bins=[branch_bin])
    with pytest.raises(DomainError, match="没有可盘点的 SKU"):
        svc.plan(keeper, w.branch, "bins", bins=[branch_bin])
    with pytest.raises(DomainError, match="结束日期不能早于"):
        svc.plan(keeper, w.branch, "warehouse", window=(NOV[1], NOV[0]))
    assert not Stocktake.objects.filter(warehouse=w.branch).exists()


def test_a_stocktake_well_before_the_month_end_window_needs_a_reason_on_the_timeline_INV_6(stock_world, keeper):
    w = stock_world
    early = (dt.date(2026, 11, 7), dt.date(2026, 11, 8))  # three weeks before 11月28日–30日
    with pytest.raises(DomainError, match=r"本月盘点窗口为 11月28日–30日.*请填写提前盘点的原因") as refused:
        svc.plan(keeper, w.main, "warehouse", window=early)
    assert refused.value.code == "early_reason_required" and refused.value.field == "early_reason"
    assert not Stocktake.objects.exists()
    st = svc.plan(keeper, w.main, "warehouse", window=early, early_reason="双11前清点爆款")
    note = timeline_for(st).get().note
    assert "提前盘点（本月窗口 11月28日–30日）：双11前清点爆款" in note
    # Inside the reminder days before the window, in it, or the default window: no reason asked.
    assert win.early_opening(dt.date(2026, 11, 25)) is None and win.early_opening(dt.date(2026, 11, 29)) is None
    assert win.early_opening(dt.date(2026, 11, 24)) == NOV
    svc.cancel(keeper, st)
    assert svc.plan(keeper, w.main, "warehouse", window=(dt.date(2026, 11, 25), NOV[1])).state == State.PLANNED


def test_overlapping_open_stocktakes_are_refused_naming_the_other_INV_6(stock_world, keeper):
    w = stock_world
    first = svc.plan(keeper, w.main, "skus", skus=["D-黑-S", "D-白-S"])
    with pytest.raises(DomainError, match=f"与未完成的盘点单 {first.number} 重叠") as refused:
        svc.plan(keeper, w.main, "warehouse")
    assert refused.value.code == "overlap"
    svc.plan(keeper, w.branch, "warehouse")  # another warehouse: no overlap
    svc.plan(keeper, w.main, "skus", skus=["D-白-L"])  # other SKUs of the same warehouse: fine
    svc.cancel(keeper, first, "计划有误")
    assert svc.plan(keeper, w.main, "skus", skus=["D-黑-S"]).state == State.PLANNED


# ---- the state machine -------------------------------------------------------------------------------------------


def test_transition_table_refuses_illegal_moves_INV_6(stock_world, keeper, manager):
    st = svc.plan(keeper, stock_world.main, "skus", skus=["D-白-S"])
    with pytest.raises(IllegalTransition, match="已计划"):
        svc.submit(keeper, st)
    with pytest.raises(IllegalTransition, match="只有盘点中才能录入"):
        svc.count(keeper, st, [("D-白-S", 12)])
    svc.start(keeper, st)
    with pytest.raises(IllegalTransition):
        svc.start(keeper, st)
    with pytest.raises(IllegalTransition):
        svc.approve(manager, st)
    svc.count(keeper, st, [("D-白-S", 11)])
    svc.submit(keeper, st)
    svc.send_back(manager, st, "D-白-S 请复盘")  # 退回重盘
    st.refresh_from_db()
    assert st.state == State.COUNTING
    svc.submit(keeper, st)
    svc.approve(manager, st)
    for move in (svc.cancel, svc.send_back, svc.start):
        with pytest.raises(IllegalTransition, match="已过账"):
            move(keeper, st)
    states = [(e.from_state, e.to_state, e.actor_number) for e in timeline_for(st).filter(kind="stocktake_state")]
    assert states[::-1] == [
        ("已计划", "盘点中", keeper.number),
        ("盘点中", "待审核", keeper.number),
        ("待审核", "盘点中", manager.number),
        ("盘点中", "待审核", keeper.number),
        ("待审核", "已过账", manager.number),
    ]


# ---- counting ----------------------------------------------------------------------------------------------------


def test_count_stores_book_figure_and_ledger_mark_of_that_moment_INV_6(stock_world, keeper):
    w = stock_world
    st = svc.plan(keeper, w.main, "warehouse")
    svc.start(keeper, st)
    (line,) = svc.count(keeper, st, [("D-白-L", 38)])
    last = LedgerEntry.objects.filter(sku=w.skus["D-白-L"], warehouse=w.main).order_by("-id").first()
    assert (line.counted_qty, line.book_qty, line.ledger_mark) == (38, 40, last.pk)
    assert line.counted_by == keeper and line.counted_at is not None and line.difference == -2
    stock_svc.receive_stock(keeper, w.skus["D-白-L"], w.main, 5, document="RK-2")
    (line,) = svc.count(keeper, st, [("D-白-L", 44)])  # a recount takes the figures of its own moment
    assert (line.book_qty, line.difference) == (45, -1)
    assert line.ledger_mark == LedgerEntry.objects.filter(sku=w.skus["D-白-L"]).order_by("-id").first().pk


def test_scanner_adds_one_per_scan_and_adds_a_found_sku_INV_6(stock_world, keeper):
    w = stock_world
    wh_svc.set_home_bin(keeper, w.skus["D-白-S"], w.main, w.bins["A-01"])
    st = svc.plan(keeper, w.main, "bins", bins=[w.bins["A-01"]])
    svc.start(keeper, st)
    for _ in range(3):
        (line,) = svc.count(keeper, st, [("D-白-S", 1)], mode="add")
    assert line.counted_qty == 3 and line.book_qty == 12
    (line,) = svc.count(keeper, st, [("D-白-S", -1)], mode="add")  # a wrong scan taken back
    assert line.counted_qty == 2
    # Found on the shelf, not on the sheet: added with its book figure (its home bin is A-02).
    (found,) = svc.count(keeper, st, [("D-黑-L", 1)], mode="add")
    assert (found.counted_qty, found.book_qty, found.bin, found.note) == (1, 0, w.bins["A-02"], "盘点中新增")
    assert st.lines.count() == 2
    assert timeline_for(st).filter(kind="stocktake_scan").count() == 5


def test_bad_counts_are_refused_by_name_and_nothing_is_written_INV_6(stock_world, keeper):
    w = stock_world
    st = svc.plan(keeper, w.main, "skus", skus=["D-白-S", "D-白-M"])
    other = svc.plan(keeper, w.main, "skus", skus=["D-白-L"])
    svc.start(keeper, st)
    with pytest.raises(DomainError, match="实盘数不能为负数") as refused:
        svc.count(keeper, st, [("D-白-S", 12), ("D-白-M", -1)])
    assert refused.value.details == ["第 2 条 D-白-M：实盘数不能为负数"]
    with pytest.raises(DomainError, match="负数"):
        svc.count(keeper, st, [("D-白-S", -1)], mode="add")
    with pytest.raises(DomainError, match="找不到商家编码或条码：XX-9"):
        svc.count(keeper, st, [("XX-9", 1)], mode="add")
    with pytest.raises(DomainError, match=f"已在盘点单 {other.number} 中"):
        svc.count(keeper, st, [("D-白-L", 1)], mode="add")
    with pytest.raises(DomainError, match="整数"):
        svc.count(keeper, st, [("D-白-S", "十")])
    assert not st.lines.filter(counted_qty__isnull=False).exists()
    svc.count(keeper, st, [("D-白-S", 12, None)])
    # Two people typing the same sheet: the second one saw "uncounted" and is refused instead of overwriting.
    with pytest.raises(DomainError, match="已被他人修改（现为 12 件），请刷新"):
        svc.count(keeper, st, [("D-白-S", 11, None)])
    assert st.lines.get(sku__code="D-白-S").counted_qty == 12


def test_submit_refuses_uncounted_lines_unless_counted_as_zero_INV_6(stock_world, keeper):
    w = stock_world
    st = svc.plan(keeper, w.main, "skus", skus=["D-白-S", "D-白-M", "T-灰-M"])
    svc.start(keeper, st)
    svc.count(keeper, st, [("D-白-S", 12)])
    with pytest.raises(DomainError, match="还有 2 个 SKU 未盘") as refused:
        svc.submit(keeper, st)
    assert sorted(refused.value.details) == ["D-白-M", "T-灰-M"]
    st.refresh_from_db()
    assert st.state == State.COUNTING
    svc.submit(keeper, st, uncounted_as_zero=True)
    st.refresh_from_db()
    assert st.state == State.SUBMITTED and st.submitted_at
    zero = st.lines.get(sku__code="D-白-M")
    assert (zero.counted_qty, zero.book_qty, zero.counted_by) == (0, 5, keeper)


# ---- approval and posting ----------------------------------------------------------------------------------------


def test_moves_after_the_count_are_not_mistaken_for_differences_INV_6(stock_world, keeper, manager):
    """THE rule: difference = counted − book at count time; posting applies it to the current on hand, so goods
    shipped or received after a line was counted stay on the books."""
    w = stock_world
    white_l, black_s = w.skus["D-白-L"], w.skus["D-黑-S"]
    st = svc.plan(keeper, w.main, "warehouse")
    svc.start(keeper, st)
    svc.count(keeper, st, [("D-白-L", 38), ("D-黑-S", 21)])  # book 40 and 20 at this moment
    # After the count, before approval: an order ships 3 of D-白-L, goods arrive, an order takes 2 D-黑-S.
    stock_svc.reserve("order-line:77", [(white_l, 3)], warehouse=w.main, actor=keeper)
    stock_svc.commit("order-line:77", "SF1234567", actor=keeper)
    stock_svc.receive_stock(keeper, white_l, w.main, 10, document="RK-3")
    stock_svc.reserve("order-line:78", [(black_s, 2)], warehouse=w.main, actor=keeper)
    stock_svc.commit("order-line:78", "SF7654321", actor=keeper)
    count_rest_as_book(keeper, st)
    line = st.lines.get(sku=white_l)
    assert (line.book_qty, line.difference) == (40, -2)
    moved = svc.moved_since_count(st, [line])
    assert moved == {line.pk: 7}  # −3 shipped +10 received
    svc.submit(keeper, st)
    svc.approve(manager, st)
    st.refresh_from_db()
    assert st.state == State.POSTED and st.approved_by == manager and st.approved_at
    entries = {e.sku.code: e for e in LedgerEntry.objects.filter(reason="stocktake").select_related("sku")}
    assert set(entries) == {"D-白-L", "D-黑-S"}  # lines without a difference post nothing
    assert entries["D-白-L"].on_hand_change == -2 and entries["D-白-L"].document == st.number
    assert entries["D-黑-S"].on_hand_change == 1 and entries["D-黑-S"].actor_number == manager.number
    assert "账面 40 实盘 38" in entries["D-白-L"].note
    # Final on hand = counted + what moved after the count.
    assert on_hand(white_l, w.main) == 38 - 3 + 10 == 45
    assert on_hand(black_s, w.main) == 21 - 2 == 19
    check = verify_stock()
    assert not check.differences
    assert "盘盈 1 件，盘亏 2 件，2 条库存流水" in timeline_for(st).filter(kind="stocktake_state").first().note


def test_only_the_manager_may_approve_INV_6(stock_world, keeper, world):
    st = svc.plan(keeper, stock_world.main, "skus", skus=["D-白-S"])
    svc.start(keeper, st)
    svc.count(keeper, st, [("D-白-S", 10)])
    svc.submit(keeper, st)
    for person in (keeper, world.people["finance"], None):
        with pytest.raises(svc.ApprovalRefused, match="只有店长") as refused:
            svc.approve(person, st)
        assert refused.value.status == 403
    st.refresh_from_db()
    assert st.state == State.SUBMITTED
    assert not LedgerEntry.objects.filter(reason="stocktake").exists()
    assert on_hand(stock_world.skus["D-白-S"], stock_world.main) == 12


def test_a_refused_line_fails_the_whole_posting_and_writes_nothing_INV_6(stock_world, keeper, manager):
    w = stock_world
    st = svc.plan(keeper, w.main, "skus", skus=["D-白-S", "D-黑-S"])
    svc.start(keeper, st)
    # D-黑-S: 20 on hand, 5 reserved for a paid order; only 2 found → on hand would fall below reserved.
    svc.count(keeper, st, [("D-白-S", 15), ("D-黑-S", 2)])
    svc.submit(keeper, st)
    with pytest.raises(DomainError, match="过账失败，未写入任何库存") as refused:
        svc.approve(manager, st)
    assert refused.value.code == "posting_refused"
    assert len(refused.value.details) == 1 and "D-黑-S" in refused.value.details[0]
    assert "已预留 5 件" in refused.value.details[0] and "第 2 行" in refused.value.details[0]
    st.refresh_from_db()
    assert st.state == State.SUBMITTED and st.approved_by is None
    assert not LedgerEntry.objects.filter(reason="stocktake").exists()
    assert on_hand(w.skus["D-白-S"], w.main) == 12  # the good line was not posted either
    assert not timeline_for(st).filter(to_state="已过账").exists()


def test_totals_value_differences_at_cost_price_INV_6(stock_world, keeper):
    w = stock_world
    w.skus["D-白-S"].__class__.objects.filter(code__in=["D-白-S", "D-白-M"]).update(cost_fen=4550)
    st = svc.plan(keeper, w.main, "skus", skus=["D-白-S", "D-白-M", "T-灰-M"])
    svc.start(keeper, st)
    svc.count(keeper, st, [("D-白-S", 14), ("D-白-M", 2)])
    t = svc.totals(st)
    assert (t.lines, t.counted, t.diff_lines) == (3, 2, 2)
    assert (t.gain_units, t.gain_fen, t.loss_units, t.loss_fen) == (2, 9100, 3, 13650)
    assert (t.net_units, t.net_fen) == (-1, -4550)
    assert svc.progress(st) == (2, 3)


# ---- the reminder ------------------------------------------------------------------------------------------------


def test_reminder_in_the_window_until_a_stocktake_is_planned_INV_6(stock_world, keeper):
    w = stock_world
    assert win.due_reminders(dt.date(2026, 11, 24)) == []  # 4 days before: not yet
    due = win.due_reminders(dt.date(2026, 11, 25))
    assert [r.warehouse for r in due] == [w.main, w.branch]
    assert due[0].text == "本月盘点窗口 11月28日–30日，主仓尚未安排盘点"
    assert [r.warehouse for r in win.due_reminders(dt.date(2026, 11, 30))] == [w.main, w.branch]
    assert win.due_reminders(dt.date(2026, 12, 1)) == []  # after the window
    planned = svc.plan(keeper, w.main, "warehouse", window=NOV)
    assert [r.warehouse for r in win.due_reminders(dt.date(2026, 11, 29))] == [w.branch]
    svc.cancel(keeper, planned)
    assert [r.warehouse for r in win.due_reminders(dt.date(2026, 11, 29))] == [w.main, w.branch]
    # February: the window is the 28th alone, so the reminder starts on the 25th.
    assert win.due_reminders(dt.date(2027, 2, 25))[0].text == "本月盘点窗口 2月28日，主仓尚未安排盘点"


def test_reminder_becomes_one_task_for_the_warehouse_role_INV_6(stock_world, world, keeper):
    """The daily beat run turns due reminders into tasks for 库管, once per warehouse and window."""
    from zhanggui.team.tasks_service import open_for

    assert win.remind_due(dt.date(2026, 11, 24)) == 0  # not yet in the reminder days
    assert win.remind_due(dt.date(2026, 11, 26)) == 2  # main and branch
    assert win.remind_due(dt.date(2026, 11, 27)) == 0  # the next day's run repeats nothing
    titles = sorted(t.title for t in open_for(world.people["warehouse"]))
    assert titles == ["本月盘点窗口 11月28日–30日，主仓尚未安排盘点", "本月盘点窗口 11月28日–30日，分仓尚未安排盘点"]
    assert not open_for(world.people["cs"]).exists()


# ---- under load (PostgreSQL: real row locks) ---------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
def test_count_snapshot_is_consistent_while_stock_moves_INV_6(transactional_db):
    """Counts entered while other connections receive and ship the same SKU: each line's book figure is exactly
    the on hand after its ledger mark (no move slipped in between), and the posting lands on counted + moves after
    the count."""
    import threading

    from zhanggui.catalog.models import Product, Sku
    from zhanggui.inventory.models import Warehouse

    warehouse = Warehouse.objects.create(code="LOAD", name="压测仓", is_default=True)
    product = Product.objects.create(style_code="LOAD", name="压测款")
    sku = Sku.objects.create(product=product, code="LOAD-1", size="M")
    stock_svc.receive_stock(None, sku, warehouse, 500, "QC-1", reason="opening")
    st = svc.plan(None, warehouse, "warehouse")
    svc.start(None, st)
    barrier, errors, seen = threading.Barrier(8), [], []

    def mover(n):
        try:
            barrier.wait()
            for i in range(20):
                stock_svc.receive_stock(None, sku, warehouse, 1 if (i + n) % 2 else -1, "LOAD", reason="adjust")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    def counter(n):
        try:
            barrier.wait()
            for i in range(10):
                (line,) = svc.count(None, st, [(sku.pk, 400 + n * 10 + i)])
                seen.append((line.book_qty, line.ledger_mark))
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=mover, args=(n,)) for n in range(5)]
    threads += [threading.Thread(target=counter, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    after = dict(LedgerEntry.objects.filter(sku=sku).values_list("pk", "on_hand_after"))
    assert len(seen) == 30 and all(after[mark] == book for book, mark in seen)
    line = st.lines.get()
    moved_after = sum(
        LedgerEntry.objects.filter(sku=sku, pk__gt=line.ledger_mark).values_list("on_hand_change", flat=True)
    )
    svc.submit(None, st)
    from zhanggui.team.services import create_staff, sync_roles

    sync_roles()
    boss, _pw = create_staff(None, number="L001", name="店长", roles=["manager"])
    svc.approve(boss, st)
    assert on_hand(sku, warehouse) == line.counted_qty + moved_after
    assert not verify_stock().differences
