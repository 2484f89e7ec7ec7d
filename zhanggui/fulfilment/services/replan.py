"""An approved order is edited (ORD-7): its open package follows (ORD-2, SHIP-1, SHIP-3).

orders.services.edits delivers OrderEdited (core.domain_events) inside the edit's transaction — orders never import
fulfilment (rule 2 of the house) — and `on_order_edited` re-plans every package of the order that has not shipped:

- Printed or packed: the label names the old address, carrier or goods, so its waybill number is voided (never
  reused) and the package goes back to 待打单 to be printed again (SHIP-1), with a timeline entry; a packed parcel
  is scanned and weighed again (its verification and weight are reset).
- Lines (exchange, quantity): the package's lines of the order are taken again from the order's own-stock lines
  still to ship, and the expected weight recomputed; a package left without lines is cancelled.
- The carrier rules run again (carrier_rules.plan, SHIP-3) for the new address, weight and carrier: the default
  carrier, EMS where it does not reach (申通不到西藏 → EMS), the remote surcharge (新疆/西藏/广西), urgent 顺丰 and a
  carrier the buyer requested are kept where they still reach. A change of carrier or surcharge is on the package's
  timeline and, ORD-2/ORD-3, remarked on the order (工号 快递 备注).
- Where the rules cannot decide — the new address cannot be read, the urgent or requested carrier does not reach
  it, a merged parcel whose orders no longer share one address — the order goes on hold (挂起, so it does not
  print) with the reason, for 审单 to decide (decision: the state machine has no way back from 已审核 to 待审核; a
  hold with the reason is how 审单 sends an order back, as its batch reject does).
- A carrier edit names the carrier (free text on the order): it must be one of the carrier table that reaches the
  address, else the edit itself is refused (DomainError: the edit's transaction keeps nothing).
"""

from __future__ import annotations

from zhanggui.core.domain_events import OrderEdited, subscribe
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.orders.models import Order
from zhanggui.orders.services import states as order_states
from zhanggui.orders.services.remarks import append_remark, remark_line

from ..models import Carrier, Package, PackageLine, PackageOrder, WaybillNumber
from . import carrier_rules, packages

State = Package.State
WHY = {"address": "订单改了收货地址", "lines": "订单改了商品", "carrier": "订单改了快递"}


def _void_label(package: Package, actor, why: str) -> None:
    """SHIP-1: the printed label no longer fits: its number is voided and the package goes back to 待打单."""
    old = package.waybill_no
    WaybillNumber.objects.filter(package=package).update(package=None, voided=True)
    package.waybill_no, package.print_batch = "", None
    fields = ["waybill_no", "print_batch"]
    if package.state == State.PACKED:  # the parcel is checked and weighed again with its new label
        PackageLine.objects.filter(package=package).update(verified_qty=0)
        package.weight_g, package.packed_at, package.packed_by = None, None, None
        fields += ["weight_g", "packed_at", "packed_by"]
    note = f"{why}，面单 {old} 作废，需重新打印" if old else f"{why}，需重新打印"
    packages.move_locked(package, State.TO_PRINT, actor, note, fields=fields)


def _retake_lines(package: Package, order: Order, actor, why: str) -> bool:
    """The package's lines of `order` follow the order's lines (exchange, quantity); False when none is left (the
    package is cancelled)."""
    PackageLine.objects.filter(package=package, order_line__order=order).delete()
    lines = packages._lines_to_ship(order.lines.select_related("sku__product").order_by("line_no"))
    PackageLine.objects.bulk_create(
        [PackageLine(package=package, order_line=line, sku_id=line.sku_id, quantity=qty) for line, qty in lines]
    )
    kept = list(PackageLine.objects.filter(package=package).select_related("sku"))
    if not kept:
        packages.move_locked(package, State.CANCELLED, actor, f"{why}，包裹中已没有要发的商品")
        return False
    package.expected_weight_g = sum((line.sku.weight_g or 0) * line.quantity for line in kept if line.sku_id)
    packages.save_changes(package, ["expected_weight_g"])
    return True


def _named_carrier(text: str) -> Carrier:
    """The carrier table's carrier an edited order names (code, name or short name), or a Chinese refusal."""
    text = str(text or "").strip()
    for carrier in Carrier.objects.filter(active=True).order_by("sort", "id"):
        if text.upper() == carrier.code.upper() or text in (carrier.name, carrier.short_name):
            return carrier
    raise DomainError(
        "unknown_carrier", f"快递“{text}”不在快递表中，已审核订单的包裹只能改用快递表中已启用的快递", "carrier"
    )


def _requested(package: Package) -> str:
    """The carrier a buyer asked for (kept through an address or line edit), '' for the automatic choice."""
    if package.carrier_id and package.carrier_note.startswith(carrier_rules.REQUESTED):
        return package.carrier.code
    return ""


def _hold(order: Order, actor, reason: str) -> None:
    """ORD-7: the rules cannot decide — the order waits on hold with the reason (printing refuses held orders)."""
    if order.state in order_states.HOLDABLE:
        order_states.hold(actor, order, f"重新审单：{reason}")
    else:
        record_event(actor, order, "order_state", note=f"重新审单：{reason}")


def _replan(package: Package, order: Order, event: OrderEdited, why: str) -> None:
    """SHIP-3: the carrier rules again for the package (see the module text)."""
    actor = event.actor
    if event.change == "carrier":
        want = _named_carrier(order.carrier)
        choice = carrier_rules.plan(package.shop, order, package.expected_weight_g, requested=want.code)
    else:
        if event.change == "address" and PackageOrder.objects.filter(package=package).exclude(order=order).exists():
            _hold(order, actor, f"{why}，与合并发货的订单不再是同一地址")
            return
        if order.exc_address:
            _hold(order, actor, f"{why}，新地址无法识别")
            return
        try:
            choice = carrier_rules.plan(
                package.shop, order, package.expected_weight_g, urgent=package.urgent, requested=_requested(package)
            )
        except DomainError as refusal:
            _hold(order, actor, f"{why}，{refusal.message}")
            return
    before = (package.carrier_id, package.carrier_note, package.surcharge_fen, package.urgent)
    old_name = carrier_rules._name(package.carrier) or "—"
    carrier_rules._set(package, choice)
    packages.save_changes(package, carrier_rules.CHOICE_FIELDS)
    if before == (package.carrier_id, package.carrier_note, package.surcharge_fen, package.urgent):
        return
    new_name = carrier_rules._name(choice.carrier)
    note = f"{why}，重新选择快递" + (f"：{choice.note}" if choice.note else "")
    record_event(actor, package, "package_carrier", from_state=old_name, to_state=new_name, note=note)
    if choice.note:  # ORD-2, ORD-3: the switch and the surcharge are remarked on the order (工号 快递 备注)
        order.seller_remark = append_remark(order.seller_remark, remark_line(actor, choice.note, new_name))
        Order.objects.filter(pk=order.pk).update(seller_remark=order.seller_remark)


def on_order_edited(event: OrderEdited) -> None:
    """In the edit's transaction: every open package of the order follows the edit (module text)."""
    order, why = event.order, WHY.get(event.change, "订单已修改")
    for found in packages.open_packages(order):
        package = packages.lock(found)
        if package.state not in packages.OPEN:
            continue
        if event.change == "carrier" and _named_carrier(order.carrier).pk == package.carrier_id:
            continue  # the package already goes with it: its label stays good
        if package.state in (State.PRINTED, State.PACKED):
            _void_label(package, event.actor, why)
        if event.change == "lines" and not _retake_lines(package, order, event.actor, why):
            continue
        _replan(package, order, event, why)


def connect() -> None:
    subscribe(OrderEdited, on_order_edited)
