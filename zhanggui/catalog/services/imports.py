"""Bulk import and export of products, SKUs and listings (issue 4 item 2, PROD-1): the real path for 5,000 SKUs.

Files: XLSX or CSV in UTF-8 (with or without BOM), UTF-16 or GBK/GB18030, read by core.sheets. Columns are
matched by header name (data/import_columns.json); one row per SKU.

How it writes: the whole file is parsed and checked first (rules_imports, no database); the good rows are then
grouped by 货号 into batches of a few hundred rows. Each batch loads what exists in a handful of queries and
writes with bulk_create / bulk_update inside one transaction, so a crash loses no committed batch and
importing the same file again completes the rest (every write is an upsert: products by 货号, SKUs by 商家编码,
listings by (店铺, 货号), platform SKUs by (listing, SKU)). Bad rows are reported with their line, column and a
Chinese reason in an XLSX under MEDIA_ROOT/private/imports/ — one line per bad row with the original cells, so
the report itself can be corrected and imported again.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from zhanggui.core import sheets
from zhanggui.core.access import allowed_shops
from zhanggui.core.events import register_event_kinds
from zhanggui.core.models import Event
from zhanggui.core.sheets import SheetError
from zhanggui.shops.models import Shop

from .. import rules_imports as rules
from ..models import Category, Listing, ListingSku, Product, Sku
from ..rules_imports import FileError, Row, RowError
from .products import name_initials

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 50,000 SKU rows are about 4 MB as XLSX, 6 MB as CSV
ALLOWED_SUFFIXES = (".xlsx", ".csv")
BATCH_ROWS = 500
REPORT_DIR = Path("private") / "imports"

register_event_kinds({"imported": "批量导入更新"})


# ---- reading files -------------------------------------------------------------------------------------------


def check_upload(name: str, size: int, head: bytes) -> str:
    """Refuse anything but a real .xlsx or .csv of reasonable size; returns the suffix."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise FileError("file_type", f"只能导入 .xlsx 或 .csv 文件（收到“{Path(name or '').name}”）", field="file")
    if size > MAX_UPLOAD_BYTES:
        raise FileError(
            "file_too_large", f"文件太大：{size / 1048576:.1f} MB，上限 {MAX_UPLOAD_BYTES // 1048576} MB", field="file"
        )
    if size == 0:
        raise FileError("file_empty", "文件是空的", field="file")
    if suffix == ".xlsx" and not head.startswith(b"PK\x03\x04"):
        raise FileError("file_type", "不是有效的 XLSX 文件（旧版 .xls 请在 Excel 里另存为 .xlsx）", field="file")
    if suffix == ".csv" and head.startswith(b"PK\x03\x04"):
        raise FileError("file_type", "这是一个 Excel 文件，请把扩展名改为 .xlsx", field="file")
    return suffix


def read_rows(path: Path, name: str = ""):
    """(line, cells) for every row of the file, lines numbered as the user sees them (1 = first line); read by
    core.sheets (XLSX cells as calamine gives them, CSV strictly decoded)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError("unreadable", f"无法读取文件：{exc.strerror or exc}", field="file") from None
    check_upload(name or path.name, len(data), data[:8])
    try:
        return _file_errors(sheets.read_rows(name or path.name, data, text=False))
    except SheetError as exc:
        raise FileError(exc.code, exc.message, field="file") from None


def _file_errors(rows):
    try:
        yield from rows
    except SheetError as exc:  # a CSV line csv cannot read
        raise FileError(exc.code, exc.message, field="file") from None


# ---- importing -----------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    report: str = ""  # path of the error XLSX relative to MEDIA_ROOT, "" when every row imported
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "rows": self.rows,
            "report": self.report,
        }


class Importer:
    """import_file(user, path) in steps; `progress(done, total)` is called after every committed batch."""

    def __init__(self, user, *, source: str = "", batch_rows: int = BATCH_ROWS, progress=None, report_name=""):
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.source = source
        self.batch_rows = batch_rows
        self.progress = progress
        self.report_name = report_name
        self.result = ImportResult()
        self.failed_rows: dict[int, list] = {}  # line → original cells
        self.header: list = []
        self.now = timezone.now()

    # -- entry point

    def run(self, path: Path, name: str = "") -> ImportResult:
        started = time.perf_counter()
        rows = read_rows(path, name)
        good = self.parse(rows)
        total = self.result.rows
        if self.progress:
            self.progress(0, total)
        self.ensure_categories(good)
        done = self.result.failed
        for batch in self.batches(good):
            self.apply_batch(batch)
            done += len(batch)
            if self.progress:
                self.progress(done, total)
        self.result.failed = len(self.failed_rows)
        if self.failed_rows:
            self.result.report = self.write_report()
        self.result.seconds = time.perf_counter() - started
        return self.result

    # -- parsing and file-wide checks (no database but the shop list)

    def parse(self, rows) -> list[Row]:
        rows = iter(rows)
        head = []
        for item in rows:
            head.append(item)
            if len(head) >= rules.HEADER_SCAN_ROWS:
                break
        header_line, self.header, mapping = rules.find_header(head)
        self.mapping = mapping
        self.headers_by_key = {key: header for key, (_i, header) in mapping.items()}
        shops = self._shops()
        checks = rules.FileChecks(mapping)
        parse_row = rules.RowParser(mapping)
        good = []

        def data_rows():
            for line, values in head:
                if line > header_line:
                    yield line, values
            yield from rows

        for line, values in data_rows():
            row, errors = parse_row(line, values)
            if row is None and not errors:
                continue  # blank line
            self.result.rows += 1
            if not errors:
                errors = self._check_shop(row, shops) or checks.check(row)
            if errors:
                self.fail(errors, values)
                continue
            good.append(row)
        self.result.failed = len(self.failed_rows)
        return good

    def _shops(self) -> dict:
        self.all_shops = {s.code: s for s in Shop.objects.all()}
        if self.user is None:
            self.scope = set(self.all_shops)
        else:
            self.scope = set(allowed_shops(self.user).values_list("code", flat=True))
        self.may_list = self.user is None or (
            self.user.has_perm("catalog.add_listing") and self.user.has_perm("catalog.change_listing")
        )
        return self.all_shops

    def _check_shop(self, row: Row, shops: dict) -> list[RowError]:
        code = row.shop_code
        if not code:
            return []
        column = self.headers_by_key["shop_code"]
        if code not in shops:
            return [RowError(row.line, column, f"店铺代码 {code} 不存在")]
        if code not in self.scope:
            return [RowError(row.line, column, f"您无权操作店铺 {code}")]
        if not self.may_list:
            return [RowError(row.line, column, "您的角色不能导入上架信息（店铺、标题、售价）")]
        return []

    def fail(self, errors: list[RowError], values) -> None:
        self.result.errors.extend(errors)
        self.failed_rows.setdefault(errors[0].line, list(values))

    # -- categories: created once, before the batches (few, and harmless if a batch later fails)

    def ensure_categories(self, good: list[Row]) -> None:
        self.categories: dict[tuple, Category] = {}
        if "category" not in self.mapping:
            return
        paths = {rules.category_path(r.category) for r in good if r.category}
        if not paths:
            return
        by_id = {c.pk: c for c in Category.objects.all()}
        for cat in by_id.values():
            self.categories[category_path_of(cat, by_id)] = cat
        for path in sorted(paths, key=len):
            for depth in range(1, len(path) + 1):
                key = path[:depth]
                if key not in self.categories:
                    parent = self.categories.get(key[:-1])
                    cat, _created = Category.objects.get_or_create(parent=parent, name=key[-1][:60])
                    self.categories[key] = cat

    # -- batches

    def batches(self, good: list[Row]):
        """Rows grouped by 货号 (a product's SKUs are never split), packed into batches of ~batch_rows."""
        groups: dict[str, list[Row]] = {}
        for row in good:
            groups.setdefault(row.style_code, []).append(row)
        batch = []
        for rows in groups.values():
            batch.extend(rows)
            if len(batch) >= self.batch_rows:
                yield batch
                batch = []
        if batch:
            yield batch

    def apply_batch(self, batch: list[Row]) -> None:
        try:
            with transaction.atomic():
                outcome = BatchWriter(self, batch).write()
        except DatabaseError as exc:  # a concurrent edit won a unique key: this batch only, the file goes on
            for row in batch:
                self.fail([RowError(row.line, "", f"保存失败，请重新导入：{exc}")], row.raw)
            return
        for row in batch:
            kind = outcome.get(row.line)
            if kind == "failed":
                continue
            setattr(self.result, kind, getattr(self.result, kind) + 1)

    # -- the error file

    def write_report(self) -> str:
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        by_line: dict[int, list[RowError]] = {}
        for err in self.result.errors:
            by_line.setdefault(err.line, []).append(err)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("导入错误")
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE2E1")
        from openpyxl.cell import WriteOnlyCell

        head = []
        for text in ["行号", "列", "原因", *[rules.cell_text(h) for h in self.header]]:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            if text in ("行号", "列", "原因"):
                cell.fill = fill
            head.append(cell)
        sheet.append(head)
        for line in sorted(by_line):
            errs = by_line[line]
            columns = "；".join(dict.fromkeys(e.column for e in errs if e.column))
            reasons = "；".join(e.reason for e in errs)
            sheet.append([line, columns, reasons, *[_plain(v) for v in self.failed_rows.get(line, [])]])
        sheet.column_dimensions["C"].width = 60
        folder = Path(settings.MEDIA_ROOT) / REPORT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        name = self.report_name or f"import-{timezone.localtime(self.now):%Y%m%d-%H%M%S-%f}"
        path = folder / f"{name}-errors.xlsx"
        book.save(path)
        return str(path.relative_to(settings.MEDIA_ROOT))


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def category_path_of(cat: Category, by_id: dict) -> tuple:
    path, seen = [], set()
    while cat is not None and cat.pk not in seen:
        seen.add(cat.pk)
        path.append(cat.name)
        cat = by_id.get(cat.parent_id)
    return tuple(reversed(path))


PRODUCT_KEYS = ("name", "brand", "category")
SKU_KEYS = ("colour", "size", "barcode", "weight_g", "cost_fen", "list_price_fen", "vip_price_fen")
SKU_DEFAULTS = {"colour": "", "size": "", "barcode": None, "weight_g": 0, "cost_fen": 0, "list_price_fen": 0}


class BatchWriter:
    """One batch inside one transaction: a few SELECTs, then bulk_create / bulk_update, then timeline events."""

    def __init__(self, importer: Importer, rows: list[Row]):
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
    from django.db import connection

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


def import_file(user, path, *, name: str = "", progress=None, report_name: str = "", batch_rows: int = BATCH_ROWS):
    """Import one file; returns ImportResult. Raises FileError when the file as a whole cannot be read."""
    importer = Importer(
        user, source=name or Path(path).name, progress=progress, report_name=report_name, batch_rows=batch_rows
    )
    return importer.run(Path(path), name or Path(path).name)


# ---- exporting -----------------------------------------------------------------------------------------------


def _yuan(fen):
    if fen is None:
        return None
    return Decimal(fen) / 100


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
                _yuan(sku["cost_fen"]),
                _yuan(sku["list_price_fen"]),
                _yuan(sku["vip_price_fen"]),
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
                    _yuan(price),
                    rules.status_label(lst["status"]),
                    lst["platform_item_id"],
                    ls["platform_sku_id"] if ls else "",
                ]


def export_xlsx(user, path: Path, shops=None) -> int:
    """Write the export to `path`; returns the number of SKU rows. Codes and barcodes are text cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品")
    count = -1
    for row in export_rows(user, shops):
        sheet.append(row)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return count


# ---- background jobs -----------------------------------------------------------------------------------------

UPLOAD_DIR = REPORT_DIR / "uploads"


def save_upload(uploaded) -> tuple[str, str]:
    """Check an uploaded file (type, size, signature) and keep it privately until its job has read it.
    Returns (path relative to MEDIA_ROOT, original name)."""
    import uuid

    head = uploaded.read(8)
    uploaded.seek(0)
    suffix = check_upload(uploaded.name, uploaded.size, head)
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return str(path.relative_to(settings.MEDIA_ROOT)), Path(uploaded.name).name


def start_import(user, uploaded, shop=None):
    """Save the upload and start the import job; returns the Job (its page shows the progress)."""
    from zhanggui.core.jobs import start_job

    from ..tasks import import_products

    upload, name = save_upload(uploaded)
    return start_job(
        user,
        kind="catalog_import",
        title=f"商品导入：{name}",
        task=import_products,
        params={"upload": upload, "name": name},
        shop=shop,
    )


def run_import_job(job) -> dict:
    """The body of the import job: progress after every batch; the result feeds the job page's summary."""
    from zhanggui.core.jobs import report

    path = Path(settings.MEDIA_ROOT) / job.params["upload"]
    try:
        result = import_file(
            job.created_by,
            path,
            name=job.params.get("name", ""),
            progress=lambda done, total: report(job, done, total, message="正在导入"),
            report_name=f"import-{job.pk}",
        )
    finally:
        path.unlink(missing_ok=True)
    report(job, result.rows, result.rows, message=f"{result.rows} 行，用时 {result.seconds:.1f} 秒")
    return {
        **result.summary(),
        "file": result.report,
        "file_label": "下载错误报告",
        "summary": [
            {"label": "新增", "value": result.created, "tone": "success"},
            {"label": "更新", "value": result.updated, "tone": "primary"},
            {"label": "未变", "value": result.unchanged, "tone": "secondary"},
            {"label": "失败", "value": result.failed, "tone": "danger"},
        ],
    }


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
