"""INV-3 receiving and PUR-4: stock-in slips from counting to posting (services)."""

import io
import threading

import pytest
from django.db import connection, transaction
from pypdf import PdfReader

from zhanggui.core import pdf
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.purchasing.models import PurchaseOrder, Receipt, SupplierExchange
from zhanggui.purchasing.services import orders, receiving
from zhanggui.team.models import Task

from .receiving_setup import checked, count, ordered_po, receiving_world  # noqa: F401 (the rw fixture)


def level(rw, code):
    return StockLevel.objects.get(sku=rw.skus[code], warehouse=rw.warehouse)


def fresh(obj):
    obj.refresh_from_db()
    return obj


# ---- creating and counting --------------------------------------------------------------------------------------


def test_inv3_receipt_from_order_prefills_outstanding_lines_sorted_by_colour_and_size(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    assert receipt.number.startswith("RK") and receipt.number.endswith("-001")
    assert receipt.supplier == rw.supplier and receipt.warehouse == rw.warehouse
    lines = receiving.sorted_lines(receipt)
    # 分码分色: colour in creation order (黑 before 白), then size S < M < L.
    assert [ln.sku.code for ln in lines] == ["D-黑-S", "D-黑-M", "D-白-L"]
    assert [ln.expected_qty for ln in lines] == [10, 6, 4]
    assert lines[0].bin == rw.bins["A-01"]  # the SKU's home bin
    assert lines[1].bin is None
    second = receiving.create_receipt(rw.keeper, order=rw.order)
    assert second.number.endswith("-002")


def test_inv3_receipt_refused_for_order_not_ordered(rw):
    draft = orders.create_order(rw.manager, lines=[(rw.skus["D-黑-S"], 1, 0)], supplier=rw.supplier)
    with pytest.raises(DomainError) as exc:
        receiving.create_receipt(rw.keeper, order=draft)
    assert exc.value.code == "order_not_open" and draft.number in exc.value.message


def test_inv3_scan_adds_one_to_the_line_and_free_receipt_adds_lines(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receiving.scan(rw.keeper, receipt, "D-黑-S")
    line = receiving.scan(rw.keeper, receipt, "D-黑-S")
    assert line.counted_qty == 2
    with pytest.raises(DomainError) as exc:  # not on the order: a separate free receipt takes it
        receiving.scan(rw.keeper, receipt, "D-白-S")
    assert exc.value.code == "not_on_order" and "无采购单" in exc.value.message
    free = receiving.create_receipt(rw.keeper)
    assert free.order is None and free.supplier is None
    receiving.scan(rw.keeper, free, "D-白-S")
    receiving.scan(rw.keeper, free, "D-白-S", qty=3)
    assert [(ln.sku.code, ln.counted_qty, ln.expected_qty) for ln in receiving.sorted_lines(free)] == [("D-白-S", 4, 0)]
    with pytest.raises(DomainError) as exc:
        receiving.scan(rw.keeper, free, "NOPE")
    assert exc.value.code == "unknown_sku"


def test_inv3_negative_count_and_faulty_over_counted_refused_naming_the_row(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    with pytest.raises(DomainError) as exc:
        count(rw.keeper, receipt, {"D-黑-S": (-1, 0), "D-黑-M": (2, 3)})
    assert exc.value.code == "bad_counts"
    assert "第 1 行 D-黑-S：实到应在 0 到 1,000,000 之间（现为 -1）" in exc.value.details  # rule 7: core.bounds
    assert "第 2 行 D-黑-M：次品 3 件多于实到 2 件" in exc.value.details
    assert all(ln.counted_qty == 0 for ln in receipt.lines.all())  # nothing half-written


def test_inv3_stale_version_refused(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    old = receipt.version
    count(rw.keeper, receipt, {"D-黑-S": (5, 0)})
    line = receipt.lines.get(sku=rw.skus["D-黑-S"])
    with pytest.raises(DomainError) as exc:
        receiving.save_counts(rw.keeper, receipt, [{"line": line.pk, "counted": 9}], version=old)
    assert exc.value.code == "stale_version" and "已被他人修改" in exc.value.message
    assert fresh(line).counted_qty == 5


# ---- checking -----------------------------------------------------------------------------------------------------


def test_inv3_check_needs_the_purchaser_and_not_the_counter(rw, world):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    count(rw.keeper, receipt, {"D-黑-S": (10, 0)})
    receipt.refresh_from_db()
    with pytest.raises(DomainError) as exc:  # the 库管 lacks purchasing.check_receipt
        receiving.check(rw.keeper, receipt, version=receipt.version)
    assert exc.value.code == "forbidden"
    # The manager counted this one himself: allowed (one-person shop), the counter is recorded.
    own = receiving.create_receipt(rw.manager, order=rw.order)
    count(rw.manager, own, {"D-黑-M": (1, 0)})
    own.refresh_from_db()
    assert receiving.check(rw.manager, own, version=own.version).checked_by == rw.manager
    # Someone else with the right who counted: refused (four eyes).
    from django.contrib.auth.models import Permission

    keeper = rw.keeper
    keeper.user_permissions.add(Permission.objects.get(codename="check_receipt"))
    keeper = type(keeper).objects.get(pk=keeper.pk)  # drop the permission cache
    with pytest.raises(DomainError) as exc:
        receiving.check(keeper, receipt, version=receipt.version)
    assert exc.value.code == "same_person"
    done = receiving.check(rw.manager, receipt, version=receipt.version)
    assert done.state == Receipt.State.CHECKED and done.checked_by == rw.manager and done.counted_by == rw.keeper


def test_inv3_nothing_counted_cannot_be_checked(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    with pytest.raises(DomainError) as exc:
        receiving.check(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "nothing_counted"


# ---- posting ------------------------------------------------------------------------------------------------------


def test_inv3_posting_books_good_to_on_hand_and_faulty_apart(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (10, 2, "开线"), "D-黑-M": (6, 0), "D-白-L": (1, 0)})
    assert level(rw, "D-黑-S").in_transit == 10
    posted = receiving.post(rw.manager, receipt, version=receipt.version)
    assert posted.state == Receipt.State.POSTED and posted.posted_by == rw.manager
    black_s = level(rw, "D-黑-S")
    assert (black_s.on_hand, black_s.faulty, black_s.in_transit) == (8, 2, 0)
    assert (level(rw, "D-黑-M").on_hand, level(rw, "D-白-L").on_hand, level(rw, "D-白-L").in_transit) == (6, 1, 3)
    entries = LedgerEntry.objects.filter(document=receipt.number).order_by("sku__code")
    assert {(e.sku.code, e.reason, e.on_hand_change, e.faulty_change) for e in entries} == {
        ("D-黑-S", "receipt", 8, 2),
        ("D-黑-M", "receipt", 6, 0),
        ("D-白-L", "receipt", 1, 0),
    }
    assert verify_stock().ok
    ex = SupplierExchange.objects.get()
    assert (ex.sku.code, ex.quantity, ex.supplier, ex.reason, ex.state) == ("D-黑-S", 2, rw.supplier, "开线", "pending")
    po = fresh(rw.order)
    assert po.state == PurchaseOrder.State.PARTIAL
    assert {ln.sku.code: (ln.received_qty, ln.faulty_qty) for ln in po.lines.all()} == {
        "D-黑-S": (10, 2),
        "D-黑-M": (6, 0),
        "D-白-L": (1, 0),
    }
    # The rest arrives: a second slip prefilled with the 3 outstanding pieces completes the order.
    rest = receiving.create_receipt(rw.keeper, order=po)
    assert [(ln.sku.code, ln.expected_qty) for ln in receiving.sorted_lines(rest)] == [("D-白-L", 3)]
    rest = checked(rw, rest, {"D-白-L": (3, 0)})
    receiving.post(rw.manager, rest, version=rest.version)
    assert fresh(po).state == PurchaseOrder.State.RECEIVED
    assert level(rw, "D-白-L").in_transit == 0
    assert verify_stock().ok


def test_inv3_sets_home_bin_when_the_sku_has_none(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    line = receipt.lines.get(sku=rw.skus["D-黑-M"])
    receiving.save_counts(
        rw.keeper, receipt, [{"line": line.pk, "counted": 6, "bin": rw.bins["A-02"].pk}], version=receipt.version
    )
    receipt.refresh_from_db()
    receiving.check(rw.manager, receipt, version=receipt.version)
    receipt.refresh_from_db()
    receiving.post(rw.manager, receipt, version=receipt.version)
    assert level(rw, "D-黑-M").home_bin == rw.bins["A-02"]


def test_inv3_over_delivery_refused_and_nothing_written(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (10, 0), "D-黑-M": (6, 0)})
    # Meanwhile another slip of the same order posts 3 pieces of D-黑-M: this slip's 6 are now 3 too many.
    other = receiving.create_receipt(rw.keeper, order=rw.order)
    other = checked(rw, other, {"D-黑-M": (3, 0)})
    receiving.post(rw.manager, other, version=other.version)
    ledger_before = LedgerEntry.objects.count()
    po_version = fresh(rw.order).version
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "over_delivery"
    assert exc.value.details == [
        "第 2 行 D-黑-M：采购 6 件，已到 3 件，本次实到 6 件，超出 3 件。"
        "请按采购数量入库，多出的另开一张无采购单的入库单"
    ]
    assert LedgerEntry.objects.count() == ledger_before
    assert level(rw, "D-黑-S").on_hand == 0 and fresh(receipt).state == Receipt.State.CHECKED
    assert fresh(rw.order).version == po_version


def test_inv3_over_delivery_caught_at_check(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    count(rw.keeper, receipt, {"D-白-L": (5, 0)})
    receipt.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        receiving.check(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "over_delivery" and "超出 1 件" in exc.value.message


@pytest.mark.parametrize("step", ["move_stock", "add_in_transit"])
def test_inv3_refusal_anywhere_rolls_back_the_whole_posting(rw, monkeypatch, step):
    """Nothing half-posted: a refusal from the stock service, or from the last step (in transit) after stock,
    exchanges and order lines were written, leaves receipt, order, exchanges and ledger as they were."""
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (10, 1)})

    def refuse(*args, **kwargs):
        raise DomainError("stock_refused", "第 1 行 D-黑-S 库存变动被拒绝", "lines", ["第 1 行 D-黑-S 库存变动被拒绝"])

    monkeypatch.setattr(receiving, step, refuse)
    with pytest.raises(DomainError):
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert fresh(receipt).state == Receipt.State.CHECKED
    assert not SupplierExchange.objects.exists() and not LedgerEntry.objects.filter(document=receipt.number).exists()
    assert fresh(rw.order).lines.get(sku=rw.skus["D-黑-S"]).received_qty == 0
    assert level(rw, "D-黑-S").on_hand == 0 and verify_stock().ok


def test_inv3_posting_twice_refused(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (4, 0)})
    receiving.post(rw.manager, receipt, version=receipt.version)
    receipt.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "already_posted" and "不能重复入库" in exc.value.message
    assert level(rw, "D-黑-S").on_hand == 4
    assert LedgerEntry.objects.filter(document=receipt.number).count() == 1


def test_inv3_stale_version_refused_at_posting(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (4, 0)})
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version - 1)
    assert exc.value.code == "stale_version"
    assert not LedgerEntry.objects.filter(document=receipt.number).exists()


def test_inv3_cancelled_slip_cannot_be_posted(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (4, 0)})
    receipt = receiving.cancel(rw.manager, receipt, version=receipt.version, note="供应商发错")
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "cancelled"
    assert not LedgerEntry.objects.filter(document=receipt.number).exists()
    with pytest.raises(DomainError):  # and a posted one cannot be cancelled
        receiving.cancel(rw.manager, receipt, version=receipt.version)


def test_inv3_unchecked_slip_cannot_be_posted_and_reopen_allows_recount(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    count(rw.keeper, receipt, {"D-黑-S": (4, 0)})
    receipt.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "not_checked"
    receipt = receiving.check(rw.manager, receipt, version=receipt.version)
    with pytest.raises(DomainError):  # counts are frozen once checked
        count(rw.keeper, receipt, {"D-黑-S": (5, 0)})
    receipt = receiving.reopen(rw.manager, fresh(receipt), version=fresh(receipt).version, note="数量不符")
    assert receipt.state == Receipt.State.DRAFT and receipt.checked_by is None
    count(rw.keeper, receipt, {"D-黑-S": (5, 0)})


def test_inv3_posting_against_closed_order_refused(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (4, 0)})
    with transaction.atomic():
        orders.transition(orders.lock(rw.order), PurchaseOrder.State.CANCELLED, rw.manager)
    with pytest.raises(DomainError) as exc:
        receiving.post(rw.manager, receipt, version=receipt.version)
    assert exc.value.code == "order_not_open" and rw.order.number in exc.value.message
    assert not LedgerEntry.objects.filter(document=receipt.number).exists()


def test_inv3_free_receipt_posts_without_order(rw):
    receipt = receiving.create_receipt(rw.keeper, supplier=rw.supplier, note="样品补货")
    receiving.scan(rw.keeper, receipt, "D-白-S", qty=2)
    receipt.refresh_from_db()
    receipt = receiving.check(rw.manager, receipt, version=receipt.version)
    receiving.post(rw.manager, receipt, version=receipt.version)
    assert level(rw, "D-白-S").on_hand == 2 and level(rw, "D-白-S").in_transit == 0
    assert verify_stock().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only (SQLite serialises writers)")
def test_inv3_two_postings_at_once_only_one_succeeds(transactional_db, world):
    """The receipt row lock (select_for_update): two people press 入库 at the same moment → one posting."""
    from zhanggui.catalog.services.products import create_product
    from zhanggui.inventory.services.warehouses import create_warehouse
    from zhanggui.purchasing.models import Supplier

    manager = world.people["manager"]
    warehouse = create_warehouse(manager, code="W1", name="主仓", is_default=True)
    sku = create_product(manager, style_code="R", name="并发", colours=["黑"], sizes=["M"]).skus.get()
    supplier = Supplier.objects.create(code="S9", name="并发供应商")
    po = ordered_po(manager, supplier, warehouse, [(sku, 5, 100)])
    receipt = receiving.create_receipt(manager, order=po)
    line = receipt.lines.get()
    receiving.save_counts(manager, receipt, [{"line": line.pk, "counted": 5}], version=receipt.version)
    receipt.refresh_from_db()
    receipt = receiving.check(manager, receipt, version=receipt.version)
    barrier, outcomes = threading.Barrier(2), []

    def go():
        try:
            barrier.wait()
            receiving.post(manager, Receipt.objects.get(pk=receipt.pk), version=receipt.version)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["already_posted", "ok"], ["ok", "stale_version"])
    assert StockLevel.objects.get(sku=sku).on_hand == 5
    assert LedgerEntry.objects.filter(document=receipt.number).count() == 1
    assert verify_stock().ok


# ---- PUR-4 ----------------------------------------------------------------------------------------------------------


def test_pur4_differing_restock_tasks_editor_and_designer_once(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    with pytest.raises(DomainError) as exc:  # the flag needs the difference written down
        count(rw.keeper, receipt, {"D-黑-S": (4, 0)}, differs_from_last_batch=True)
    assert exc.value.code == "difference_note"
    receipt = checked(
        rw, receipt, {"D-黑-S": (4, 0)}, differs_from_last_batch=True, difference_note="面料变薄，领口改成圆领"
    )
    receiving.post(rw.manager, receipt, version=receipt.version)
    tasks = Task.objects.filter(source=f"receipt:{receipt.pk}")
    assert sorted(t.role.code for t in tasks) == ["designer", "editor"]
    task = tasks.first()
    assert task.rule == "PUR-4" and "面料变薄" in task.detail and "D 碎花连衣裙" in task.detail
    assert task.url == f"/products/{rw.skus['D-黑-S'].product_id}/"
    # A slip that does not differ tasks nobody.
    plain = receiving.create_receipt(rw.keeper, order=rw.order)
    plain = checked(rw, plain, {"D-黑-S": (1, 0)})
    receiving.post(rw.manager, plain, version=plain.version)
    assert Task.objects.count() == 2


# ---- the printed slip ---------------------------------------------------------------------------------------------


def test_inv3_slip_pdf_has_number_codes_and_faulty_column(rw):
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    count(rw.keeper, receipt, {"D-黑-S": (10, 2, "开线")})
    receipt.refresh_from_db()
    content = pdf.render(receiving.slip_document(receipt, printed_by="T006"))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2  # 库房联 + 进货人员联
    first, second = (p.extract_text() for p in reader.pages)
    for text in (receipt.number, "D-黑-S", "次品", "良品", "库房联", "清点人", "核对人"):
        assert text in first, text
    assert "进货人员联" in second
