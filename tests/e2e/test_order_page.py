"""End-to-end: the order page at 1366×768 on the demo company (ORD-3, ORD-6, ORD-7). As the manager A001: the
timeline sits to the right of the main column; each action's form (with its reason box) stays hidden until its
button is clicked, one at a time, and a remark is written through it. As finance A008 (read-only on orders): no
action buttons and no empty card. Screenshots in test-artifacts/."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not on the page"
    return found


def test_order_page_timeline_on_the_right_and_forms_behind_their_buttons(demo, new_page, login, shot):
    from zhanggui.orders.models import Order

    order = Order.objects.filter(state=Order.State.TO_REVIEW, kind=Order.Kind.NORMAL).order_by("pk").first()
    page = login(new_page(), "A001")
    page.goto(f"/orders/{order.pk}/")

    main, timeline = box(page, "#order-main"), box(page, "#timeline")
    assert timeline["x"] >= main["x"] + main["width"] - 1  # beside the main column, not under it
    assert timeline["y"] < main["y"] + 50  # and level with its top
    assert box(page, "#order-lines")["y"] < 768  # the lines are above the fold

    hold = page.locator("details[data-action='move:on_hold']")
    reason = hold.locator("input[name=reason]")
    assert not reason.is_visible() and not page.locator("#remark-form").is_visible()
    shot(page, "order-page-manager")
    hold.locator("summary").click()
    assert reason.is_visible()
    assert reason.evaluate("e => e === document.activeElement")  # the cursor is in the reason box
    label = page.locator(f"label[for='{reason.get_attribute('id')}']")
    assert label.inner_text() == "挂起原因"
    panel = box(page, "details[data-action='move:on_hold'] .order-action-panel")
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 1366  # opens inside the window
    shot(page, "order-page-manager-hold-open")

    page.keyboard.press("Escape")
    assert not reason.is_visible()
    page.locator("#order-actions summary", has_text="备注与旗帜").click()
    assert page.locator("#remark-form").is_visible() and not reason.is_visible()  # one form at a time
    page.locator("#remark-form [name=note]").fill("页面测试备注")
    with page.expect_navigation():
        page.locator("#remark-form button").click()
    assert "A001 页面测试备注" in page.locator("#remarks").inner_text()
    assert "A001" in page.locator("#timeline li").first.inner_text()  # newest first

    # Finance may read orders but not change them: no buttons, and every card has something to say.
    finance = login(new_page(), "A008")
    finance.goto(f"/orders/{order.pk}/")
    assert finance.locator("#order-actions").count() == 0
    assert finance.locator("form[action*='/move/'], form[action*='/remark/']").count() == 0
    for card in finance.locator(".card").all():
        header = card.locator(".card-header").first.inner_text() if card.locator(".card-header").count() else ""
        assert card.inner_text().replace(header, "").strip(), header
    main, timeline = box(finance, "#order-main"), box(finance, "#timeline")
    assert timeline["x"] >= main["x"] + main["width"] - 1
    shot(finance, "order-page-finance")
