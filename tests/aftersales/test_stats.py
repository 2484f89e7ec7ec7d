"""After-sales figures (/aftersales/stats/, AS-2, AS-5, AS-6): refund rate per shop, per product and per reason, the
average time to close and the daily trend with a table toggle — for the manager, 售后 and 财务, not the warehouse."""

import datetime as dt

from zhanggui.aftersales import stats
from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import cases
from zhanggui.core import clock

from .setup import open_case

State = Case.State


def _refund(asw, amount, **kw):
    case = open_case(asw, kind=Case.Kind.REFUND_SHIPPED, **kw)
    return cases.move(asw.cs, case, State.REFUNDING, agreed_refund_fen=amount)


def test_refund_rate_per_shop_product_and_reason_as_5(asw):
    _refund(asw, 5000)  # the shipped order (paid ¥160 ten days ago): dress ×1 refunded
    open_case(asw, kind=Case.Kind.CONSULT, lines=[], reason_text="怎么洗")
    shops = [asw.world.shop_a, asw.world.shop_b]
    found = stats.figures(Case.objects.all(), shops, 30)
    shop_a = next(r for r in found["shops"] if r["shop"] == asw.world.shop_a.name)
    # shop_a's paid orders in the period: shipped and unshipped (the unpaid one does not count)
    assert shop_a["orders"] == 2 and shop_a["refunded"] == 1 and shop_a["rate"] == 50.0
    assert shop_a["paid_fen"] == 32000 and shop_a["refunded_fen"] == 5000 and shop_a["money_rate"] == 15.62
    assert found["products"] == [{"title": "碎花连衣裙", "sold": 6, "refunded": 1, "cases": 1, "rate": 16.67}]
    assert {r["reason"]: r["cases"] for r in found["reasons"]} == {"其他": 2}
    assert found["trend"]["opened"][-1] == 2 and found["trend"]["refunded_fen"][-1] == 5000


def test_average_time_to_close_counts_the_cases_closed_in_the_period_as_6(asw):
    case = open_case(asw, kind=Case.Kind.CONSULT, lines=[])
    cases.move(asw.cs, case, State.DONE)
    Case.objects.filter(pk=case.pk).update(created_at=clock.now() - dt.timedelta(hours=30))
    close = stats.figures(Case.objects.all(), [asw.world.shop_a], 7)["close"]
    assert close["cases"] == 1 and close["hours"] == 30.0 and close["kinds"][0]["kind"] == "使用咨询"


def test_the_stats_page_shows_money_in_yuan_and_toggles_to_a_table_as_5(asw, client_for):
    _refund(asw, 5000)
    for role in ("cs", "finance", "manager"):
        page = client_for(asw.world.people[role]).get("/aftersales/stats/?days=30")
        assert page.status_code == 200, role
    html = page.content.decode()
    assert 'id="trend-chart"' in html and "echarts/echarts.min.js" in html and "¥50.00" in html
    assert 'id="trend-table" class="d-none' in html
    table = client_for(asw.cs).get("/aftersales/stats/?view=table").content.decode()
    assert 'id="trend-chart" class="d-none"' in table and 'id="trend-table" class=" as-trend-table"' in table
    assert client_for(asw.world.people["warehouse"]).get("/aftersales/stats/").status_code == 403
    assert 'id="stats-link"' in client_for(asw.cs).get("/aftersales/").content.decode()
