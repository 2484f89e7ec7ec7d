"""Stock services (INV-1, INV-2): receive/adjust, reserve → release/commit, ledger, stock_changed, stock-verify."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from zhanggui.catalog.models import ComboItem, Listing, Product, Sku
from zhanggui.catalog.services import listing_stock
from zhanggui.catalog.services import listings as listing_svc
from zhanggui.core import domain_events
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel, Warehouse
from zhanggui.inventory.services import stock as svc
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.inventory.services.warehouses import create_warehouse

R = LedgerEntry.Reason


def make_skus(code, n=2):
    product = Product.objects.create(style_code=code, name="碎花连衣裙")
    return [Sku.objects.create(product=product, code=f"{code}-{i}", size=f"S{i}") for i in range(n)]


@pytest.fixture
def keeper(world):
    return world.people["warehouse"]


@pytest.fixture
def wh(keeper):
    return create_warehouse(keeper, code="MAIN", name="主仓")


@pytest.fixture
def skus(wh, keeper):
    a, b = make_skus("ST")
    svc.receive_stock(keeper, a, wh, 10, "RK-1", reason="opening")
    svc.receive_stock(keeper, b, wh, 4, "RK-1", reason="opening")
    return a, b


def level(sku, wh):
    return StockLevel.objects.get(sku=sku, warehouse=wh)


def figures(sku, wh):
    lv = level(sku, wh)
    return lv.on_hand, lv.reserved, lv.available


@pytest.fixture
def published(monkeypatch):
    """Every StockChanged payload delivered (after commit; the only subscriber, instead of the catalog's)."""
    got = []

    def listen(event):
        got.append({"sku_ids": list(event.sku_ids), "available": event.available})

    monkeypatch.setattr(domain_events, "_SUBSCRIBERS", {domain_events.StockChanged: [listen]})
    return got


def test_inv1_inv2_receive_writes_ledger_with_before_after_and_actor(skus, wh, keeper):
    a, _b = skus
    entry = svc.receive_stock(keeper, a, wh, 5, "RK-2", note="春季到货")
    assert figures(a, wh) == (15, 0, 15)
    assert (entry.reason, entry.document, entry.on_hand_change, entry.reserved_change) == (R.RECEIPT, "RK-2", 5, 0)
    assert (entry.on_hand_before, entry.on_hand_after, entry.reserved_after) == (10, 15, 0)
    assert entry.actor_number == keeper.number and entry.actor == keeper
    assert LedgerEntry.objects.filter(sku=a).count() == 2


def test_inv1_receive_refuses_bad_input(skus, wh, keeper):
    a, _b = skus
    for qty, reason in [(0, "receipt"), (-1, "receipt"), (-1, "return"), (3, "ship")]:
        with pytest.raises(DomainError):
            svc.receive_stock(keeper, a, wh, qty, "X", reason=reason)
    combo = Sku.objects.create(product=a.product, code="ST-COMBO", is_combo=True)
    with pytest.raises(DomainError) as err:
        svc.receive_stock(keeper, combo, wh, 1, "X")
    assert err.value.code == "combo_no_stock"
    assert LedgerEntry.objects.count() == 2


def test_inv1_default_warehouse(world, keeper, skus, wh):
    a, _b = skus
    assert svc.default_warehouse() == wh
    other = create_warehouse(keeper, code="B2", name="二号仓")
    assert svc.default_warehouse() == wh  # the first one is the default
    svc.reserve("order-line:1", [(a, 1)])
    assert Reservation.objects.get().warehouse == wh
    Warehouse.objects.update(is_default=False)
    with pytest.raises(DomainError) as err:
        svc.reserve("order-line:2", [(a, 1)])
    assert err.value.code == "no_default_warehouse"
    with pytest.raises(DomainError) as err:  # a named warehouse: its own stock only
        svc.reserve("order-line:2", [(a.pk, 1)], warehouse=other)
    assert err.value.code == "insufficient_stock" and "二号仓可用 0 件" in err.value.message


def test_inv1_adjust_may_reduce_but_never_below_reserved(skus, wh, keeper):
    a, _b = skus
    svc.reserve("order-line:1", [(a, 6)], warehouse=wh)
    entry = svc.receive_stock(keeper, a, wh, -4, "TZ-1", reason="adjust", note="破损")
    assert figures(a, wh) == (6, 6, 0) and entry.on_hand_change == -4
    with pytest.raises(DomainError) as err:
        svc.receive_stock(keeper, a, wh, -1, "TZ-2", reason="adjust")
    assert err.value.code == "below_reserved" and "预留" in err.value.message
    assert figures(a, wh) == (6, 6, 0)
    assert not LedgerEntry.objects.filter(document="TZ-2").exists()


def test_inv1_inv2_reserve_release_commit_figures_and_ledger(skus, wh, keeper):
    a, b = skus
    got = svc.reserve("order-line:1", [(a, 3), (b, 1)], warehouse=wh, actor=keeper)
    assert [(r.sku_id, r.quantity, r.state) for r in got] == [(a.pk, 3, "open"), (b.pk, 1, "open")]
    assert figures(a, wh) == (10, 3, 7) and figures(b, wh) == (4, 1, 3)
    entry = LedgerEntry.objects.get(sku=a, reason=R.RESERVE)
    assert (entry.document, entry.on_hand_change, entry.reserved_change) == ("order-line:1", 0, 3)
    assert (entry.on_hand_after, entry.reserved_after, entry.actor_number) == (10, 3, keeper.number)

    svc.reserve("order-line:2", [(a, 2)], warehouse=wh)
    released = svc.release("order-line:2", actor=keeper, note="买家取消")
    assert [(r.sku_id, r.state) for r in released] == [(a.pk, "released")]
    assert figures(a, wh) == (10, 3, 7)
    entry = LedgerEntry.objects.get(reason=R.RELEASE)
    assert (entry.reserved_change, entry.reserved_after, entry.note) == (-2, 3, "买家取消")
    assert svc.release("order-line:2") == []  # idempotent

    shipped = svc.commit("order-line:1", "SF1234567890", actor=keeper)
    assert {r.state for r in shipped} == {"committed"}
    assert figures(a, wh) == (7, 0, 7) and figures(b, wh) == (3, 0, 3)
    ship = LedgerEntry.objects.filter(reason=R.SHIP)
    assert ship.count() == 2  # one entry per SKU: on hand and reserved together
    entry = ship.get(sku=a)
    assert (entry.document, entry.on_hand_change, entry.reserved_change) == ("SF1234567890", -3, -3)
    assert (entry.on_hand_after, entry.reserved_after) == (7, 0)
    assert svc.commit("order-line:1", "SF1234567890") == []  # idempotent
    assert svc.release("order-line:1") == []  # shipped goods are not given back
    assert figures(a, wh) == (7, 0, 7)
    assert verify_stock().ok


def test_inv1_reserve_retry_is_idempotent(skus, wh):
    a, b = skus
    first = svc.reserve("order-line:7", [(a, 2), (b, 1)], warehouse=wh)
    ledger = LedgerEntry.objects.count()
    again = svc.reserve("order-line:7", [(a, 2), (b, 1)], warehouse=wh)
    assert [r.pk for r in again] == [r.pk for r in first]
    assert figures(a, wh) == (10, 2, 8) and LedgerEntry.objects.count() == ledger
    svc.release("order-line:7")
    assert svc.reserve("order-line:7", [(a, 2)], warehouse=wh)[0].state == "released"  # still nothing changes
    assert figures(a, wh) == (10, 0, 10)


def test_inv1_partial_retry_reserves_only_the_new_lines(skus, wh, keeper):
    """A retry of a reference with one more line: the existing reservation stays, only the new line is reserved
    (on PostgreSQL the one-statement path hands this case to the general one)."""
    a, b = skus
    first = svc.reserve("order-line:8", [(a, 2)], warehouse=wh)
    got = svc.reserve("order-line:8", [(a, 5), (b, 1)], warehouse=wh, actor=keeper)
    assert [(r.sku_id, r.quantity) for r in got] == [(a.pk, 2), (b.pk, 1)] and got[0].pk == first[0].pk
    assert figures(a, wh) == (10, 2, 8) and figures(b, wh) == (4, 1, 3)
    entry = LedgerEntry.objects.get(sku=b, reason=R.RESERVE)
    assert (entry.document, entry.reserved_change, entry.reserved_after, entry.actor_number) == (
        "order-line:8",
        1,
        1,
        keeper.number,
    )
    assert LedgerEntry.objects.filter(reason=R.RESERVE).count() == 2 and verify_stock().ok


def test_inv1_inv2_one_line_reserve_writes_its_ledger_entry_or_nothing(skus, wh, keeper):
    """The one-line reservation (one statement on PostgreSQL): reservation, level and ledger entry together;
    refused, none of them."""
    a, _b = skus
    (got,) = svc.reserve("order-line:5", [(a.pk, 4)], warehouse=wh, actor=keeper)
    assert (got.reference, got.sku_id, got.quantity, got.state) == ("order-line:5", a.pk, 4, "open")
    assert Reservation.objects.get(pk=got.pk).quantity == 4
    entry = LedgerEntry.objects.get(reason=R.RESERVE)
    assert (entry.sku_id, entry.warehouse_id, entry.document, entry.on_hand_change, entry.reserved_change) == (
        a.pk,
        wh.pk,
        "order-line:5",
        0,
        4,
    )
    assert (entry.on_hand_after, entry.reserved_after, entry.actor, entry.actor_number) == (
        10,
        4,
        keeper,
        keeper.number,
    )
    assert entry.at == got.created_at
    with pytest.raises(DomainError) as err:
        svc.reserve("order-line:6", [(a, 7)], warehouse=wh)
    assert err.value.code == "insufficient_stock" and "可用 6 件" in err.value.message
    assert not Reservation.objects.filter(reference="order-line:6").exists()
    assert LedgerEntry.objects.filter(reason=R.RESERVE).count() == 1 and figures(a, wh) == (10, 4, 6)
    assert verify_stock().ok


def test_inv1_insufficient_stock_refused_and_nothing_written(skus, wh):
    a, b = skus
    ledger = LedgerEntry.objects.count()
    with pytest.raises(DomainError) as err:
        svc.reserve("order-line:9", [(a, 2), (b, 5)], warehouse=wh)
    assert err.value.code == "insufficient_stock"
    assert b.code in err.value.message and "可用 4 件" in err.value.message
    assert figures(a, wh) == (10, 0, 10) and figures(b, wh) == (4, 0, 4)
    assert not Reservation.objects.exists() and LedgerEntry.objects.count() == ledger
    never_stocked = make_skus("NS", 1)[0]
    with pytest.raises(DomainError) as err:
        svc.reserve("order-line:10", [(never_stocked, 1)], warehouse=wh)
    assert err.value.code == "insufficient_stock" and "可用 0 件" in err.value.message


def test_inv1_combo_reserves_its_parts_all_or_nothing(skus, wh):
    a, b = skus
    combo = Sku.objects.create(product=a.product, code="ST-SET", is_combo=True)
    ComboItem.objects.create(combo=combo, component=a, quantity=2)
    ComboItem.objects.create(combo=combo, component=b, quantity=1)
    got = svc.reserve("order-line:c1", [(combo, 3), (a, 1)], warehouse=wh)
    assert {(r.sku_id, r.quantity) for r in got} == {(a.pk, 7), (b.pk, 3)}
    assert figures(a, wh) == (10, 7, 3) and figures(b, wh) == (4, 3, 1)
    with pytest.raises(DomainError) as err:  # a has enough (2 of 3) but b not (2 of 1): neither is reserved
        svc.reserve("order-line:c2", [(combo, 1), (b, 1)], warehouse=wh)
    assert err.value.code == "insufficient_stock" and b.code in err.value.message
    assert figures(a, wh) == (10, 7, 3) and figures(b, wh) == (4, 3, 1)
    assert not Reservation.objects.filter(reference="order-line:c2").exists()
    svc.commit("order-line:c1", "YT0001")
    assert figures(a, wh) == (3, 0, 3) and figures(b, wh) == (1, 0, 1)


def test_prod6_stock_changed_published_after_commit_only_when_availability_crosses_zero(
    skus, wh, keeper, published, django_capture_on_commit_callbacks
):
    """PROD-6: only a change that takes a SKU's availability to zero or up from zero publishes, after the commit,
    with the availability summed over the active warehouses; a reservation that leaves stock publishes nothing."""
    a, b = skus
    second = create_warehouse(keeper, code="B2", name="二号仓")
    with django_capture_on_commit_callbacks(execute=True):
        svc.receive_stock(keeper, a, second, 5, "RK-3")  # a level up from zero
    assert published == [{"sku_ids": [a.pk], "available": {a.pk: 15}}]
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.reserve("order-line:1", [(a, 4)], warehouse=wh)  # 10 → 6: no crossing
        svc.receive_stock(keeper, b, wh, 1, "RK-4")  # 4 → 5: none either
    assert published == []
    with django_capture_on_commit_callbacks(execute=True):
        svc.reserve("order-line:2", [(a, 6), (b, 5)], warehouse=wh)  # both levels in 主仓 sell out
        assert published == []  # nothing before the commit
    assert published == [{"sku_ids": [a.pk, b.pk], "available": {a.pk: 5, b.pk: 0}}]  # summed over warehouses
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.commit("order-line:1", "YT1")  # shipping moves on hand and reserved alike: availability stays
        svc.release("order-line:2")  # back from zero
    assert published == [{"sku_ids": [a.pk, b.pk], "available": {a.pk: 11, b.pk: 5}}]
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.move_stock(keeper, [svc.Move(b, faulty=2)], reason="exchange", warehouse=wh)  # not sellable
        svc.move_stock(keeper, [svc.Move(b, on_hand=-5, damaged=5)], reason="damaged", warehouse=wh)
    assert published == [{"sku_ids": [b.pk], "available": {b.pk: 0}}]


def test_prod6_catalog_listing_waits_for_delisting_when_stock_runs_out(
    world, skus, wh, keeper, monkeypatch, django_capture_on_commit_callbacks
):
    """Integration with the catalog's on_stock_changed (subscribed by the catalog app): a reservation that leaves
    stock does not call it; the one that sells out does, and the listing goes to 待下架; a release relists it."""
    calls = []
    handlers = domain_events.subscribers(domain_events.StockChanged)
    assert listing_stock.on_stock_changed in handlers

    def listen(event):
        calls.append({"sku_ids": list(event.sku_ids), "available": event.available})

    monkeypatch.setitem(domain_events._SUBSCRIBERS, domain_events.StockChanged, [listen, *handlers])
    editor = world.people["editor"]
    product = Product.objects.create(style_code="ONE", name="单色T恤")
    only = Sku.objects.create(product=product, code="ONE-F", size="F")
    svc.receive_stock(keeper, only, wh, 2, "RK-9")
    listing = listing_svc.list_now(editor, listing_svc.create_listing(editor, world.shop_a, product, "T恤", 100))
    with django_capture_on_commit_callbacks(execute=True):
        svc.reserve("order-line:1", [(only, 1)], warehouse=wh)
    assert calls == []
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LISTED and not Sku.objects.get(pk=only.pk).sold_out
    with django_capture_on_commit_callbacks(execute=True):
        svc.reserve("order-line:2", [(only, 1)], warehouse=wh)
    assert calls == [{"sku_ids": [only.pk], "available": {only.pk: 0}}]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.TO_DELIST
    assert Sku.objects.get(pk=only.pk).sold_out
    with django_capture_on_commit_callbacks(execute=True):
        svc.release("order-line:1")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LISTED and not Sku.objects.get(pk=only.pk).sold_out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_prod6_racing_sold_out_and_restock_leave_no_stale_sold_out_mark(world, transactional_db, monkeypatch):
    """PROD-6 under concurrency: the sell-out's handler is held up after reading 0 available while a release
    restocks the SKU; the restock's handler must wait for it (SKU row lock) and then read the new stock, so the
    listing ends up listed — not stuck in 待下架 with stock on hand, as when the later handler ran first."""
    keeper, editor = world.people["warehouse"], world.people["editor"]
    wh = create_warehouse(keeper, code="RACE", name="主仓")
    product = Product.objects.create(style_code="RACE", name="爆款")
    sku = Sku.objects.create(product=product, code="RACE-F", size="F")
    svc.receive_stock(keeper, sku, wh, 3, "RK-1")
    svc.reserve("order-line:1", [(sku, 2)], warehouse=wh)
    listing = listing_svc.list_now(editor, listing_svc.create_listing(editor, world.shop_a, product, "T恤", 100))
    gate, held = threading.Event(), threading.Event()

    def hold_sell_out(event):
        if event.available[sku.pk] == 0 and not held.is_set():
            held.set()
            gate.wait(10)

    handlers = [hold_sell_out, *domain_events.subscribers(domain_events.StockChanged)]
    monkeypatch.setitem(domain_events._SUBSCRIBERS, domain_events.StockChanged, handlers)
    errors = []

    def run(call):
        try:
            call()
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    selling = threading.Thread(target=run, args=(lambda: svc.reserve("order-line:2", [(sku, 1)], warehouse=wh),))
    selling.start()
    assert held.wait(10)
    restocking = threading.Thread(target=run, args=(lambda: svc.release("order-line:1"),))
    restocking.start()
    for _ in range(100):  # until the restock's handler waits for the lock (or, without it, has finished)
        with connection.cursor() as cursor:
            # this test database only: the other xdist worker's lock waits must not end the wait early
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] or not restocking.is_alive():
                break
        time.sleep(0.05)
    # The release itself committed meanwhile: the handler's lock never holds up stock changes (their ledger rows
    # only take a key-share lock on the SKU row).
    assert svc.available_by_sku([sku]) == {sku.pk: 2}
    gate.set()
    selling.join(10)
    restocking.join(10)
    assert errors == []
    assert svc.available_by_sku([sku]) == {sku.pk: 2}
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LISTED
    assert not Sku.objects.get(pk=sku.pk).sold_out


def test_inv2_stock_verify_finds_a_tampered_level(skus, wh, capsys):
    a, b = skus
    svc.reserve("order-line:1", [(a, 2)], warehouse=wh)
    call_command("stock-verify")
    assert "库存与流水一致：2 个库存记录" in capsys.readouterr().out
    StockLevel.objects.filter(sku=a).update(on_hand=99)  # behind the services' back
    check = verify_stock()
    assert [(d.sku_id, d.on_hand, d.reserved, d.ledger_on_hand, d.ledger_reserved) for d in check.differences] == [
        (a.pk, 99, 2, 10, 2)
    ]
    with pytest.raises(SystemExit) as exited:
        call_command("stock-verify")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert a.code in out and "流水合计 在库 10" in out
    LedgerEntry.objects.filter(sku=b).delete()  # a level whose ledger vanished
    assert {d.sku_id for d in verify_stock().differences} == {a.pk, b.pk}


def test_inv2_stock_verify_reports_ledger_without_level(skus, wh):
    a, _b = skus
    StockLevel.objects.filter(sku=a).delete()
    check = verify_stock()
    assert check.levels == 1
    assert [(d.sku_id, d.on_hand, d.ledger_on_hand) for d in check.differences] == [(a.pk, None, 10)]


def test_inv1_reserve_is_a_fixed_number_of_queries(skus, wh, django_assert_max_num_queries):
    parts = [make_skus(f"Q{n}", 1)[0] for n in range(10)]
    for sku in parts:
        svc.receive_stock(None, sku, wh, 5, "RK")
    with django_assert_max_num_queries(7 + 10):  # one conditional UPDATE per SKU, the rest fixed
        svc.reserve("order-line:q", [(s, 1) for s in parts], warehouse=wh)
    with django_assert_max_num_queries(7 + 10):
        svc.commit("order-line:q", "SF1")
