"""Pricing services (PROD-9, PROD-10): listing price against the floor, manager override on the timeline,
VIP price, group-buy tiers from the setting, promotion flags, sourcing and the first-order cap; pages and API."""

import datetime as dt

import pytest
from django.urls import reverse

from zhanggui.catalog.models import GroupPriceTier, Listing, Product, Sku
from zhanggui.catalog.services import pricing
from zhanggui.core import clock
from zhanggui.core.company_settings import update_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.shops.settings_store import update_settings


@pytest.fixture
def product(world):
    p = Product.objects.create(style_code="QH24S-0100", name="羊毛大衣")
    Sku.objects.create(product=p, code="QH100-BK-M", colour="黑色", size="M", cost_fen=4000, list_price_fen=10000)
    Sku.objects.create(product=p, code="QH100-BK-L", colour="黑色", size="L", cost_fen=4500, list_price_fen=12000)
    return p


@pytest.fixture
def listing(world, product):
    return Listing.objects.create(shop=world.shop_a, product=product, title="羊毛大衣", price_fen=9900)


def test_prod9_floor_refusal_at_69_99_percent_and_70_ok(world, listing):
    editor = world.people["editor"]
    with pytest.raises(DomainError) as exc:
        pricing.set_listing_price(editor, listing, 6999)
    assert exc.value.code == "below_floor" and exc.value.field == "price"
    assert "底价 ¥70.00" in exc.value.message
    listing.refresh_from_db()
    assert listing.price_fen == 9900
    check = pricing.set_listing_price(editor, listing, 7000)
    assert check.ok
    listing.refresh_from_db()
    assert listing.price_fen == 7000
    event = Event.objects.get(kind="price_changed")
    assert (event.from_state, event.to_state) == ("¥99.00", "¥70.00")


def test_prod9_floor_is_the_shops_setting(world, listing):
    update_settings(None, world.shop_a, {"pricing.floor_percent": "80"})
    with pytest.raises(DomainError):
        pricing.set_listing_price(world.people["editor"], listing, 7999)
    pricing.set_listing_price(world.people["editor"], listing, 8000)


def test_prod9_exempt_event_allows_below_floor(world, listing, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 11))
    check = pricing.set_listing_price(world.people["marketing"], listing, 5000, event="双11")
    assert check.ok and check.exempt_event == "双11"
    listing.refresh_from_db()
    assert (listing.price_fen, listing.price_event) == (5000, "双11")
    with pytest.raises(DomainError, match="不是可低于底价的活动"):
        pricing.set_listing_price(world.people["marketing"], listing, 5000, event="周末特卖")


def test_prod9_exempt_event_refused_outside_its_window(world, listing, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 7))
    with pytest.raises(DomainError, match=r"“双11”只在活动期内（10月20日–11月11日）可低于底价，12月7日不在活动期内"):
        pricing.set_listing_price(world.people["marketing"], listing, 5000, event="双11")
    listing.refresh_from_db()
    assert listing.price_fen != 5000
    assert pricing.set_listing_price(world.people["marketing"], listing, 5000, event="双12").ok  # 12月1日–12日


def test_prod9_manager_override_recorded_on_the_timeline(world, listing):
    manager = world.people["manager"]
    with pytest.raises(DomainError):  # no override asked: refused even for the manager
        pricing.set_listing_price(manager, listing, 5000)
    pricing.set_listing_price(manager, listing, 5000, override=True)
    listing.refresh_from_db()
    assert listing.price_fen == 5000
    event = Event.objects.get(kind="price_floor_override")
    assert (event.from_state, event.to_state) == ("¥99.00", "¥50.00")
    assert "底价 ¥70.00" in event.note and event.actor == manager
    assert event.data["floor_fen"] == 7000


def test_prod9_non_manager_override_refused(world, listing):
    with pytest.raises(DomainError) as exc:
        pricing.set_listing_price(world.people["editor"], listing, 5000, override=True)
    assert exc.value.code == "override_not_allowed"
    listing.refresh_from_db()
    assert listing.price_fen == 9900
    assert not Event.objects.filter(kind="price_floor_override").exists()


def test_prod9_margin_warning_returned_not_refused(world, listing):
    check = pricing.set_listing_price(world.people["editor"], listing, 7000)  # cost up to ¥45 → 55% margin
    assert not check.warnings
    Sku.objects.filter(product=listing.product).update(cost_fen=6800)
    check = pricing.set_listing_price(world.people["editor"], listing, 7100)
    assert check.ok and any("买家不会为成本买单" in w for w in check.warnings)


def test_prod9_vip_price_respects_the_floor(world, product):
    sku = product.skus.get(code="QH100-BK-M")
    pricing.set_vip_price(world.people["editor"], sku, 8800)
    sku.refresh_from_db()
    assert sku.vip_price_fen == 8800
    with pytest.raises(DomainError):
        pricing.set_vip_price(world.people["editor"], sku, 6000)
    pricing.set_vip_price(world.people["manager"], sku, 6000, override=True)
    assert Event.objects.filter(kind="price_floor_override").exists()


def test_prod9_group_tiers_from_setting(world, product):
    created = pricing.create_group_tiers_from_setting(world.people["editor"], product)
    assert [(t.min_qty, t.max_qty, t.price_fen) for t in created] == [(10, 19, 10000), (20, None, 10000)]
    assert pricing.create_group_tiers_from_setting(None, product) == []  # already there
    update_settings(None, world.shop_a, {"pricing.group_tiers": "5-9,10+"})
    Listing.objects.create(shop=world.shop_a, product=product, title="t", price_fen=9900)
    GroupPriceTier.objects.all().delete()
    created = pricing.create_group_tiers_from_setting(None, product)
    assert [(t.min_qty, t.max_qty) for t in created] == [(5, 9), (10, None)]


def test_prod9_save_group_tiers_checked(world, product):
    pricing.save_group_tiers(world.people["editor"], product, [(10, 19, 9000), (20, None, 8000)])
    assert list(product.group_tiers.values_list("min_qty", "max_qty", "price_fen")) == [
        (10, 19, 9000),
        (20, None, 8000),
    ]
    with pytest.raises(DomainError, match="重叠"):
        pricing.save_group_tiers(None, product, [(10, 25, 9000), (20, None, 8000)])
    with pytest.raises(DomainError, match="20 件起的团购价"):
        pricing.save_group_tiers(world.people["editor"], product, [(10, 19, 9000), (20, None, 6000)])


def test_prod9_promotion_flags(world, product):
    assert pricing.set_promotion_flags(None, product, weekly_promotion=True, monthly_flash_sale=False) == [
        "weekly_promotion"
    ]
    product.refresh_from_db()
    assert product.weekly_promotion and not product.monthly_flash_sale
    assert Event.objects.filter(kind="promotion_flags").exists()


def test_prod10_dropship_needs_supplier(world, product):
    with pytest.raises(DomainError) as exc:
        pricing.set_sourcing(world.people["editor"], product, sourcing="dropship")
    assert exc.value.field == "supplier_name"
    pricing.set_sourcing(world.people["editor"], product, sourcing="dropship", supplier_name="杭州四季青某档口")
    product.refresh_from_db()
    assert product.sourcing == "dropship" and product.supplier_name == "杭州四季青某档口"


def test_prod10_first_order_cap(world, product):
    editor = world.people["editor"]
    pricing.set_sourcing(editor, product, sourcing="own", first_order_sets=3)
    with pytest.raises(DomainError) as exc:
        pricing.set_sourcing(editor, product, sourcing="own", first_order_sets=4)
    assert exc.value.code == "first_order_cap" and "最多 3 套" in exc.value.message
    pricing.set_sourcing(world.people["manager"], product, sourcing="own", first_order_sets=10)
    product.refresh_from_db()
    assert product.first_order_sets == 10
    update_company_settings(None, {"pricing.first_order_max_sets": "5"})  # company-wide (PROD-10)
    assert pricing.first_order_cap() == 5


# ---------------------------------------------------------------------------------------------------------------
# Page and API
# ---------------------------------------------------------------------------------------------------------------


def test_prod9_pricing_page_and_listing_price_form(world, listing, client_for):
    product = listing.product
    page = client_for(world.people["finance"]).get(reverse("catalog:pricing", args=[product.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥70.00" in html and "¥99.00" in html  # floor and current price
    url = reverse("catalog:pricing_listing_price", args=[listing.pk])
    resp = client_for(world.people["editor"]).post(url, {"price": "69.99", "event": ""})
    assert resp.status_code == 400 and "低于底价" in resp.content.decode()
    resp = client_for(world.people["editor"]).post(url, {"price": "70.00", "event": ""})
    assert resp.status_code == 302
    resp = client_for(world.people["manager"]).post(url, {"price": "50", "event": "", "override": "on"})
    assert resp.status_code == 302
    listing.refresh_from_db()
    assert listing.price_fen == 5000
    assert client_for(world.people["finance"]).post(url, {"price": "90"}).status_code == 403


def test_prod9_price_check_api(world, listing, client_for, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 11))
    client = client_for(world.people["editor"])
    url = f"/api/v1/products/{listing.product_id}/price-check"
    body = client.get(url, {"price": "69.99", "shop_id": world.shop_a.pk}).json()
    assert body["ok"] is False and body["floor_fen"] == 7000 and "低于底价" in body["message"]
    body = client.get(url, {"price": "50", "event": "双11", "shop_id": world.shop_a.pk}).json()
    assert body["ok"] is True and body["exempt_event"] == "双11"
    bad = client.get(url, {"price": "abc"})
    assert bad.status_code == 400 and bad.json()["field"] == "price"
    assert client_for(world.outsider).get(url, {"shop_id": world.shop_a.pk}).status_code == 404
