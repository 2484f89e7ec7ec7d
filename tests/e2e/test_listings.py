"""End-to-end (PROD-1/2/3/7/11): the editor lists a product in a shop, gets a live title warning as she types,
schedules a listing at a suggested time and sees the showcase page. Screenshots in test-artifacts/."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_editor_listing_flow(demo, page, login, shot):
    from zhanggui.catalog.models import Listing, Product
    from zhanggui.catalog.services import listings as svc
    from zhanggui.shops.models import Shop
    from zhanggui.team.models import Staff

    editor = Staff.objects.get(number="A005")
    shop = Shop.objects.get(code="tb-qinghe")
    products = list(Product.objects.filter(skus__isnull=False).exclude(listings__shop=shop).distinct()[:8])
    for n, product in enumerate(products[1:]):
        price = max(product.skus.values_list("list_price_fen", flat=True)) or 15900
        listing = svc.create_listing(editor, shop, product, f"2025新款韩版{product.name}", price)
        if n % 2 == 0:
            svc.list_now(editor, listing)
    product = products[0]

    login(page, "A005")
    page.goto(f"/products/{product.pk}/listings/new/")
    page.select_option("#id_shop", str(shop.pk))
    page.fill("#id_title", "")
    page.type("#id_title", "连衣裙" * 11, delay=5)  # 33 characters: too long
    page.wait_for_selector("#title-check [data-too-long]")
    assert "33/30" in page.locator("#title-check").inner_text()
    shot(page, "listing-create-title-warning")
    page.fill("#id_title", f"2025新款韩版修身{product.name}")
    page.wait_for_selector("#title-check:not(:has([data-too-long]))")
    page.fill("#id_price", f"{(max(product.skus.values_list('list_price_fen', flat=True)) or 19900) / 100:.2f}")
    with page.expect_navigation():
        page.click("#create-listing")
    listing = Listing.objects.get(shop=shop, product=product)
    assert page.url.endswith(f"/products/listings/{listing.pk}/")
    page.click(".suggest-time >> nth=0")
    with page.expect_navigation():
        page.click("#schedule-form button")
    assert listing.schedules.count() == 1
    shot(page, "listing-detail")

    page.goto("/products/listings/")
    assert page.locator(".hero-warning").count() >= 1
    shot(page, "listing-list")
    page.goto("/products/showcase/?shop=tb-qinghe")
    shot(page, "listing-showcase")
    page.goto("/products/listings/title-issues/")
    shot(page, "listing-title-issues")
    page.goto("/products/title-words/")
    shot(page, "listing-title-words")
