"""End-to-end (INV-3, INV-6, PUR-2): the warehouse keeper A007 receives a purchase order with one faulty piece
(the manager checks the count as purchaser, the keeper posts it), prints the stock-in slip (looked at as PNG),
then runs a small stocktake of three SKUs by scanning; the manager A001 approves it. Screenshots in
test-artifacts/."""

import io
import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _pdf_to_png(content: bytes, name: str, shots_dir) -> str:
    """The first page of a PDF as PNG next to the screenshots (pdftoppm, from poppler-utils)."""
    pdf = shots_dir / f"{name}.pdf"
    pdf.write_bytes(content)
    assert shutil.which("pdftoppm"), "pdftoppm is missing (make test installs poppler-utils)"
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, shots_dir / name], check=True
    )
    return str(shots_dir / f"{name}.png")


def test_keeper_receives_with_faulty_piece_and_counts_manager_approves(demo, new_page, login, shot):
    from pypdf import PdfReader

    from tests.e2e.conftest import SCREENSHOTS
    from zhanggui.inventory.models import LedgerEntry, StockLevel, Stocktake
    from zhanggui.purchasing.models import PurchaseOrder, Receipt, SupplierExchange

    keeper, manager = new_page(), new_page()
    login(keeper, "A007")
    login(manager, "A001")

    # PUR-2 → INV-3: an ordered purchase order without a slip yet; the keeper opens it from 采购.
    order = PurchaseOrder.objects.filter(state="ordered", receipts__isnull=True).order_by("pk").first()
    keeper.click("a.nav-item:has-text('采购')")
    keeper.wait_for_selector("#purchasing-nav")
    keeper.click(f"a:has-text('{order.number}')")
    keeper.click("#receive-order")
    with keeper.expect_navigation():
        keeper.click(f"#open-orders tr[data-order='{order.pk}'] button")
    receipt = Receipt.objects.get(order=order)
    assert keeper.evaluate("document.activeElement.id") == "scan-box"  # the scanner types straight into it

    # Count: scan the first piece of the first line (a scan adds 1), type the rest, one piece of the first line
    # is faulty.
    rows = keeper.locator("#count-table tbody tr[data-line]")
    first = rows.first
    first_code = first.get_attribute("data-code")
    keeper.fill("#scan-box", first_code)
    keeper.keyboard.press("Enter")
    assert first.locator("input.counted").input_value() == "1"
    expected = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        expected[row.get_attribute("data-code")] = int(row.get_attribute("data-expected"))
        row.locator("input.counted").fill(row.get_attribute("data-expected"))
    first.locator("input.faulty").fill("1")
    first.locator("input.fault").fill("线头开裂")
    assert keeper.locator("#sum-faulty").inner_text() == "1"
    with keeper.expect_navigation():
        keeper.click("#save-counts")
    assert keeper.locator("#receipt-state").get_attribute("data-state") == "draft"
    shot(keeper, "receipt-counting")

    # The slip, printed: the PDF carries the number, the codes and the faulty piece; looked at as PNG.
    slip = keeper.request.get(keeper.locator("#print-slip").get_attribute("href"))
    assert slip.ok and slip.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(slip.body())).pages[0].extract_text()
    assert receipt.number in text and first_code in text and "次品" in text
    _pdf_to_png(slip.body(), "receipt-slip", SCREENSHOTS)

    # The purchaser (the manager) checks the count against the order; then the keeper posts it.
    manager.goto(f"/purchasing/receipts/{receipt.pk}/")
    with manager.expect_navigation():
        manager.click("#check-btn")
    assert manager.locator("#receipt-state").get_attribute("data-state") == "checked"
    sku_id = receipt.lines.get(sku__code=first_code).sku_id
    before = StockLevel.objects.get(sku_id=sku_id, warehouse=order.warehouse)
    keeper.reload()
    keeper.once("dialog", lambda d: d.accept())
    with keeper.expect_navigation():
        keeper.click("#post-btn")
    assert keeper.locator("#receipt-state").get_attribute("data-state") == "posted"
    after = StockLevel.objects.get(pk=before.pk)
    assert after.on_hand == before.on_hand + expected[first_code] - 1  # good pieces to sellable stock
    assert after.faulty == before.faulty + 1  # the faulty one stored apart
    assert SupplierExchange.objects.filter(receipt_line__receipt=receipt, quantity=1, state="pending").exists()
    assert "线头开裂" in keeper.locator("#receipt-exchanges").inner_text()
    order.refresh_from_db()
    assert order.state == "received"
    shot(keeper, "receipt-posted")

    # INV-6: a small stocktake of three SKUs of that delivery, counted with the scanner.
    codes = list(expected)[:3]
    keeper.goto("/stock/stocktakes/new/")
    keeper.check("input[name=scope][value=skus]")
    keeper.fill("#id_skus", "\n".join(codes))
    keeper.fill("#id_note", "到货抽盘")
    with keeper.expect_navigation():
        keeper.click("#plan-submit")
    stocktake = Stocktake.objects.order_by("-pk").first()
    assert stocktake.lines.count() == len(codes)
    with keeper.expect_navigation():
        keeper.click("#start-count")
    keeper.goto(f"/stock/stocktakes/{stocktake.pk}/count/")
    on_hand = dict(
        StockLevel.objects.filter(warehouse=stocktake.warehouse, sku__code__in=codes).values_list(
            "sku__code", "on_hand"
        )
    )
    scans = {code: on_hand[code] for code in codes}
    scans[codes[0]] -= 1  # one piece is missing on the shelf
    for code, qty in scans.items():
        for n in range(1, min(qty, 3) + 1):  # scan up to three pieces (each answered before the next), type the rest
            keeper.fill("#scan-box", code)
            keeper.keyboard.press("Enter")
            keeper.wait_for_function(
                "([code, n]) => document.querySelector('#last-code').textContent.includes(code)"
                " && document.querySelector('#last-qty').textContent.trim() === String(n)",
                arg=[code, n],
            )
    keeper.reload()
    for code, qty in scans.items():
        keeper.locator(f"#count-table tr:has-text('{code}') input.qty").fill(str(qty))
    with keeper.expect_navigation():
        keeper.click("#save-counts")
    shot(keeper, "stocktake-count")
    keeper.goto(f"/stock/stocktakes/{stocktake.pk}/")
    with keeper.expect_navigation():
        keeper.click("#submit-count")
    assert keeper.locator("#approve").count() == 0  # the keeper cannot approve
    stocktake.refresh_from_db()
    assert stocktake.state == "submitted"

    # The manager approves: the difference (−1) is posted as a stocktake ledger entry.
    manager.goto(f"/stock/stocktakes/{stocktake.pk}/")
    assert "1" in manager.locator("#total-loss").inner_text()
    shot(manager, "stocktake-approve")
    manager.once("dialog", lambda d: d.accept())
    with manager.expect_navigation():
        manager.click("#approve")
    stocktake.refresh_from_db()
    assert stocktake.state == "posted"
    entry = LedgerEntry.objects.get(document=stocktake.number)
    assert entry.reason == "stocktake" and entry.on_hand_change == -1 and entry.actor_number == "A001"
    shot(manager, "stocktake-posted")
