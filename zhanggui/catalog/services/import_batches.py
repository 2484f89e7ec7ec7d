"""Writing one batch of import rows (PROD-1) inside one transaction: a few SELECTs of what exists, the checks
that need the database (a 商家编码 or barcode owned by another product, a platform item id taken, a new listing
without title or price), then bulk writes of products, SKUs, listings and platform SKUs, then the timeline.
"""

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from zhanggui.core.events import register_event_kinds
from zhanggui.core.models import Event

from .. import rules_imports as rules
from ..models import Listing, ListingSku, Product, Sku
from ..rules_imports import Row, RowError
from . import title_checks
from .products import name_initials

if TYPE_CHECKING:
    from .imports import Importer

register_event_kinds({"imported": "批量导入更新"})

PRODUCT_KEYS = ("name", "brand", "category")
SKU_KEYS = ("colour", "size", "barcode", "weight_g", "cost_fen", "list_price_fen", "vip_price_fen")
SKU_DEFAULTS = {"colour": "", "size": "", "barcode": None, "weight_g": 0, "cost_fen": 0, "list_price_fen": 0}


class BatchWriter:
    """One batch inside one transaction: a few SELECTs, then bulk_create / bulk_update, then timeline events."""

    def __init__(self, importer: "Importer", rows: list[Row]):
        self.imp = importer
        self.rows = rows
        self.outcome: dict[int, str] = {}

    def write(self) -> dict[int, str]:
        self.load()
        self.check_against_database()
        rows = [r for r in self.rows if self.outcome.get(r.line) != "failed"]
        self.check_new_listings(rows)
        rows = [r for r in rows if self.outcome.get(r.line) != "failed"]
        if rows:
            self.write_products(rows)
            self.write_skus(rows)
            self.write_listings(rows)
            self.write_events(rows)
            for row in rows:
                if row.line not in self.outcome:
                    self.outcome[row.line] = "updated" if self.row_changed(row) else "unchanged"
        return self.outcome

    # -- loading

    def load(self) -> None:
        rows = self.rows
        self.products = {p.style_code: p for p in Product.objects.filter(style_code__in={r.style_code for r in rows})}
        self.skus = {s.code: s for s in Sku.objects.filter(code__in={r.code for r in rows})}
        barcodes = {r.barcode for r in rows if r.barcode}
        self.barcode_owner = (
            dict(Sku.objects.filter(barcode__in=barcodes).values_list("barcode", "code")) if barcodes else {}
        )
        shops = self.imp.all_shops
        listing_rows = [r for r in rows if r.shop_code]
        self.listings: dict[tuple, Listing] = {}
        self.listing_skus: dict[tuple, ListingSku] = {}
        self.platform_owner: dict[tuple, int] = {}
        if not listing_rows:
            return
        shop_ids = {shops[r.shop_code].pk for r in listing_rows}
        product_ids = [p.pk for p in self.products.values()]
        for listing in Listing.objects.filter(shop_id__in=shop_ids, product_id__in=product_ids):
            self.listings[(listing.shop_id, listing.product_id)] = listing
        item_ids = {r.platform_item_id for r in listing_rows if r.platform_item_id}
        if item_ids:
            for shop_id, item_id, product_id in Listing.objects.filter(
                shop_id__in=shop_ids, platform_item_id__in=item_ids
            ).values_list("shop_id", "platform_item_id", "product_id"):
                self.platform_owner[(shop_id, item_id)] = product_id
        if self.listings:
            for ls in ListingSku.objects.filter(listing_id__in=[lst.pk for lst in self.listings.values()]):
                self.listing_skus[(ls.listing_id, ls.sku_id)] = ls

    def fail(self, row: Row, key: str, reason: str) -> None:
        column = self.imp.headers_by_key.get(key, "")
        self.imp.fail([RowError(row.line, column, reason)], row.raw)
        self.outcome[row.line] = "failed"

    def check_against_database(self) -> None:
        mismatched = {}
        for row in self.rows:
            sku = self.skus.get(row.code)
            product = self.products.get(row.style_code)
            if sku is not None and (product is None or sku.product_id != product.pk):
                mismatched[row.line] = sku.product_id
        owners = dict(Product.objects.filter(pk__in=set(mismatched.values())).values_list("pk", "style_code"))
        for row in self.rows:
            if row.line in mismatched:
                other = owners.get(mismatched[row.line], "?")
                self.fail(row, "code", f"商家编码 {row.code} 已属于货号 {other}，不能改到货号 {row.style_code}")
                continue
            if row.barcode and self.barcode_owner.get(row.barcode, row.code) != row.code:
                self.fail(row, "barcode", f"条码 {row.barcode} 已被商家编码 {self.barcode_owner[row.barcode]} 使用")
                continue
            if row.shop_code and row.platform_item_id:
                shop = self.imp.all_shops[row.shop_code]
                owner = self.platform_owner.get((shop.pk, row.platform_item_id))
                product = self.products.get(row.style_code)
                if owner is not None and (product is None or owner != product.pk):
                    self.fail(
                        row,
                        "platform_item_id",
                        f"平台商品ID {row.platform_item_id} 在店铺 {row.shop_code} 已属于其他商品",
                    )

    def check_new_listings(self, rows: list[Row]) -> None:
        """A listing that does not exist yet needs a title and a price (PROD-1)."""
        self.listing_rows: dict[tuple, list[Row]] = {}
        for row in rows:
            if row.shop_code:
                self.listing_rows.setdefault((row.shop_code, row.style_code), []).append(row)
        for (shop_code, style), group in list(self.listing_rows.items()):
            product = self.products.get(style)
            shop = self.imp.all_shops[shop_code]
            if product is not None and (shop.pk, product.pk) in self.listings:
                continue
            missing = []
            if not any(r.title for r in group):
                missing.append("title")
            if not any(r.price_fen is not None for r in group):
                missing.append("price_fen")
            if missing:
                names = "、".join(rules_header(k) for k in missing)
                for row in group:
                    self.fail(row, missing[0], f"店铺 {shop_code} 还没有货号 {style} 的上架信息，新建需要填写{names}")
                del self.listing_rows[(shop_code, style)]

    # -- writing

    def write_products(self, rows: list[Row]) -> None:
        self.changed_products: set[str] = set()
        self.created_products: set[str] = set()
        new, changed = [], []
        categories = self.imp.categories
        seen = set()
        for row in rows:
            style = row.style_code
            if style in seen:
                continue
            seen.add(style)
            values = {k: row.values[k] for k in PRODUCT_KEYS if k in row.values}
            if "category" in values:
                path = rules.category_path(values.pop("category"))
                values["category_id"] = categories[path].pk if path else None
            product = self.products.get(style)
            if product is None:
                product = Product(style_code=style, **values)
                product.name_initials = name_initials(product.name)
                self.products[style] = product
                new.append(product)
                self.created_products.add(style)
                continue
            diff = [k for k, v in values.items() if getattr(product, k) != v]
            if diff:
                for k in diff:
                    setattr(product, k, values[k])
                if "name" in diff:
                    product.name_initials = name_initials(product.name)
                product.updated_at = self.imp.now
                product._import_diff = diff
                changed.append(product)
                self.changed_products.add(style)
        if new:
            Product.objects.bulk_create(new, batch_size=500)
        if changed:
            fields = {f for p in changed for f in p._import_diff} | {"name_initials", "updated_at"}
            fields = sorted("category" if f == "category_id" else f for f in fields)
            Product.objects.bulk_update(changed, fields, batch_size=500)

    def write_skus(self, rows: list[Row]) -> None:
        self.changed_skus: dict[str, list[str]] = {}
        created: set[str] = set()
        seen: set[str] = set()
        new, changed = [], []
        for row in rows:
            if row.code in seen:  # the same SKU again for another shop: agreed with the first row (FileChecks)
                if row.code in created:
                    self.outcome[row.line] = "created"
                continue
            seen.add(row.code)
            values = {k: row.values[k] for k in SKU_KEYS if k in row.values}
            sku = self.skus.get(row.code)
            if sku is None:
                sku = Sku(product=self.products[row.style_code], code=row.code, **{**SKU_DEFAULTS, **values})
                self.skus[row.code] = sku
                new.append(sku)
                created.add(row.code)
                self.outcome[row.line] = "created"
                continue
            diff = [k for k, v in values.items() if getattr(sku, k) != v]
            if diff:
                for k in diff:
                    setattr(sku, k, values[k])
                changed.append(sku)
                self.changed_skus[row.code] = diff
        if new:
            rows = [
                (
                    s.product_id,
                    s.code,
                    s.barcode,
                    s.colour,
                    s.size,
                    s.weight_g,
                    s.cost_fen,
                    s.list_price_fen,
                    s.vip_price_fen,
                    s.is_combo,
                    s.sold_out,
                    s.is_active,
                )
                for s in new
            ]
            insert_rows(Sku, list(SKU_INSERT), rows)
            ids = dict(Sku.objects.filter(code__in=[s.code for s in new]).values_list("code", "pk"))
            for sku in new:
                sku.pk = ids[sku.code]
        if changed:
            fields = sorted({f for diff in self.changed_skus.values() for f in diff})
            Sku.objects.bulk_update(changed, fields, batch_size=500)
        coloured = [s.product_id for s in new] + [
            s.product_id for s in changed if {"colour", "size"} & set(self.changed_skus[s.code])
        ]
        title_checks.forget(set(coloured))  # PROD-3: colours and sizes are attribute words of the titles

    def write_listings(self, rows: list[Row]) -> None:
        self.changed_listings: set[tuple] = set()
        self.created_listings: set[tuple] = set()
        self.changed_listing_skus: set[tuple] = set()
        if not self.listing_rows:
            return
        shops = self.imp.all_shops
        now = self.imp.now
        new, changed, touched = [], [], []
        for (shop_code, style), group in self.listing_rows.items():
            shop, product = shops[shop_code], self.products[style]
            title = next((r.title for r in group if r.title), None)
            status = next((r.status for r in group if r.status), None)
            item_id = next((r.platform_item_id for r in group if r.platform_item_id), None)
            prices = [r.price_fen for r in group if r.price_fen is not None]
            price = min(prices) if prices else None
            listing = self.listings.get((shop.pk, product.pk))
            if listing is None:
                listing = Listing(
                    shop=shop,
                    product=product,
                    title=title,
                    price_fen=price,
                    status=status or Listing.Status.DRAFT,
                    platform_item_id=item_id or "",
                )
                if listing.status == Listing.Status.LISTED:
                    listing.listed_at = now
                self.listings[(shop.pk, product.pk)] = listing
                new.append(listing)
                self.created_listings.add((shop_code, style))
                continue
            wanted = {"title": title, "status": status, "platform_item_id": item_id, "price_fen": price}
            diff = [k for k, v in wanted.items() if v is not None and getattr(listing, k) != v]
            if diff:
                if "status" in diff:
                    if status == Listing.Status.LISTED:
                        listing.listed_at = now
                    elif status in (Listing.Status.DELISTED, Listing.Status.TO_DELIST):
                        listing.delisted_at = now
                    listing._from_status = listing.status
                for k in diff:
                    setattr(listing, k, wanted[k])
                listing._import_diff = diff
                changed.append(listing)
                self.changed_listings.add((shop_code, style))
            touched.append(listing)
        if new:
            Listing.objects.bulk_create(new, batch_size=500)
        if changed:
            fields = sorted({f for lst in changed for f in lst._import_diff} | {"listed_at", "delisted_at"})
            Listing.objects.bulk_update(changed, fields, batch_size=500)
        self.write_listing_skus()

    def write_listing_skus(self) -> None:
        """Each row maps a platform SKU to its system SKU; a price equal to the listing's is not repeated."""
        new, changed = [], []
        shops = self.imp.all_shops
        for (shop_code, style), group in self.listing_rows.items():
            listing = self.listings[(shops[shop_code].pk, self.products[style].pk)]
            is_new = (shop_code, style) in self.created_listings
            for row in group:
                sku = self.skus[row.code]
                price = row.price_fen
                wanted_price = None if price is None or price == listing.price_fen else price
                ls = self.listing_skus.get((listing.pk, sku.pk))
                if ls is None:
                    if is_new or row.platform_sku_id or wanted_price is not None:
                        ls = ListingSku(
                            listing=listing, sku=sku, platform_sku_id=row.platform_sku_id or "", price_fen=wanted_price
                        )
                        self.listing_skus[(listing.pk, sku.pk)] = ls
                        new.append(ls)
                        self.changed_listing_skus.add((shop_code, row.code))
                    continue
                diff = False
                if row.platform_sku_id is not None and ls.platform_sku_id != row.platform_sku_id:
                    ls.platform_sku_id = row.platform_sku_id
                    diff = True
                if price is not None and ls.price_fen != wanted_price:
                    ls.price_fen = wanted_price
                    diff = True
                if diff:
                    changed.append(ls)
                    self.changed_listing_skus.add((shop_code, row.code))
        if new:
            rows = [(ls.listing_id, ls.sku_id, ls.platform_sku_id, ls.price_fen) for ls in new]
            insert_rows(ListingSku, ["listing", "sku", "platform_sku_id", "price_fen"], rows)
        if changed:
            ListingSku.objects.bulk_update(changed, ["platform_sku_id", "price_fen"], batch_size=500)

    def row_changed(self, row: Row) -> bool:
        listing_key = (row.shop_code, row.style_code)
        return (
            row.style_code in self.changed_products
            or row.code in self.changed_skus
            or (row.shop_code is not None and listing_key in self.changed_listings)
            or listing_key in self.created_listings
            or (row.shop_code, row.code) in self.changed_listing_skus
        )

    def write_events(self, rows: list[Row]) -> None:
        """The timeline, in bulk: one event per product and per listing this batch created or changed."""
        imp = self.imp
        actor = imp.user
        base = {
            "actor": actor,
            "actor_number": getattr(actor, "number", "") if actor else "",
        }
        source = f"批量导入 {imp.source}".strip()
        product_ct = ContentType.objects.get_for_model(Product)
        listing_ct = ContentType.objects.get_for_model(Listing)
        per_product: dict[str, list[int]] = {}
        for row in rows:
            counts = per_product.setdefault(row.style_code, [0, 0])
            if self.outcome.get(row.line) == "created":
                counts[0] += 1
            elif row.code in self.changed_skus:
                counts[1] += 1
        events = []
        for style, (created, updated) in per_product.items():
            product = self.products[style]
            if style in self.created_products:
                kind, note = "created", f"{source}：{created} 个 SKU"
            elif created or updated or style in self.changed_products:
                parts = []
                if style in self.changed_products:
                    parts.append("商品信息")
                if created:
                    parts.append(f"新增 {created} 个 SKU")
                if updated:
                    parts.append(f"更新 {updated} 个 SKU")
                kind, note = "imported", f"{source}：{'，'.join(parts)}"
            else:
                continue
            events.append(
                Event(
                    **base,
                    content_type=product_ct,
                    object_id=str(product.pk),
                    object_label=str(product)[:200],
                    kind=kind,
                    note=note,
                )
            )
        shops = imp.all_shops
        for key in self.created_listings | self.changed_listings:
            shop_code, style = key
            shop = shops[shop_code]
            listing = self.listings[(shop.pk, self.products[style].pk)]
            created = key in self.created_listings
            from_status = getattr(listing, "_from_status", "")
            events.append(
                Event(
                    **base,
                    shop=shop,
                    content_type=listing_ct,
                    object_id=str(listing.pk),
                    object_label=str(listing)[:200],
                    kind="created" if created else ("status" if from_status else "imported"),
                    from_state=from_status,
                    to_state=listing.status if (created or from_status) else "",
                    note=source,
                )
            )
        if events:
            Event.objects.bulk_create(events, batch_size=500)


def insert_rows(model, fields: list[str], rows: list[tuple], batch: int = 500) -> None:
    """INSERT many rows of plain values (str, int, bool, None) with executemany: bulk_create without the ORM's
    per-value compilation, which costs more than the database itself at 50,000 rows."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


SKU_INSERT = (
    "product",
    "code",
    "barcode",
    "colour",
    "size",
    "weight_g",
    "cost_fen",
    "list_price_fen",
    "vip_price_fen",
    "is_combo",
    "sold_out",
    "is_active",
)


def rules_header(key: str) -> str:
    return next(c.header for c in rules.columns() if c.key == key)
