"""Packages (parcels): the document the warehouse works on (SHIP-1). An approved order becomes one package; orders
of one buyer to one address are merged into one package; an order whose goods are not all there is split into
several. Each package has its own state machine (services/packages.py) and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAFF = settings.AUTH_USER_MODEL


class Package(models.Model):
    class State(models.TextChoices):  # the one transition table: services/packages.PACKAGE_STATES
        TO_PRINT = "to_print", pgettext_lazy("package state", "to print")
        PRINTED = "printed", pgettext_lazy("package state", "printed")
        PACKED = "packed", pgettext_lazy("package state", "packed")
        SHIPPED = "shipped", pgettext_lazy("package state", "shipped")
        SIGNED = "signed", pgettext_lazy("package state", "signed for")
        CANCELLED = "cancelled", pgettext_lazy("package state", "cancelled")

    package_no = models.CharField(_("package number"), max_length=24, unique=True)
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="packages")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    # The first order of the package: receiver, buyer and the platform the tracking goes back to.
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="packages")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.TO_PRINT)

    # SHIP-3: the chosen carrier and why (默认申通不到，改发EMS …); surcharge charged to the buyer, expected fee to us.
    carrier = models.ForeignKey("fulfilment.Carrier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    carrier_note = models.CharField(_("carrier note"), max_length=200, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    surcharge_fen = models.PositiveIntegerField(_("surcharge"), default=0)
    expected_fee_fen = models.PositiveIntegerField(_("expected courier fee"), null=True, blank=True)
    courier_fee_fen = models.PositiveIntegerField(_("billed courier fee"), null=True, blank=True)  # SHIP-5

    # SHIP-1: waybill and printing
    waybill_no = models.CharField(_("waybill number"), max_length=40, blank=True, db_index=True)
    print_batch = models.ForeignKey(
        "fulfilment.PrintBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="packages"
    )
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    print_count = models.PositiveSmallIntegerField(default=0)

    # SHIP-1: verify and weigh
    expected_weight_g = models.PositiveIntegerField(_("expected weight (g)"), default=0)
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    packed_by = models.ForeignKey(STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    # SHIP-2: copied from the orders so the print queue sorts and the at-risk queue filters without joins
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ship_deadline = models.DateTimeField(_("ship by"), null=True, blank=True)
    # A package stopped after its label was printed (the order refunded or closed before shipping): the scan page
    # and the daily record show 拦截 in red until the goods are back on the shelf (fulfilment.services.intercept)
    intercepted_at = models.DateTimeField(_("intercepted at"), null=True, blank=True)
    intercept_note = models.CharField(_("why intercepted"), max_length=200, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["ordered_at", "id"]  # SHIP-1: printed in order time
        permissions = [
            ("review_order", "Can review orders (审单) and merge or split packages (ORD-2, ORD-7)"),
            ("print_package", "Can print waybills, packing slips and picking lists (SHIP-1)"),
            ("pack_package", "Can scan-verify and weigh packages (SHIP-1)"),
            ("ship_package", "Can ship packages and download batch-ship files (SHIP-1)"),
            ("reconcile_fee", "Can record and reconcile courier fees (SHIP-5)"),
        ]
        constraints = [
            # SHIP-1: one waybill number is one parcel of one carrier
            models.UniqueConstraint(
                fields=["carrier", "waybill_no"], condition=~Q(waybill_no=""), name="uniq_package_waybill"
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "state", "ordered_at", "id"]),
            models.Index(fields=["state", "ordered_at", "id"]),
            models.Index(fields=["state", "ship_deadline"]),
            models.Index(  # the daily record's 拦截 list
                fields=["intercepted_at"], condition=Q(intercepted_at__isnull=False), name="package_intercepted"
            ),
        ]

    def __str__(self) -> str:
        return self.package_no


class PackageOrder(models.Model):
    """The orders a package carries (more than one when merged)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="package_orders")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="package_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package", "order"], name="uniq_package_order")]

    def __str__(self) -> str:
        return f"{self.package_id}←{self.order_id}"


class PackageLine(models.Model):
    """What goes into the parcel: an order line (or part of it when split), scanned one unit at a time."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="package_lines")
    sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    verified_qty = models.PositiveIntegerField(_("scanned"), default=0)  # SHIP-1: scan-verify

    class Meta:
        ordering = ["package", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "order_line"], name="uniq_package_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="package_line_quantity_positive"),
            models.CheckConstraint(condition=Q(verified_qty__lte=models.F("quantity")), name="package_line_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id}:{self.order_line_id}×{self.quantity}"
