"""DATA-5 (PROD-7, PROD-8): product analysis from the SKU facts — best sellers, the 80/20 of sales and of profit, the
actual role against the declared one, stock cover in days; the catalog's lifecycle page fed from the facts; the page
and the API with their permission and shop scope."""

import datetime as dt

import pytest
from django.urls import reverse

from zhanggui.analytics import products
from zhanggui.analytics.models import SkuDayFact
from zhanggui.catalog.models import Product
from zhanggui.catalog.services import lifecycle
from zhanggui.catalog.services.products import create_product
from zhanggui.core.services import create_api_token
from zhanggui.inventory.services import stock
from zhanggui.inventory.services import warehouses as wh_svc

FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 7)  # 7 days


def fact(shop, sku, day, units, gmv, profit, orders=None):
    SkuDayFact.objects.create(shop=shop, sku=sku, day=day, units=units, orders=orders or units, gmv_fen=gmv,
                              cost_fen=gmv - profit, profit_fen=profit)  # fmt: skip


@pytest.fixture
def sales(world):
    """A: 70 units, ¥70 GMV, ¥1 profit (thin) — declared 利润款; B: 10 units, ¥20, ¥15; C: 5 units, ¥10, ¥2.
    Shop B sells A too (another shop: never counted for shop A)."""
    keeper = world.people["warehouse"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    made = {}
    for code in "ABC":
        product = create_product(keeper, style_code=code, name=f"商品{code}", colours=["黑"], sizes=["M"])
        made[code] = product.skus.get()
    Product.objects.filter(style_code="A").update(role=Product.Role.PROFIT)
    stock.receive_stock(keeper, made["A"], main, 14, document="QC-1", reason="opening")
    for shop_, day, code, units, gmv, profit in [
        (world.shop_a, FIRST, "A", 40, 4000, 50), (world.shop_a, LAST, "A", 30, 3000, 50),
        (world.shop_a, FIRST, "B", 10, 2000, 1500), (world.shop_a, LAST, "C", 5, 1000, 200),
        (world.shop_b, LAST, "A", 999, 99900, 90000), (world.shop_a, LAST + dt.timedelta(days=1), "B", 50, 9000, 9000),
    ]:  # fmt: skip
        fact(shop_, made[code], day, units, gmv, profit)
    world.made = made
    return world


def test_data5_best_sellers_by_units_gmv_and_profit_from_the_facts(sales):
    analysis = products.analyse([sales.shop_a.pk], FIRST, LAST)
    assert [r.style_code for r in analysis.rows] == ["A", "B", "C"]  # by GMV; shop B and the day after left out
    assert [r.style_code for r in analysis.top("units")] == ["A", "B", "C"]
    assert [r.style_code for r in analysis.top("profit_fen")] == ["B", "C", "A"]
    a = analysis.rows[0]
    assert (a.units, a.gmv_fen, a.profit_fen) == (70, 7000, 100)
    assert (analysis.gmv_fen, analysis.profit_fen, analysis.units) == (10000, 1800, 85)


def test_prod7_80_20_of_sales_and_of_profit():
    """The products that together make up 80 % (the one crossing 80 % included) are the core."""
    specs = [("A", 7000, 100, 70), ("B", 2000, 1500, 10), ("C", 1000, 200, 5)]
    rows = [products.ProductRow(i, c, c, "", gmv_fen=g, profit_fen=p, units=u) for i, (c, g, p, u) in enumerate(specs)]
    products._mark_core(rows, "gmv_fen", "gmv_share", "gmv_cumulative", "in_sales_core")
    products._mark_core(rows, "profit_fen", "profit_share", "profit_cumulative", "in_profit_core")
    assert [r.in_sales_core for r in rows] == [True, True, False]  # 70 % + 20 % reach 80 %
    assert [round(r.gmv_cumulative, 2) for r in rows] == [0.7, 0.9, 1.0]
    assert [r.in_profit_core for r in rows] == [False, True, False]  # B alone makes 83 % of the profit


def test_prod7_actual_role_against_the_declared_one(sales):
    rows = {r.style_code: r for r in products.analyse([sales.shop_a.pk], FIRST, LAST).rows}
    assert rows["B"].actual_role == "profit"  # in the profit core
    assert rows["A"].actual_role == "traffic"  # most units, margin 1.4 % under the average 18 %
    assert rows["C"].actual_role == ""
    assert rows["A"].declared_role == "profit" and rows["A"].role_differs  # declared 利润款, plays 引流款


def test_data5_stock_cover_in_days(sales):
    rows = {r.style_code: r for r in products.analyse([sales.shop_a.pk], FIRST, LAST).rows}
    assert rows["A"].on_hand == 14 and rows["A"].cover_days == 1.4  # 14 ÷ (70 units ÷ 7 days)
    assert rows["B"].on_hand == 0 and rows["B"].cover_days == 0.0


def test_prod8_lifecycle_page_reads_its_sales_from_the_facts(sales, client_for):
    """The catalog's lifecycle source is the analytics facts (registered in AnalyticsConfig.ready())."""
    assert lifecycle._source[0] is products.lifecycle_sales
    got = products.lifecycle_sales(14, today=LAST)
    a = got[sales.made["A"].product_id]
    assert len(a.daily_units) == 14 and a.daily_units[-1] == 30 + 999 and a.daily_units[-7] == 40
    assert a.price_fen == (7000 + 99900) // (70 + 999)
    b = got[sales.made["B"].product_id]
    assert sum(b.daily_units) == 10 and b.cost_fen == (2000 - 1500) // 10
    only_a = products.lifecycle_sales(14, today=LAST, shops=[sales.shop_a])
    assert sum(only_a[sales.made["A"].product_id].daily_units) == 70


@pytest.mark.parametrize("role", ["manager", "marketing", "finance"])
def test_data5_page_for_the_roles_that_see_it(sales, client_for, role):
    html = (
        client_for(sales.people[role])
        .get(reverse("analytics:products"), {"shop": "tb-a", "from": FIRST.isoformat(), "to": LAST.isoformat()})
        .content.decode()
    )
    assert "商品分析" in html and 'id="pareto-chart"' in html and 'id="products-table"' in html
    assert 'data-product="A"' in html and 'data-product="B"' in html and "¥70.00" in html
    assert 'class="role-differs"' in html and "引流款" in html and "利润款" in html
    assert (
        'data-cover="1.4"' in html
        and "实际角色：贡献 80% 毛利的商品为利润款" in html
        and "属于贡献 80% 毛利的商品" in html
    )


@pytest.mark.parametrize("role", ["cs", "designer", "editor", "warehouse"])
def test_data5_page_refused_to_other_roles(sales, client_for, role):
    assert client_for(sales.people[role]).get(reverse("analytics:products")).status_code == 403


def test_data5_bad_range_said_in_chinese(sales, client_for):
    html = client_for(sales.people["manager"]).get(reverse("analytics:products"), {"to": "2026-02-30"})
    assert "结束日期“2026-02-30”无效" in html.content.decode()


def test_data5_api_same_figures_and_shop_scope(sales, client):
    token = create_api_token(sales.people["marketing"], "bi")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    answer = client.get("/api/v1/analytics/products", {"from": FIRST.isoformat(), "to": LAST.isoformat()}, **auth)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["shops"] == ["tb-a"] and body["gmv_fen"] == 10000
    first = body["products"][0]
    assert (first["style_code"], first["actual_role"], first["declared_role"], first["cover_days"]) == (
        "A",
        "traffic",
        "profit",
        1.4,
    )
    assert client.get("/api/v1/analytics/products", {"shop": "jd-b"}, **auth).status_code == 404
    assert client.get("/api/v1/analytics/products", {"from": "x"}, **auth).status_code == 400
    cs = create_api_token(sales.people["cs"], "x")[1]
    assert client.get("/api/v1/analytics/products", HTTP_AUTHORIZATION=f"Bearer {cs}").status_code == 403
