"""End-to-end (ORD-1, ORD-3, ORD-6): the customer-service agent A002 uploads a Taobao export pair (order report +
item report, GBK, with one bad row), watches the import job, opens the error report, finds an order by the last
four digits of the receiver's phone and flags it purple with a remark. Screenshots in test-artifacts/."""

import io

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_agent_imports_a_taobao_pair_finds_by_phone_and_flags_purple(demo, page, login, shot, tmp_path):
    from openpyxl import load_workbook

    from zhanggui.catalog.models import Listing
    from zhanggui.channels import samples
    from zhanggui.orders.models import Order
    from zhanggui.shops.models import Shop

    shop = Shop.objects.get(platform_id="taobao")
    codes = list(Listing.objects.filter(shop=shop).values_list("product__skus__code", flat=True).order_by("pk")[:3])
    rows = [
        samples.order(no="3900000000000000001", phone="13912345678", name="陈小雨", lines=[{"code": codes[0]}]),
        samples.order(no="3900000000000000002", phone="13800006789", lines=[{"code": codes[1], "qty": 2}]),
        samples.order(no="3900000000000000003", created="不是时间", lines=[{"code": codes[2]}]),  # the bad row
    ]
    report, detail = samples.taobao_pair(rows, version="2020")
    (tmp_path / "ExportOrderList202611240900.csv").write_bytes(report)
    (tmp_path / "ExportOrderDetailList202611240900.csv").write_bytes(detail)

    login(page, "A002")
    page.click("a.nav-item:has-text('订单')")
    page.wait_for_selector("#order-table")
    page.goto("/orders/import/")
    page.select_option("#shop", str(shop.pk))
    page.set_input_files(
        "#files",
        [str(tmp_path / "ExportOrderList202611240900.csv"), str(tmp_path / "ExportOrderDetailList202611240900.csv")],
    )
    with page.expect_navigation():
        page.click("#import-form button")
    page.wait_for_selector("#job-summary", timeout=30_000)  # the job page polls until the import is done
    summary = page.locator("#job-summary").inner_text()
    # Two orders created; the bad order row and its orphaned item row are both reported.
    assert "新增 2" in summary and "失败 2" in summary
    shot(page, "orders-import-job")

    # The error report names the file, the line, the column and the reason in Chinese.
    with page.expect_download() as download:
        page.click("#job-download")
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("订单创建时间" in str(v) for row in values for v in row)
    assert Order.objects.filter(shop=shop, platform_order_no="3900000000000000001").exists()

    # ORD-6: find by the last four digits of the receiver's phone.
    page.goto("/orders/")
    page.fill("input[name=q]", "5678")
    with page.expect_navigation():  # wait for the filtered page, not the one being left
        page.keyboard.press("Enter")
    assert "q=5678" in page.url
    table = page.locator("#order-table tbody")
    assert table.locator("tr").count() >= 1
    assert "3900000000000000001" in table.inner_text()
    shot(page, "orders-search-last4")

    # ORD-3: open it and flag it purple with a remark in the form 工号 + 快递 + 备注.
    page.click("a:has-text('3900000000000000001')")
    page.locator("#order-actions summary", has_text="备注与旗帜").click()  # the form opens behind its button
    page.wait_for_selector("#remark-form")
    page.locator("#remark-form select[name=flag]").select_option("purple")
    page.locator("#remark-form input[name=carrier]").fill("申通")
    page.locator("#remark-form [name=note]").fill("尺码已确认")
    with page.expect_navigation():
        page.locator("#remark-form button").first.click()
    order = Order.objects.get(shop=shop, platform_order_no="3900000000000000001")
    assert order.flag == "purple"
    assert "A002 申通 尺码已确认" in order.seller_remark
    assert "A002 申通 尺码已确认" in page.locator("#remarks").inner_text()
    shot(page, "orders-detail-flagged")
