"""End-to-end journey across after-sales, the warehouse and stock (AS-2, AS-5, INV-5, AS-7), in the demo company at
1366×768 in two browsers at once: customer service A002 takes a 退货退款 case from the queue, agrees the return and
records the buyer's return waybill; the warehouse keeper A007 scans the parcel, one piece goes back to stock and one
to the damaged account; A002 agrees the refund (never more than paid) and closes the case; then A002 contacts a
中差评 and closes it with a reply template. Screenshots in test-artifacts/ (journey-*)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WAYBILL = "ZTO7300000000991"


def _requested_return():
    """A buyer's 退货退款 request on a shipped two-piece line of the Taobao shop, as the platform reports it."""
    from django.db.models import F

    from zhanggui.aftersales.models import Case
    from zhanggui.aftersales.services import cases
    from zhanggui.orders.models import OrderLine
    from zhanggui.team.models import Staff

    line = (
        OrderLine.objects.filter(
            order__shop__code="tb-qinghe", order__state="shipped", quantity__gte=2, sku__isnull=False,
            shipped_qty=F("quantity"),
        )
        .exclude(order__in=Case.objects.values("order"))
        .order_by("-pk")
        .first()
    )  # fmt: skip
    case = cases.open_case(
        Staff.objects.get(number="A001"), order=line.order, kind="return_refund", lines=[(line, 2)],
        reason_text="尺码偏小",
    )  # fmt: skip
    return case, line


def test_a_return_from_queue_to_refund_then_a_bad_review_closed(demo, new_page, login, shot):
    from zhanggui.aftersales.models import Case, Review
    from zhanggui.inventory.models import LedgerEntry
    from zhanggui.inventory.services.verify import verify_stock

    case, _line = _requested_return()
    cs, keeper = new_page(), new_page()
    login(cs, "A002")
    login(keeper, "A007")

    # A002 finds the new request in the queue and agrees the return
    cs.goto("/aftersales/?tab=pending&state=new")
    cs.click(f"tr[data-case='{case.number}'] a")
    cs.wait_for_selector("#case-postage")
    assert "买家承担" in cs.locator("#case-postage").inner_text()  # AS-3: the buyer pays the return postage
    with cs.expect_navigation():
        cs.click("form.move-form[data-to='waiting_return'] button")
    cs.fill("#waybill-form input[name=tracking_no]", WAYBILL)
    cs.fill("#waybill-form input[name=carrier]", "中通快递")
    with cs.expect_navigation():
        cs.click("#waybill-form button[type=submit]")
    assert cs.locator("#return-waybill").inner_text() == WAYBILL
    shot(cs, "journey-case-waiting-return")

    # the keeper scans the parcel in the other browser: one piece to stock, one to damaged
    keeper.goto("/aftersales/returns/")
    keeper.fill("#return-code", WAYBILL)
    with keeper.expect_navigation():
        keeper.press("#return-code", "Enter")
    card = keeper.locator(f".return-case[data-case='{case.number}']")
    row = card.locator("tr[data-line]").first
    row.locator("input[name^=intact_]").fill("1")
    row.locator("input[name^=damaged_]").fill("1")
    with keeper.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "完好 1 件入库" in keeper.locator(".alert-success").first.inner_text()
    shot(keeper, "journey-return-received")

    # A002 sees the return received, tries to refund more than paid (refused), then agrees and closes
    cs.reload()
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED
    form = cs.locator("form.move-form[data-to='refunding']")
    form.locator("input[name=amount]").fill(f"{case.refundable_fen / 100 + 1:.2f}")
    with cs.expect_navigation():
        form.locator("button").click()
    assert cs.locator(".alert-danger, .alert-warning").first.is_visible()  # AS-5: more than paid is refused
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED
    form = cs.locator("form.move-form[data-to='refunding']")
    form.locator("input[name=amount]").fill(f"{case.refundable_fen / 100:.2f}")
    with cs.expect_navigation():
        form.locator("button").click()
    with cs.expect_navigation():
        cs.click("form.move-form[data-to='done'] button")
    case.refresh_from_db()
    assert (case.state, case.agreed_refund_fen) == (Case.State.DONE, case.refundable_fen)
    assert "A002" in cs.locator("#timeline").inner_text() and "A007" in cs.locator("#timeline").inner_text()
    shot(cs, "journey-case-done")
    entries = LedgerEntry.objects.filter(document=f"case:{case.pk}")
    assert sorted((e.on_hand_change, e.damaged_change) for e in entries) == [(0, 1), (1, 0)]
    assert verify_stock().ok

    # then a 中差评: contacted, and closed with a reply template
    review = Review.objects.filter(state="to_contact", shop__code="tb-qinghe").order_by("pk").first()
    cs.goto(f"/aftersales/reviews/{review.pk}/")
    with cs.expect_navigation():
        cs.click("form.move-form[data-to='contacted'] button")
    cs.click("#reply-templates button:has-text('致歉')")
    cs.select_option("select[name=then]", "changed")
    with cs.expect_navigation():
        cs.click("#reply-button")
    review.refresh_from_db()
    assert review.state == "changed" and review.reply_text and "{" not in review.reply_text
    shot(cs, "journey-review-closed")
