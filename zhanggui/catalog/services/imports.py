"""Bulk import of products, SKUs and listings from XLSX or CSV (PROD-1: a shop's catalog of thousands of SKUs is
kept in spreadsheets, so the file is the real path in, not the product form): reading the file, checking every
row, and running the batches.

Files: XLSX or CSV in UTF-8 (with or without BOM), UTF-16 or GBK/GB18030, read by core.sheets. Columns are
matched by header name (data/import_columns.json); one row per SKU.

How it writes: the whole file is parsed and checked first (rules_imports, no database); the good rows are then
grouped by 货号 into batches of a few hundred rows. Each batch is written by import_batches.BatchWriter: it loads
what exists in a handful of queries and writes with bulk_create / bulk_update inside one transaction, so a crash
loses no committed batch and importing the same file again completes the rest (every write is an upsert:
products by 货号, SKUs by 商家编码, listings by (店铺, 货号), platform SKUs by (listing, SKU)). Bad rows are
reported with their line, column and a Chinese reason in an XLSX (import_report.py) — one line per bad row with
the original cells, so the report itself can be corrected and imported again. The background job around an
upload: import_jobs.py; the export with the same columns: exports.py.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from zhanggui.core import sheets
from zhanggui.core.access import allowed_shops
from zhanggui.core.errors import DomainError
from zhanggui.core.sheets import SheetError
from zhanggui.core.uploads import SHEETS, check_content
from zhanggui.shops.models import Shop

from .. import rules_imports as rules
from ..models import Category
from ..rules_imports import FileError, Row, RowError
from .import_batches import BatchWriter
from .import_report import write_error_report

BATCH_ROWS = 500


# ---- reading files -------------------------------------------------------------------------------------------


def check_upload(name: str, size: int, head: bytes) -> str:
    """The upload check of core.uploads for a product file (.xlsx or .csv, catalog_import size limit), raised as
    the importer's FileError; returns the suffix."""
    try:
        return check_content(name, size, head, "catalog_import", SHEETS).suffix
    except FileError:
        raise
    except DomainError as exc:
        raise FileError(exc.code, exc.message, field=exc.field) from None


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

    # -- the error file (import_report.py)

    def write_report(self) -> str:
        name = self.report_name or f"import-{timezone.localtime(self.now):%Y%m%d-%H%M%S-%f}"
        return write_error_report(self.result.errors, self.header, self.failed_rows, name)


def category_path_of(cat: Category, by_id: dict) -> tuple:
    path, seen = [], set()
    while cat is not None and cat.pk not in seen:
        seen.add(cat.pk)
        path.append(cat.name)
        cat = by_id.get(cat.parent_id)
    return tuple(reversed(path))


def import_file(user, path, *, name: str = "", progress=None, report_name: str = "", batch_rows: int = BATCH_ROWS):
    """Import one file; returns ImportResult. Raises FileError when the file as a whole cannot be read."""
    importer = Importer(
        user, source=name or Path(path).name, progress=progress, report_name=report_name, batch_rows=batch_rows
    )
    return importer.run(Path(path), name or Path(path).name)
