"""SKUs of a product (PROD-1): editing many at once on the grid page, adding colours or sizes later in the season.

One SELECT, one bulk write and one timeline entry on the product per save.
"""

from django.db import IntegrityError, transaction

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.money import format_fen

from ..models import Product, Sku
from . import title_checks
from .products import ProductSpec
from .sku_grid import (
    SKU_FIELDS,
    check_codes_free,
    check_price_order,
    check_sku_values,
    grid_rows,
    grid_summary,
    show_value,
    split_values,
)

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
    return show_value(value)


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
            check_price_order(merged, f"{sku.code}：", f"sku-{sku.pk}-")
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
            check_codes_free(
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
    rows = grid_rows(spec)
    existing = set(Sku.objects.filter(product=product, is_combo=False).values_list("colour", "size"))
    rows = [r for r in rows if (r["colour"], r["size"]) not in existing]
    if not rows:
        return []
    check_codes_free(rows)
    with transaction.atomic():
        try:
            skus = Sku.objects.bulk_create([Sku(product=product, **row) for row in rows])
        except IntegrityError as exc:
            raise DomainError("duplicate_code", "商家编码或条码刚被他人占用，请刷新后重试") from exc
        title_checks.forget([product])  # PROD-3: new colours or sizes are attribute words
        record_event(actor, product, "skus_added", to_state=f"{len(rows)} 个 SKU", note=f"{grid_summary(rows)}")
    return skus


def save_sku_grid(actor, product: Product, *, changes: dict, add_colours=(), add_sizes=(), sku_defaults=None) -> dict:
    """The grid page in one transaction: edit existing SKUs, then add new colour × size cells. The new cells'
    defaults are checked even when no cell is added: a typed price is never silently dropped."""
    add_colours, add_sizes = split_values(add_colours), split_values(add_sizes)
    sku_defaults = check_sku_values(dict(sku_defaults or {}), "新增 SKU 的")
    with transaction.atomic():
        changed = update_skus(actor, product, changes)
        added = []
        if add_colours or add_sizes:
            current = Sku.objects.filter(product=product, is_combo=False)
            colours = split_values([*current.values_list("colour", flat=True).distinct(), *add_colours])
            sizes = split_values([*current.values_list("size", flat=True).distinct(), *add_sizes])
            added = add_skus(actor, product, colours=colours, sizes=sizes, sku_defaults=sku_defaults)
    return {"changed": changed, "added": len(added)}
