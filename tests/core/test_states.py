"""core.states.Machine — the one state-machine helper (house rule 3): a move outside the table is refused in words
with the Chinese state names, a change based on an older version is refused, the row lock makes concurrent
changes queue up, every save raises the version and every move goes on the timeline with the 工号.

The helper is exercised on the stock-in slip model with a table of its own (the machines of the apps have their
own tests: tests/orders/test_states.py, tests/fulfilment/test_packages.py, …)."""

import threading

import pytest
from django.db import connection, transaction

from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import timeline_for
from zhanggui.core.states import Machine
from zhanggui.inventory.models import Warehouse
from zhanggui.purchasing.models import Receipt

State = Receipt.State
TABLE = {
    State.DRAFT: {State.CHECKED, State.CANCELLED},
    State.CHECKED: {State.DRAFT, State.POSTED},
    State.POSTED: set(),
    State.CANCELLED: set(),
}
NAMES = {State.DRAFT: "清点中", State.CHECKED: "已核对", State.POSTED: "已入库"}  # cancelled: the choice label
SLIPS = Machine(Receipt, TABLE, names=NAMES, name="入库单 {number}（{warehouse.code}）", event_kind="rk_state")


def new_slip(number: str = "RK20261123-001") -> Receipt:
    warehouse = Warehouse.objects.get_or_create(code="MAIN", defaults={"name": "主仓", "is_default": True})[0]
    return Receipt.objects.create(number=number, warehouse=warehouse)


def fresh(slip: Receipt) -> Receipt:
    return Receipt.objects.get(pk=slip.pk)


def test_a_move_outside_the_table_is_refused_with_the_chinese_state_names(db):
    slip = new_slip()
    with pytest.raises(IllegalTransition) as refused:
        SLIPS.check(slip, State.POSTED)
    error = refused.value
    assert error.code == "illegal_transition" and error.field == "state" and error.status == 409
    assert error.message == "入库单 RK20261123-001（MAIN） 当前为“清点中”，不能改为“已入库”"
    assert SLIPS.allows(slip, State.CHECKED) and not SLIPS.allows(State.POSTED, State.DRAFT)
    SLIPS.check(slip, State.CHECKED)  # allowed: no error


def test_a_refused_move_changes_nothing_and_writes_no_timeline(db, world):
    slip = new_slip()
    with transaction.atomic(), pytest.raises(IllegalTransition):
        SLIPS.move_locked(SLIPS.lock(slip), State.POSTED, world.people["warehouse"])
    now = fresh(slip)
    assert (now.state, now.version) == (State.DRAFT, 1)
    assert not timeline_for(slip).exists()


def test_labels_are_the_chinese_names_else_the_choice_label(db):
    assert SLIPS.label(State.CHECKED) == "已核对"
    assert SLIPS.label(State.CANCELLED) == str(State.CANCELLED.label)
    assert SLIPS.label("gone") == "gone"
    slip = new_slip()
    slip.state = State.CANCELLED
    assert SLIPS.refuse(slip, "不能入库", "cancelled").message == (
        f"入库单 RK20261123-001（MAIN） 当前为“{State.CANCELLED.label}”，不能入库"
    )


def test_a_change_based_on_an_older_version_is_refused(db):
    slip = new_slip()
    with transaction.atomic():
        SLIPS.save(SLIPS.lock(slip), [])  # someone else saved: version 2
    with pytest.raises(DomainError) as refused, transaction.atomic():
        SLIPS.lock(slip.pk, version=1)
    assert refused.value.code == "stale_version" and refused.value.field == "version"
    assert refused.value.message == "入库单 RK20261123-001（MAIN） 已被他人修改（第 2 版），请刷新后再操作"
    with transaction.atomic():
        assert SLIPS.lock(slip, version="2").version == 2  # the form's hidden field is text
        assert SLIPS.lock(slip, version="").version == 2  # no version seen: no check


def test_save_raises_the_version_by_one_and_saves_only_the_fields_given(db):
    slip = new_slip()
    Receipt.objects.filter(pk=slip.pk).update(note="另一人写的")
    slip.note, slip.difference_note = "不保存", "保存"
    SLIPS.save(slip, ["difference_note"])
    now = fresh(slip)
    assert (now.version, now.difference_note, now.note) == (2, "保存", "另一人写的")


def test_a_move_saves_state_and_fields_raises_the_version_and_writes_the_timeline_with_the_number(db, world):
    keeper = world.people["warehouse"]
    slip = new_slip()
    with transaction.atomic():
        current = SLIPS.lock(slip, version=1)
        current.note = "数量已核对"
        moved = SLIPS.move_locked(current, State.CHECKED, keeper, "一箱有破损", ["note"])
    now = fresh(slip)
    assert moved is current and (now.state, now.version, now.note) == (State.CHECKED, 2, "数量已核对")
    [event] = timeline_for(slip)
    assert (event.kind, event.from_state, event.to_state, event.note) == ("rk_state", "清点中", "已核对", "一箱有破损")
    assert event.actor == keeper and event.actor_number == keeper.number == "T006"


def test_transition_locks_checks_the_version_and_moves_in_one_go(db, world):
    slip = new_slip()
    SLIPS.transition(slip.pk, State.CHECKED, None, version=1)
    with pytest.raises(DomainError) as refused:
        SLIPS.transition(slip.pk, State.DRAFT, None, version=1)
    assert refused.value.code == "stale_version"
    event = timeline_for(slip).get()
    assert event.actor is None and event.actor_number == ""  # the system moved it
    assert SLIPS.transition(slip, State.DRAFT, world.people["manager"], version=2).version == 3


def test_a_timeline_kind_of_its_own_per_move_and_rows_for_bulk_paths(db, world):
    slip = new_slip()
    with transaction.atomic():
        SLIPS.move_locked(SLIPS.lock(slip), State.CANCELLED, world.people["manager"], kind="rk_cancelled")
    assert timeline_for(slip).get().kind == "rk_cancelled"
    assert SLIPS.event_row(slip, State.DRAFT, State.CHECKED, "批量") == (slip, "rk_state", "清点中", "已核对", "批量")


def test_lock_many_returns_the_rows_in_primary_key_order(db):
    slips = [new_slip(f"RK20261123-00{n}") for n in (1, 2, 3)]
    with transaction.atomic():
        rows = SLIPS.lock_many([slips[2], slips[0].pk, slips[1]])
    assert [r.pk for r in rows] == sorted(s.pk for s in slips)


# ---- under real concurrency (PostgreSQL: SQLite serialises writers, so there is no row lock to prove) ----------

THREADS = 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL (.ci/run runs it too)")
def test_concurrent_moves_from_the_same_version_let_exactly_one_through(transactional_db):
    slip = new_slip()
    start = threading.Barrier(THREADS)
    guard = threading.Lock()
    moved, refused, errors = [], [], []

    def run():
        try:
            start.wait()
            try:
                with transaction.atomic():
                    current = SLIPS.lock(slip.pk, version=1)  # everybody saw version 1
                    SLIPS.move_locked(current, State.CHECKED, None, "核对")
            except DomainError as exc:
                with guard:
                    refused.append(exc.code)
            else:
                with guard:
                    moved.append(current.version)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # The lock queues the others behind the first; each then reads version 2 and is refused as stale.
    assert moved == [2] and refused == ["stale_version"] * (THREADS - 1)
    now = fresh(slip)
    assert (now.state, now.version) == (State.CHECKED, 2)
    assert timeline_for(slip).count() == 1
