"""Role and stage (PROD-7, PROD-8) on generated sales: rank and trend → suggested stage, 80/20 roles."""

import random

import pytest
from django.urls import reverse

from zhanggui.catalog import rules_lifecycle as rules
from zhanggui.catalog.models import Product
from zhanggui.catalog.services import lifecycle
from zhanggui.core.models import Event


def flat(per_day: int, days: int = 28) -> list[int]:
    return [per_day] * days


def ramp(previous: int, recent: int) -> list[int]:
    return [previous] * 14 + [recent] * 14


def generated_sales(seed=7):
    """20 products: 1–12 with steady sales falling with the id, 13 rising from nothing, 14 rising sporadically,
    15 a falling former best seller, 16–20 nearly nothing."""
    rnd = random.Random(seed)
    sales = {}
    for pid in range(1, 13):
        base = 60 - pid * 4
        sales[pid] = rules.ProductSales([max(1, base + rnd.randint(-1, 1)) for _ in range(28)], 10000, 6000)
    sales[13] = rules.ProductSales([0] * 14 + [1] * 14, 10000, 6000)  # new, sells every day
    sales[14] = rules.ProductSales([0] * 14 + [0] * 12 + [3, 3], 10000, 6000)  # two lucky days
    sales[15] = rules.ProductSales(ramp(200, 20), 10000, 6000)  # was the top seller, dropped 90%
    for pid in range(16, 21):
        sales[pid] = rules.ProductSales([0] * 27 + [rnd.randint(0, 1)], 10000, 6000)
    return sales


def test_prod8_stage_suggestions_on_generated_sales():
    result = rules.suggest_stages(generated_sales())
    ranks = {pid: s.rank for pid, s in result.items()}
    assert ranks[1] == 1
    # top 5 by the last 14 days, stable → 成熟期
    mature = sorted(pid for pid, s in result.items() if s.stage == rules.MATURITY)
    assert mature == [1, 2, 3, 4, 5]
    growth = {pid for pid, s in result.items() if s.stage == rules.GROWTH}
    assert {6, 7, 8, 9, 10} <= growth  # ranks 6–10
    assert 13 in growth  # clearly rising and sells every day
    assert 14 not in growth  # rising, but not stable
    assert result[11].stage == rules.INCUBATION and "未进入前 10" in result[11].reason
    assert result[15].stage != rules.MATURITY  # falling sharply
    assert all(result[pid].stage == rules.INCUBATION for pid in range(16, 21) if pid != 13)


def test_prod8_top5_falling_is_not_maturity():
    sales = {1: rules.ProductSales(ramp(100, 70)), 2: rules.ProductSales(flat(3))}
    result = rules.suggest_stages(sales)
    assert result[1].rank == 1 and result[1].trend == pytest.approx(-0.3)
    assert result[1].stage == rules.GROWTH
    steady = rules.suggest_stages({1: rules.ProductSales(ramp(100, 85))})
    assert steady[1].stage == rules.MATURITY  # −15% is still stable


def test_prod8_no_sales_is_incubation():
    result = rules.suggest_stages({1: rules.ProductSales([0] * 28), 2: rules.ProductSales([])})
    assert result[1].stage == result[2].stage == rules.INCUBATION
    assert result[1].rank is None and result[1].trend is None


def test_prod7_eighty_twenty_roles():
    # product 1: lots of visits, thin margin; product 2: fewer visits, fat margin; 3–6: small.
    sales = {
        1: rules.ProductSales(flat(50), price_fen=3000, cost_fen=2900, visits=80000),
        2: rules.ProductSales(flat(10), price_fen=20000, cost_fen=8000, visits=10000),
        3: rules.ProductSales(flat(2), price_fen=10000, cost_fen=6000, visits=4000),
        4: rules.ProductSales(flat(2), price_fen=10000, cost_fen=6000, visits=3000),
        5: rules.ProductSales(flat(1), price_fen=10000, cost_fen=6000, visits=2000),
        6: rules.ProductSales(flat(1), price_fen=5000, cost_fen=6000, visits=1000),
    }
    roles = rules.actual_roles(sales)
    assert roles[1].in_traffic_core and not roles[1].in_profit_core and roles[1].role == rules.TRAFFIC
    assert roles[2].in_profit_core and roles[2].role == rules.PROFIT
    assert roles[1].traffic_share == pytest.approx(0.8)
    assert roles[6].profit_share == 0 and "毛利为负" in roles[6].notes
    assert sum(r.traffic_share for r in roles.values()) == pytest.approx(1.0)


def test_prod7_units_stand_in_for_visits():
    roles = rules.actual_roles({1: rules.ProductSales(flat(9)), 2: rules.ProductSales(flat(1))})
    assert roles[1].traffic_share == pytest.approx(0.9) and roles[1].in_traffic_core
    assert not roles[2].in_traffic_core


@pytest.fixture
def products(world):
    return [Product.objects.create(style_code=f"LC-{i:02d}", name=f"商品{i}") for i in range(1, 4)]


def test_prod8_suggest_stages_service_on_generated_sales(world, products):
    sales = {
        products[0].pk: {"daily_units": flat(30), "price_fen": 10000, "cost_fen": 5000},
        products[1].pk: {"daily_units": ramp(0, 2), "price_fen": 10000, "cost_fen": 5000},
    }
    rows = {r.product.pk: r for r in lifecycle.suggest_stages(sales)}
    assert rows[products[0].pk].suggested_stage == "maturity"
    assert rows[products[1].pk].suggested_stage == "maturity"  # rank 2 of 2, rising
    assert rows[products[2].pk].suggestion is None
    assert lifecycle.suggest_stages({}) and all(r.suggestion is None for r in lifecycle.suggest_stages({}))


def test_prod8_apply_stage_and_role_on_the_timeline(world, products):
    manager = world.people["manager"]
    assert lifecycle.apply_stage(manager, products[0], "growth")
    assert not lifecycle.apply_stage(manager, products[0], "growth")
    assert lifecycle.set_role(manager, products[0], "traffic")
    products[0].refresh_from_db()
    assert (products[0].stage, products[0].role) == ("growth", "traffic")
    assert Event.objects.filter(kind="stage_changed").get().to_state
    assert Event.objects.filter(kind="role_changed").exists()


def test_prod8_lifecycle_page_without_sales(world, products, client_for):
    resp = client_for(world.people["warehouse"]).get(reverse("catalog:lifecycle"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "近 28 天没有已付款订单" in html
    assert "LC-01" in html


def test_prod7_role_form_and_stage_apply(world, products, client_for):
    editor = client_for(world.people["editor"])
    resp = editor.post(reverse("catalog:lifecycle_role", args=[products[0].pk]), {"role": "profit"})
    assert resp.status_code == 302
    products[0].refresh_from_db()
    assert products[0].role == "profit"
    resp = editor.post(reverse("catalog:lifecycle_apply", args=[products[0].pk]), {"stage": "maturity"})
    assert resp.status_code == 302
    products[0].refresh_from_db()
    assert products[0].stage == "maturity"
    assert (
        client_for(world.people["cs"])
        .post(reverse("catalog:lifecycle_role", args=[products[0].pk]), {"role": "traffic"})
        .status_code
        == 403
    )


def test_prod8_lifecycle_page_with_generated_sales(world, products, client_for, monkeypatch):
    """When orders feed the input, the page shows suggestions, ranks, trends and the apply button."""
    sales = {
        products[0].pk: {"daily_units": flat(30), "price_fen": 10000, "cost_fen": 5000},
        products[1].pk: {"daily_units": ramp(0, 2), "price_fen": 3000, "cost_fen": 2900},
    }
    monkeypatch.setattr(lifecycle, "sales_input", lambda t=None: sales)
    html = client_for(world.people["manager"]).get(reverse("catalog:lifecycle")).content.decode()
    assert "没有已付款订单" not in html
    assert "销量排名第 1" in html and "新出单" in html
    assert html.index("LC-01") < html.index("LC-02") < html.index("LC-03")  # best sellers first
    assert reverse("catalog:lifecycle_apply", args=[products[0].pk]) in html
