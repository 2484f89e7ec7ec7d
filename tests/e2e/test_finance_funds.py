"""End-to-end (FIN-3): finance A008 at 1366×768 imports the demo Taobao shop's Alipay 账务明细 on the import page,
reads the counts (one amount mismatch, one line matching no order), opens the fund arrival page and works its three
tabs (paid with no arrival, amount mismatch, matches no order) with the courier bills beside them — money in ¥,
nothing wider than the screen. Screenshots in test-artifacts/ (finance-funds-import, finance-funds-*)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_finance_imports_a_statement_and_sees_the_mismatches(demo, page, login, shot, tmp_path):
    from zhanggui.finance.funds_demo import statement_for
    from zhanggui.finance.models import StatementEntry, StatementImport
    from zhanggui.shops.models import Shop

    shop = Shop.objects.filter(platform_id="taobao").order_by("code").first()
    StatementEntry.objects.all().delete()  # the demo imported it already: finance does it again by hand
    StatementImport.objects.all().delete()
    path = tmp_path / "支付宝账务明细.csv"
    path.write_bytes(statement_for(shop))

    login(page, "A008")
    page.goto("/finance/")
    page.click("text=资金到账")
    page.click("#funds-import-link")
    page.select_option("#shop", shop.code)
    page.set_input_files("#files", str(path))
    with page.expect_navigation():
        page.click("#statement-import-form button")
    assert page.locator("[data-count=mismatch]").inner_text() == "1"
    assert page.locator("[data-count=unmatched]").inner_text() == "1"
    assert page.locator("[data-count=failed]").inner_text() == "0"
    shot(page, "finance-funds-import")

    page.click("#funds-link")
    for tab in ("no_arrival", "mismatch", "unmatched"):
        assert page.locator(f"[data-count={tab}]").inner_text() == "1", tab
    assert "¥" in page.locator("#funds-table").inner_text()
    assert page.locator("#courier-block").is_visible()
    assert page.evaluate(FITS)
    shot(page, "finance-funds-no-arrival")
    page.click("[data-tab=mismatch]")
    assert "-¥5.00" in page.locator("#funds-table").inner_text()
    shot(page, "finance-funds-mismatch")
    page.click("[data-tab=unmatched]")
    assert "T200P4099999999999999999" in page.locator("#funds-table").inner_text()
    assert page.evaluate(FITS)
    shot(page, "finance-funds-unmatched")
