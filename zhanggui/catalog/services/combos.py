"""Combination SKUs (组合装, PROD-1): a SKU made of other SKUs with quantities; cost and weight are the parts' sums."""

from django.db import IntegrityError, transaction

from zhanggui.core.bounds import check_fen, check_grams, check_quantity
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.money import format_fen

from ..models import ComboItem, Product, Sku
from .sku_grid import check_codes_free, check_sku_values, checked_price


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
        resolved.append((sku, check_quantity(qty, f"第 {n} 行数量", "parts")))
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
    check_codes_free([values])
    cost = check_fen(sum(s.cost_fen * q for s, q in items), "组合装成本（各组成之和）", "parts")
    weight = check_grams(sum(s.weight_g * q for s, q in items), "组合装重量（各组成之和）", "parts")
    price = sum(s.list_price_fen * q for s, q in items) if list_price_fen in (None, "") else list_price_fen
    price = checked_price(price, "组合装售价", "list_price")
    with transaction.atomic():
        try:
            combo = Sku.objects.create(
                product=product,
                code=values["code"],
                barcode=values["barcode"],
                colour=str(label or "组合装")[:30],
                size="",
                weight_g=weight,
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
