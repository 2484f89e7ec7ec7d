"""End-to-end (AS-7): customer service A002 opens the 中差评 queue from the after-sales queue of the demo company at
1366×768, takes a 差评 still 待联系, marks the buyer contacted, fills the reply from a template (variables filled in)
and records it closing the review as 已改评; the timeline shows the moves with the 工号. Screenshots in
test-artifacts/ (reviews-queue-cs, reviews-review-cs)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_customer_service_contacts_a_bad_review_and_closes_it_with_a_template(demo, page, login, shot):
    from zhanggui.aftersales.models import Review

    login(page, "A002")
    page.goto("/aftersales/")
    page.click("#reviews-link")
    page.wait_for_selector("#review-table")
    waiting = int(page.locator("[data-count='to_contact']").inner_text())
    assert waiting >= 1 and page.locator("#review-table tbody tr").count() == waiting
    fits = "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('#review-table'))"
    assert page.evaluate(fits)
    shot(page, "reviews-queue-cs")

    review = Review.objects.filter(state="to_contact", shop__platform_id__in=("taobao", "tmall")).order_by("pk").first()
    page.locator(f"tr[data-review='{review.pk}'] a").first.click()
    page.wait_for_selector("#review-header")
    with page.expect_navigation():
        page.click("form.move-form[data-to='contacted'] button")
    assert page.locator("#review-state").inner_text() == "已联系"
    page.click("#reply-templates button:has-text('致歉')")
    text = page.locator("#reply-text").input_value()
    assert review.buyer_nick in text and "{买家}" not in text
    page.select_option("select[name=then]", "changed")
    with page.expect_navigation():
        page.click("#reply-button")
    assert page.locator("#review-state").inner_text() == "已改评"
    assert page.locator("#reply-shown").is_visible()
    assert "A002" in page.locator("#timeline").inner_text()
    review.refresh_from_db()
    assert (review.state, review.reply_text) == ("changed", text)
    shot(page, "reviews-review-cs")

    # AS-7: the rates per month on the product page (the reviewed product) and on the shop page
    page.goto(f"/products/{review.product_id}/")
    assert page.locator("#review-rates[data-panel='product'] tbody tr").count() == 6
    shot(page, "reviews-rates-product")
    page.goto(f"/shops/{review.shop_id}/")
    rates = page.locator("#review-rates[data-panel='shop']")
    assert rates.is_visible() and "%" in rates.inner_text()
    shot(page, "reviews-rates-shop")
