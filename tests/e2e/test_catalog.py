"""Browser: the editor (A005) creates a product with a 3 colours × 4 sizes grid and sees its 12 SKUs (PROD-1),
gets a title warning while listing it (PROD-3), uploads a photo and sees the 710 px watermarked result (PROD-4).
Screenshots in test-artifacts/screenshots/catalog-*.png, looked at."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_editor_creates_a_product_with_a_3_by_4_grid_lists_it_and_uploads_an_image(demo, page, login, shot, photo_file):
    from zhanggui.catalog.models import Product

    login(page, "A005")
    page.click(".zg-side a[href='/products/']")
    page.wait_for_load_state()
    assert page.locator(".zg-side .nav-item.active").get_attribute("href") == "/products/"
    assert page.locator("#product-table tbody tr[data-product]").count() == 50  # the demo catalogue, one page
    page.fill("#product-filters input[name=q]", "lyq")  # 连衣裙 by pinyin initials
    with page.expect_navigation():
        page.press("#product-filters input[name=q]", "Enter")
    names = page.locator("#product-table tbody tr td:nth-child(3)").all_inner_texts()
    assert names and all("连衣裙" in n for n in names), names
    shot(page, "catalog-list")

    # New product: the keyboard alone builds the grid.
    page.click("#new-product")
    page.wait_for_load_state()
    page.fill("#id_style_code", "QH25S-9001")
    page.fill("#id_name", "法式碎花V领连衣裙")
    page.fill("#id_category", "女装/连衣裙")
    page.fill("#id_brand", "青禾")
    page.click("#id_colours")
    page.keyboard.type("黑色 白色，雾霾蓝")
    page.keyboard.press("Enter")  # moves on to the sizes, does not submit
    assert page.evaluate("document.activeElement.id") == "id_sizes"
    page.fill("#id_sizes", "")
    page.keyboard.type("S M L XL")
    page.fill("#id_cost", "89")
    page.fill("#id_list_price", "239")
    page.fill("#id_weight", "350")
    rows = page.locator("#sku-grid tbody tr")
    assert rows.count() == 12
    assert "3 × 4 = 12" in page.locator("#grid-count").inner_text()
    first_code = rows.first.locator("input[name='row-0-code']")
    assert first_code.input_value() == "QH25S-9001-黑色-S"
    rows.nth(11).locator("input[name='row-11-list_price']").fill("259")  # one cell differs
    shot(page, "catalog-create")
    with page.expect_navigation():
        page.click("#save-product")

    product = Product.objects.get(style_code="QH25S-9001")
    assert page.url.endswith(f"/products/{product.pk}/")
    assert page.locator("#sku-table tbody tr[data-sku]").count() == 12
    assert page.locator("#sku-count").inner_text() == "12"
    table = page.locator("#sku-table").inner_text()
    assert "QH25S-9001-雾霾蓝-XL" in table and "¥259.00" in table and "¥89.00" in table
    assert "12 个 SKU" in page.locator("#timeline").inner_text()
    shot(page, "catalog-detail")

    # Listing it in a shop: a title without marketing words and too long gets a warning as it is typed (PROD-3).
    page.goto(f"/products/{product.pk}/listings/new/")
    page.fill("#id_title", "")
    page.locator("#id_title").type("法式碎花V领连衣裙女夏季新款气质显瘦收腰中长款裙子温柔风雪纺百搭")
    page.locator("#title-check-result[data-ok='0']").wait_for()
    page.locator("[data-too-long]").wait_for()
    assert "30" in page.locator("[data-chars]").inner_text()
    shot(page, "catalog-title-warning")

    # Images: the main image is resized to 710 px and watermarked (PROD-4).
    page.goto(f"/products/{product.pk}/images/")
    page.set_input_files("#id_file", str(photo_file))
    page.select_option("#id_kind", "main")
    with page.expect_navigation():
        page.click("#upload button")
    text = page.locator(".zg-page").inner_text()
    assert "710×947" in text and "QH25S-9001-01.jpg" in text
    img = page.locator("img[alt='QH25S-9001-01.jpg']")
    img.wait_for()
    assert page.evaluate("(el) => el.naturalWidth", img.element_handle()) == 710
    shot(page, "catalog-images")
