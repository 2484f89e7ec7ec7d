"""End-to-end (AS-1, AS-2, AS-5, AS-6): customer service A002 works the after-sales queue of the demo company at
1366×768 — tabs with counts, the overdue cases in red, the case page with the policy beside the lines (a broken clause
in red) and the timeline on the right — then opens a case from the order page's 发起售后 button and agrees a refund
within what was paid. Screenshots in test-artifacts/ (aftersales-queue-cs, aftersales-case-cs)."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_customer_service_works_the_queue_and_a_case(demo, page, login, shot):
    from zhanggui.aftersales.models import Case
    from zhanggui.orders.models import Order

    login(page, "A002")
    page.click("a.nav-item:has-text('售后')")
    page.wait_for_selector("#case-table")
    counts = {t: int(page.locator(f"[data-count='{t}']").inner_text()) for t in ("pending", "overdue", "all")}
    assert counts["all"] >= 10 and counts["pending"] >= 1
    assert page.locator("#case-table tbody tr").count() == counts["pending"]
    # the queue fits the laptop screen: no horizontal scrolling of the table
    fits = "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('#case-table'))"
    assert page.evaluate(fits)
    shot(page, "aftersales-queue-cs")

    page.click("[data-tab='overdue']")
    assert page.locator("tr.table-danger [data-overdue]").count() == counts["overdue"] >= 1

    # a return outside the window: the policy shows the broken clause in red beside the lines
    broken = Case.objects.filter(shop__code="tb-qinghe", kind="return_refund", escalated_at__isnull=False).first()
    page.goto(f"/aftersales/{broken.pk}/")
    assert page.locator("#broken-clauses").is_visible()
    assert page.locator("#policy-clauses .clause-broken").first.is_visible()
    box = {k: page.locator(k).bounding_box() for k in ("#case-lines", "#case-policy", "#timeline")}
    assert box["#case-lines"]["x"] < box["#case-policy"]["x"] < box["#timeline"]["x"]  # facts, policy, timeline
    shot(page, "aftersales-case-cs")

    # 发起售后 from the order page: a refund-only of a shipped order, then the refund agreed within what was paid
    order = (
        Order.objects.filter(shop__code="tb-qinghe", state="shipped", lines__isnull=False)
        .exclude(pk__in=Case.objects.values("order"))
        .order_by("pk")
        .first()
    )
    page.goto(f"/orders/{order.pk}/")
    page.click("[data-link='aftersales:new']")
    page.check("#kind-refund_shipped")
    first = order.lines.order_by("line_no").first()
    page.fill(f"input[name=qty_{first.pk}]", "1")
    page.select_option("#reason", label="未收到货")
    page.fill("#amount", "1")
    with page.expect_navigation():
        page.click("#open-case")
    case = Case.objects.get(order=order)
    assert page.url.endswith(f"/aftersales/{case.pk}/") and case.owner.number == "A002"
    form = page.locator("form.move-form[data-to='refunding']")
    form.locator("input[name=amount]").fill(str(case.refundable_fen / 100 + 1))
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert re.search("超过了这些商品的实付金额", page.locator(".alert-danger").first.inner_text())
    form = page.locator("form.move-form[data-to='refunding']")
    form.locator("input[name=amount]").fill("1")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-state='refunding']").is_visible()
    assert Case.objects.get(pk=case.pk).agreed_refund_fen == 100
