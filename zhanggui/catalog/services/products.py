"""Products (SPU): creating them with their colour × size SKU grid, changing their facts, role marking and
(de)activation (PROD-1, PROD-7, PROD-10). SKU edits: skus.py; combinations (组合装): combos.py; the grid and the
checks of SKU values: sku_grid.py.

Every write runs in one transaction and records the timeline on the product. Bulk paths are bulk: creating
many products (the demo, benchmarks, imports) costs a handful of queries per batch, not per row.
"""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from zhanggui.core.bounds import check_quantity
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, record_events, register_event_kinds

from ..models import Category, Product, Sku
from .sku_grid import CODE_RE, check_codes_free, grid_rows, grid_summary, show_value

# The product timeline's kinds, SKU and combination entries included (they are recorded on the product).
register_event_kinds(
    {
        "product_changed": _("product changed"),
        "skus_added": _("SKUs added"),
        "skus_changed": _("SKUs changed"),
        "combo_created": _("combination SKU created"),
        "role_changed": _("product role changed"),
        "deactivated": _("deactivated"),
        "reactivated": _("reactivated"),
    }
)

PRODUCT_FIELDS = (
    "name",
    "brand",
    "attributes",
    "role",
    "stage",
    "sourcing",
    "supplier_name",
    "first_order_sets",
    "weekly_promotion",
    "monthly_flash_sale",
)


def name_initials(name: str) -> str:
    """Pinyin first letters for search: 连衣裙 → lyq, T恤女 → txn (letters and digits kept, lower case)."""
    letters = "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default"))
    return re.sub(r"[^0-9a-z]", "", letters.lower())[:120]


# ---- categories -----------------------------------------------------------------------------------------------


def get_or_create_category(name_or_path: str) -> Category | None:
    """'连衣裙' or a path '女装/连衣裙' → that category, created (with its parents) when new."""
    parts = [p.strip() for p in re.split(r"[/>＞]", str(name_or_path or "")) if p.strip()]
    parent = None
    for part in parts:
        if len(part) > 60:
            raise DomainError("invalid_category", f"类目名称过长：{part}", "category")
        parent, _new = Category.objects.get_or_create(parent=parent, name=part)
    return parent


def _category(value) -> Category | None:
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        return value
    if isinstance(value, int):
        try:
            return Category.objects.get(pk=value)
        except Category.DoesNotExist:
            raise DomainError("unknown_category", f"类目不存在：{value}", "category") from None
    return get_or_create_category(str(value))


# ---- creating products with their grid ------------------------------------------------------------------------


@dataclass
class ProductSpec:
    """What one new product is made of; `rows` override grid cells by (colour, size)."""

    style_code: str
    name: str
    colours: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    category: object = None
    brand: str = ""
    attributes: dict = field(default_factory=dict)
    sku_defaults: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    role: str = ""
    stage: str = Product.Stage.INCUBATION
    sourcing: str = Product.Sourcing.OWN_STOCK
    supplier_name: str = ""
    first_order_sets: int | None = None


def _choice(value, choices, label: str, field_name: str) -> str:
    value = value or ""
    if value not in dict(choices.choices):
        raise DomainError("invalid_choice", f"{label}不是允许的取值：{value}", field_name)
    return value


def _check_product_fields(values: dict) -> dict:
    out = dict(values)
    if "name" in out:
        out["name"] = str(out["name"] or "").strip()
        if not out["name"]:
            raise DomainError("missing_name", "请填写商品名称", "name")
        if len(out["name"]) > 120:
            raise DomainError("invalid_name", "商品名称最长 120 个字符", "name")
    if "brand" in out:
        out["brand"] = str(out["brand"] or "").strip()[:60]
    if "attributes" in out:
        if out["attributes"] is None:
            out["attributes"] = {}
        if not isinstance(out["attributes"], dict):
            raise DomainError("invalid_attributes", "属性应为“名称: 取值”的列表", "attributes")
        out["attributes"] = {str(k).strip(): str(v).strip() for k, v in out["attributes"].items() if str(k).strip()}
    if "role" in out:
        out["role"] = _choice(out["role"], Product.Role, "商品角色", "role")
    if "stage" in out:
        out["stage"] = _choice(out["stage"] or Product.Stage.INCUBATION, Product.Stage, "生命周期", "stage")
    if "sourcing" in out:
        out["sourcing"] = _choice(out["sourcing"] or Product.Sourcing.OWN_STOCK, Product.Sourcing, "货源", "sourcing")
    if "supplier_name" in out:
        out["supplier_name"] = str(out["supplier_name"] or "").strip()[:100]
    if out.get("sourcing") == Product.Sourcing.DROPSHIP and "supplier_name" in out and not out["supplier_name"]:
        # PROD-10: a dropshipped product's orders go to its supplier, so the supplier must be known.
        raise DomainError("missing_supplier", "代理发货的商品请填写供应商", "supplier_name")
    if out.get("first_order_sets") not in (None, ""):
        out["first_order_sets"] = check_quantity(out["first_order_sets"], "首单数量（套）", "first_order_sets")
    elif "first_order_sets" in out:
        out["first_order_sets"] = None
    return out


def create_products(actor, specs: list[ProductSpec]) -> list[Product]:
    """Create many products with their SKU grids in one transaction and a few queries (PROD-1).

    Nothing is written when any product is wrong: the error names the product and the cell.
    """
    if not specs:
        return []
    prepared = []
    style_codes = []
    for n, spec in enumerate(specs):
        where = f"第 {n + 1} 个商品：" if len(specs) > 1 else ""
        code = str(spec.style_code or "").strip()
        if not code:
            raise DomainError("missing_style_code", f"{where}请填写货号", "style_code")
        if not CODE_RE.match(code) or len(code) > 40:
            raise DomainError("invalid_style_code", f"{where}货号不能含空格，最长 40 个字符：{code}", "style_code")
        spec.style_code = code
        fields = _check_product_fields(
            {
                "name": spec.name,
                "brand": spec.brand,
                "attributes": spec.attributes,
                "role": spec.role,
                "stage": spec.stage,
                "sourcing": spec.sourcing,
                "supplier_name": spec.supplier_name,
                "first_order_sets": spec.first_order_sets,
            }
        )
        rows = grid_rows(spec, n if len(specs) > 1 else None)
        prepared.append((spec, fields, rows))
        style_codes.append(code)

    dup = sorted({c for c in style_codes if style_codes.count(c) > 1})
    if dup:
        raise DomainError("duplicate_style_code", f"货号重复：{'、'.join(dup[:20])}", "style_code")
    taken = sorted(Product.objects.filter(style_code__in=style_codes).values_list("style_code", flat=True))
    if taken:
        raise DomainError(
            "duplicate_style_code", f"货号已存在：{'、'.join(taken[:20])}，请换一个货号或去编辑已有商品", "style_code"
        )
    check_codes_free([r for _s, _f, rows in prepared for r in rows])

    categories = {}
    with transaction.atomic():
        products = []
        for spec, fields, _rows in prepared:
            key = spec.category if not isinstance(spec.category, Category) else spec.category.pk
            if key not in categories:
                categories[key] = _category(spec.category)
            products.append(
                Product(
                    style_code=spec.style_code,
                    name_initials=name_initials(fields["name"]),
                    category=categories[key],
                    **fields,
                )
            )
        try:
            Product.objects.bulk_create(products, batch_size=500)
            skus = [
                Sku(product=product, **row)
                for product, (_spec, _fields, rows) in zip(products, prepared, strict=True)
                for row in rows
            ]
            Sku.objects.bulk_create(skus, batch_size=1000)
        except IntegrityError as exc:  # a concurrent writer took a code between our check and the insert
            raise DomainError("duplicate_code", "货号、商家编码或条码刚被他人占用，请刷新后重试") from exc
        record_events(
            actor,
            [
                (p, "created", "", "", f"{len(rows)} 个 SKU：{grid_summary(rows)}", {"skus": len(rows)})
                for p, (_s, _f, rows) in zip(products, prepared, strict=True)
            ],
            batch_size=500,
        )
    return products


def create_product(
    actor,
    *,
    style_code: str,
    name: str,
    colours,
    sizes,
    category=None,
    brand: str = "",
    attributes: dict | None = None,
    sku_defaults: dict | None = None,
    rows: list[dict] | None = None,
    role: str = "",
    stage: str = Product.Stage.INCUBATION,
    sourcing: str = Product.Sourcing.OWN_STOCK,
    supplier_name: str = "",
    first_order_sets: int | None = None,
) -> Product:
    """A product (SPU, 货号) with its colour × size SKU grid (PROD-1).

    `sku_defaults` (cost_fen, list_price_fen, vip_price_fen, weight_g) apply to every cell; `rows` override single
    cells by colour and size (code = 商家编码, default 货号-颜色-尺码; barcode optional and unique).
    """
    spec = ProductSpec(
        style_code=style_code,
        name=name,
        colours=colours,
        sizes=sizes,
        category=category,
        brand=brand,
        attributes=attributes or {},
        sku_defaults=sku_defaults or {},
        rows=rows or [],
        role=role,
        stage=stage,
        sourcing=sourcing,
        supplier_name=supplier_name,
        first_order_sets=first_order_sets,
    )
    return create_products(actor, [spec])[0]


# ---- changing products ------------------------------------------------------------------------------------------


def update_product(actor, product: Product, **changes) -> Product:
    """Change a product's facts (name, category, brand, attributes, role, stage, sourcing, supplier, …)."""
    unknown = set(changes) - set(PRODUCT_FIELDS) - {"category"}
    if unknown:
        raise DomainError("unknown_field", f"不能修改：{'、'.join(sorted(unknown))}")
    values = _check_product_fields({k: v for k, v in changes.items() if k != "category"})
    sourcing = values.get("sourcing", product.sourcing)
    supplier = values.get("supplier_name", product.supplier_name)
    if sourcing == Product.Sourcing.DROPSHIP and not supplier:
        raise DomainError("missing_supplier", "代理发货的商品请填写供应商", "supplier_name")
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        diffs = []
        if "category" in changes:
            category = _category(changes["category"])
            if category != product.category:
                diffs.append(("类目", show_value(product.category), show_value(category)))
                product.category = category
        labels = {f.name: str(f.verbose_name) for f in Product._meta.fields}
        for key, value in values.items():
            old = getattr(product, key)
            if old != value:
                field_obj = Product._meta.get_field(key)
                show_old = dict(field_obj.choices).get(old, old) if field_obj.choices else old
                show_new = dict(field_obj.choices).get(value, value) if field_obj.choices else value
                diffs.append((labels.get(key, key), show_value(show_old), show_value(show_new)))
                setattr(product, key, value)
        if not diffs:
            return product
        product.name_initials = name_initials(product.name)
        product.save()
        record_event(
            actor,
            product,
            "product_changed",
            from_state="；".join(f"{label}: {old}" for label, old, _new in diffs),
            to_state="；".join(f"{label}: {new}" for label, _old, new in diffs),
        )
    return product


def set_role(actor, products, role: str) -> int:
    """Mark products as 引流款 / 利润款 / 活动款 or clear the mark, in bulk (PROD-7). Returns how many changed."""
    role = _choice(role, Product.Role, "商品角色", "role")
    label = dict(Product.Role.choices)
    ids = [p.pk if isinstance(p, Product) else int(p) for p in products]
    with transaction.atomic():
        changing = list(Product.objects.select_for_update().filter(pk__in=ids).exclude(role=role))
        if not changing:
            return 0
        Product.objects.filter(pk__in=[p.pk for p in changing]).update(role=role)
        record_events(
            actor,
            [
                (p, "role_changed", label.get(p.role, p.role) if p.role else "", label.get(role, role), "")
                for p in changing
            ],
        )
    return len(changing)


def deactivate_product(actor, product: Product, note: str = "") -> Product:
    """Stop using a product (kept for history; its SKUs stay linked to old orders)."""
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if not product.is_active:
            return product
        product.is_active = False
        product.save(update_fields=["is_active", "updated_at"])
        record_event(actor, product, "deactivated", from_state="启用", to_state="停用", note=note)
    return product


def reactivate_product(actor, product: Product) -> Product:
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.is_active:
            return product
        product.is_active = True
        product.save(update_fields=["is_active", "updated_at"])
        record_event(actor, product, "reactivated", from_state="停用", to_state="启用")
    return product
