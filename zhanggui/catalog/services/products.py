"""Products (SPU) and their SKUs: the colour × size grid, combinations (组合装), role marking (PROD-1, PROD-7, PROD-10).

Every write runs in one transaction and records the timeline on the product. Bulk paths are bulk: creating
many products (the demo, benchmarks, imports) costs a handful of queries per batch, not per row.
"""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.money import format_fen

from ..models import Category, ComboItem, Product, Sku

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

MAX_GRID = 400  # colours × sizes of one product; anything larger is a typo (a pasted column), not a product
CODE_RE = re.compile(r"^[^\s]{1,64}$")
BARCODE_RE = re.compile(r"^[0-9A-Za-z\-]{4,32}$")
SPLIT_RE = re.compile(r"[\s,，、;；/]+")
SKU_FIELDS = ("code", "barcode", "weight_g", "cost_fen", "list_price_fen", "vip_price_fen", "is_active", "sold_out")
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


# ---- pure helpers ---------------------------------------------------------------------------------------------


def name_initials(name: str) -> str:
    """Pinyin first letters for search: 连衣裙 → lyq, T恤女 → txn (letters and digits kept, lower case)."""
    letters = "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default"))
    return re.sub(r"[^0-9a-z]", "", letters.lower())[:120]


def split_values(text) -> list[str]:
    """'黑色 白色，米白、黑色' → ['黑色', '白色', '米白']: split on spaces/commas/、, drop empties and repeats."""
    items = text if isinstance(text, (list, tuple)) else SPLIT_RE.split(str(text or ""))
    seen, out = set(), []
    for item in items:
        value = str(item or "").strip()
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def default_sku_code(style_code: str, colour: str, size: str) -> str:
    """商家编码 default: 货号-颜色-尺码 (empty parts left out)."""
    return "-".join(p for p in (style_code, colour, size) if p)


def _price(value, label: str, field_name: str, *, optional=False) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        value = 0
    try:
        fen = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_price", f"{label}格式不正确：{value}", field_name) from None
    if fen < 0:
        raise DomainError("invalid_price", f"{label}不能为负数", field_name)
    if fen > 100_000_000:  # ¥1,000,000
        raise DomainError("invalid_price", f"{label}过大：{format_fen(fen)}，请检查是否多输了位数", field_name)
    return fen


def _weight(value, field_name: str, where: str = "") -> int:
    if value in (None, ""):
        return 0
    try:
        grams = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_weight", f"{where}重量应为整数克：{value}", field_name) from None
    if grams < 0 or grams > 100_000:
        raise DomainError("invalid_weight", f"{where}重量应在 0–100000 克之间：{grams}", field_name)
    return grams


def check_sku_values(values: dict, where: str = "", field_prefix: str = "") -> dict:
    """Validate and normalise the editable values of one SKU (prices in fen). Raises a Chinese DomainError."""
    out = dict(values)
    f = field_prefix
    if "code" in out:
        code = str(out["code"] or "").strip()
        if not code:
            raise DomainError("missing_code", f"{where}商家编码不能为空", f"{f}code")
        if not CODE_RE.match(code):
            raise DomainError("invalid_code", f"{where}商家编码不能含空格，最长 64 个字符：{code}", f"{f}code")
        out["code"] = code
    if "barcode" in out:
        barcode = str(out["barcode"] or "").strip() or None
        if barcode and not BARCODE_RE.match(barcode):
            raise DomainError("invalid_barcode", f"{where}条码应为 4–32 位字母或数字：{barcode}", f"{f}barcode")
        out["barcode"] = barcode
    if "cost_fen" in out:
        out["cost_fen"] = _price(out["cost_fen"], f"{where}成本价", f"{f}cost")
    if "list_price_fen" in out:
        out["list_price_fen"] = _price(out["list_price_fen"], f"{where}吊牌价", f"{f}list_price")
    if "vip_price_fen" in out:
        out["vip_price_fen"] = _price(out["vip_price_fen"], f"{where}VIP 价", f"{f}vip_price", optional=True)
    if "weight_g" in out:
        out["weight_g"] = _weight(out["weight_g"], f"{f}weight", where)
    return out


def _check_price_order(sku: dict, where: str, f: str = "") -> None:
    cost, price, vip = sku.get("cost_fen") or 0, sku.get("list_price_fen") or 0, sku.get("vip_price_fen")
    if price and cost > price:
        raise DomainError(
            "price_below_cost",
            f"{where}吊牌价 {format_fen(price)} 低于成本价 {format_fen(cost)}，请检查价格",
            f"{f}list_price",
        )
    if vip is not None and price and vip > price:
        raise DomainError(
            "vip_above_list", f"{where}VIP 价 {format_fen(vip)} 高于吊牌价 {format_fen(price)}", f"{f}vip_price"
        )


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
        try:
            sets = int(out["first_order_sets"])
        except (TypeError, ValueError):
            raise DomainError("invalid_first_order", "首单数量应为整数", "first_order_sets") from None
        if sets < 1:
            raise DomainError("invalid_first_order", "首单数量至少 1 套", "first_order_sets")
        out["first_order_sets"] = sets
    elif "first_order_sets" in out:
        out["first_order_sets"] = None
    return out


def _grid_rows(spec: ProductSpec, index: int | None = None) -> list[dict]:
    """The SKUs of one spec: every colour × size cell, defaults overlaid by the row for that cell."""
    where = f"第 {index + 1} 个商品（{spec.style_code}）：" if index is not None else ""
    colours, sizes = split_values(spec.colours), split_values(spec.sizes)
    if not colours and not sizes:
        raise DomainError("empty_grid", f"{where}请至少填写一个颜色或尺码（单规格商品可填“均码”）", "colours")
    colours, sizes = colours or [""], sizes or [""]
    for value in [*colours, *sizes]:
        if len(value) > 30:
            raise DomainError("invalid_variant", f"{where}颜色或尺码过长（最多 30 个字符）：{value}", "colours")
    if len(colours) * len(sizes) > MAX_GRID:
        raise DomainError(
            "grid_too_large", f"{where}{len(colours)} 个颜色 × {len(sizes)} 个尺码太多（最多 {MAX_GRID} 个 SKU）"
        )
    overrides = {}
    for row in spec.rows or []:
        key = (str(row.get("colour") or "").strip(), str(row.get("size") or "").strip())
        overrides[key] = {k: v for k, v in row.items() if k in SKU_FIELDS}
    defaults = {k: v for k, v in (spec.sku_defaults or {}).items() if k in SKU_FIELDS and k not in ("code", "barcode")}
    rows = []
    for colour in colours:
        for size in sizes:
            label = "/".join(p for p in (colour, size) if p)
            values = {"code": default_sku_code(spec.style_code, colour, size), "barcode": None, **defaults}
            values.update({k: v for k, v in overrides.get((colour, size), {}).items() if v is not None})
            if not str(values.get("code") or "").strip():
                values["code"] = default_sku_code(spec.style_code, colour, size)
            n = len(rows)
            values = check_sku_values(values, f"{where}{label}：", f"row-{n}-")
            _check_price_order(values, f"{where}{label}：", f"row-{n}-")
            rows.append({"colour": colour, "size": size, **values})
    return rows


def _check_codes_free(rows: list[dict], exclude_ids=()) -> None:
    """商家编码 and barcodes are unique: within the new rows and against the database (one query each)."""
    codes = [r["code"] for r in rows]
    dup = sorted({c for c in codes if codes.count(c) > 1}) if len(set(codes)) != len(codes) else []
    if dup:
        raise DomainError("duplicate_sku_code", f"商家编码重复：{'、'.join(dup[:20])}", "code")
    taken = sorted(Sku.objects.filter(code__in=codes).exclude(pk__in=exclude_ids).values_list("code", flat=True))
    if taken:
        more = f" 等 {len(taken)} 个" if len(taken) > 20 else ""
        raise DomainError(
            "duplicate_sku_code", f"商家编码已被其他 SKU 使用：{'、'.join(taken[:20])}{more}，请修改后再保存", "code"
        )
    barcodes = [r["barcode"] for r in rows if r.get("barcode")]
    dup = sorted({b for b in barcodes if barcodes.count(b) > 1})
    if dup:
        raise DomainError("duplicate_barcode", f"条码重复：{'、'.join(dup[:20])}", "barcode")
    taken = sorted(
        Sku.objects.filter(barcode__in=barcodes).exclude(pk__in=exclude_ids).values_list("barcode", flat=True)
    )
    if taken:
        raise DomainError("duplicate_barcode", f"条码已被其他 SKU 使用：{'、'.join(taken[:20])}", "barcode")


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
        rows = _grid_rows(spec, n if len(specs) > 1 else None)
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
    _check_codes_free([r for _s, _f, rows in prepared for r in rows])

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
                (p, "created", "", "", f"{len(rows)} 个 SKU：{_grid_summary(rows)}", {"skus": len(rows)})
                for p, (_s, _f, rows) in zip(products, prepared, strict=True)
            ],
            batch_size=500,
        )
    return products


def _grid_summary(rows: list[dict]) -> str:
    colours = split_values([r["colour"] for r in rows])
    sizes = split_values([r["size"] for r in rows])
    return f"{'、'.join(colours) or '—'} × {'、'.join(sizes) or '—'}"


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


def _show(value) -> str:
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    return str(value)


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
                diffs.append(("类目", _show(product.category), _show(category)))
                product.category = category
        labels = {f.name: str(f.verbose_name) for f in Product._meta.fields}
        for key, value in values.items():
            old = getattr(product, key)
            if old != value:
                field_obj = Product._meta.get_field(key)
                show_old = dict(field_obj.choices).get(old, old) if field_obj.choices else old
                show_new = dict(field_obj.choices).get(value, value) if field_obj.choices else value
                diffs.append((labels.get(key, key), _show(show_old), _show(show_new)))
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


# ---- SKUs ------------------------------------------------------------------------------------------------------


SKU_LABELS = {
    "code": "商家编码",
    "barcode": "条码",
    "weight_g": "重量",
    "cost_fen": "成本",
    "list_price_fen": "吊牌价",
    "vip_price_fen": "VIP价",
    "is_active": "启用",
    "sold_out": "售罄",
}


def _show_sku_value(key: str, value) -> str:
    if key.endswith("_fen"):
        return format_fen(value)
    if key == "weight_g":
        return f"{value}g"
    if isinstance(value, bool):
        return "是" if value else "否"
    return _show(value)


def update_skus(actor, product: Product, changes: dict) -> int:
    """Edit many SKUs of one product at once (the grid page): {sku_id: {field: value}}. Returns rows changed.

    One SELECT, one bulk UPDATE and one timeline entry listing every change.
    """
    if not changes:
        return 0
    with transaction.atomic():
        skus = {s.pk: s for s in Sku.objects.select_for_update().filter(product=product, pk__in=list(changes))}
        missing = set(int(k) for k in changes) - set(skus)
        if missing:
            raise DomainError("unknown_sku", f"SKU 不属于这个商品：{sorted(missing)}", "skus")
        changed, lines, fields = [], [], set()
        for sku_id, values in changes.items():
            sku = skus[int(sku_id)]
            values = {k: v for k, v in values.items() if k in SKU_FIELDS}
            values = check_sku_values(values, f"{sku.code}：", f"sku-{sku.pk}-")
            merged = {k: values.get(k, getattr(sku, k)) for k in ("cost_fen", "list_price_fen", "vip_price_fen")}
            _check_price_order(merged, f"{sku.code}：", f"sku-{sku.pk}-")
            diff = [(k, getattr(sku, k), v) for k, v in values.items() if getattr(sku, k) != v]
            if not diff:
                continue
            for key, _old, new in diff:
                setattr(sku, key, new)
                fields.add(key)
            changed.append(sku)
            lines.append(
                f"{sku.code}："
                + "，".join(f"{SKU_LABELS[k]} {_show_sku_value(k, o)} → {_show_sku_value(k, n)}" for k, o, n in diff)
            )
        if not changed:
            return 0
        rows = [
            {"code": s.code, "barcode": s.barcode, "colour": s.colour, "size": s.size}
            for s in changed
            if {"code", "barcode"} & fields
        ]
        if rows:
            _check_codes_free(
                rows + [{"code": s.code, "barcode": s.barcode} for s in skus.values() if s not in changed],
                exclude_ids=list(skus),
            )
        try:
            Sku.objects.bulk_update(changed, sorted(fields), batch_size=500)
        except IntegrityError as exc:
            raise DomainError("duplicate_code", "商家编码或条码刚被他人占用，请刷新后重试") from exc
        record_event(actor, product, "skus_changed", to_state=f"{len(changed)} 个 SKU", note="\n".join(lines))
    return len(changed)


def add_skus(actor, product: Product, *, colours, sizes, sku_defaults: dict | None = None) -> list[Sku]:
    """Add the missing cells of a grid (a new colour or size later in the season). Existing cells are kept."""
    spec = ProductSpec(
        style_code=product.style_code, name=product.name, colours=colours, sizes=sizes, sku_defaults=sku_defaults or {}
    )
    rows = _grid_rows(spec)
    existing = set(Sku.objects.filter(product=product, is_combo=False).values_list("colour", "size"))
    rows = [r for r in rows if (r["colour"], r["size"]) not in existing]
    if not rows:
        return []
    _check_codes_free(rows)
    with transaction.atomic():
        try:
            skus = Sku.objects.bulk_create([Sku(product=product, **row) for row in rows])
        except IntegrityError as exc:
            raise DomainError("duplicate_code", "商家编码或条码刚被他人占用，请刷新后重试") from exc
        record_event(actor, product, "skus_added", to_state=f"{len(rows)} 个 SKU", note=f"{_grid_summary(rows)}")
    return skus


def save_sku_grid(actor, product: Product, *, changes: dict, add_colours=(), add_sizes=(), sku_defaults=None) -> dict:
    """The grid page in one transaction: edit existing SKUs, then add new colour × size cells."""
    add_colours, add_sizes = split_values(add_colours), split_values(add_sizes)
    with transaction.atomic():
        changed = update_skus(actor, product, changes)
        added = []
        if add_colours or add_sizes:
            current = Sku.objects.filter(product=product, is_combo=False)
            colours = split_values([*current.values_list("colour", flat=True).distinct(), *add_colours])
            sizes = split_values([*current.values_list("size", flat=True).distinct(), *add_sizes])
            added = add_skus(actor, product, colours=colours, sizes=sizes, sku_defaults=sku_defaults)
    return {"changed": changed, "added": len(added)}


def create_combo_sku(
    actor,
    product: Product,
    code: str,
    parts: list[tuple],
    *,
    barcode: str | None = None,
    list_price_fen: int | None = None,
    label: str = "组合装",
) -> Sku:
    """A combination SKU (组合装) made of other SKUs with quantities (PROD-1).

    Parts must be ordinary (non-combo), active SKUs, each quantity ≥ 1, no part twice. Cost and weight are the
    sum of the parts; the list price defaults to the sum of the parts' list prices.
    """
    if not parts:
        raise DomainError("empty_combo", "组合装至少需要一个组成 SKU", "parts")
    resolved = []
    for n, (sku, qty) in enumerate(parts, start=1):
        try:
            qty = int(qty)
        except (TypeError, ValueError):
            raise DomainError("invalid_quantity", f"第 {n} 行数量应为整数", "parts") from None
        if qty < 1:
            raise DomainError("invalid_quantity", f"第 {n} 行数量至少为 1", "parts")
        resolved.append((sku, qty))
    ids = [s.pk if isinstance(s, Sku) else s for s, _q in resolved]
    by_code = {s for s in ids if isinstance(s, str)}
    found = {s.pk: s for s in Sku.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])}
    found_codes = {s.code: s for s in Sku.objects.filter(code__in=by_code)} if by_code else {}
    items = []
    for ref, qty in zip(ids, (q for _s, q in resolved), strict=True):
        sku = found.get(ref) if isinstance(ref, int) else found_codes.get(ref)
        if sku is None:
            raise DomainError("unknown_sku", f"找不到组成 SKU：{ref}", "parts")
        if sku.is_combo:
            raise DomainError("combo_of_combo", f"{sku.code} 本身是组合装，不能再放进组合装", "parts")
        if not sku.is_active:
            raise DomainError("inactive_part", f"{sku.code} 已停用，不能放进组合装", "parts")
        items.append((sku, qty))
    seen = [s.pk for s, _q in items]
    dup = sorted({s.code for s, _q in items if seen.count(s.pk) > 1})
    if dup:
        raise DomainError("duplicate_part", f"组成 SKU 重复：{'、'.join(dup)}，请合并数量", "parts")
    values = check_sku_values({"code": code, "barcode": barcode}, "组合装", "")
    if any(s.code == values["code"] for s, _q in items):
        raise DomainError("combo_not_itself", "组合装不能包含它自己", "code")
    _check_codes_free([values])
    cost = sum(s.cost_fen * q for s, q in items)
    price = sum(s.list_price_fen * q for s, q in items) if list_price_fen in (None, "") else list_price_fen
    price = _price(price, "组合装售价", "list_price")
    with transaction.atomic():
        try:
            combo = Sku.objects.create(
                product=product,
                code=values["code"],
                barcode=values["barcode"],
                colour=str(label or "组合装")[:30],
                size="",
                weight_g=sum(s.weight_g * q for s, q in items),
                cost_fen=cost,
                list_price_fen=price,
                is_combo=True,
            )
            ComboItem.objects.bulk_create([ComboItem(combo=combo, component=s, quantity=q) for s, q in items])
        except IntegrityError as exc:
            raise DomainError("duplicate_code", "商家编码或条码刚被他人占用，请刷新后重试", "code") from exc
        record_event(
            actor,
            product,
            "combo_created",
            to_state=combo.code,
            note=" + ".join(f"{s.code} × {q}" for s, q in items)
            + f"；成本 {format_fen(cost)}，售价 {format_fen(price)}",
        )
    return combo
