"""End-to-end (INV-5): the warehouse keeper A007 of the demo company opens 退货入库 from the after-sales queue at
1366×768, scans a return's waybill, finds the 退货退款 case waiting for it, sends one piece back to stock and one to
the damaged account, and the stock and the ledger agree (stock-verify clean); a scan nobody expects offers the
无主退件 form, and the demo's unclaimed return is listed with its photo. Screenshots in test-artifacts/
(aftersales-returns-scan, aftersales-returns-received, aftersales-unclaimed)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _two_piece_return():
    """A shipped demo order of a Taobao shop with a line of 2+ pieces of a matched SKU, its return agreed and its
    waybill recorded by customer service (A002)."""
    from django.db.models import F

    from zhanggui.aftersales.models import Case
    from zhanggui.aftersales.services import cases, unclaimed
    from zhanggui.orders.models import OrderLine
    from zhanggui.team.models import Staff

    cs = Staff.objects.get(number="A002")
    line = (
        OrderLine.objects.filter(
            order__shop__code="tb-qinghe", order__state="shipped", quantity__gte=2, sku__isnull=False,
            shipped_qty=F("quantity"),
        )
        .exclude(order__in=Case.objects.values("order"))
        .order_by("pk")
        .first()
    )  # fmt: skip
    case = cases.open_case(cs, order=line.order, kind="return_refund", lines=[(line, 2)], reason_text="两件都不合身")
    case = cases.move(cs, case, "waiting_return", note="同意退货")
    return unclaimed.set_return_waybill(cs, case, "YT9000000000777", "圆通速递"), line


def test_the_warehouse_scans_a_return_one_piece_to_stock_one_to_damaged(demo, page, login, shot):
    from zhanggui.aftersales.models import Case, UnclaimedReturn
    from zhanggui.inventory.models import LedgerEntry, StockLevel
    from zhanggui.inventory.services.verify import verify_stock

    case, line = _two_piece_return()
    level = StockLevel.objects.filter(sku=line.sku).order_by("pk")
    before = {(lv.warehouse_id, lv.on_hand, lv.damaged) for lv in level}

    login(page, "A007")
    page.click("a.nav-item:has-text('售后')")
    page.click("#returns-link")
    page.wait_for_selector("#return-code")
    assert page.evaluate("document.activeElement.id") == "return-code"  # scanner-first: the cursor is in the box

    page.fill("#return-code", "yt9000000000777")
    with page.expect_navigation():
        page.press("#return-code", "Enter")
    card = page.locator(f".return-case[data-case='{case.number}']")
    assert card.is_visible() and "等买家退货" in card.inner_text()
    assert "****" in card.locator(".card-header").inner_text()  # the keeper sees the phone masked (TEAM-5)
    row = card.locator("tr[data-line]").first
    row.locator("input[name^=intact_]").fill("1")
    row.locator("input[name^=damaged_]").fill("1")
    row.locator("input[name^=note_]").fill("袖口开线")
    fits = "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('.rt-lines'))"
    assert page.evaluate(fits)  # the inspection table fits the laptop screen
    shot(page, "aftersales-returns-scan")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    message = page.locator(".alert-success, .alert.alert-success").first.inner_text()
    assert case.number in message and "完好 1 件入库" in message and "破损 1 件入残损账" in message
    shot(page, "aftersales-returns-received")

    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED and case.returned_at
    entries = LedgerEntry.objects.filter(document=f"case:{case.pk}")
    assert sorted((e.reason, e.on_hand_change, e.damaged_change) for e in entries) == [
        ("damaged", 0, 1),
        ("return", 1, 0),
    ]
    after = {(lv.warehouse_id, lv.on_hand, lv.damaged) for lv in level.all()}
    assert after != before and verify_stock().ok

    # a parcel nobody expects: the page says so and offers to keep it; the demo's unclaimed return is listed
    page.fill("#return-code", "ZZ0000000001")
    with page.expect_navigation():
        page.press("#return-code", "Enter")
    assert "没有找到" in page.locator("#scan-message").inner_text() and page.locator("#keep-unclaimed").is_visible()
    page.click("#unclaimed-link")
    kept = UnclaimedReturn.objects.get(tracking_no="ZT7300128845102")
    row = page.locator(f"tr[data-waybill='{kept.tracking_no}']")
    assert row.is_visible() and row.locator("img").count() == 1
    # the photo is served (to staff of its shop) and decodes: wait for the lazy image to load
    page.wait_for_function(
        "(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('#unclaimed-rows img'))"
    )
    shot(page, "aftersales-unclaimed")
