"""DATA-6: the weekly report per shop — figures against last week, best and worst products, after-sales, shipping
SLA kept; page, A4 PDF, XLSX; written every Monday morning by the scheduler `make run` starts (no broker),
idempotent; the agency's client login sees only its shop's reports and dashboard."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.analytics.test_dashboard import sold as sold  # the fixture: 3 paid orders in the week of 2026-11-16
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.aftersales.models import Case
from zhanggui.analytics.models import WeeklyReport
from zhanggui.analytics.services import weekly
from zhanggui.core import clock, scheduler
from zhanggui.core.services import create_api_token
from zhanggui.fulfilment.models import Package
from zhanggui.inventory.models import Warehouse
from zhanggui.orders.models import Order
from zhanggui.team.services import create_staff

WEEK = dt.date(2026, 11, 16)  # Monday of the week of 2026-11-20
MONDAY_AFTER = dt.datetime(2026, 11, 23, 7, 1, tzinfo=clock.SHANGHAI)


def at(day, hour=12):
    return clock.at_local(day, dt.time(hour))


@pytest.fixture
def served(sold):
    """Two packages due in the week (one shipped in time, one late), one case opened and closed with ¥50 agreed."""
    order = Order.objects.filter(shop=sold.shop_a).first()
    main = Warehouse.objects.get(code="MAIN")
    for n, shipped in ((1, at(WEEK + dt.timedelta(days=1), 10)), (2, at(WEEK + dt.timedelta(days=3), 18))):
        Package.objects.create(package_no=f"P{n}", shop=sold.shop_a, warehouse=main, order=order,
                               state=Package.State.SHIPPED, shipped_at=shipped,
                               ship_deadline=at(WEEK + dt.timedelta(days=n), 16))  # fmt: skip
    case = Case.objects.create(number="AS-1", shop=sold.shop_a, order=order, kind=Case.Kind.REFUND_UNSHIPPED,
                               state="closed", refundable_fen=9900, agreed_refund_fen=5000,
                               closed_at=at(WEEK + dt.timedelta(days=4)))  # fmt: skip
    Case.objects.filter(pk=case.pk).update(created_at=at(WEEK + dt.timedelta(days=2)))
    return sold


def test_data6_report_against_last_week_with_products_aftersales_and_shipping(served):
    f = weekly.make_report(served.shop_a, WEEK + dt.timedelta(days=3)).figures  # any day: its Monday
    assert (f["week_start"], f["week_end"]) == ("2026-11-16", "2026-11-22")
    assert (f["current"]["orders"], f["current"]["gmv_fen"], f["previous"]["orders"]) == (3, 59700, 0)
    assert f["best"][0]["style_code"] == "D" and f["worst"][0]["style_code"] == "D"
    assert f["aftersales"] == {"opened": 1, "closed": 1, "refund_fen": 5000}
    assert f["shipping"] == {"due": 2, "kept": 1, "rate": 0.5}  # P2 shipped after its deadline
    assert f["target"] == {}  # no target set for the shop


def test_data6_report_shows_the_weeks_share_of_the_month_target_and_the_diagnosis_data3_data4(served):
    """DATA-3, DATA-4: a month's sales target of ¥3,000 puts 7/30 of it beside the week's sales; traffic with few
    pages per visit gives the diagnosis its sentence."""
    from zhanggui.analytics.models import ShopDayTraffic
    from zhanggui.analytics.services import targets

    targets.set_target(None, served.shop_a, "month", WEEK, "sales", "3000")
    targets.set_target(None, served.shop_a, "month", WEEK, "aov", "199")
    for k in range(7):
        ShopDayTraffic.objects.create(shop=served.shop_a, day=WEEK + dt.timedelta(days=k), pv=150, uv=100, free=100)
    f = weekly.make_report(served.shop_a, WEEK).figures
    assert f["target"] == {"gmv_fen": 300000 * 7 // 30, "aov_fen": 19900}
    assert any("页/人" in sentence for sentence in f["diagnosis"])


def test_data6_last_week_once_per_shop_idempotent(served):
    made = weekly.make_last_week(today=MONDAY_AFTER.date())
    assert {r.shop_id for r in made} == {served.shop_a.pk, served.shop_b.pk} and {r.week_start for r in made} == {WEEK}
    assert weekly.make_last_week(today=MONDAY_AFTER.date()) == []  # a second run makes no second report
    assert WeeklyReport.objects.count() == 2


def test_data6_due_on_monday_morning_under_make_run(served, settings, monkeypatch):
    """`make run` (no broker): the web process's scheduler runs CELERY_BEAT_SCHEDULE; with a fake clock at Monday
    07:01 after a run the Monday before, the weekly entry is due and writes last week's reports — once."""
    settings.CELERY_BROKER_URL, settings.ZHANGGUI_SCHEDULER = "", True
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k == "analytics-weekly-reports"}
    s = scheduler.Scheduler(entries, tick=1)
    _task, schedule, _entry = s.entries["analytics-weekly-reports"]
    fake = {"now": MONDAY_AFTER - dt.timedelta(days=1)}  # Sunday
    schedule.nowfun = lambda: fake["now"]
    monkeypatch.setattr(clock, "now", lambda: fake["now"].astimezone(dt.UTC))
    s.last_run["analytics-weekly-reports"] = MONDAY_AFTER - dt.timedelta(days=7)
    assert s.due() == []  # not on Sunday
    fake["now"] = MONDAY_AFTER
    assert s.run_due() == ["analytics-weekly-reports"]
    assert set(WeeklyReport.objects.values_list("week_start", flat=True)) == {WEEK}
    s.last_run["analytics-weekly-reports"] = MONDAY_AFTER - dt.timedelta(days=7)
    s.run_due()  # runs again: nothing new
    assert WeeklyReport.objects.count() == 2


def test_data6_page_pdf_and_xlsx(served, client_for, tmp_path):
    report = weekly.make_report(served.shop_a, WEEK)
    client = client_for(served.people["manager"])
    html = client.get(reverse("analytics:weekly")).content.decode()
    assert f'data-report="{report.pk}"' in html and "2026-11-16" in html
    page = client.get(reverse("analytics:weekly_detail", args=[report.pk])).content.decode()
    assert "¥597.00" in page and 'id="best-products"' in page and "50.0%" in page and "¥50.00" in page
    got = client.get(reverse("analytics:weekly_detail", args=[report.pk]), {"format": "pdf"})
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    (tmp_path / "weekly.pdf").write_bytes(got.content)
    got = client.get(reverse("analytics:weekly_detail", args=[report.pk]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(got.content))
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert "¥597.00" in cells and "本周" in cells  # Chinese headers


@pytest.fixture
def client_login(served):
    staff, _pw = create_staff(None, number="C001", name="客户甲", roles=["client"], shops=[served.shop_a],
                              password="test-pass-123")  # fmt: skip
    return staff


def test_data6_agency_client_sees_only_its_shop_reports_and_dashboard(served, client_for, client_login):
    mine, theirs = weekly.make_report(served.shop_a, WEEK), weekly.make_report(served.shop_b, WEEK)
    client = client_for(client_login)
    html = client.get(reverse("analytics:weekly")).content.decode()
    assert f'data-report="{mine.pk}"' in html and f'data-report="{theirs.pk}"' not in html
    assert client.get(reverse("analytics:weekly_detail", args=[mine.pk]), {"format": "pdf"}).status_code == 200
    assert client.get(reverse("analytics:weekly_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("analytics:home")).status_code == 200
    assert client.get(reverse("analytics:home"), {"shop": "jd-b"}).status_code == 200  # refused: shows its own
    for name in ("analytics:products", "orders:list", "catalog:lifecycle", "aftersales:list"):
        assert client.get(reverse(name)).status_code == 403, name
    token = create_api_token(client_login, "client")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    rows = client.get("/api/v1/analytics/weekly-reports", **auth).json()
    assert [r["id"] for r in rows] == [mine.pk]
    assert client.get(f"/api/v1/analytics/weekly-reports/{theirs.pk}", **auth).status_code == 404
    detail = client.get(f"/api/v1/analytics/weekly-reports/{mine.pk}", **auth).json()
    assert detail["figures"]["current"]["gmv_fen"] == 59700
    assert client.get("/api/v1/analytics/products", **auth).status_code == 403
    assert client.get("/api/v1/orders", **auth).status_code == 403


@pytest.mark.parametrize("role", ["cs", "designer", "editor", "warehouse"])
def test_data6_reports_refused_to_other_roles(served, client_for, role):
    report = weekly.make_report(served.shop_a, WEEK)
    assert client_for(served.people[role]).get(reverse("analytics:weekly")).status_code == 403
    assert client_for(served.people[role]).get(reverse("analytics:weekly_detail", args=[report.pk])).status_code == 403
