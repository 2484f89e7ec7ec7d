"""INV-5: inspected returns — intact pieces back to stock, damaged ones to the damaged account; one booking per
reference however often after-sales retries; the damaged account can be written off."""

import threading

import pytest
from django.db import connection

from zhanggui.catalog.services.products import create_product
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, StockLevel, Warehouse
from zhanggui.inventory.services.returns import receive_return, write_off_damaged
from zhanggui.inventory.services.verify import verify_stock


@pytest.fixture
def skus(world):
    Warehouse.objects.create(code="MAIN", name="主仓", is_default=True)
    product = create_product(None, style_code="R", name="退货裙", colours=["黑"], sizes=["S", "M"])
    return {s.code: s for s in product.skus.all()}


def level(sku):
    return StockLevel.objects.get(sku=sku)


def test_inv5_intact_back_to_stock_damaged_to_damaged_account(world, skus):
    keeper = world.people["warehouse"]
    result = receive_return(keeper, "SH-0001", [(skus["R-黑-S"], 2, True, ""), ("R-黑-M", 1, False, "污渍洗不掉")])
    assert result.created
    assert {(e.sku.code, e.reason, e.on_hand_change, e.damaged_change) for e in result.entries} == {
        ("R-黑-S", "return", 2, 0),
        ("R-黑-M", "damaged", 0, 1),
    }
    assert (level(skus["R-黑-S"]).on_hand, level(skus["R-黑-S"]).damaged) == (2, 0)
    assert (level(skus["R-黑-M"]).on_hand, level(skus["R-黑-M"]).damaged) == (0, 1)
    assert all(e.document == "SH-0001" and e.actor_number == keeper.number for e in result.entries)
    assert verify_stock().ok


def test_inv5_retry_with_the_same_reference_books_nothing(world, skus):
    first = receive_return(None, "SH-0002", [(skus["R-黑-S"], 3, True, "")])
    again = receive_return(None, "SH-0002", [(skus["R-黑-S"], 3, True, "")])
    assert first.created and not again.created
    assert [e.pk for e in again.entries] == [e.pk for e in first.entries]
    assert level(skus["R-黑-S"]).on_hand == 3
    assert LedgerEntry.objects.filter(document="SH-0002").count() == 1


def test_inv5_bad_lines_refused_naming_the_row_nothing_written(world, skus):
    with pytest.raises(DomainError) as exc:
        receive_return(
            None, "SH-0003", [(skus["R-黑-S"], 1, True, ""), ("NOPE", 1, True, ""), ("R-黑-M", 0, False, "")]
        )
    assert exc.value.details == [
        "第 2 行：没有商家编码或条码为 NOPE 的商品",
        "第 3 行 R-黑-M：退货数量应在 1 到 1,000,000 之间（现为 0）",  # rule 7: core.bounds
    ]
    assert not LedgerEntry.objects.exists()
    with pytest.raises(DomainError):
        receive_return(None, " ", [(skus["R-黑-S"], 1, True, "")])


def test_inv5_write_off_damaged_never_below_zero(world, skus):
    receive_return(None, "SH-0004", [(skus["R-黑-M"], 2, False, "")])
    entry = write_off_damaged(None, skus["R-黑-M"], None, 1, note="报废")
    assert (entry.reason, entry.damaged_change, entry.damaged_after) == ("write_off", -1, 1)
    with pytest.raises(DomainError) as exc:
        write_off_damaged(None, skus["R-黑-M"], None, 5)
    assert exc.value.code == "stock_refused" and "残损账 1 件" in exc.value.message
    assert level(skus["R-黑-M"]).damaged == 1
    assert verify_stock().ok


def test_inv5_api_books_once_per_reference(world, skus, client_for):
    api = client_for(world.people["warehouse"])
    body = {"reference": "SH-0005", "lines": [{"sku": "R-黑-S", "qty": 1, "intact": True}]}
    first = api.post("/api/v1/stock-returns", body, content_type="application/json")
    again = api.post("/api/v1/stock-returns", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert level(skus["R-黑-S"]).on_hand == 1
    denied = client_for(world.people["cs"]).post("/api/v1/stock-returns", body, content_type="application/json")
    assert denied.status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing transactions: PostgreSQL only")
def test_inv5_racing_retries_book_once(transactional_db):
    Warehouse.objects.create(code="MAIN", name="主仓", is_default=True)
    sku = create_product(None, style_code="RR", name="并发退货", colours=["黑"], sizes=["M"]).skus.get()
    barrier, outcomes, errors = threading.Barrier(4), [], []

    def go():
        try:
            barrier.wait()
            outcomes.append(receive_return(None, "SH-RACE", [(sku, 1, True, "")]).created)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(outcomes) == [False, False, False, True]
    assert StockLevel.objects.get(sku=sku).on_hand == 1
    assert verify_stock().ok
