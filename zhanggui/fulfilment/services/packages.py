"""The package state machine (SHIP-1): ONE transition table (core.states.Machine), each move on the package's
timeline with the 工号 of whoever made it; and packages born from approved orders.

    待打单 to_print → 已打单 printed → 已验货打包 packed → 已发货 shipped → 已签收 signed
    已取消 cancelled: from every state before shipping (the order was closed or the package re-planned).

An order approved in 审单 (orders.states.approve / approve_many, ORD-7) becomes one package of all its own-stock
lines at once, in the same transaction (orders.states.apply_moves delivers OrdersMoved; rule 2 of the house: orders
never import fulfilment); its dropship lines are requested from the supplier (DropshipRequested, PROD-10). Merging
and splitting re-plan packages that are still to_print (services/plan.py). An order closed, or shipped without our
warehouse, cancels its packages that have not shipped. Moves are conditional on the state read under a row lock,
and every move bumps the version.
"""

from __future__ import annotations

from django.db.models import F

from zhanggui.catalog.models import Product
from zhanggui.core import clock, sequences
from zhanggui.core.domain_events import DropshipRequest, DropshipRequested, OrdersMoved, deliver, subscribe
from zhanggui.core.events import record_events, register_event_kinds
from zhanggui.core.states import Machine
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services.states import SHIPPED_ELSEWHERE
from zhanggui.shops.settings_store import get_settings

from ..models import Package, PackageLine, PackageOrder
from . import intercept

State = Package.State

TRANSITIONS: dict[str, set[str]] = {
    State.TO_PRINT: {State.PRINTED, State.CANCELLED},
    State.PRINTED: {State.PACKED, State.TO_PRINT, State.CANCELLED},  # → to_print: waybill voided, print again
    # → printed: unpacked to re-check; → to_print: the order was edited after packing, its label is voided (ORD-7)
    State.PACKED: {State.SHIPPED, State.PRINTED, State.TO_PRINT, State.CANCELLED},
    State.SHIPPED: {State.SIGNED},
    State.SIGNED: set(),
    State.CANCELLED: set(),
}
OPEN = {State.TO_PRINT, State.PRINTED, State.PACKED}  # not yet shipped: still the warehouse's work

STATE_NAMES = {
    State.TO_PRINT: "待打单",
    State.PRINTED: "已打单",
    State.PACKED: "已验货打包",
    State.SHIPPED: "已发货",
    State.SIGNED: "已签收",
    State.CANCELLED: "已取消",
}

register_event_kinds({"package_state": "包裹状态", "package_created": "生成包裹"})

PACKAGE_STATES = Machine(Package, TRANSITIONS, names=STATE_NAMES, name="包裹 {package_no}", event_kind="package_state")
state_label = PACKAGE_STATES.label
lock = PACKAGE_STATES.lock  # lock(package, version=None): row lock + stale_version check
save_changes = PACKAGE_STATES.save  # save fields and raise the version
move_locked = PACKAGE_STATES.move_locked  # move_locked(package, to, actor, note, fields): check, save, timeline
transition = PACKAGE_STATES.transition  # lock + move in a transaction of its own


# ---- packages from orders ---------------------------------------------------------------------------------------


PACKAGE_SEQUENCE = "fulfilment.package"


def package_numbers(count: int, now=None) -> list[str]:
    """`count` package numbers: P + Beijing date + a 6-digit running number of the day, one range reserved from the
    company's sequence (core.sequences: two approvals at the same moment never get the same number)."""
    local = clock.local(now or clock.now())
    prefix = f"P{local:%y%m%d}"

    def floor() -> int:  # numbers issued before the sequence existed
        last = Package.objects.filter(package_no__startswith=prefix).order_by("-package_no")
        last = last.values_list("package_no", flat=True).first()
        return int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0

    start = sequences.take(PACKAGE_SEQUENCE, local.date(), count, floor=floor)
    return [f"{prefix}{n:06d}" for n in range(start, start + count)]


def next_package_no(now=None) -> str:
    return package_numbers(1, now)[0]


def open_packages(order) -> list[Package]:
    """The packages carrying `order` that the warehouse has not shipped yet."""
    ids = PackageOrder.objects.filter(order=order).values("package_id")
    return list(Package.objects.filter(pk__in=ids, state__in=OPEN).order_by("id"))


class _Loaded:
    """What a package needs besides its orders and lines, loaded once for a whole batch: the warehouse, the active
    carriers (SHIP-3) and each shop's settings (SHIP-2, SHIP-3) — so building a package runs no query."""

    def __init__(self):
        from . import carrier_rules

        self.warehouse = stock.default_warehouse()
        self.carriers = carrier_rules.load_carriers_for_choice()
        self._settings: dict[int, dict] = {}

    def settings(self, shop_id: int) -> dict:
        if shop_id not in self._settings:
            self._settings[shop_id] = get_settings(shop_id)
        return self._settings[shop_id]


def _build(orders: list[Order], lines: list[tuple[OrderLine, int]], number: str, loaded: _Loaded, now) -> Package:
    """An unsaved package of `lines` [(order line, quantity)] of `orders` (the first one is the package's order):
    warehouse, carrier choice (SHIP-3), ship deadline (SHIP-2), expected weight — THE rules of a new package."""
    from . import carrier_rules, sla  # the rules of their own parts

    first = min(orders, key=lambda o: (o.ordered_at or o.created_at, o.pk))
    settings = loaded.settings(first.shop_id)
    package = Package(
        package_no=number,
        shop_id=first.shop_id,
        warehouse=loaded.warehouse,
        order=first,
        ordered_at=min(o.ordered_at or o.created_at for o in orders),
        paid_at=min((o.paid_at for o in orders if o.paid_at), default=None),
    )
    package.ship_deadline = sla.deadline_from(settings, package.paid_at) if package.paid_at else None  # SHIP-2
    package.expected_weight_g = sum((line.sku.weight_g or 0) * qty for line, qty in lines if line.sku_id)
    carrier_rules.apply_choice(package, first, settings=settings, carriers=loaded.carriers)  # SHIP-3
    return package


def _save_all(built: list[tuple[Package, list[Order], list[tuple[OrderLine, int]], str]], actor) -> list[Package]:
    """Insert the built packages with their orders, lines and "package_created" timeline entries (4 INSERTs)."""
    packages = Package.objects.bulk_create([b[0] for b in built])  # pks returned (PostgreSQL, SQLite ≥ 3.35)
    PackageOrder.objects.bulk_create(
        [PackageOrder(package=package, order=o) for package, orders, _lines, _note in built for o in orders]
    )
    PackageLine.objects.bulk_create(
        [
            PackageLine(package=package, order_line=line, sku_id=line.sku_id, quantity=qty)
            for package, _orders, lines, _note in built
            for line, qty in lines
        ]
    )
    rows = []
    for package, orders, _lines, note in built:
        names = "、".join(o.platform_order_no for o in orders)
        rows.append((package, "package_created", "", state_label(package.state), note or f"订单 {names}"))
    record_events(actor, rows)
    _remark_carrier_notes(built, actor)
    return packages


def _remark_carrier_notes(built, actor) -> None:
    """ORD-2, ORD-3: a carrier switch or surcharge (申通不到…改发EMS；偏远地区加收…) is also remarked on each order
    in the form 工号 + 快递 + 备注, as part of the same approval (the order instances the caller holds are updated
    too, so no version is skipped). Only orders with such a note cost a query — usually none."""
    from zhanggui.orders.services.remarks import append_remark, remark_line

    for package, orders, _lines, _note in built:
        if not package.carrier_note or package.carrier is None:
            continue
        line = remark_line(actor, package.carrier_note, package.carrier.short_name or package.carrier.name)
        for order in orders:
            order.seller_remark = append_remark(order.seller_remark, line)
            Order.objects.filter(pk=order.pk).update(seller_remark=order.seller_remark)


def create_package(orders: list[Order], lines: list[tuple[OrderLine, int]], actor, *, note: str = "") -> Package:
    """One package carrying `lines` [(order line, quantity)] of `orders` (the first one is the package's order):
    warehouse, carrier choice (SHIP-3), ship deadline (SHIP-2), expected weight, all set here (`_build`)."""
    now = clock.now()
    package = _build(orders, lines, next_package_no(now), _Loaded(), now)
    return _save_all([(package, orders, lines, note)], actor)[0]


def _lines_to_ship(lines) -> list[tuple[OrderLine, int]]:
    """The own-stock lines still to ship (dropship lines are the supplier's, PROD-10: `_dropship_requests`)."""
    return [
        (line, line.quantity - line.shipped_qty)
        for line in lines
        if line.quantity > line.shipped_qty and not _is_dropship(line)
    ]


def _is_dropship(line: OrderLine) -> bool:
    return line.sku_id is not None and line.sku.product.sourcing == Product.Sourcing.DROPSHIP


def create_for_order(order: Order, actor) -> Package | None:
    """ORD-7: an approved order becomes one package with every own-stock line still to ship (none if it already
    has an open package — approving twice is harmless)."""
    if open_packages(order):
        return None
    lines = _lines_to_ship(order.lines.select_related("sku__product").order_by("line_no"))
    if not lines:
        return None
    return create_package([order], lines, actor)


def create_for_orders(orders: list[Order], actor) -> list[Package]:
    """ORD-7, set-based `create_for_order`: each approved order without an open package becomes one package with
    every own-stock line still to ship — a fixed number of queries for any number of orders (open packages, lines
    with SKUs, warehouse, carriers, one settings read per shop, one package-number range, 4 INSERTs). PROD-10: the
    lines of dropship products are requested from their suppliers instead (DropshipRequested)."""
    orders = list(orders)
    if not orders:
        return []
    ids = [o.pk for o in orders]
    busy = set(
        PackageOrder.objects.filter(order_id__in=ids, package__state__in=OPEN).values_list("order_id", flat=True)
    )
    todo = [o for o in orders if o.pk not in busy]
    if not todo:
        return []
    by_order: dict[int, list[OrderLine]] = {}
    rows = OrderLine.objects.filter(order_id__in=[o.pk for o in todo]).select_related("sku__product")
    for line in rows.order_by("order_id", "line_no"):
        by_order.setdefault(line.order_id, []).append(line)
    _request_dropship(todo, by_order, actor)  # PROD-10: the supplier's lines go to the supplier's list
    plans = [(o, _lines_to_ship(by_order.get(o.pk, []))) for o in todo]
    plans = [(o, lines) for o, lines in plans if lines]
    if not plans:
        return []
    now = clock.now()
    loaded = _Loaded()
    numbers = package_numbers(len(plans), now)
    built = [
        (_build([order], lines, number, loaded, now), [order], lines, "")
        for (order, lines), number in zip(plans, numbers, strict=True)
    ]
    return _save_all(built, actor)


def cancel_for_order(order: Order, actor, note: str = "") -> list[Package]:
    """The order was closed: its packages that have not shipped are cancelled (their waybill numbers stay used)."""
    return cancel_for_orders({order.pk: note or f"订单 {order.platform_order_no} 已关闭"}, actor)


def cancel_for_orders(notes: dict[int, str], actor) -> list[Package]:
    """The open packages of the orders {order id: note} are cancelled, set-based (an import batch): one query finds
    them (usually none: our warehouse shipped them), one locks them, one UPDATE moves them (version + 1) and one
    INSERT writes their timeline entries with the note."""
    links = PackageOrder.objects.filter(order_id__in=list(notes), package__state__in=OPEN).order_by("package_id")
    order_of: dict[int, int] = {}
    for package_id, order_id in links.values_list("package_id", "order_id"):
        order_of.setdefault(package_id, order_id)  # a merged package of two such orders: cancelled once
    if not order_of:
        return []
    found = Package.objects.select_for_update(of=("self",)).filter(pk__in=list(order_of), state__in=OPEN)
    found = list(found.order_by("pk"))  # pk order: concurrent cancellations queue up, no deadlock
    now = clock.now()
    Package.objects.filter(pk__in=[p.pk for p in found]).update(
        state=State.CANCELLED, version=F("version") + 1, updated_at=now
    )
    cancelled = state_label(State.CANCELLED)  # every open state may be cancelled (TRANSITIONS)
    record_events(actor, [(p, "package_state", state_label(p.state), cancelled, notes[order_of[p.pk]]) for p in found])
    intercept.mark(found, {p.pk: notes[order_of[p.pk]] for p in found}, now)  # printed already: 拦截 for the warehouse
    for package in found:
        package.state, package.version, package.updated_at = State.CANCELLED, package.version + 1, now
    return found


# ---- the consequences of order state changes (core.domain_events.OrdersMoved, from orders.states.apply_moves) ---


def _on_orders_moved(event: OrdersMoved) -> None:
    """In the orders' transaction: approved orders become packages (in bulk); the open packages of orders closed or
    shipped without our warehouse (seller centre, order page, API, import) are cancelled, so nobody prints or
    ships them a second time. ship_package moves its own package to shipped before the order, so only packages
    left behind are open then."""
    actor, approved, notes = event.actor, [], {}
    for move in event.moves:
        order, to = move.order, move.to
        if to == Order.State.APPROVED:
            approved.append(order)
        elif to == Order.State.CLOSED and move.before:
            notes[order.pk] = f"订单 {order.platform_order_no} 已关闭"
        elif to in SHIPPED_ELSEWHERE and move.before:
            notes[order.pk] = f"订单 {order.platform_order_no} 已在仓库流程之外发货"
    if approved:
        create_for_orders(approved, actor)
    if notes:
        cancel_for_orders(notes, actor)


# ---- dropship lines (PROD-10) -----------------------------------------------------------------------------------


def _address(order: Order) -> str:
    parts = [order.province, order.city, order.district, order.street, order.address_detail]
    return "".join(p for p in parts if p) or order.address_raw


def _request_dropship(orders: list[Order], by_order: dict[int, list[OrderLine]], actor) -> None:
    """PROD-10 (decision): the lines of dropship products do not go into our package — they are requested from the
    product's supplier (DropshipRequested; purchasing puts them on the supplier's dropship list), in the
    approval's transaction (a product without a supplier refuses the approval, with the reason). A mixed order
    ships in two parts: our package with the own-stock lines, the supplier's parcel with the rest."""
    requests = []
    for order in orders:
        lines = [
            (line.sku_id, line.quantity - line.shipped_qty)
            for line in by_order.get(order.pk, [])
            if _is_dropship(line) and line.quantity > line.shipped_qty
        ]
        if lines:
            requests.append(
                DropshipRequest(
                    shop_id=order.shop_id,
                    reference=order.platform_order_no,
                    lines=tuple(lines),
                    receiver_name=order.receiver_name,
                    receiver_phone=order.receiver_phone,
                    receiver_address=_address(order),
                    buyer_note=order.buyer_message,
                )
            )
    if requests:
        deliver(DropshipRequested(requests=tuple(requests), actor=actor))


def connect() -> None:
    subscribe(OrdersMoved, _on_orders_moved)
