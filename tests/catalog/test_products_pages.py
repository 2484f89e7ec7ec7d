"""Product pages and API (PROD-1, PROD-7, PROD-10): list with tabs and filters, create with the grid, detail,
SKU grid edit, combos; query counts bounded; API list/get/create/combos with Chinese errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog.models import Listing, Product, Sku
from zhanggui.catalog.services import products as svc

pytestmark = pytest.mark.django_db


def make(code, name="法式碎花连衣裙", colours=("黑色", "白色"), sizes=("S", "M"), **kw):
    kw.setdefault("sku_defaults", {"cost_fen": 8900, "list_price_fen": 23900})
    return svc.create_product(None, style_code=code, name=name, colours=list(colours), sizes=list(sizes), **kw)


def grid_post(**extra):
    data = {
        "style_code": "QH24S-0500",
        "name": "通勤西装外套",
        "category": "女装/外套",
        "brand": "青禾",
        "role": "",
        "stage": "incubation",
        "sourcing": "own",
        "supplier_name": "",
        "first_order_sets": "",
        "attributes": "面料: 聚酯纤维\n季节：春秋",
        "colours": "黑色 卡其 藏青",
        "sizes": "S M L XL",
        "cost": "120",
        "list_price": "299",
        "vip_price": "",
        "weight": "600",
    }
    data.update(extra)
    return data


# ---- list --------------------------------------------------------------------------------------------------------


def test_prod1_list_shows_products_tabs_and_filters(world, client_for):
    a = make("QH24S-0012", category="女装/连衣裙", role="traffic")
    make("QH24S-0013", name="纯棉T恤")
    Listing.objects.create(shop=world.shop_a, product=a, title="法式碎花连衣裙", price_fen=19900, status="listed")
    client = client_for(world.people["editor"])
    body = client.get("/products/").content.decode()
    assert "QH24S-0012" in body and "QH24S-0013" in body and "¥239.00" in body
    assert 'data-tab="listed"' in body
    body = client.get("/products/", {"q": "cstx"}).content.decode()  # 纯棉T恤 → cmtx; cstx finds nothing
    assert "QH24S-0013" not in body
    body = client.get("/products/", {"q": "cmtx"}).content.decode()
    assert "QH24S-0013" in body and "QH24S-0012" not in body
    body = client.get("/products/", {"status": "listed"}).content.decode()
    assert "QH24S-0012" in body and "QH24S-0013" not in body
    body = client.get("/products/", {"role": "traffic"}).content.decode()
    assert "QH24S-0012" in body and "QH24S-0013" not in body


def test_list_respects_the_shop_switcher(world, client_for):
    a = make("QH24S-0012")
    b = make("QH24S-0013")
    Listing.objects.create(shop=world.shop_a, product=a, title="甲", price_fen=100)
    Listing.objects.create(shop=world.shop_b, product=b, title="乙", price_fen=100)
    client = client_for(world.people["manager"])
    client.post("/scope/", {"shop": world.shop_b.code, "next": "/products/"})
    body = client.get("/products/").content.decode()
    assert "QH24S-0013" in body and "QH24S-0012" not in body
    body = client.get("/products/", {"shop": world.shop_a.code}).content.decode()
    assert "QH24S-0012" in body and "QH24S-0013" not in body


def test_list_page_query_count_does_not_grow_with_rows(world, client_for):
    """Few queries: the page of products, SKU figures and listings of exactly those products, tab counts."""
    client = client_for(world.people["manager"])
    make("Q-0")
    client.get("/products/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/products/").status_code == 200
    specs = [
        svc.ProductSpec(style_code=f"Q-{n}", name=f"针织衫{n}", colours=["黑色", "白色"], sizes=["S", "M", "L"])
        for n in range(1, 60)
    ]
    products = svc.create_products(None, specs)
    Listing.objects.bulk_create(
        [Listing(shop=world.shop_a, product=p, title=p.name, price_fen=9900, status="listed") for p in products]
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/products/")
    assert response.status_code == 200 and response.content.decode().count("data-product=") == 50
    assert len(many.captured_queries) <= len(few.captured_queries) + 1, [q["sql"][:100] for q in many.captured_queries]
    assert len(many.captured_queries) <= 16


def test_prod7_batch_bar_marks_roles(world, client_for):
    a, b = make("A-1"), make("A-2")
    client = client_for(world.people["editor"])
    response = client.post("/products/batch/", {"ids": [a.pk, b.pk], "action": "role:profit", "next": "/products/"})
    assert response.status_code == 302
    assert set(Product.objects.values_list("role", flat=True)) == {"profit"}
    assert (
        client_for(world.people["cs"]).post("/products/batch/", {"ids": [a.pk], "action": "role:"}).status_code == 403
    )


# ---- create ------------------------------------------------------------------------------------------------------


def test_prod1_create_page_builds_the_grid_in_fen(world, client_for):
    client = client_for(world.people["editor"])
    assert client.get("/products/new/").status_code == 200
    data = grid_post(
        **{"row-1-colour": "黑色", "row-1-size": "M", "row-1-code": "XZ-BLK-M", "row-1-list_price": "319.5"}
    )
    data.update({"row-0-colour": "黑色", "row-0-size": "S", "row-0-code": "", "row-0-barcode": "6901234500001"})
    response = client.post("/products/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(style_code="QH24S-0500")
    assert response["Location"] == f"/products/{product.pk}/"
    assert product.skus.count() == 12
    assert product.attributes == {"面料": "聚酯纤维", "季节": "春秋"}
    assert product.first_order_sets == 3  # PROD-10 default from the setting
    s = product.skus.get(colour="黑色", size="S")
    assert (s.code, s.barcode, s.cost_fen, s.list_price_fen, s.weight_g) == (
        "QH24S-0500-黑色-S",
        "6901234500001",
        12000,
        29900,
        600,
    )
    assert product.skus.get(colour="黑色", size="M").code == "XZ-BLK-M"
    assert product.skus.get(colour="黑色", size="M").list_price_fen == 31950
    detail = client.get(f"/products/{product.pk}/").content.decode()
    assert detail.count("data-sku=") == 12 and "¥299.00" in detail and "XZ-BLK-M" in detail


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"cost": "abc"}, "金额格式不正确"),
        ({"list_price": "50"}, "低于成本价"),
        ({"colours": "", "sizes": ""}, "请至少填写一个颜色或尺码"),
        ({"style_code": ""}, "This field is required"),
    ],
)
def test_create_page_errors_are_shown_and_nothing_is_saved(world, client_for, extra, message):
    client = client_for(world.people["editor"])
    response = client.post("/products/new/", grid_post(**extra))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body or "必填" in body or "这个字段是必填项" in body
    assert not Product.objects.exists()
    assert "黑色 卡其 藏青" in body or extra.get("colours") == ""  # what was typed is kept


def test_create_page_duplicate_style_code_next_to_the_field(world, client_for):
    make("QH24S-0500")
    response = client_for(world.people["editor"]).post("/products/new/", grid_post())
    assert response.status_code == 400 and "货号已存在" in response.content.decode()


def test_create_needs_the_right(world, client_for):
    assert client_for(world.people["cs"]).get("/products/new/").status_code == 403
    assert client_for(world.people["cs"]).post("/products/new/", grid_post()).status_code == 403


# ---- detail, edit, grid, combos --------------------------------------------------------------------------------


def test_detail_edit_and_timeline(world, client_for):
    product = make("QH24S-0012")
    client = client_for(world.people["editor"])
    response = client.post(
        f"/products/{product.pk}/edit/",
        {"name": "法式碎花连衣裙 2025", "sourcing": "dropship", "supplier_name": "", "stage": "incubation"},
    )
    assert response.status_code == 400 and "代理发货的商品请填写供应商" in response.content.decode()
    response = client.post(
        f"/products/{product.pk}/edit/",
        {"name": "法式碎花连衣裙 2025", "sourcing": "dropship", "supplier_name": "杭州四季青档口", "stage": "growth"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.supplier_name == "杭州四季青档口" and product.stage == "growth"
    body = client.get(f"/products/{product.pk}/").content.decode()
    assert "杭州四季青档口" in body and 'id="timeline"' in body
    assert client.get("/products/999999/").status_code == 404


def test_sku_grid_page_edits_and_adds(world, client_for):
    product = make("QH24S-0012")
    skus = list(product.skus.all())
    client = client_for(world.people["editor"])
    assert client.get(f"/products/{product.pk}/skus/").status_code == 200
    data = {}
    for s in skus:
        p = f"sku-{s.pk}-"
        data.update(
            {
                p + "code": s.code,
                p + "barcode": "",
                p + "cost": "89",
                p + "list_price": "239",
                p + "vip_price": "",
                p + "weight": "0",
                p + "active": "on",
            }
        )
    data[f"sku-{skus[0].pk}-list_price"] = "259"
    data.update({"colours": "米白", "sizes": "", "cost": "90", "list_price": "249", "vip_price": "", "weight": ""})
    response = client.post(f"/products/{product.pk}/skus/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    skus[0].refresh_from_db()
    assert skus[0].list_price_fen == 25900
    assert product.skus.count() == 6 and product.skus.get(colour="米白", size="M").list_price_fen == 24900
    data[f"sku-{skus[0].pk}-list_price"] = "1"  # below cost
    response = client.post(f"/products/{product.pk}/skus/", {**data, "colours": ""})
    assert response.status_code == 400 and "低于成本价" in response.content.decode()


def test_combo_page(world, client_for):
    product = make("QH24S-T01", name="纯棉T恤", sizes=["M"])
    client = client_for(world.people["editor"])
    assert client.get(f"/products/{product.pk}/combos/new/").status_code == 200
    response = client.post(
        f"/products/{product.pk}/combos/new/",
        {
            "code": "QH24S-T01-ZH1",
            "label": "两件装",
            "parts": "QH24S-T01-黑色-M 1\nQH24S-T01-白色-M × 1",
            "list_price": "139",
        },
    )
    assert response.status_code == 302
    combo = Sku.objects.get(code="QH24S-T01-ZH1")
    assert combo.is_combo and combo.list_price_fen == 13900 and combo.combo_items.count() == 2
    body = client.get(f"/products/{product.pk}/").content.decode()
    assert "QH24S-T01-ZH1" in body and "两件装" in body
    response = client.post(f"/products/{product.pk}/combos/new/", {"code": "QH24S-T01-ZH2", "parts": "QH24S-T01-ZH1 2"})
    assert response.status_code == 400 and "不能再放进组合装" in response.content.decode()


# ---- API ------------------------------------------------------------------------------------------------------------


def test_api_create_get_list_and_combo(world, client_for):
    client = client_for(world.people["editor"])
    payload = {
        "style_code": "QH24S-0600",
        "name": "雪纺衬衫",
        "category": "女装/衬衫",
        "colours": ["白色", "雾霾蓝"],
        "sizes": ["S", "M", "L"],
        "sku_defaults": {"cost_fen": 4500, "list_price_fen": 12900, "weight_g": 200},
        "skus": [{"colour": "白色", "size": "S", "barcode": "6905550000001"}],
    }
    response = client.post("/api/v1/products", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sku_count"] == 6 and body["name_initials"] == "xfcs"
    assert {s["code"] for s in body["skus"]} >= {"QH24S-0600-白色-S", "QH24S-0600-雾霾蓝-L"}
    pid = body["id"]

    again = client.post("/api/v1/products", json.dumps(payload), content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate_style_code"
    assert "货号已存在" in again.json()["message"]

    listed = client.get("/api/v1/products", {"q": "xfcs"}).json()
    assert [p["style_code"] for p in listed] == ["QH24S-0600"] and listed[0]["sku_count"] == 6
    assert client.get(f"/api/v1/products/{pid}").json()["category"] == "衬衫"
    assert client.get("/api/v1/products/999999").status_code == 404
    skus = client.get("/api/v1/skus", {"q": "6905550000001"}).json()
    assert [s["code"] for s in skus] == ["QH24S-0600-白色-S"]
    assert len(client.get("/api/v1/skus", {"product_id": pid}).json()) == 6

    combo = client.post(
        f"/api/v1/products/{pid}/combos",
        json.dumps({"code": "QH24S-0600-ZH1", "parts": [{"sku_id": skus[0]["id"], "quantity": 2}]}),
        content_type="application/json",
    )
    assert combo.status_code == 201 and combo.json()["cost_fen"] == 9000
    bad = client.post(
        f"/api/v1/products/{pid}/combos",
        json.dumps({"code": "QH24S-0600-ZH2", "parts": [{"code": "QH24S-0600-ZH1", "quantity": 1}]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "combo_of_combo"


def test_api_filters_and_permissions(world, client_for):
    a = make("QH24S-0012")
    Listing.objects.create(shop=world.shop_a, product=a, title="甲", price_fen=100, status="listed")
    make("QH24S-0013")
    client = client_for(world.people["cs"])
    assert [p["style_code"] for p in client.get("/api/v1/products", {"shop": world.shop_a.code}).json()] == [
        "QH24S-0012"
    ]
    assert client.get("/api/v1/products", {"shop": world.shop_b.code}).status_code == 404  # not their shop
    assert [p["style_code"] for p in client.get("/api/v1/products", {"status": "unlisted"}).json()] == ["QH24S-0013"]
    denied = client.post(
        "/api/v1/products", json.dumps({"style_code": "X", "name": "X"}), content_type="application/json"
    )
    assert denied.status_code == 403
    bad = client_for(world.people["editor"]).post(
        "/api/v1/products",
        json.dumps(
            {"style_code": "X-1", "name": "X", "colours": ["黑"], "sizes": ["S"], "sku_defaults": {"cost_fen": -5}}
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "成本价应在 ¥0.00 到" in bad.json()["message"]  # rule 7: core.bounds
