"""End-to-end (INV-1, INV-2, INV-4, INV-7): the warehouse keeper A007 opens the stock levels and their tabs, scans a
SKU into stock (Enter submits, focus stays in the code box), reads it in the ledger and looks at the bins.
Screenshots in test-artifacts/."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_warehouse_keeper_stock_flow(demo, page, login, shot):
    from zhanggui.inventory.models import LedgerEntry, StockLevel

    login(page, "A007")
    page.click("a.nav-item:has-text('库存')")
    page.wait_for_selector("#stock-table")
    counts = {t: int(page.locator(f"[data-count={t}]").inner_text()) for t in ("all", "out", "low", "reserved")}
    assert counts["all"] >= 2900 and counts["out"] > 0 and counts["low"] > 0 and counts["reserved"] > 0
    assert page.locator("#stock-table tbody tr").count() == 100  # one page
    shot(page, "stock-list")

    page.click("[data-tab=low]")
    page.wait_for_selector("[data-tab=low].active")
    assert page.locator("#stock-table tbody tr").count() == min(counts["low"], 100)
    shot(page, "stock-list-low")

    level = StockLevel.objects.select_related("sku").filter(warehouse__is_default=True, on_hand__gt=0).first()
    before = level.on_hand
    page.goto("/stock/adjust/")
    assert page.evaluate("document.activeElement.name") == "sku"
    page.fill("#id_document", "RK-E2E-1")
    page.locator("#id_sku").fill(level.sku.code)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # what a barcode scanner sends after the code
    assert page.evaluate("document.activeElement.name") == "sku"
    assert page.locator("#id_document").input_value() == "RK-E2E-1"
    level.refresh_from_db()
    assert level.on_hand == before + 1
    assert level.sku.code in page.locator("#recent-table").inner_text()
    page.locator("#id_sku").fill("NO-SUCH-CODE")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "找不到商家编码或条码为 NO-SUCH-CODE 的 SKU" in page.locator("#adjust-form").inner_text()
    shot(page, "stock-adjust")

    page.goto(f"/stock/ledger/?sku={level.sku.code}")
    rows = page.locator("#ledger-table tbody tr")
    assert rows.count() == LedgerEntry.objects.filter(sku=level.sku).count()
    assert "RK-E2E-1" in rows.first.inner_text() and "A007" in rows.first.inner_text()
    page.goto("/stock/ledger/")
    shot(page, "stock-ledger")

    page.goto(f"/stock/sku/{level.sku_id}/")
    assert page.locator("#sku-levels tbody tr").count() >= 1
    shot(page, "stock-sku")
    page.goto("/stock/warehouses/")
    assert page.locator("#warehouse-list [data-warehouse]").count() == 2
    assert page.locator("#bin-table tbody tr").count() >= 10
    shot(page, "stock-warehouses")
