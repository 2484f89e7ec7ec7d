"""Browser: the designer uploads a photo and sees the 710 px watermarked result (PROD-4); the price check warns
live and refuses below the floor (PROD-9); the lifecycle page without sales (PROD-8). Screenshots looked at."""

from zhanggui.catalog.models import Listing, Product, Sku
from zhanggui.shops.models import Shop


def _product():
    product = Product.objects.create(style_code="E2E-IMG-01", name="浏览器测试连衣裙")
    Sku.objects.create(
        product=product, code="E2E-IMG-01-R-M", colour="红色", size="M", cost_fen=4000, list_price_fen=10000
    )
    shop = Shop.objects.get(code="tb-qinghe")
    Listing.objects.create(shop=shop, product=product, title="浏览器测试连衣裙", price_fen=9900)
    return product


def test_designer_uploads_main_image_and_sees_710px_watermarked(demo, page, login, shot, photo_file, tmp_path):
    product = _product()
    login(page, "A004")
    page.goto(f"/products/{product.pk}/images/")
    page.set_input_files("#id_file", str(photo_file))
    page.select_option("#id_kind", "main")
    with page.expect_navigation():
        page.click("#upload button")
    assert "710×947" in page.locator(".zg-page").inner_text()
    assert "E2E-IMG-01-01.jpg" in page.locator(".zg-page").inner_text()
    img = page.locator("img[alt='E2E-IMG-01-01.jpg']")
    img.wait_for()
    assert page.evaluate("(el) => el.naturalWidth", img.element_handle()) == 710
    shot(page, "catalog-images-designer")
    response = page.request.get(img.get_attribute("src"))
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    (tmp_path / "processed.jpg").write_bytes(response.body())


def test_price_check_live_and_floor_refusal(demo, page, login, shot):
    product = _product()
    login(page, "A005")
    page.goto(f"/products/{product.pk}/pricing/")
    form = page.locator(".price-form").first
    form.locator("input[name=price]").fill("69.99")
    form.locator(".price-check .text-danger").wait_for()
    assert "低于底价" in form.locator(".price-check").inner_text()
    with page.expect_navigation():
        form.locator("button").click()
    assert "低于底价" in page.locator("#price-error").inner_text()
    shot(page, "catalog-pricing-refused")


def test_lifecycle_page_is_fed_by_the_demo_orders(demo, page, login, shot):
    """PROD-7, PROD-8: the demo's paid orders feed the stages and ranks (no "no sales" placeholder)."""
    login(page, "A001")
    page.goto("/products/lifecycle/")
    text = page.locator(".zg-page").inner_text()
    assert "销量排名第" in text and "没有已付款订单" not in text
    shot(page, "catalog-lifecycle")
