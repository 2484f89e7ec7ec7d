"""core.bounds (rule 7 of the house; PROD-9 prices, PUR-2 purchase quantities): money and quantity inputs past the
column's range or the company's business bounds are a 422 with a Chinese message — never a 500 (≥ 2^31 on
PostgreSQL, ≥ 2^63 on SQLite), never stored (a listing price of 2^63−1 fen, a purchase quantity that breaks the
replenishment page)."""

import json

import pytest

from zhanggui.catalog.models import Product, Sku
from zhanggui.catalog.services import listings as listing_svc
from zhanggui.core.errors import DomainError
from zhanggui.core.services import create_api_token
from zhanggui.purchasing.models import PurchaseOrder
from zhanggui.purchasing.services import orders as po_svc

pytestmark = pytest.mark.django_db
HUGE = [2**31, 2**63 - 1, 2**63, 10**30]


def product(code="BND"):
    product = Product.objects.create(style_code=code, name="连衣裙")
    Sku.objects.create(product=product, code=f"{code}-M", colour="红色", size="M", cost_fen=3000)
    return product


def api(client, user, url, data, method="post"):
    _t, key = create_api_token(user, "t")
    return getattr(client, method)(
        url, json.dumps(data), content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


@pytest.mark.parametrize("price", HUGE)
def test_prod9_api_listing_price_past_the_column_is_422_in_chinese(world, client_for, price):
    editor = world.people["editor"]
    body = {"shop_id": world.shop_a.pk, "product_id": product().pk, "title": "新款", "price_fen": price}
    response = api(client_for(editor), editor, "/api/v1/listings", body)
    assert response.status_code == 422, response.content
    assert "price_fen" in response.json()["message"] and "应不大于" in response.json()["message"]


def test_prod9_listing_price_over_the_business_bound_is_refused_by_the_service(world, settings):
    editor = world.people["editor"]
    with pytest.raises(DomainError) as error:
        listing_svc.create_listing(editor, world.shop_a, product(), "新款", 2**31 - 1)
    assert error.value.code == "out_of_range" and "价格应在" in error.value.message
    listing = listing_svc.create_listing(editor, world.shop_a, product("B2"), "新款", 9900)
    settings.BUSINESS_BOUNDS = {**settings.BUSINESS_BOUNDS, "money_max_fen": 5000}  # a company setting
    with pytest.raises(DomainError, match="价格应在"):
        listing_svc.update_listing(editor, listing, price_fen=9000)


def test_prod9_api_listing_patch_with_absurd_price_is_422(world, client_for):
    editor = world.people["editor"]
    listing = listing_svc.create_listing(editor, world.shop_a, product(), "新款", 9900)
    response = api(client_for(editor), editor, f"/api/v1/listings/{listing.pk}", {"price_fen": 2**40}, "patch")
    assert response.status_code == 422 and "price_fen" in response.json()["message"]


def test_pur2_purchase_quantity_over_the_business_bound_is_refused(world):
    manager = world.people["manager"]
    sku = product().skus.get()
    with pytest.raises(DomainError) as error:
        po_svc.create_order(manager, lines=[(sku, 10_000_000, 100)])
    assert error.value.code == "out_of_range" and "采购数量应在" in error.value.message
    with pytest.raises(DomainError, match="采购单价应在"):
        po_svc.create_order(manager, lines=[(sku, 1, 2**40)])
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("quantity", HUGE)
def test_pur2_api_purchase_quantity_past_the_column_is_422(world, client_for, quantity):
    manager = world.people["manager"]
    sku = product().skus.get()
    body = {"lines": [{"sku": sku.code, "quantity": quantity, "unit_cost_fen": 100}]}
    response = api(client_for(manager), manager, "/api/v1/purchase-orders", body)
    assert response.status_code == 422, response.content
    assert "quantity" in response.json()["message"] and not PurchaseOrder.objects.exists()


def test_pydantic_messages_are_chinese_never_english(world, client_for):
    """Item of rule 7: a validation error reads in Chinese, whatever pydantic's own English says."""
    editor = world.people["editor"]
    body = {"shop_id": "x", "product_id": 1.5, "title": ["a"], "price_fen": "¥1"}
    message = api(client_for(editor), editor, "/api/v1/listings", body).json()["message"]
    assert message and not any(
        "a" <= ch.lower() <= "z"
        for ch in message.replace("shop_id", "").replace("product_id", "").replace("title", "").replace("price_fen", "")
    )
