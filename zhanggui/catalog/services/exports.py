"""The catalog export (PROD-1): one row per SKU and listing, with the import's columns, so export → edit → import
round-trips; and the background job that writes it to XLSX.
"""

from pathlib import Path

from django.conf import settings

from zhanggui.core.access import allowed_shops
from zhanggui.core.export_cells import MONEY_FORMAT, safe_row, yuan
from zhanggui.shops.models import Shop

from .. import rules_imports as rules
from ..models import Category, Listing, ListingSku, Product, Sku
from .imports import category_path_of


def export_rows(user, shops=None):
    """The export as rows of cells (same columns as the import): one row per SKU and listing in the given shops
    (default: every shop the user may see); a SKU with no listing there gets one row with the listing cells blank."""
    if shops is None:
        shops = list(allowed_shops(user)) if user is not None else list(Shop.objects.all())
    shop_by_id = {s.pk: s for s in shops}
    by_id = {c.pk: c for c in Category.objects.all()}
    cat_path = {pk: "/".join(category_path_of(c, by_id)) for pk, c in by_id.items()}
    products = {
        p["pk"]: p
        for p in Product.objects.values("pk", "style_code", "name", "brand", "category_id").order_by("style_code")
    }
    listings: dict[int, list] = {}
    for lst in (
        Listing.objects.filter(shop_id__in=shop_by_id)
        .order_by("shop__code")
        .values("pk", "shop_id", "product_id", "title", "price_fen", "status", "platform_item_id")
    ):
        listings.setdefault(lst["product_id"], []).append(lst)
    listing_ids = [lst["pk"] for group in listings.values() for lst in group]
    lskus = {}
    for i in range(0, len(listing_ids), 5000):  # SQLite caps the parameters of one query
        for ls in ListingSku.objects.filter(listing_id__in=listing_ids[i : i + 5000]).values(
            "listing_id", "sku_id", "platform_sku_id", "price_fen"
        ):
            lskus[(ls["listing_id"], ls["sku_id"])] = ls
    skus: dict[int, list] = {}
    for sku in Sku.objects.values(
        "pk",
        "product_id",
        "code",
        "barcode",
        "colour",
        "size",
        "weight_g",
        "cost_fen",
        "list_price_fen",
        "vip_price_fen",
    ).order_by("product_id", "colour", "size", "id"):
        skus.setdefault(sku["product_id"], []).append(sku)
    yield rules.export_headers()
    for pid, p in sorted(products.items(), key=lambda kv: kv[1]["style_code"]):
        for sku in skus.get(pid, []):
            head = [
                p["style_code"],
                p["name"],
                cat_path.get(p["category_id"], ""),
                p["brand"],
                sku["colour"],
                sku["size"],
                sku["code"],
                sku["barcode"] or "",
                sku["weight_g"],
                yuan(sku["cost_fen"]),
                yuan(sku["list_price_fen"]),
                yuan(sku["vip_price_fen"]),
            ]
            product_listings = listings.get(pid) or [None]
            for lst in product_listings:
                if lst is None:
                    yield [*head, "", "", None, "", "", ""]
                    continue
                ls = lskus.get((lst["pk"], sku["pk"]))
                price = ls["price_fen"] if ls and ls["price_fen"] is not None else lst["price_fen"]
                yield [
                    *head,
                    shop_by_id[lst["shop_id"]].code,
                    lst["title"],
                    yuan(price),
                    rules.status_label(lst["status"]),
                    lst["platform_item_id"],
                    ls["platform_sku_id"] if ls else "",
                ]


def export_xlsx(user, path: Path, shops=None) -> int:
    """Write the export to `path`; returns the number of SKU rows. Codes and barcodes are text cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    money = [i for i, column in enumerate(rules.columns()) if column.kind == "money"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品")
    count = -1
    for row in export_rows(user, shops):
        cells = safe_row(row)
        if count >= 0:  # rule 9: money as yuan with two decimals (8700 → 87.00), read back the same by the import
            for i in money:
                if cells[i] is not None:
                    cells[i] = WriteOnlyCell(sheet, value=cells[i])
                    cells[i].number_format = MONEY_FORMAT
        sheet.append(cells)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return count


def start_export(user, shops, shop=None):
    from zhanggui.core.jobs import start_job

    from ..tasks import export_products

    return start_job(
        user,
        kind="catalog_export",
        title="商品导出",
        task=export_products,
        params={"shops": [s.code for s in shops]},
        shop=shop,
    )


def run_export_job(job) -> dict:
    from zhanggui.core.jobs import report

    shops = list(allowed_shops(job.created_by).filter(code__in=job.params.get("shops", [])))
    report(job, 0, Sku.objects.count(), message="正在导出")
    folder = Path(settings.MEDIA_ROOT) / "private" / "exports"
    path = folder / f"products-{job.pk}.xlsx"
    rows = export_xlsx(job.created_by, path, shops)
    return {
        "file": str(path.relative_to(settings.MEDIA_ROOT)),
        "rows": rows,
        "file_label": "下载商品表",
        "summary": [{"label": "行数", "value": rows, "tone": "secondary"}],
    }
