"""Merge and split (ORD-3, ORD-7): which parcels the warehouse makes of the approved orders.

Merge: 待审核 / 已审核 orders of the same buyer to the same address (receiver name + phone + full address) in the
same shop, not yet in a printed package, are suggested for one parcel; on confirmation (`merge`) the orders still
待审核 are approved (merging is the reviewer's decision), their open 待打单 packages are cancelled and ONE package
carries all their lines; each order gets the red flag and the remark “同一买家N单合并发货” (ORD-3: the total count).
Split: `split_package` moves quantities of a 待打单 package to a new package; `split_suggestion` proposes splitting
off what is in stock when part of a package is out of stock (inventory available_by_sku). Every step is on the
packages' timelines.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.inventory.services import stock
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import remarks, states

from ..models import Package, PackageLine, PackageOrder
from . import packages

S = Order.State
P = Package.State
MERGEABLE = (S.TO_REVIEW, S.APPROVED)
MERGED_REMARK_END = "合并发货"

register_event_kinds({"package_split": "拆分包裹", "package_merge": "合并包裹"})

_ADDRESS = ("receiver_name", "receiver_phone", "province", "city", "district", "street", "address_detail")


def merged_remark(n: int) -> str:
    """ORD-3: the red-flag remark of a merged parcel, stating the total count."""
    return f"同一买家{n}单{MERGED_REMARK_END}"


def _key(row) -> tuple:
    return (row["shop_id"], *((row[f] or "").strip() for f in _ADDRESS))


def merge_suggestions(shops) -> list[dict]:
    """Groups of ≥ 2 orders to merge: [{"shop_id", "receiver_name", "address", "orders": [ids]}] — in three queries
    (candidates, their packages). Orders already in a printed package, or already sharing one package, are left out."""
    rows = list(
        Order.objects.filter(shop__in=shops, state__in=MERGEABLE)
        .exclude(receiver_name="", receiver_phone="")
        .values("id", "shop_id", *_ADDRESS)
        .order_by("id")
    )
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[_key(row)].append(row)
    ids = [r["id"] for members in groups.values() if len(members) > 1 for r in members]
    links = PackageOrder.objects.filter(order_id__in=ids, package__state__in=packages.OPEN | {P.SHIPPED, P.SIGNED})
    package_of: dict[int, set] = defaultdict(set)
    printed: set[int] = set()
    for order_id, package_id, state in links.values_list("order_id", "package_id", "package__state"):
        package_of[order_id].add(package_id)
        if state != P.TO_PRINT:
            printed.add(order_id)
    found = []
    for members in groups.values():
        members = [m for m in members if m["id"] not in printed]
        if len(members) < 2:
            continue
        shared = set.intersection(*(package_of.get(m["id"], set()) for m in members))
        if shared:  # already one parcel
            continue
        first = members[0]
        address = "".join(first[f] or "" for f in ("province", "city", "district", "street", "address_detail"))
        found.append(
            {
                "shop_id": first["shop_id"],
                "receiver_name": first["receiver_name"],
                "receiver_phone": first["receiver_phone"],
                "address": address,
                "orders": [m["id"] for m in members],
            }
        )
    return found


def merge(actor, order_ids, shops=None, note: str = "") -> Package:
    """Merge the orders into ONE package (see the module text); all or nothing."""
    ids = sorted({int(getattr(o, "pk", o)) for o in order_ids or []})
    if len(ids) < 2:
        raise DomainError("merge_too_few", "请至少选择两个订单合并", "order")
    with transaction.atomic():
        qs = Order.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        if shops is not None:
            qs = qs.filter(shop__in=shops)
        orders = list(qs.order_by("pk"))
        if len(orders) != len(ids):
            raise DomainError("no_order", "部分订单不存在或不在当前店铺，请刷新", "order")
        first = orders[0]
        for order in orders:
            if order.state not in MERGEABLE:
                raise DomainError(
                    "merge_state",
                    f"订单 {order.platform_order_no} 当前为“{states.state_label(order.state)}”，不能合并",
                    "order",
                )
            if order.shop_id != first.shop_id or _key(_as_row(order)) != _key(_as_row(first)):
                raise DomainError("merge_mismatch", "只能合并同一店铺、同一买家、同一地址的订单", "order")
        for order in orders:
            for package in packages.open_packages(order):
                if package.state != P.TO_PRINT:
                    raise DomainError(
                        "merge_printed",
                        f"订单 {order.platform_order_no} 的包裹 {package.package_no} 已打单，不能合并",
                        "order",
                    )
        for order in orders:
            if order.state == S.TO_REVIEW:
                states.approve(actor, order, note="合并发货审单通过")
        names = "、".join(o.platform_order_no for o in orders)
        for order in orders:
            for package in packages.open_packages(order):
                current = packages.lock(package)
                packages.move_locked(current, P.CANCELLED, actor, f"合并发货：订单 {names}")
        lines = [
            (line, line.quantity - line.shipped_qty)
            for line in OrderLine.objects.filter(order__in=orders).select_related("sku").order_by("order_id", "line_no")
            if line.quantity > line.shipped_qty
        ]
        if not lines:
            raise DomainError("merge_empty", "这些订单没有待发货的商品", "order")
        package = packages.create_package(orders, lines, actor, note=f"合并 {len(orders)} 单：{names} {note}".strip())
        remarks.flag_orders(actor, orders, Order.Flag.RED, merged_remark(len(orders)))  # ORD-3
    return package


def _as_row(order: Order) -> dict:
    return {"shop_id": order.shop_id, **{f: getattr(order, f) for f in _ADDRESS}}


def split_package(actor, package, moves: dict, version=None) -> Package:
    """Move `moves` {package line id: quantity} of a 待打单 package to a new package; at least one unit stays."""
    wanted = {int(k): int(v) for k, v in (moves or {}).items() if int(v or 0) > 0}
    if not wanted:
        raise DomainError("split_empty", "请填写要拆出的数量", "lines")
    with transaction.atomic():
        current = packages.lock(package, version)
        if current.state != P.TO_PRINT:
            raise DomainError(
                "split_state",
                f"包裹 {current.package_no} 当前为“{packages.state_label(current.state)}”，只有待打单的包裹可以拆分",
                "state",
            )
        lines = {
            pl.pk: pl
            for pl in PackageLine.objects.select_for_update(of=("self",))
            .filter(package=current)
            .select_related("order_line__sku")
        }
        if set(wanted) - set(lines):
            raise DomainError("split_line", "要拆出的商品不在这个包裹里", "lines")
        for pk, qty in wanted.items():
            if qty > lines[pk].quantity:
                raise DomainError("split_qty", f"拆出数量 {qty} 超过包裹中的数量 {lines[pk].quantity}", "lines")
        if sum(pl.quantity for pl in lines.values()) - sum(wanted.values()) < 1:
            raise DomainError("split_all", "不能把全部商品拆出，原包裹至少保留一件", "lines")
        moved = []
        for pk, qty in sorted(wanted.items()):
            pl = lines[pk]
            moved.append((pl.order_line, qty))
            if qty == pl.quantity:
                pl.delete()
            else:
                PackageLine.objects.filter(pk=pk).update(quantity=F("quantity") - qty)
        order_ids = {line.order_id for line, _qty in moved}
        orders = list(Order.objects.filter(pk__in=order_ids))
        new = packages.create_package(orders, moved, actor, note=f"从包裹 {current.package_no} 拆出")
        still = PackageLine.objects.filter(package=current).select_related("sku")
        current.expected_weight_g = sum((pl.sku.weight_g or 0) * pl.quantity for pl in still if pl.sku_id)
        left = set(still.values_list("order_line__order_id", flat=True))
        PackageOrder.objects.filter(package=current).exclude(order_id__in=left).delete()
        packages.save_changes(current, ["expected_weight_g"])
        what = "，".join(f"{line.title or line.outer_code}×{qty}" for line, qty in moved)
        record_event(
            actor, current, "package_split", to_state=new.package_no, note=f"拆出到包裹 {new.package_no}：{what}"
        )
    return new


def split_suggestion(package) -> dict[int, int]:
    """Part of the package is out of stock: {package line id: quantity in stock} to split off and ship now ({} when
    all or nothing is available, or the goods are already reserved for the package's orders)."""
    package = package if isinstance(package, Package) else Package.objects.get(pk=package)
    if package.state != P.TO_PRINT:
        return {}
    order_ids = list(package.package_orders.values_list("order_id", flat=True))
    if not Order.objects.filter(pk__in=order_ids, exc_out_of_stock=True).exists():
        return {}
    lines = list(package.lines.filter(sku__isnull=False).order_by("id"))
    left = stock.available_by_sku([pl.sku_id for pl in lines])
    take: dict[int, int] = {}
    for pl in lines:
        n = max(0, min(pl.quantity, left.get(pl.sku_id, 0)))
        left[pl.sku_id] = left.get(pl.sku_id, 0) - n
        if n:
            take[pl.pk] = n
    total = sum(pl.quantity for pl in lines) + package.lines.filter(sku__isnull=True).count()
    if not take or sum(take.values()) >= total:
        return {}
    return take
