"""INV-3 supplier exchanges: faulty pieces stored apart → handed to the purchaser → exchanged (back to sellable
stock) or refused (the separate damaged account); part of a row can be settled; batch actions all or nothing."""

import io
import re

import pytest
from pypdf import PdfReader

from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.purchasing.models import SupplierExchange
from zhanggui.purchasing.services import exchanges, receiving

from .receiving_setup import checked, receiving_world  # noqa: F401 (the rw fixture)

State = SupplierExchange.State


def level(rw, code):
    return StockLevel.objects.get(sku=rw.skus[code], warehouse=rw.warehouse)


@pytest.fixture
def faulty(rw):
    """A posted slip: D-黑-S 10 arrived, 4 faulty (开线); D-黑-M 6 arrived, 2 faulty (色差)."""
    receipt = receiving.create_receipt(rw.keeper, order=rw.order)
    receipt = checked(rw, receipt, {"D-黑-S": (10, 4, "开线"), "D-黑-M": (6, 2, "色差")})
    receiving.post(rw.manager, receipt, version=receipt.version)
    rows = {ex.sku.code: ex for ex in SupplierExchange.objects.select_related("sku")}
    return receipt, rows


def test_inv3_exchanged_pieces_go_from_faulty_to_on_hand(rw, faulty):
    receipt, rows = faulty
    assert (level(rw, "D-黑-S").on_hand, level(rw, "D-黑-S").faulty) == (6, 4)
    (sent,) = exchanges.send(rw.keeper, [rows["D-黑-S"].pk])
    assert sent.state == State.SENT
    assert level(rw, "D-黑-S").faulty == 4  # handing over changes no stock
    (done,) = exchanges.resolve(rw.manager, [rows["D-黑-S"].pk], State.EXCHANGED)
    assert done.state == State.EXCHANGED and done.closed_at is not None
    lv = level(rw, "D-黑-S")
    assert (lv.on_hand, lv.faulty, lv.damaged) == (10, 0, 0)
    entry = LedgerEntry.objects.get(reason="exchange")
    assert (entry.document, entry.on_hand_change, entry.faulty_change) == (receipt.number, 4, -4)
    assert verify_stock().ok


def test_inv3_refused_pieces_go_to_the_damaged_account(rw, faulty):
    _receipt, rows = faulty
    exchanges.resolve(rw.manager, [rows["D-黑-M"].pk], State.REFUSED, note="供应商说是正常色差")
    lv = level(rw, "D-黑-M")
    assert (lv.on_hand, lv.faulty, lv.damaged) == (4, 0, 2)
    assert LedgerEntry.objects.get(reason="damaged").damaged_change == 2
    assert verify_stock().ok


def test_inv3_part_of_a_row_splits_it(rw, faulty):
    _receipt, rows = faulty
    row = rows["D-黑-S"]
    exchanges.send(rw.keeper, [row.pk])
    (part,) = exchanges.resolve(rw.manager, [(row.pk, 3)], State.EXCHANGED)
    row.refresh_from_db()
    assert (row.quantity, row.state) == (1, State.SENT)  # the rest waits with the purchaser
    assert (part.quantity, part.state, part.receipt_line_id) == (3, State.EXCHANGED, row.receipt_line_id)
    exchanges.resolve(rw.manager, [row.pk], State.REFUSED)
    lv = level(rw, "D-黑-S")
    assert (lv.on_hand, lv.faulty, lv.damaged) == (9, 0, 1)
    assert verify_stock().ok


def test_inv3_batch_is_all_or_nothing_and_names_the_rows(rw, faulty):
    _receipt, rows = faulty
    exchanges.resolve(rw.manager, [rows["D-黑-M"].pk], State.REFUSED)
    before = LedgerEntry.objects.count()
    with pytest.raises(DomainError) as exc:  # D-黑-M is settled already: the whole batch is refused
        exchanges.resolve(rw.manager, [rows["D-黑-S"].pk, rows["D-黑-M"].pk], State.EXCHANGED)
    assert f"换货 #{rows['D-黑-M'].pk} D-黑-M" in exc.value.message
    assert LedgerEntry.objects.count() == before
    assert SupplierExchange.objects.get(pk=rows["D-黑-S"].pk).state == State.PENDING
    with pytest.raises(DomainError) as exc:
        exchanges.resolve(rw.manager, [(rows["D-黑-S"].pk, 5)], State.EXCHANGED)
    assert "数量应在 1 到 4 之间" in exc.value.message
    with pytest.raises(DomainError):
        exchanges.send(rw.keeper, [])


def test_inv3_exchange_page_tabs_batch_action_and_pdf(rw, faulty, client_for, world):
    _receipt, rows = faulty
    keeper = client_for(rw.keeper)
    html = keeper.get("/purchasing/exchanges/").content.decode()
    assert re.search(r'data-count="pending"[^>]*>2<', html) and "D-黑-S" in html and 'id="batch-bar"' in html
    resp = keeper.post(
        "/purchasing/exchanges/action/",
        {"action": "send", "ids": [rows["D-黑-S"].pk], "next": "/purchasing/exchanges/?tab=pending"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/purchasing/exchanges/?tab=pending"
    resp = keeper.post(
        "/purchasing/exchanges/action/",
        {"action": "exchanged", "ids": [rows["D-黑-S"].pk], f"qty_{rows['D-黑-S'].pk}": "1"},
    )
    assert level(rw, "D-黑-S").on_hand == 7
    html = keeper.get("/purchasing/exchanges/?tab=sent").content.decode()
    assert re.search(r'data-count="sent"[^>]*>1<', html)
    pdf = keeper.get(f"/purchasing/exchanges/list.pdf?supplier={rw.supplier.pk}")
    reader = PdfReader(io.BytesIO(pdf.content))
    first = reader.pages[0].extract_text()
    assert "供应商换货清单" in first and "D-黑-M" in first and "进货人员联" in first
    assert "库房联" in reader.pages[len(reader.pages) - 1].extract_text()
    # Finance may look but not act; cs may not even look.
    finance = client_for(world.people["finance"])
    assert finance.get("/purchasing/exchanges/").status_code == 200
    assert finance.post("/purchasing/exchanges/action/", {"action": "send"}).status_code == 403
    assert client_for(world.people["cs"]).get("/purchasing/exchanges/").status_code == 403


def test_inv3_exchange_api_lists_rows(rw, faulty, client_for):
    data = client_for(rw.keeper).get("/api/v1/supplier-exchanges", {"state": "pending"}).json()
    assert data["count"] == 2
    assert {(r["sku_code"], r["quantity"], r["reason"]) for r in data["items"]} == {
        ("D-黑-S", 4, "开线"),
        ("D-黑-M", 2, "色差"),
    }
