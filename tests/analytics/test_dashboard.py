"""DATA-2: the sales dashboard and its API — per shop and all shops in scope, a date range beside the period before,
figures from the facts, links to the orders behind them; who may see it (manager, finance, marketing)."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.analytics.test_facts import DAY, po
from tests.orders.test_imports import PAID_AT, run
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.analytics import selectors
from zhanggui.catalog.models import Sku
from zhanggui.core.services import create_api_token

FROM, TO = DAY - dt.timedelta(days=1), DAY  # previous period: the two days before


@pytest.fixture
def sold(world, shop, django_capture_on_commit_callbacks):
    Sku.objects.filter(code__startswith="D-").update(cost_fen=5000)
    with django_capture_on_commit_callbacks(execute=True):
        run(world, [
            po("400001", buyer_nick="甲"), po("400002", line=3, buyer_nick="乙", refund_fen=9900),
            po("400003", line=4, buyer_nick="丙", paid_at=PAID_AT - dt.timedelta(days=2)),
        ])  # fmt: skip
    return world


def test_data2_figures_of_a_range_and_the_period_before(sold):
    board = selectors.dashboard([sold.shop_a.pk], FROM, TO)
    now, before = board.current, board.previous
    assert (now.orders, now.buyers, now.gmv_fen, now.refund_fen) == (2, 2, 39800, 9900)
    assert (now.aov_fen, now.profit_fen, round(now.refund_rate, 4)) == (19900, 39800 - 9900 - 10000, 0.2487)
    assert (before.orders, before.gmv_fen, board.previous_first) == (1, 19900, DAY - dt.timedelta(days=3))
    assert now.conversion is None  # no traffic yet
    assert [d for d, f in board.daily if f.orders] == [DAY]


@pytest.mark.parametrize("role", ["manager", "finance", "marketing"])
def test_data2_dashboard_for_the_roles_that_see_it(sold, client_for, role):
    client = client_for(sold.people[role])
    html = client.get(reverse("analytics:home"), {"from": FROM.isoformat(), "to": TO.isoformat()}).content.decode()
    assert "销售概况" in html and "¥398.00" in html and "¥199.00" in html  # GMV, and the previous period's
    assert "/orders/?shop=tb-a&amp;by=paid&amp;from=2026-11-19&amp;to=2026-11-20" in html or (
        "by=paid&amp;from=2026-11-19&amp;to=2026-11-20" in html
    )
    assert 'data-kpi="conversion" title="' in html  # "—" with the reason in a tooltip
    assert "echarts/echarts.min.js" in html and 'id="trend-table"' in html


@pytest.mark.parametrize("role", ["cs", "designer", "editor", "warehouse"])
def test_data2_dashboard_refused_to_other_roles(sold, client_for, role):
    assert client_for(sold.people[role]).get(reverse("analytics:home")).status_code == 403


def test_data2_bad_range_is_said_in_chinese_and_the_default_shown(sold, client_for):
    html = client_for(sold.people["manager"]).get(reverse("analytics:home"), {"from": "2026-13-01"}).content.decode()
    assert "开始日期“2026-13-01”无效" in html
    html = client_for(sold.people["manager"]).get(reverse("analytics:home"), {"from": "2026-12-01", "to": "2026-11-01"})
    assert "开始日期晚于结束日期" in html.content.decode()


def test_data2_api_same_figures_and_shop_scope(sold, client):
    token = create_api_token(sold.people["finance"], "bi")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    answer = client.get("/api/v1/analytics/sales", {"from": FROM.isoformat(), "to": TO.isoformat()}, **auth)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["shops"] == ["tb-a"] and body["current"]["gmv_fen"] == 39800 and body["previous"]["orders"] == 1
    assert body["current"]["conversion"] is None and len(body["daily"]) == 2
    assert client.get("/api/v1/analytics/sales", {"shop": "jd-b"}, **auth).status_code == 404  # not their shop
    bad = client.get("/api/v1/analytics/sales", {"from": "x"}, **auth)
    assert bad.status_code == 400 and "无效" in bad.json()["message"]
    cs_token = create_api_token(sold.people["cs"], "x")[1]
    assert client.get("/api/v1/analytics/sales", HTTP_AUTHORIZATION=f"Bearer {cs_token}").status_code == 403
