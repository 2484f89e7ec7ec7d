"""Shipping reads for pages and the API: the package lists and their counts per state, one package's parts, the
review queue (审单), the packed queue waiting to ship, print batches, recent tracking scans and the daily shipping
record (SHIP-1). Read-only: every change goes through services/."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Min, Prefetch, Q, Sum

from zhanggui.core import clock
from zhanggui.orders import selectors as order_selectors
from zhanggui.orders.models import Order, OrderLine

from .models import Package, PackageLine, PackageOrder, PrintBatch, Shipment, TrackingEvent

State = Package.State

# ---- packages ---------------------------------------------------------------------------------------------------


def search_filter(q: str) -> Q:
    """Package no., order no. (any merged order), waybill no., or the last 4 digits of the receiver's phone."""
    q = q.strip()
    orders = PackageOrder.objects.filter(order__platform_order_no=q).values("package_id")
    found = Q(package_no=q) | Q(waybill_no=q) | Q(pk__in=orders)
    if q.isdigit() and len(q) == 4:
        found |= Q(order__receiver_phone__endswith=q)
    return found


def orders_by_waybill(q: str) -> list[int]:
    """ORD-6: the orders (merged ones included) of the packages with waybill number `q` — registered with the order
    list's search (orders.selectors.register_order_finder); exact match on the waybill index."""
    q = q.strip()
    if not q or len(q) > 40:
        return []
    return list(PackageOrder.objects.filter(package__waybill_no=q).values_list("order_id", flat=True)[:1000])


def packages_in_view(
    shops,
    *,
    q: str = "",
    shop_id: int | None = None,
    carrier: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    """The packages of `shops` found by `q` (see `search_filter`), of one shop, of one carrier (code) and ordered
    between two Beijing days."""
    qs = Package.objects.filter(shop__in=shops)
    if q.strip():
        qs = qs.filter(search_filter(q))
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if carrier:
        qs = qs.filter(carrier__code=carrier)
    if date_from:
        qs = qs.filter(ordered_at__gte=clock.local_day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(ordered_at__lt=clock.local_day_bounds(date_to)[1])
    return qs


def state_counts(packages) -> dict[str, int]:
    """{state: number of packages} of a package queryset, in one grouped query."""
    return dict(packages.values_list("state").annotate(n=Count("id")).order_by())


def open_state_figures(shops) -> dict[str, tuple[int, dt.datetime | None]]:
    """The warehouse's queues for the home page: {state: (packages, the oldest one's order time)} of the packages
    still to print, to verify and to ship — one grouped query (the package list's tabs count the same rows)."""
    open_states = (State.TO_PRINT, State.PRINTED, State.PACKED)
    rows = (
        Package.objects.filter(shop__in=shops, state__in=open_states)
        .values("state")
        .annotate(n=Count("id"), oldest=Min("ordered_at"))
        .order_by()
    )
    found = {r["state"]: (r["n"], r["oldest"]) for r in rows}
    return {state: found.get(state, (0, None)) for state in open_states}


def print_all_facts(packages) -> dict:
    """打印全部符合条件的 (SHIP-1): how many 待打单 packages match and the highest id among them (the confirmation
    prints exactly those), in one query."""
    found = packages.filter(state=State.TO_PRINT).aggregate(count=Count("id"), through=Max("id"))
    return {"count": found["count"] or 0, "through": found["through"]}


def package_queue(packages, state: str):
    """The packages of one state tab, in order time (SHIP-1: the print queue), with what the list shows."""
    return (
        packages.filter(state=state)
        .select_related("shop", "carrier", "order", "print_batch")
        .annotate(line_count=Count("lines"))
        .order_by("ordered_at", "id")
    )


def package_lines(package: Package):
    """The lines of a package by order and line number, with SKU, product and order."""
    return (
        PackageLine.objects.filter(package=package)
        .select_related("sku__product", "order_line__order")
        .order_by("order_line__order_id", "order_line__line_no", "id")
    )


def package_orders(package: Package) -> list[Order]:
    """The orders a package carries (several when merged), oldest first."""
    links = package.package_orders.select_related("order").order_by("order__ordered_at", "order_id")
    return [link.order for link in links]


def packed_waiting(shops, limit: int = 500) -> list[Package]:
    """Packed packages waiting to be shipped, in order time."""
    return list(
        Package.objects.filter(shop__in=shops, state=State.PACKED)
        .select_related("shop", "carrier", "order")
        .order_by("ordered_at", "id")[:limit]
    )


def print_batches(shops, limit: int = 100):
    """The latest print batches with a package of `shops`."""
    return (
        PrintBatch.objects.filter(prints__package__shop__in=shops)
        .select_related("created_by", "shop")
        .distinct()
        .order_by("-created_at", "-id")[:limit]
    )


def recent_tracking(shops, limit: int = 50):
    """The latest tracking scans recorded for packages of `shops` (SHIP-4)."""
    return (
        TrackingEvent.objects.filter(package__shop__in=shops)
        .select_related("package", "package__carrier")
        .order_by("-created_at", "-id")[:limit]
    )


# ---- the review queue (审单, ORD-7) -------------------------------------------------------------------------------


def orders_to_review(shops, *, q: str = "", shop_id: int | None = None):
    """The 待审核 orders of `shops`, in order time; narrowed to one shop and by the order list's search box (order
    number, buyer, receiver, phone, SKU — orders.selectors.search)."""
    qs = Order.objects.filter(shop__in=shops, state=Order.State.TO_REVIEW)
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if q.strip():
        qs = order_selectors.search(qs, q)
    return qs.order_by("ordered_at", "id")


def orders_with_lines(ids_or_qs):
    """Orders (ids or a queryset of ids) with shop and lines (SKU), in order time: the rows of the review page."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_no"))
    return (
        Order.objects.filter(pk__in=ids_or_qs)
        .select_related("shop")
        .prefetch_related(lines)
        .order_by("ordered_at", "id")
    )


# ---- the daily shipping record (SHIP-1) ---------------------------------------------------------------------------


def shipments_of_day(shops, day: dt.date):
    return (
        Shipment.objects.filter(shop__in=shops, ship_day=day)
        .select_related("shop", "shop__platform", "carrier", "package", "package__order", "shipped_by")
        .order_by("shop_id", "carrier__sort", "shipped_at", "id")
    )


def daily_summary(shops, day: dt.date) -> list[dict]:
    """SHIP-1 daily shipping record: per shop and carrier, the parcels and their weight shipped that Beijing day."""
    rows = (
        Shipment.objects.filter(shop__in=shops, ship_day=day)
        .values("shop_id", "shop__name", "carrier__short_name", "carrier__name")
        .annotate(parcels=Count("id"), weight_g=Sum("weight_g"))
        .order_by("shop__name", "carrier__short_name")
    )
    return [
        {
            "shop_id": r["shop_id"],
            "shop": r["shop__name"],
            "carrier": r["carrier__short_name"] or r["carrier__name"],
            "parcels": r["parcels"],
            "weight_g": r["weight_g"] or 0,
            "weight_kg": (r["weight_g"] or 0) / 1000,
        }
        for r in rows
    ]


# ---- an order's packages (the order page, ORD-6) ------------------------------------------------------------------


def order_packages(order: Order, user) -> list[dict]:
    """The packages of `order` (merged ones included), newest first, with carrier, waybill, shipment and the last
    tracking scan — registered with orders.detail_selectors.register_package_source for the order page. Linked only for
    people who may open packages (a link shown never answers 403). Two queries."""
    from django.urls import reverse

    from .services.packages import state_label

    may_open = user.has_perm("fulfilment.view_package")
    found = list(
        Package.objects.filter(package_orders__order=order)
        .select_related("carrier", "shipment")
        .prefetch_related(Prefetch("tracking", queryset=TrackingEvent.objects.order_by("-at", "-id")))
        .order_by("-created_at", "-id")
    )
    rows = []
    for package in found:
        shipment = getattr(package, "shipment", None)
        scans = list(package.tracking.all())
        last = scans[0] if scans else None
        rows.append(
            {
                "number": package.package_no,
                "url": reverse("fulfilment:detail", args=[package.pk]) if may_open else "",
                "state_label": state_label(package.state),
                "carrier": package.carrier.name if package.carrier else "",
                "waybill_no": package.waybill_no,
                "shipped_at": shipment.shipped_at if shipment else package.shipped_at,
                "last_scan": (
                    {"at": last.at, "status": last.get_status_display(), "text": last.text, "where": last.location}
                    if last
                    else None
                ),
            }
        )
    return rows
