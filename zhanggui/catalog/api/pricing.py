"""API: the price check of PROD-9 (floor, named events, cost-plus margin) — the pricing page calls it live."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhanggui.core.access import allowed_shop_or_404
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

from ..models import Product
from ..services import pricing as svc
from ..services.images import shop_for

router = Router(tags=["catalog"])


class PriceCheckOut(Schema):
    ok: bool
    price_fen: int | None
    list_price_fen: int
    cost_fen: int
    floor_fen: int | None
    floor_percent: int
    code: str
    message: str
    exempt_event: str
    margin_percent: float | None
    warnings: list[str]


@api_route(
    router.get,
    "/products/{product_id}/price-check",
    perm="catalog.view_product",
    response=PriceCheckOut,
    url_name="catalog_price_check",
)
def price_check(request, product_id: int, price: str | None = None, event: str = "", shop_id: int | None = None):
    """Would this price (yuan) be accepted for the product in this shop? Refused below the floor (default 7折 of
    the lowest SKU list price) unless `event` is an exempt named event; warnings for a thin margin over cost."""
    product = get_object_or_404(Product, pk=product_id)
    shop = shop_for(product, allowed_shop_or_404(request.user, shop_id) if shop_id is not None else None)
    list_price, cost = svc.reference_prices(product)
    conf = svc.pricing_settings(shop)
    if price is None or not price.strip():
        floor = -(-list_price * conf["floor_percent"] // 100) if list_price else None
        return {
            "ok": True,
            "price_fen": None,
            "list_price_fen": list_price,
            "cost_fen": cost,
            "floor_fen": floor,
            "floor_percent": conf["floor_percent"],
            "code": "",
            "message": "",
            "exempt_event": "",
            "margin_percent": None,
            "warnings": [],
        }
    try:
        price_fen = yuan_to_fen(price)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, "price") from None
    check = svc.check_product_price(product, price_fen, shop=shop, event=event)
    return {**check.as_dict(), "list_price_fen": list_price, "cost_fen": cost, "floor_percent": conf["floor_percent"]}
