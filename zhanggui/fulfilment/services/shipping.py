"""Ship (SHIP-1): a packed package leaves the warehouse — once.

`ship_package` in one transaction: the package's orders are locked first (pk order, as closing an order does, so
the two never deadlock), then the package; packed → shipped; the Shipment row is one-to-one with the package, so
two people pressing 发货 at once ship it once — the row lock makes the second wait and then find it shipped, and
the unique key is the database's last word (never a 500: a Chinese refusal). Stock is committed with the waybill
number as the document: the whole order reference (orders.states.commit_order) when the package carries every
unit the order still has to ship, else only the package's lines (inventory stock.commit_part). The order lines'
shipped_qty go up, the order gets carrier + tracking number and moves to 已发货, or 部分发货 while other parcels
remain.

Then the paperwork: the platform batch-ship file of a ship day (seller centre 批量发货 upload) and the daily
shipping record ("slips filed by date").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from zhanggui.channels import shipping as channel_shipping
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import states as order_states

from ..models import Package, PackageLine, PackageOrder, Shipment
from ..selectors import shipments_of_day
from . import packages

State = Package.State
OS = Order.State

register_event_kinds({"package_shipped": "发货"})


@dataclass
class ShipOutcome:
    shipped: list[Package]
    refused: list[tuple[int, str]]  # (package id, Chinese reason)


def _refuse_state(package: Package) -> DomainError:
    if package.state in (State.SHIPPED, State.SIGNED):
        return DomainError(
            "already_shipped", f"包裹 {package.package_no} 已发货（运单 {package.waybill_no}），不能重复发货", "state"
        )
    if package.state == State.CANCELLED:
        return DomainError("package_cancelled", f"包裹 {package.package_no} 已取消，不能发货", "state")
    return DomainError(
        "not_packed",
        f"包裹 {package.package_no} 当前为“{packages.state_label(package.state)}”，验货打包后才能发货",
        "state",
    )


def ship_package(actor, package: Package | int, *, note: str = "") -> Package:
    """SHIP-1: packed → shipped, once (see the module text)."""
    pk = getattr(package, "pk", package)
    try:
        with transaction.atomic():
            order_ids = sorted(PackageOrder.objects.filter(package_id=pk).values_list("order_id", flat=True))
            orders = {o.pk: o for o in (order_states.lock(i) for i in order_ids)}  # orders first, pk order
            current = packages.lock(pk)
            if current.state != State.PACKED:
                raise _refuse_state(current)
            if not current.carrier_id or not current.waybill_no:
                raise DomainError("no_waybill", f"包裹 {current.package_no} 没有快递公司或运单号，不能发货", "state")
            for order in orders.values():
                if order.state not in (OS.APPROVED, OS.TO_SHIP, OS.PART_SHIPPED):
                    raise DomainError(
                        "order_not_shippable",
                        f"订单 {order.platform_order_no} 当前为“{order_states.state_label(order.state)}”，不能发货",
                        "state",
                    )
            now = clock.now()
            current.shipped_at = now
            packages.move_locked(current, State.SHIPPED, actor, note or f"{current.carrier} {current.waybill_no}",
                                 fields=["shipped_at"])  # fmt: skip
            with transaction.atomic():  # the database's word: one Shipment per package
                Shipment.objects.create(
                    package=current,
                    shop_id=current.shop_id,
                    carrier_id=current.carrier_id,
                    waybill_no=current.waybill_no,
                    ship_day=clock.local(now).date(),
                    shipped_at=now,
                    shipped_by=actor if getattr(actor, "is_authenticated", False) else None,
                    weight_g=current.weight_g,
                )
            _ship_orders(actor, current, orders)
    except IntegrityError:  # a racing ship committed the Shipment first (the row lock normally catches it)
        found = Package.objects.filter(pk=pk).first()
        raise DomainError(
            "already_shipped", f"包裹 {found.package_no if found else pk} 已被他人发货，不能重复发货", "state"
        ) from None
    return current


def _ship_orders(actor, package: Package, orders: dict[int, Order]) -> None:
    """Stock, shipped quantities and order states of the package's orders (inside ship_package's transaction)."""
    carried: dict[int, dict[int, int]] = defaultdict(dict)  # order id → {order line id: qty in this package}
    for line_id, order_id, qty in PackageLine.objects.filter(package=package).values_list(
        "order_line_id", "order_line__order_id", "quantity"
    ):
        carried[order_id][line_id] = carried[order_id].get(line_id, 0) + qty
    carrier = package.carrier
    for order_id, order in orders.items():
        lines = {
            line.pk: line
            for line in OrderLine.objects.filter(order_id=order_id).only("id", "sku_id", "quantity", "shipped_qty")
        }
        mine = carried.get(order_id, {})
        remaining = {pk: line.quantity - line.shipped_qty for pk, line in lines.items()}
        if any(qty > remaining.get(pk, 0) for pk, qty in mine.items()):
            raise DomainError("over_shipped", f"订单 {order.platform_order_no} 的发货数量超过了未发数量", "state")
        everything = all(mine.get(pk, 0) >= left for pk, left in remaining.items())
        goods = [(lines[pk].sku_id, qty) for pk, qty in mine.items() if lines[pk].sku_id and qty]
        committed = order_states.commit_order(order, package.waybill_no, actor) if everything else []
        if goods and not committed:  # part of the order, or an order that never had stock reserved
            stock.commit_part(order_states.reference(order), goods, package.waybill_no, actor)
        for pk, qty in mine.items():  # conditional: never more than the line's quantity
            done = OrderLine.objects.filter(pk=pk, shipped_qty__lte=F("quantity") - qty).update(
                shipped_qty=F("shipped_qty") + qty
            )
            if not done:
                raise DomainError("over_shipped", f"订单 {order.platform_order_no} 的发货数量超过了未发数量", "state")
        if order.state == OS.APPROVED:  # nobody pressed 打单 on the order itself: the package was printed
            order_states.move_locked(order, OS.TO_SHIP, actor, f"包裹 {package.package_no} 已打单")
        name = carrier.name if carrier else ""
        if everything:
            order_states.ship(actor, order, carrier=name, tracking_no=package.waybill_no)
        elif order.state == OS.TO_SHIP:
            order_states.ship_partly(actor, order, carrier=name, tracking_no=package.waybill_no)
        else:  # already 部分发货: another parcel of it leaves; the latest waybill goes on the order
            order.carrier, order.tracking_no = name[:30], package.waybill_no[:40]
            order_states.bump(order, ["carrier", "tracking_no"])
            record_event(actor, order, "package_shipped", note=f"包裹 {package.package_no} {name} {package.waybill_no}")


def ship_packages(actor, ids, shops=None) -> ShipOutcome:
    """Ship several packages (批量发货), each in its own transaction: one refusal does not stop the others."""
    qs = Package.objects.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    if shops is not None:
        qs = qs.filter(shop__in=shops)
    outcome = ShipOutcome([], [])
    for package in qs.order_by("ordered_at", "id"):
        try:
            outcome.shipped.append(ship_package(actor, package))
        except DomainError as exc:
            outcome.refused.append((package.pk, exc.message))
    if not outcome.shipped and not outcome.refused:
        raise DomainError("nothing_selected", "请先选择要发货的包裹", "ids")
    return outcome


# ---- the daily shipping record and the platform batch-ship files ---------------------------------------------


def parse_day(text) -> dt.date:
    if not text:
        return clock.today()
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise DomainError("bad_day", f"日期格式不对：{text}（应为 2026-12-03）", "day") from None


def _platform_parcels(shop, day: dt.date) -> list[tuple[Shipment, list[str]]]:
    """[(shipment, its order numbers)] of the shop's parcels shipped on `day` that belong in the platform's
    batch-ship file (SHIP-1): only orders the platform issued (channels.shipping.in_platform_file) — a parcel of
    manual orders only is left out, a merged parcel keeps its platform orders."""
    platform = shop.platform_id
    shipments = list(shipments_of_day([shop], day))
    links = defaultdict(list)
    for package_id, order_no, source in (
        PackageOrder.objects.filter(package_id__in=[s.package_id for s in shipments])
        .order_by("order__ordered_at", "order_id")
        .values_list("package_id", "order__platform_order_no", "order__source")
    ):
        if channel_shipping.in_platform_file(platform, source):
            links[package_id].append(order_no)
    for s in shipments:
        own = s.package.order
        if s.package_id not in links and channel_shipping.in_platform_file(platform, own.source):
            links[s.package_id].append(own.platform_order_no)
    return [(s, links[s.package_id]) for s in shipments if links.get(s.package_id)]


def _parcel(s: Shipment, order_nos: list[str]) -> channel_shipping.Parcel:
    return channel_shipping.Parcel(
        order_nos=order_nos,
        carrier_name=s.carrier.name,
        carrier_code=s.carrier.code,
        carrier_codes=s.carrier.platform_codes or {},
        waybill_no=s.waybill_no,
        shipped_at=clock.local(s.shipped_at),
    )


def batch_ship_parcels(shop, day: dt.date) -> list[channel_shipping.Parcel]:
    """The shop's parcels shipped on `day`, as the batch-ship file needs them (channels.shipping.Parcel): each with
    every platform order it carries (a merged parcel ships several orders under one waybill number)."""
    return [_parcel(s, order_nos) for s, order_nos in _platform_parcels(shop, day)]


def batch_ship_file(shop, day: dt.date) -> tuple[str, bytes]:
    """(file name, bytes) of the shop's platform batch-ship CSV for `day` (the platform's columns and encoding:
    channels.shipping); the shipments in it are marked as uploaded (the first time) — a parcel of manual orders
    only is not in it and stays unmarked."""
    chosen = _platform_parcels(shop, day)
    data = channel_shipping.batch_ship_file(shop.platform_id, [_parcel(s, nos) for s, nos in chosen])
    Shipment.objects.filter(pk__in=[s.pk for s, _nos in chosen], uploaded_at__isnull=True).update(
        uploaded_at=clock.now()
    )
    return f"批量发货-{shop.code}-{day:%Y%m%d}.csv", data
