"""Warehouses, bins, stock levels, the stock ledger and reservations (INV-1, INV-2, INV-4).

The invariants live in the database: on hand and reserved never negative, available (on hand − reserved)
never negative, one reservation per (reference, reason) so a retried job never reserves twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    code = models.CharField(_("warehouse code"), max_length=20, unique=True)
    name = models.CharField(_("warehouse name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_default = models.BooleanField(_("default warehouse"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["-is_default", "code"]

    def __str__(self) -> str:
        return self.name


class Bin(models.Model):
    """A location in a warehouse (INV-4), per category and size so pickers find goods fast."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="bins")
    code = models.CharField(_("bin code"), max_length=20)  # e.g. A-03-2
    category = models.CharField(_("category"), max_length=60, blank=True)
    size_band = models.CharField(_("sizes"), max_length=30, blank=True)
    position = models.PositiveIntegerField(_("walk order"), default=0)  # picking lists sort by this

    class Meta:
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        ordering = ["warehouse_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="uniq_bin_code")]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    """Stock of one SKU in one warehouse. Changed only by inventory services, with a ledger entry each time."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    home_bin = models.ForeignKey(Bin, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    in_transit = models.IntegerField(_("in transit"), default=0)
    # (db_default: rows written by raw SQL, e.g. bulk loads, need no value.)
    # INV-3: faulty pieces found at receiving, stored apart until the supplier exchanges them.
    faulty = models.IntegerField(_("faulty, awaiting exchange"), default=0, db_default=0)
    # INV-3, INV-5: the separate account — pieces the supplier would not exchange and damaged returns.
    damaged = models.IntegerField(_("damaged account"), default=0, db_default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="uniq_stock_level"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(in_transit__gte=0), name="stock_in_transit_not_negative"),
            models.CheckConstraint(condition=Q(faulty__gte=0), name="stock_faulty_not_negative"),
            models.CheckConstraint(condition=Q(damaged__gte=0), name="stock_damaged_not_negative"),
            # INV-1: available = on hand − reserved can never go below zero, whatever runs at the same time.
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="stock_available_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class LedgerEntry(models.Model):
    """INV-2: every change of a stock level, with its reason, document and the figures before and after."""

    class Reason(models.TextChoices):
        OPENING = "opening", _("opening balance")
        RECEIPT = "receipt", _("stock-in")
        RESERVE = "reserve", _("reserved for an order")
        RELEASE = "release", _("reservation released")
        SHIP = "ship", _("shipped")
        RETURN = "return", _("return to stock")
        DAMAGED = "damaged", _("to damaged account")
        ADJUST = "adjust", _("adjustment")
        STOCKTAKE = "stocktake", _("stocktake")
        TRANSFER = "transfer", _("transfer")
        EXCHANGE = "exchange", _("supplier exchange")  # faulty → sellable: the supplier swapped them (INV-3)
        WRITE_OFF = "write_off", _("write-off")  # damaged account written off

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="ledger_entries")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="ledger_entries")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    document = models.CharField(_("document"), max_length=80, blank=True)  # slip no., order line, waybill no.
    on_hand_change = models.IntegerField(default=0)
    reserved_change = models.IntegerField(default=0)
    faulty_change = models.IntegerField(default=0, db_default=0)
    damaged_change = models.IntegerField(default=0, db_default=0)
    on_hand_after = models.IntegerField()
    reserved_after = models.IntegerField()
    faulty_after = models.IntegerField(default=0, db_default=0)
    damaged_after = models.IntegerField(default=0, db_default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_number = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("stock ledger")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["sku", "warehouse", "id"]), models.Index(fields=["reason", "at"])]

    def __str__(self) -> str:
        return f"{self.reason} {self.sku_id} {self.on_hand_change:+d}/{self.reserved_change:+d}"

    @property
    def on_hand_before(self) -> int:
        return self.on_hand_after - self.on_hand_change

    @property
    def reserved_before(self) -> int:
        return self.reserved_after - self.reserved_change


class Reservation(models.Model):
    """Units held for a reference (an order line) — one per (reference, sku, warehouse): retries are no-ops.

    State: open (holding `quantity`), released (given back) or committed (shipped).
    """

    class State(models.TextChoices):
        OPEN = "open", _("open")
        RELEASED = "released", _("released")
        COMMITTED = "committed", _("committed")

    reference = models.CharField(max_length=80)  # e.g. "order-line:123"
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference", "sku", "warehouse"], name="uniq_reservation"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive"),
        ]
        indexes = [models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.sku_id}×{self.quantity} ({self.state})"


class Stocktake(models.Model):
    """INV-6: a planned count of a warehouse (whole, some bins or some SKUs), approved by the manager, posted as
    ledger entries. Each line is compared against the ledger at the moment it was counted, so stock that moves
    during the count (orders shipped, goods received) is not mistaken for a difference."""

    class Scope(models.TextChoices):
        WAREHOUSE = "warehouse", _("whole warehouse")
        BINS = "bins", _("bins")
        SKUS = "skus", _("SKUs")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        COUNTING = "counting", _("counting")
        SUBMITTED = "submitted", _("awaiting approval")
        POSTED = "posted", _("approved and posted")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("stocktake number"), max_length=24, unique=True)  # PD20261128-01
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocktakes")
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.WAREHOUSE)
    bins = models.ManyToManyField(Bin, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PLANNED)
    window_start = models.DateField(_("count from"))
    window_end = models.DateField(_("count until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-window_start", "-pk"]
        permissions = [("approve_stocktake", "Can approve and post a stocktake")]

    def __str__(self) -> str:
        return self.number


class StocktakeLine(models.Model):
    """One SKU (at its bin) on a count sheet. `book_qty` is the on-hand figure of the ledger at the moment the
    count was entered (`ledger_mark` = the last ledger entry id then); the difference is counted − book."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey(Bin, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    counted_qty = models.IntegerField(_("counted"), null=True, blank=True)
    book_qty = models.IntegerField(_("book quantity"), null=True, blank=True)
    ledger_mark = models.BigIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["stocktake_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "sku"], name="uniq_stocktake_sku"),
            models.CheckConstraint(
                condition=Q(counted_qty__isnull=True) | Q(counted_qty__gte=0), name="stocktake_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake_id}:{self.sku_id}"

    @property
    def difference(self) -> int | None:
        if self.counted_qty is None or self.book_qty is None:
            return None
        return self.counted_qty - self.book_qty
