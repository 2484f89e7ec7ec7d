"""End-to-end (AS-4, AS-5, AS-6): customer service A002 at 1366×768 opens the after-sales figures from the queue —
the ECharts trend is drawn, the table toggle swaps it for the day-by-day table, money in ¥, nothing wider than the
screen — and a parcel case with its six-step checklist, claims and compensation beside the order. Screenshots in
test-artifacts/ (aftersales-stats-cs, aftersales-stats-table-cs, aftersales-parcel-case-cs)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_figures_page_draws_the_trend_and_toggles_to_a_table(demo, page, login, shot):
    login(page, "A002")
    page.goto("/aftersales/")
    page.click("#stats-link")
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator("#trend-table").is_hidden()
    assert "¥" in page.locator("#stats-shops").inner_text()
    assert page.evaluate(FITS)
    shot(page, "aftersales-stats-cs")
    page.click("#show-table")
    assert page.locator("#trend-table").is_visible() and page.locator("#trend-chart").is_hidden()
    assert page.locator("#trend-table tbody tr").count() == 30 and "view=table" in page.url
    shot(page, "aftersales-stats-table-cs")
    page.click("#show-chart")
    page.wait_for_selector("#trend-chart canvas", state="visible")
    assert page.locator("#trend-table").is_hidden()


def test_a_parcel_case_shows_its_checklist_claims_and_compensation(demo, page, login, shot):
    from zhanggui.aftersales.models import CarrierClaim

    claim = CarrierClaim.objects.filter(state="accepted").select_related("case").first()
    login(page, "A002" if claim.case.shop.platform_id in ("taobao", "tmall") else "A003")
    page.goto(f"/aftersales/{claim.case_id}/")
    assert page.locator("#parcel-steps [data-done='1']").count() == 5
    assert page.locator("#steps-done").inner_text() == "5/6"
    assert page.locator(f"#case-claims [data-claim='{claim.pk}']").is_visible()
    assert page.locator("#compensation-total").inner_text().startswith("¥")
    assert page.evaluate(FITS)
    shot(page, "aftersales-parcel-case-cs")
