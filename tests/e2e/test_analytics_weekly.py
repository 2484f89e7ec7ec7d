"""End-to-end (DATA-5, DATA-6) at 1366×768: the manager opens 商品分析 — the Pareto chart drawn, the toggle to the
product table with roles and stock cover, nothing wider than the screen; the agency's client A009 opens its shop's
weekly report (figures, products, after-sales and shipping) and downloads the A4 PDF. Screenshots in test-artifacts/
(analytics-products-manager, analytics-products-table-manager, analytics-weekly-client)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_product_analysis_draws_the_pareto_chart_and_toggles_to_the_table(demo, page, login, shot):
    login(page, "A001")
    page.goto("/analytics/")
    page.click("#products-link")
    page.wait_for_selector("#pareto-chart canvas")
    assert page.locator("#products-table").is_hidden()
    assert "¥" in page.locator("#summary").inner_text()
    assert page.evaluate(FITS)
    shot(page, "analytics-products-manager")
    page.click("#by-profit")
    page.click("#show-table")
    assert page.locator("#products-table").is_visible() and page.locator("#pareto-chart").is_hidden()
    assert page.locator("#products-table tbody tr").count() > 3
    assert page.evaluate(FITS)
    shot(page, "analytics-products-table-manager")


def test_the_agency_client_reads_its_weekly_report_and_downloads_the_pdf(demo, page, login, shot):
    login(page, "A009")
    page.goto("/analytics/")
    assert page.locator("#products-link").count() == 0  # the client sees the dashboard and the reports only
    page.click("#weekly-link")
    rows = page.locator("#weekly-reports tbody tr")
    assert rows.count() == 4  # its one shop, the last four weeks
    rows.first.locator("a").first.click()
    page.wait_for_selector("#report-figures")
    assert "¥" in page.locator("#report-figures").inner_text()
    assert page.locator("#report-service tr").count() == 5
    assert page.evaluate(FITS)
    shot(page, "analytics-weekly-client")
    response = page.request.get(page.url + "?format=pdf")
    assert response.ok and response.body().startswith(b"%PDF")
