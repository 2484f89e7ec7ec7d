"""API for products, SKUs and combinations (PROD-1): the same selectors and services as the pages. Money in fen."""

from django.http import Http404
from ninja import Field, Router, Schema, Status

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen, Grams, Quantity

from .. import selectors
from ..models import Product, Sku
from ..services import combos as combo_services
from ..services import products as services

router = Router(tags=["products"])


class SkuOut(Schema):
    id: int
    product_id: int
    code: str
    barcode: str | None
    colour: str
    size: str
    weight_g: int
    cost_fen: int
    list_price_fen: int
    vip_price_fen: int | None
    is_combo: bool
    is_active: bool
    sold_out: bool


class ComboPartOut(Schema):
    sku_id: int
    code: str
    quantity: int


class ComboOut(SkuOut):
    parts: list[ComboPartOut]


class ListingBrief(Schema):
    id: int
    shop: str
    title: str
    price_fen: int
    status: str
    platform_item_id: str


class ProductOut(Schema):
    id: int
    style_code: str
    name: str
    name_initials: str
    category: str | None
    brand: str
    role: str
    stage: str
    sourcing: str
    supplier_name: str
    first_order_sets: int | None
    is_active: bool
    sku_count: int
    price_low_fen: int | None
    price_high_fen: int | None
    listings: list[ListingBrief]


class ProductDetailOut(ProductOut):
    attributes: dict
    skus: list[SkuOut]
    combos: list[ComboOut]


class SkuDefaults(Schema):
    cost_fen: Fen | None = None
    list_price_fen: Fen | None = None
    vip_price_fen: Fen | None = None
    weight_g: Grams | None = None


class SkuRowIn(SkuDefaults):
    colour: str = ""
    size: str = ""
    code: str | None = None
    barcode: str | None = None


class ProductIn(Schema):
    style_code: str = Field(..., max_length=40, description="货号")
    name: str = Field(..., max_length=120)
    category: str | None = Field(None, description="类目名称或路径，如 女装/连衣裙；不存在时自动新建")
    brand: str = ""
    attributes: dict[str, str] = {}
    colours: list[str] = []
    sizes: list[str] = []
    sku_defaults: SkuDefaults = SkuDefaults()
    skus: list[SkuRowIn] = Field([], description="按颜色+尺码覆盖单个 SKU（商家编码、条码、价格、重量）")
    role: str = ""
    stage: str = Product.Stage.INCUBATION
    sourcing: str = Product.Sourcing.OWN_STOCK
    supplier_name: str = ""
    first_order_sets: Quantity | None = None


class ComboPartIn(Schema):
    sku_id: int | None = None
    code: str | None = Field(None, description="商家编码（与 sku_id 二选一）")
    quantity: Quantity = 1


class ComboIn(Schema):
    code: str = Field(..., description="组合装的商家编码")
    barcode: str | None = None
    label: str = "组合装"
    list_price_fen: Fen | None = Field(None, description="默认为各组成 SKU 吊牌价之和")
    parts: list[ComboPartIn]


def _sku(s: Sku) -> dict:
    return {f: getattr(s, f) for f in SkuOut.model_fields}


def _product(p: Product, *, detail=False) -> dict:
    out = {
        "id": p.pk,
        "style_code": p.style_code,
        "name": p.name,
        "name_initials": p.name_initials,
        "category": p.category.name if p.category_id else None,
        "brand": p.brand,
        "role": p.role,
        "stage": p.stage,
        "sourcing": p.sourcing,
        "supplier_name": p.supplier_name,
        "first_order_sets": p.first_order_sets,
        "is_active": p.is_active,
        "sku_count": getattr(p, "sku_count", 0),
        "price_low_fen": getattr(p, "price_low", None),
        "price_high_fen": getattr(p, "price_high", None),
        "listings": [
            {
                "id": listing.pk,
                "shop": listing.shop.code,
                "title": getattr(listing, "title", ""),
                "price_fen": listing.price_fen,
                "status": listing.status,
                "platform_item_id": getattr(listing, "platform_item_id", ""),
            }
            for listing in getattr(p, "shop_listings", [])
        ],
    }
    if detail:
        skus, combos = selectors.skus_of(p)
        out["attributes"] = p.attributes or {}
        out["skus"] = [_sku(s) for s in skus]
        out["combos"] = [
            {
                **_sku(c),
                "parts": [
                    {"sku_id": i.component_id, "code": i.component.code, "quantity": i.quantity} for i in c.parts
                ],
            }
            for c in combos
        ]
        out["sku_count"] = len(skus)
    return out


def _detail(request, product_id: int) -> dict:
    try:
        product = selectors.product_detail(product_id)
    except Product.DoesNotExist:
        raise Http404 from None
    shops = list(allowed_shops(request.user))
    selectors.attach_page_facts([product], shops)
    product.shop_listings = selectors.listings_of(product, shops)
    return _product(product, detail=True)


@api_route(router.get, "/products", perm="catalog.view_product", response=list[ProductOut])
def list_products(
    request,
    q: str = "",
    category: int | None = None,
    shop: str | None = None,
    status: str = "all",
    stage: str = "",
    role: str = "",
    limit: int = 50,
    offset: int = 0,
):
    """Search by name, 货号, 商家编码, barcode or pinyin initials; filter by category, shop, listing status
    (all/listed/unlisted/to_delist/inactive), stage and role (traffic/profit/promotion/none)."""
    shops = list(allowed_shops(request.user))
    current = None
    if shop:
        current = next((s for s in shops if s.code == shop), None)
        if current is None:
            raise Http404
        shops = [current]
    filters = selectors.ProductFilters.from_params(
        {"q": q, "category": category, "status": status, "stage": stage, "role": role}
    )
    offset = max(offset, 0)
    page = list(selectors.products_in(shops, current, filters)[offset : offset + max(1, min(limit, 200))])
    selectors.attach_page_facts(page, shops)
    return [_product(p) for p in page]


@api_route(router.get, "/products/{product_id}", perm="catalog.view_product", response=ProductDetailOut)
def get_product(request, product_id: int):
    return _detail(request, product_id)


@api_route(router.post, "/products", perm="catalog.add_product", response={201: ProductDetailOut})
def create_product(request, payload: ProductIn):
    """A product with its colour × size grid; 商家编码 defaults to 货号-颜色-尺码."""
    product = services.create_product(
        request.user,
        style_code=payload.style_code,
        name=payload.name,
        category=payload.category,
        brand=payload.brand,
        attributes=payload.attributes,
        colours=payload.colours,
        sizes=payload.sizes,
        sku_defaults=payload.sku_defaults.model_dump(exclude_none=True),
        rows=[r.model_dump(exclude_none=True) for r in payload.skus],
        role=payload.role,
        stage=payload.stage,
        sourcing=payload.sourcing,
        supplier_name=payload.supplier_name,
        first_order_sets=payload.first_order_sets,
    )
    return Status(201, _detail(request, product.pk))


@api_route(router.get, "/skus", perm="catalog.view_sku", response=list[SkuOut])
def list_skus(request, q: str = "", product_id: int | None = None, limit: int = 100, offset: int = 0):
    """SKUs by 商家编码, barcode or 货号; or every SKU of one product."""
    offset = max(offset, 0)
    rows = selectors.skus_in(q, product_id)[offset : offset + max(1, min(limit, 500))]
    return [_sku(s) for s in rows]


@api_route(router.post, "/products/{product_id}/combos", perm="catalog.add_sku", response={201: ComboOut})
def create_combo(request, product_id: int, payload: ComboIn):
    """组合装: parts are ordinary SKUs (by id or 商家编码) with quantities ≥ 1."""
    try:
        product = Product.objects.get(pk=product_id)
    except Product.DoesNotExist:
        raise Http404 from None
    parts = [(p.sku_id if p.sku_id is not None else (p.code or ""), p.quantity) for p in payload.parts]
    combo = combo_services.create_combo_sku(
        request.user,
        product,
        payload.code,
        parts,
        barcode=payload.barcode,
        list_price_fen=payload.list_price_fen,
        label=payload.label,
    )
    combo.parts = list(combo.combo_items.select_related("component"))
    parts = [{"sku_id": i.component_id, "code": i.component.code, "quantity": i.quantity} for i in combo.parts]
    return Status(201, {**_sku(combo), "parts": parts})
