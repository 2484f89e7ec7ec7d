"""The colour × size grid of a product and the values of its SKUs (PROD-1): splitting the colour and size lists,
the default 商家编码, checking prices, weights, codes and barcodes, and that codes and barcodes are free.

No writes here: products.py, skus.py and combos.py call these before they save anything.
"""

import re
from typing import TYPE_CHECKING

from zhanggui.core.bounds import check_fen, check_grams
from zhanggui.core.errors import DomainError
from zhanggui.core.money import format_fen

from ..models import Sku

if TYPE_CHECKING:
    from .products import ProductSpec

MAX_GRID = 400  # colours × sizes of one product; anything larger is a typo (a pasted column), not a product
CODE_RE = re.compile(r"^[^\s]{1,64}$")
BARCODE_RE = re.compile(r"^[0-9A-Za-z\-]{4,32}$")
SPLIT_RE = re.compile(r"[\s,，、;；/]+")
SKU_FIELDS = ("code", "barcode", "weight_g", "cost_fen", "list_price_fen", "vip_price_fen", "is_active", "sold_out")


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


def checked_price(value, label: str, field_name: str, *, optional=False) -> int | None:
    """A price in fen from a form or file value: 0 (or None when optional) for blank, refused when not a whole
    number or outside 0 … the company's money bound (core.bounds)."""
    if value is None or value == "":
        if optional:
            return None
        value = 0
    return check_fen(value, label, field_name)


def _weight(value, field_name: str, where: str = "") -> int:
    if value in (None, ""):
        return 0
    return check_grams(value, f"{where}重量", field_name)


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
        out["cost_fen"] = checked_price(out["cost_fen"], f"{where}成本价", f"{f}cost")
    if "list_price_fen" in out:
        out["list_price_fen"] = checked_price(out["list_price_fen"], f"{where}吊牌价", f"{f}list_price")
    if "vip_price_fen" in out:
        out["vip_price_fen"] = checked_price(out["vip_price_fen"], f"{where}VIP 价", f"{f}vip_price", optional=True)
    if "weight_g" in out:
        out["weight_g"] = _weight(out["weight_g"], f"{f}weight", where)
    return out


def check_price_order(sku: dict, where: str, f: str = "") -> None:
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


def grid_rows(spec: "ProductSpec", index: int | None = None) -> list[dict]:
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
    for (colour, size), values in overrides.items():
        if colour not in colours or size not in sizes:  # a typed row that matches no cell is still checked
            check_sku_values({k: v for k, v in values.items() if v is not None}, f"{where}{colour}/{size}：")
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
            check_price_order(values, f"{where}{label}：", f"row-{n}-")
            rows.append({"colour": colour, "size": size, **values})
    return rows


def check_codes_free(rows: list[dict], exclude_ids=()) -> None:
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


def grid_summary(rows: list[dict]) -> str:
    colours = split_values([r["colour"] for r in rows])
    sizes = split_values([r["size"] for r in rows])
    return f"{'、'.join(colours) or '—'} × {'、'.join(sizes) or '—'}"


def show_value(value) -> str:
    """A value as the timeline shows it: dicts as “name: value” pairs, blanks as —."""
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    return str(value)
