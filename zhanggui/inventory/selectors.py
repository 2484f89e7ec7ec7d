"""Reads for the stock pages, the API and the ledger export (INV-1, INV-2, INV-4, INV-7).

Stock is company-level: no shop scope. Lists cost a fixed handful of queries whatever their length: the tab
counts in one aggregate, then one page of rows with their SKU, product, warehouse and home bin joined in.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from zhanggui.core import clock
from zhanggui.core.company_settings import get_company_setting

from .models import LedgerEntry, StockLevel, Warehouse

STOCK_TABS = ("all", "out", "low", "reserved")
LOW_STOCK_SETTING = "inventory.low_stock_threshold"


def _as_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _as_date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def low_stock_threshold() -> int:
    """INV-7: available at or below this is 低库存 (company-wide setting, whatever shop is selected)."""
    return int(get_company_setting(LOW_STOCK_SETTING))


@dataclass
class StockFilters:
    q: str = ""
    warehouse: int | None = None
    category: int | None = None
    tab: str = "all"

    @classmethod
    def from_params(cls, params) -> "StockFilters":
        tab = params.get("tab") or "all"
        return cls(
            q=(params.get("q") or "").strip()[:64],
            warehouse=_as_int(params.get("warehouse")),
            category=_as_int(params.get("category")),
            tab=tab if tab in STOCK_TABS else "all",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.warehouse or self.category)


def _tab_q(tab: str, threshold: int) -> Q:
    if tab == "out":
        return Q(avail__lte=0)
    if tab == "low":  # in stock but at or below the threshold (缺货 is its own tab)
        return Q(avail__gt=0, avail__lte=threshold)
    if tab == "reserved":
        return Q(reserved__gt=0)
    return Q()


def stock_levels(filters: StockFilters, threshold: int, *, with_tab: bool = True):
    """Stock levels matching the filters (and the tab unless with_tab=False), rows ready to show."""
    qs = StockLevel.objects.filter(sku__is_combo=False).annotate(avail=F("on_hand") - F("reserved"))
    if filters.warehouse:
        qs = qs.filter(warehouse_id=filters.warehouse)
    if filters.category:
        qs = qs.filter(
            Q(sku__product__category_id=filters.category) | Q(sku__product__category__parent_id=filters.category)
        )
    if filters.q:
        k = filters.q
        match = (
            Q(sku__code__icontains=k)
            | Q(sku__barcode=k)
            | Q(sku__product__style_code__icontains=k)
            | Q(sku__product__name__icontains=k)
        )
        if k.isascii() and k.isalpha():  # pinyin initials of the product's name (lyq → 连衣裙), stored by the catalog
            match |= Q(sku__product__name_initials__contains=k.lower())
        qs = qs.filter(match)
    if with_tab:
        qs = qs.filter(_tab_q(filters.tab, threshold))
    return qs.select_related("sku__product", "warehouse", "home_bin").order_by(
        "sku__product__style_code", "sku__code", "warehouse_id"
    )


def tab_counts(filters: StockFilters, threshold: int) -> dict[str, int]:
    """All four tab counts in one query."""
    qs = stock_levels(filters, threshold, with_tab=False).order_by()
    return qs.aggregate(**{tab: Count("id", filter=_tab_q(tab, threshold)) for tab in STOCK_TABS})


@dataclass
class LedgerFilters:
    sku: str = ""
    warehouse: int | None = None
    reason: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    document: str = ""  # exact document number, e.g. a stocktake's PD number (its posted entries)

    @classmethod
    def from_params(cls, params) -> "LedgerFilters":
        reason = params.get("reason") or ""
        return cls(
            sku=(params.get("sku") or "").strip()[:64],
            warehouse=_as_int(params.get("warehouse")),
            reason=reason if reason in LedgerEntry.Reason.values else "",
            date_from=_as_date(params.get("date_from")),
            date_to=_as_date(params.get("date_to")),
            document=(params.get("document") or "").strip()[:80],
        )

    def as_params(self) -> dict:
        return {
            "sku": self.sku,
            "warehouse": self.warehouse or "",
            "reason": self.reason,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "document": self.document,
        }

    @property
    def filtered(self) -> bool:
        return any(self.as_params().values())


def ledger_entries(filters: LedgerFilters):
    """INV-2: ledger entries, newest first. Dates are Beijing calendar days, inclusive."""
    qs = LedgerEntry.objects.select_related("sku__product", "warehouse")
    if filters.sku:
        k = filters.sku
        qs = qs.filter(Q(sku__code__iexact=k) | Q(sku__barcode=k) | Q(sku__code__istartswith=k))
    if filters.warehouse:
        qs = qs.filter(warehouse_id=filters.warehouse)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    if filters.document:
        qs = qs.filter(document=filters.document)
    if filters.date_from:
        qs = qs.filter(at__gte=clock.local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(at__lt=clock.local_day_bounds(filters.date_to)[1])
    return qs.order_by("-at", "-id")


def active_warehouses():
    return Warehouse.objects.filter(is_active=True)
