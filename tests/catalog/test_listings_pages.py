"""Listing pages and API (PROD-1/2/3/6/7/11): tabs with counts, create with SKU mapping, live title check,
schedule, toggles, showcase, title issues, word lists."""

import datetime as dt
import json

from zhanggui.catalog.models import Listing, ListingSchedule, Product, Sku, TitleWord
from zhanggui.catalog.services import listings as svc
from zhanggui.core import clock
from zhanggui.core.services import create_api_token


def make_product(code, name="碎花连衣裙"):
    product = Product.objects.create(style_code=code, name=name)
    for size in ("M", "L"):
        Sku.objects.create(product=product, code=f"{code}-{size}", colour="红色", size=size, cost_fen=3000)
    return product


def test_prod1_list_page_tabs_counts_and_hero_warning(world, client_for):
    editor = world.people["editor"]
    a = svc.create_listing(editor, world.shop_a, make_product("P-1"), "新款连衣裙", 9900)
    svc.list_now(editor, a)
    svc.create_listing(editor, world.shop_a, make_product("P-2"), "草稿连衣裙", 9900)
    client = client_for(editor)
    body = client.get("/products/listings/").content.decode()
    assert "在售" in body and "草稿" in body and "待下架" in body and "已下架" in body
    assert 'data-tab="listed"' in body and "主打款只有 0 个" in body
    body = client.get("/products/listings/?status=listed").content.decode()
    assert "新款连衣裙" in body and "草稿连衣裙" not in body


def test_prod2_batch_list_from_the_list_page(world, client_for):
    editor = world.people["editor"]
    drafts = [svc.create_listing(editor, world.shop_a, make_product(f"P-{n}"), f"标题{n}", 9900) for n in range(3)]
    other = svc.create_listing(world.people["manager"], world.shop_b, make_product("P-B"), "乙店", 9900)
    resp = client_for(editor).post(
        "/products/listings/batch/", {"ids": [d.pk for d in drafts] + [other.pk], "action": "list"}
    )
    assert resp.status_code == 302
    assert Listing.objects.filter(status="listed").count() == 3  # shop_b's listing untouched: not the editor's shop
    assert Listing.objects.get(pk=other.pk).status == "draft"


def test_prod1_create_page_with_mapping_and_errors(world, client_for):
    editor = world.people["editor"]
    product = make_product("P-9")
    m, _large = product.skus.all()
    client = client_for(editor)
    assert client.get(f"/products/{product.pk}/listings/new/").status_code == 200
    resp = client.post(
        f"/products/{product.pk}/listings/new/",
        {
            "shop": world.shop_a.pk,
            "title": "新款连衣裙",
            "price": "99.00",
            f"use_{m.pk}": "1",
            f"platform_sku_{m.pk}": "X1",
        },
    )
    listing = Listing.objects.get(product=product)
    assert resp.status_code == 302 and resp["Location"] == f"/products/listings/{listing.pk}/"
    assert list(listing.skus.values_list("sku_id", "platform_sku_id")) == [(m.pk, "X1")]
    fresh = make_product("P-10")
    bad = client.post(f"/products/{fresh.pk}/listings/new/", {"shop": "", "title": "", "price": "abc"})
    assert bad.status_code == 400 and "请选择店铺" in bad.content.decode()


def test_prod3_live_title_check_fragment_and_api(world, client_for):
    editor = world.people["editor"]
    product = make_product("P-T")
    client = client_for(editor)
    body = client.post(
        "/products/title-check/", {"title": "连" * 31, "product_id": product.pk, "shop": world.shop_a.pk}
    ).content.decode()
    assert "31/30" in body and "data-too-long" in body and 'data-part="marketing" data-present="0"' in body
    body = client.get(
        "/products/title-check/", {"title": "新款新款韩版碎花连衣裙红色", "product_id": product.pk}
    ).content.decode()
    assert 'data-part="marketing" data-present="1"' in body and "data-repeats" in body
    _t, key = create_api_token(editor, "t")
    resp = client.post(
        "/api/v1/listings/title-check",
        json.dumps({"title": "新款" * 16, "product_id": product.pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    data = resp.json()
    assert resp.status_code == 200 and data["too_many_chars"] and data["bytes"] == 64 and "新款" in data["repeats"]
    assert any("超过 30 个字" in r for r in data["reasons"])


def test_prod3_title_issues_and_word_list_pages(world, client_for):
    editor = world.people["editor"]
    svc.create_listing(editor, world.shop_a, make_product("P-I"), "连衣裙连衣裙", 9900)
    client = client_for(editor)
    body = client.get("/products/listings/title-issues/").content.decode()
    assert "连衣裙连衣裙" in body and "重复词" in body
    assert (
        client.post("/products/title-words/edit/", {"kind": "modifier", "words": "松弛感, 慵懒风"}).status_code == 302
    )
    assert TitleWord.objects.filter(word__in=["松弛感", "慵懒风"]).count() == 2
    body = client.get("/products/title-words/").content.decode()
    assert "松弛感" in body
    designer = client_for(world.people["designer"])  # may view, not edit
    assert designer.get("/products/title-words/").status_code == 200
    assert designer.post("/products/title-words/edit/", {"kind": "modifier", "words": "x"}).status_code == 403


def test_prod2_detail_schedule_and_cancel(world, client_for):
    editor = world.people["editor"]
    listing = svc.create_listing(editor, world.shop_a, make_product("P-S"), "新款连衣裙", 9900)
    client = client_for(editor)
    body = client.get(f"/products/listings/{listing.pk}/").content.decode()
    assert "suggest-time" in body and "id_run_at" in body
    when = clock.local(clock.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/products/listings/{listing.pk}/schedule/", {"action": "list", "run_at": when}).status_code == 302
    )
    item = ListingSchedule.objects.get(listing=listing)
    assert clock.local(item.run_at).strftime("%Y-%m-%dT%H:%M") == when  # Beijing wall-clock time
    bad = client.post(f"/products/listings/{listing.pk}/schedule/", {"action": "list", "run_at": "昨天"})
    assert bad.status_code == 400 and "请填写时间" in bad.content.decode()
    assert client.post(f"/products/listing-schedules/{item.pk}/cancel/").status_code == 302
    item.refresh_from_db()
    assert item.cancelled_at


def test_prod7_prod11_toggles_and_showcase_page(world, client_for):
    editor = world.people["editor"]
    listing = svc.list_now(editor, svc.create_listing(editor, world.shop_a, make_product("P-H"), "新款连衣裙", 9900))
    client = client_for(editor)
    for action in ("hero_on", "showcase_on", "recommended_on"):
        assert client.post(f"/products/listings/{listing.pk}/action/", {"action": action}).status_code == 302
    listing.refresh_from_db()
    assert listing.is_hero and listing.in_showcase and listing.recommended
    body = client.get("/products/showcase/").content.decode()
    assert "新款连衣裙" in body and "1/6" in body


def test_prod1_api_create_get_list_delist_schedule(world, client_for):
    editor = world.people["editor"]
    product = make_product("P-A")
    m, _l = product.skus.all()
    _t, key = create_api_token(editor, "t")
    client = client_for(editor)
    h = {"Authorization": f"Bearer {key}"}

    def post(url, data):
        return client.post(url, json.dumps(data), content_type="application/json", headers=h)

    resp = post(
        "/api/v1/listings",
        {
            "shop_id": world.shop_a.pk,
            "product_id": product.pk,
            "title": "新款",
            "price_fen": 9900,
            "skus": [{"sku_id": m.pk, "platform_sku_id": "A1"}],
        },
    )
    assert resp.status_code == 201, resp.content
    lid = resp.json()["id"]
    assert resp.json()["skus"] == [{"sku_id": m.pk, "sku_code": m.code, "platform_sku_id": "A1", "is_combo": False}]
    again = post(
        "/api/v1/listings", {"shop_id": world.shop_a.pk, "product_id": product.pk, "title": "x", "price_fen": 1}
    )
    assert again.status_code == 400 and again.json()["code"] == "already_listed"
    assert post(f"/api/v1/listings/{lid}/list", {}).json()["status"] == "listed"
    assert post(f"/api/v1/listings/{lid}/delist", {}).json()["status"] == "delisted"
    assert post(f"/api/v1/listings/{lid}/delist", {}).status_code == 409
    run_at = (clock.now() + dt.timedelta(hours=3)).isoformat()
    assert post(f"/api/v1/listings/{lid}/schedules", {"action": "list", "run_at": run_at}).status_code == 201
    assert len(client.get("/api/v1/listings?status=delisted", headers=h).json()) == 1
    assert client.get(f"/api/v1/listings/{lid}", headers=h).json()["title"] == "新款"
    times = client.get(f"/api/v1/listings/suggested-times?shop_id={world.shop_a.pk}&count=3", headers=h).json()
    assert len(times) == 3
    other = svc.create_listing(world.people["manager"], world.shop_b, make_product("P-B"), "乙店", 9900)
    assert client.get(f"/api/v1/listings/{other.pk}", headers=h).status_code == 404  # not the editor's shop
