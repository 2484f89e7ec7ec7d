"""The order state machine (ORD-4, ORD-5, ORD-7): ONE transition table, one function per move,
each move on the timeline with the 工号 of whoever made it.

    待付款 pending_payment → 待审核 to_review → 已审核 approved → 待发货/打单 to_ship
        → 部分发货 part_shipped → 已发货 shipped → 已签收 signed → 交易成功 completed
    已关闭 closed: from every state before completion (see below); 挂起 on_hold: from to_review / approved /
    to_ship, and back to exactly the state it came from (Order.state_before_hold) on release.

Decisions:
- shipped → completed directly is legal (Taobao's TRADE_FINISHED without TRADE_BUYER_SIGNED; 签收 is COD/PDD only).
- Refunds after shipping: a platform "已发货，退款成功" closes the order, so closed is legal from part_shipped /
  shipped / signed (and from on_hold). A completed order is final: after-sales refunds and returns are handled
  by the returns flow, the order stays 交易成功 (refund_fen records the money).
- ONE owner of the consequences (rule 3 of the house): every state change, whatever its source — order page, API,
  审单 batch (`approve_many`), file import (imports.py hands over its batch's moves), connectors, the supplier's
  tracking (supplier_shipping.py) — ends in `apply_moves(actor, moves)`, for one order or a set, in a fixed number
  of queries per set. It applies the stock consequences below and delivers OrdersMoved (core.domain_events) in the
  same transaction, on which fulfilment creates or cancels packages and purchasing cancels dropship orders.
- Stock (ORD-4): entering a paid pre-shipping state (to_review, approved, to_ship; or paid straight into a hold)
  reserves the matched own-stock lines under the reference ``order:<pk>`` when the order has no reservation yet;
  too little stock does NOT block the move, it puts the order in the out-of-stock queue (exc_out_of_stock, ORD-9).
  Lines of dropship products (catalog Product.sourcing, PROD-10) are never reserved: the supplier ships them.
  Closing releases what is still reserved (nothing once shipping committed it). Holding keeps the reservation: a
  held order still owns its goods. Our warehouse ships through fulfilment, which commits the package's goods
  (`commit_order` / commit_part, document = the waybill number) before it moves the order.
- Shipped elsewhere (decision): an order that reaches 已发货 / 已签收 / 交易成功 while it still holds a reservation
  was shipped without our warehouse — by hand in the seller centre (the next export says so) or marked on the order
  page / API. The goods did leave, so the reservation is COMMITTED (on hand and reserved go down), with the
  platform's tracking number as the document, or the order number when there is none; the order's timeline says so,
  and fulfilment cancels its open packages (nobody prints or ships them a second time). Units never reserved (an
  out-of-stock order) are not taken from stock: we cannot know they came from our shelves.
- ORD-5: a bank-transfer order (payment_method "bank") that becomes paid goes on hold at once with
  BANK_HOLD_REASON (setting orders.bank_transfer_hold, default on); only `manual.confirm_payment` (finance) may
  release that hold.
- Every move bumps Order.version; a move based on an older version is refused (stale_version), like purchasing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from zhanggui.catalog.models import Product
from zhanggui.core import clock
from zhanggui.core.domain_events import OrderMove, OrdersMoved, deliver
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.core.states import Machine
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services import stock
from zhanggui.shops.settings_store import get_setting

from ..models import Order, OrderLine
from . import stockout

State = Order.State

# ORD-4, ORD-7: the only moves an order can make.
TRANSITIONS: dict[str, set[str]] = {
    State.PENDING_PAYMENT: {State.TO_REVIEW, State.CLOSED},
    State.TO_REVIEW: {State.APPROVED, State.ON_HOLD, State.CLOSED},
    State.APPROVED: {State.TO_SHIP, State.ON_HOLD, State.CLOSED},
    State.TO_SHIP: {State.PART_SHIPPED, State.SHIPPED, State.ON_HOLD, State.CLOSED},
    State.PART_SHIPPED: {State.SHIPPED, State.CLOSED},
    State.SHIPPED: {State.SIGNED, State.COMPLETED, State.CLOSED},
    State.SIGNED: {State.COMPLETED, State.CLOSED},
    State.COMPLETED: set(),
    State.CLOSED: set(),
    # Back only to state_before_hold (checked in `move_locked`), or closed (refund while held).
    State.ON_HOLD: {State.TO_REVIEW, State.APPROVED, State.TO_SHIP, State.CLOSED},
}
HOLDABLE = {State.TO_REVIEW, State.APPROVED, State.TO_SHIP}
PAID_UNSHIPPED = {State.TO_REVIEW, State.APPROVED, State.TO_SHIP}  # ORD-4: the goods are reserved here
SHIPPED_ELSEWHERE = {State.SHIPPED, State.SIGNED, State.COMPLETED}  # reserved still here: not shipped by us
OPEN_STATES = {State.PENDING_PAYMENT, State.TO_REVIEW, State.APPROVED, State.TO_SHIP, State.ON_HOLD}
FINAL = {State.COMPLETED, State.CLOSED}

BANK_HOLD_REASON = "银行转账待财务确认到账"  # ORD-5

# Chinese state names for the timeline and messages: stored text, independent of the request language.
STATE_NAMES = {
    State.PENDING_PAYMENT: "待付款",
    State.TO_REVIEW: "待审核",
    State.APPROVED: "已审核",
    State.TO_SHIP: "待发货（打单）",
    State.PART_SHIPPED: "部分发货",
    State.SHIPPED: "已发货",
    State.SIGNED: "已签收",
    State.COMPLETED: "交易成功",
    State.CLOSED: "已关闭",
    State.ON_HOLD: "挂起",
}

register_event_kinds(
    {
        "order_state": "订单状态",
        "order_stock": "订单库存",
    }
)


def reference(order) -> str:
    """The stock reservation reference of an order (one per order)."""
    return f"order:{getattr(order, 'pk', order)}"


def finished_with_stock(keys: list[str]) -> dict[str, str]:
    """INV-2, ORD-4: the reference check stock-verify asks of orders (inventory's register_reference_check, from
    OrdersConfig.ready()): {key of "order:<key>": why} for the orders among `keys` that no longer need reserved
    goods — shipped, signed for, completed or closed (a reservation is committed on shipping, released on closing)."""
    ids = [int(key) for key in keys if key.isdigit()]
    done = Order.objects.filter(pk__in=ids, state__in=[*SHIPPED_ELSEWHERE, State.CLOSED])
    return {
        str(pk): f"订单 {no} {STATE_NAMES[state]}"
        for pk, no, state in done.values_list("pk", "platform_order_no", "state")
    }


# ---------------------------------------------------------------------------------------------------------------
# Locking, versions, labels and refusals: the one helper (core.states)
# ---------------------------------------------------------------------------------------------------------------

ORDER_STATES = Machine(Order, TRANSITIONS, names=STATE_NAMES, name="订单 {platform_order_no}", event_kind="order_state")
state_label = ORDER_STATES.label
check_version = ORDER_STATES.check_version  # refuse a change based on an older version (stale_version)
lock = ORDER_STATES.lock  # the order re-read with a row lock inside the caller's transaction
locked = ORDER_STATES.lock  # … and its version checked: locked(order, version)
bump = ORDER_STATES.save  # save fields and raise the version by one
_illegal = ORDER_STATES.illegal  # the IllegalTransition of a move, with the Chinese state names


_SYNC_FIELDS = (
    "state",
    "state_before_hold",
    "hold_reason",
    "version",
    "paid_at",
    "shipped_at",
    "completed_at",
    "closed_at",
    "carrier",
    "tracking_no",
    "exc_out_of_stock",
    "seller_remark",
    "flag",
    "updated_at",
)


def sync(target, source: Order) -> None:
    """Copy what a service changed on the locked copy back onto the caller's instance (when it is one)."""
    if isinstance(target, Order) and target is not source:
        for name in _SYNC_FIELDS:
            setattr(target, name, getattr(source, name))


# ---------------------------------------------------------------------------------------------------------------
# Stock (ORD-4): reserve on payment, release on closing, commit on shipping (SHIP-1)
# ---------------------------------------------------------------------------------------------------------------


def stock_lines(order_ids) -> dict[int, list[tuple[int, int]]]:
    """{order id: [(sku id, quantity still to ship)]} of the matched own-stock lines, in one query for many orders;
    unmatched lines wait in their own queue (ORD-9), dropship lines are the supplier's (PROD-10), and orders without
    such lines are absent."""
    found: dict[int, list[tuple[int, int]]] = {}
    rows = OrderLine.objects.filter(order_id__in=list(order_ids), sku__isnull=False).order_by("order_id", "line_no")
    rows = rows.exclude(sku__product__sourcing=Product.Sourcing.DROPSHIP)  # PROD-10: the supplier ships these
    for order_id, sku_id, qty, shipped in rows.values_list("order_id", "sku_id", "quantity", "shipped_qty"):
        if qty > shipped:
            found.setdefault(order_id, []).append((sku_id, qty - shipped))
    return found


def _stock_lines(order: Order) -> list[tuple[int, int]]:
    return stock_lines([order.pk]).get(order.pk, [])


def has_reservation(order) -> bool:
    return Reservation.objects.filter(reference=reference(order)).exists()


def reserve_order(order: Order, actor=None, lines=None, *, tell: bool = True) -> list[Reservation]:
    """ORD-4: reserve the matched lines of a paid order (reference ``order:<pk>``, idempotent).

    Too little stock does not fail: the order goes into the out-of-stock queue (exc_out_of_stock, ORD-9) with a
    timeline entry naming the short SKU, and nothing is reserved (all or nothing). A later successful reservation
    takes the order out of the queue. Other stock errors (no warehouse, combo without parts) propagate.
    `lines` (from `stock_lines`) saves the query when many orders are reserved at once. An order found short tells
    customer service at once (SHIP-2, stockout); `tell=False`: the caller tells for a whole set."""
    lines = _stock_lines(order) if lines is None else lines
    if not lines:
        return []
    try:
        reservations = stock.reserve(reference(order), lines, actor=actor)
    except DomainError as error:
        if error.code != "insufficient_stock":
            raise
        if not order.exc_out_of_stock:
            order.exc_out_of_stock = True
            Order.objects.filter(pk=order.pk).update(exc_out_of_stock=True)
        record_event(actor, order, "order_stock", to_state="缺货", note=error.message)
        if tell:
            stockout.tell_customer_service(actor, [order])  # SHIP-2: CS is told at once
        return []
    if order.exc_out_of_stock:
        order.exc_out_of_stock = False
        Order.objects.filter(pk=order.pk).update(exc_out_of_stock=False)
        record_event(actor, order, "order_stock", from_state="缺货", to_state="已预留", note="库存已预留，移出缺货队列")
    return reservations


def release_order(order: Order, actor=None, note: str = "") -> list[Reservation]:
    """ORD-4: give back what the order still holds (closed, refunded). Idempotent."""
    return stock.release(reference(order), actor=actor, note=note or f"订单 {order.platform_order_no} 释放预留")


def commit_order(order: Order, document: str, actor=None) -> list[Reservation]:
    """Shipping (SHIP-1): the reserved goods leave the warehouse — on hand and reserved go down (`document`: the
    waybill number). Idempotent."""
    return stock.commit(reference(order), document, actor=actor)


# ---------------------------------------------------------------------------------------------------------------
# The consequences of state changes: ONE owner for every source (rule 3 of the house)
# ---------------------------------------------------------------------------------------------------------------


# An order first seen already in one of these states (an import of old orders) never held goods or a package of ours.
ARRIVED_FINISHED = {State.PART_SHIPPED, State.SHIPPED, State.SIGNED, State.COMPLETED, State.CLOSED}


def is_history(before: str, to: str) -> bool:
    """ORD-1, ORD-4: a move of an order created straight into a shipped, completed or closed state (the platform's
    past, imported) has no consequences — nothing was reserved, packed or requested for it — so apply_moves skips it
    and a bulk caller need not build it (an import of 200,000 old orders builds no move at all)."""
    return not before and to in ARRIVED_FINISHED


def _enters_paid(move: OrderMove) -> bool:
    """ORD-4: the move puts the goods under reservation — a paid pre-shipping state, or paid straight into a hold
    (an import's platform risk hold on a new or unpaid order: held from a paid state)."""
    if move.to in PAID_UNSHIPPED:
        return True
    held_from = getattr(move.order, "state_before_hold", "")
    return move.to == State.ON_HOLD and move.before in ("", State.PENDING_PAYMENT) and held_from in PAID_UNSHIPPED


def apply_moves(
    actor, moves: list[OrderMove], *, note: str = "", strict_stock: bool = True, by_import: bool = False
) -> None:
    """THE consequences of order state changes for the other apps, for one order or a whole set (module text): the
    orders' rows are written (state, timeline) — this applies stock and tells the other apps, in the caller's
    transaction and in a fixed number of queries per set (plus the reservations of orders that hold none yet).

    - reserve (ORD-4): orders entering a paid pre-shipping state without a reservation; too little stock puts
      them in the out-of-stock queue. `strict_stock=False` (the file import: a row is never lost for stock, ORD-1):
      other stock errors (no warehouse yet) put the order in that queue too instead of refusing the change;
    - release: closed orders give back what they still hold;
    - shipped elsewhere: orders reaching shipped / signed / completed that still hold a reservation commit it
      against the platform's tracking number (else the order number), with a timeline entry;
    - OrdersMoved is delivered: fulfilment's packages, purchasing's dropship orders, analytics' sales facts (not
      for `by_import`: an import batch's moves, whose run names its days in OrdersImported) (core.domain_events)."""
    moves = [m for m in moves if m.before != m.to and not is_history(m.before, m.to)]
    if not moves:
        return
    entering = [m.order for m in moves if _enters_paid(m)]
    if entering:
        held = Reservation.objects.filter(reference__in=[reference(o) for o in entering])
        held = set(held.values_list("reference", flat=True))
        todo = [o for o in entering if reference(o) not in held]
        lines = stock_lines([o.pk for o in todo]) if todo else {}
        short = []
        for order in (o for o in todo if o.pk in lines):  # orders without own-stock lines reserve nothing
            try:
                if not reserve_order(order, actor, lines[order.pk], tell=False):  # too little stock → ORD-9 queue
                    short += [order] if order.exc_out_of_stock else []
            except DomainError as error:
                if strict_stock:
                    raise
                Order.objects.filter(pk=order.pk).update(exc_out_of_stock=True)
                record_events(actor, [(order, "order_stock", "", "缺货", error.message)])
                short.append(order)
        stockout.tell_customer_service(actor, short)  # SHIP-2: CS is told at once, one task per order
    closed = {reference(m.order): m.order for m in moves if m.to == State.CLOSED and m.before}
    if closed:
        notes = {ref: note or f"订单 {o.platform_order_no} 释放预留" for ref, o in closed.items()}
        stock.close_many({ref: ("", text) for ref, text in notes.items()}, Reservation.State.RELEASED, actor)
    gone = {reference(m.order): m.order for m in moves if m.to in SHIPPED_ELSEWHERE and m.before}
    if gone:
        _commit_shipped_elsewhere(actor, gone)
    # In this transaction: fulfilment creates the approved orders' packages and cancels the packages of orders
    # closed or shipped elsewhere; purchasing cancels the dropship orders of closed orders.
    deliver(OrdersMoved(moves=tuple(moves), actor=actor, by_import=by_import))


def _commit_shipped_elsewhere(actor, gone: dict[str, Order]) -> None:
    """The goods of orders shipped without our warehouse left: their open reservations are committed against the
    platform's tracking number, else the order number (module text, "Shipped elsewhere")."""
    open_refs = Reservation.objects.filter(reference__in=list(gone), state=Reservation.State.OPEN)
    open_refs = set(open_refs.values_list("reference", flat=True).distinct())
    if not open_refs:
        return
    ids = [gone[ref].pk for ref in open_refs]
    rows = Order.objects.filter(pk__in=ids).values_list("pk", "tracking_no", "platform_order_no")
    numbers = {pk: tracking or no for pk, tracking, no in rows}
    documents = {ref: numbers[gone[ref].pk] for ref in open_refs}
    stock.close_many({ref: (doc, "") for ref, doc in documents.items()}, Reservation.State.COMMITTED, actor)
    record_events(
        actor,
        [
            (gone[ref], "order_stock", "已预留", "已出库", f"已在仓库流程之外发货，库存按 {doc} 出库")
            for ref, doc in sorted(documents.items())
        ],
    )


# ---------------------------------------------------------------------------------------------------------------
# The move
# ---------------------------------------------------------------------------------------------------------------


def state_event(order: Order, before: str, to: str, note: str = "", reason: str = "") -> tuple:
    """The timeline row (for core.events.record_events) of a move: 从 → 到, reason and note (one place for the text
    of the single and the batch moves)."""
    text = " ".join(t for t in (reason, note) if t)
    return (order, "order_state", state_label(before), state_label(to), text)


def move_locked(
    order: Order, to: str, actor, note: str = "", *, reason: str = "", bank_confirmed: bool = False
) -> Order:
    """Move a LOCKED order to `to` if the table allows it; side effects per target; timeline entry with 工号."""
    if to not in State.values:
        raise DomainError("bad_state", f"未知的订单状态：{to}", "to")
    before = order.state
    if to not in TRANSITIONS[before]:
        raise _illegal(order, to)
    fields = ["state"]
    now = clock.now()
    if before == State.ON_HOLD and to != State.CLOSED:
        if to != order.state_before_hold:
            raise _illegal(order, to, f"（挂起前为“{state_label(order.state_before_hold)}”，解除挂起只能回到原状态）")
        if order.hold_reason == BANK_HOLD_REASON and not bank_confirmed:  # ORD-5
            raise DomainError(
                "payment_unconfirmed",
                f"订单 {order.platform_order_no} 是银行转账订单，需财务确认到账后才能解除挂起",
                "state",
            )
    if to == State.ON_HOLD:
        order.state_before_hold, order.hold_reason = before, (reason or "")[:200]
        fields += ["state_before_hold", "hold_reason"]
    elif before == State.ON_HOLD:
        order.state_before_hold, order.hold_reason = "", ""
        fields += ["state_before_hold", "hold_reason"]
    if to == State.TO_REVIEW and before == State.PENDING_PAYMENT and not order.paid_at:
        order.paid_at = now
        fields.append("paid_at")
    if to in {State.PART_SHIPPED, State.SHIPPED} and not order.shipped_at:
        order.shipped_at = now
        fields.append("shipped_at")
    if to == State.COMPLETED:
        order.completed_at = now
        fields.append("completed_at")
    if to == State.CLOSED:
        order.closed_at = now
        fields.append("closed_at")
    order.state = to
    bump(order, fields)
    record_events(actor, [state_event(order, before, to, note, reason)])
    apply_moves(actor, [OrderMove(order, before, to)], note=note or reason)
    return order


def transition(order, to: str, actor, note: str = "", version=None, *, reason: str = "") -> Order:
    """Move `order` (instance or pk) to state `to` in its own transaction (row lock, version check). Used by the
    import (ORD-1) and the per-move functions below; returns the saved order (and updates the given instance)."""
    with transaction.atomic():
        current = locked(order, version)
        move_locked(current, to, actor, note, reason=reason)
    sync(order, current)
    return current


# ---- one function per move ------------------------------------------------------------------------------------


def mark_paid(actor, order, *, version=None, note: str = "") -> Order:
    """待付款 → 待审核: the buyer paid; the goods are reserved (ORD-4). ORD-5: a bank-transfer order goes on hold
    at once until finance confirms the money (`manual.confirm_payment`)."""
    with transaction.atomic():
        current = locked(order, version)
        move_locked(current, State.TO_REVIEW, actor, note)
        if current.payment_method == "bank" and get_setting(current.shop, "orders.bank_transfer_hold"):
            move_locked(current, State.ON_HOLD, actor, reason=BANK_HOLD_REASON)
    sync(order, current)
    return current


def approve(actor, order, *, version=None, note: str = "") -> Order:
    """待审核 → 已审核 (审单, ORD-7) of ONE order (page buttons). ORD-8: a customised order is refused until its
    production and QC are done (services/custom.py), then it goes on in the normal flow. Many orders at once:
    `approve_many` (same rules, set-based)."""
    from .custom import review_blockers  # custom.py builds on this module

    with transaction.atomic():
        current = locked(order, version)
        blocker = review_blockers([current]).get(current.pk) if State.APPROVED in TRANSITIONS[current.state] else ""
        if blocker:
            raise DomainError("custom_not_done", blocker, "state")
        move_locked(current, State.APPROVED, actor, note)
    sync(order, current)
    return current


def approve_many(actor, order_ids, note: str = "", *, versions: dict | None = None) -> tuple[list[Order], list[str]]:
    """待审核 → 已审核 (审单, ORD-7) of many orders at once, in the caller's transaction (one is opened when there is
    none): the rules of `approve` / `move_locked` applied set-based, a fixed number of queries whatever the count.

    - the orders are locked in ONE SELECT … FOR UPDATE (pk order: concurrent batches queue up, no deadlock);
    - refused (kept as they are, with a Chinese reason each): unknown ids, orders not in 待审核, orders whose
      version differs from `versions` {id: version seen} (stale_version), customised orders whose production and
      QC are not done (ORD-8, one query over CustomWork);
    - one UPDATE (state, version + 1, updated_at), the timeline entries in one INSERT;
    - the consequences through `apply_moves`, set-based: ORD-4 reserves the orders without a reservation (normally
      none: paid orders are), fulfilment creates the packages in bulk (OrdersMoved).
    Returns (approved orders, refusal messages)."""
    from .custom import review_blockers

    with transaction.atomic():
        candidates, refused = lock_movable(
            order_ids, State.APPROVED, versions, allowed=lambda o: o.state == State.TO_REVIEW
        )
        blockers = review_blockers(candidates)  # ORD-8
        approved = [o for o in candidates if o.pk not in blockers]
        refused += [blockers[o.pk] for o in candidates if o.pk in blockers]
        move_set(actor, approved, State.APPROVED, note=note)
    return approved, refused


def hold_many(actor, order_ids, reason: str, *, versions: dict | None = None) -> tuple[list[Order], list[str]]:
    """待审核 / 已审核 / 待发货 → 挂起 of many orders at once with one reason (required), the rules of `hold` set-based:
    one locking SELECT, one UPDATE (each order remembers the state it left), the timeline in one INSERT,
    `apply_moves` for the lot (stock stays reserved). Refused, with a reason each: unknown ids, stale versions,
    orders that cannot be held from their state. Returns (held orders, refusal messages)."""
    reason = str(reason or "").strip()[:200]
    if not reason:
        raise DomainError("reason_required", "挂起订单请填写原因", "reason")
    with transaction.atomic():
        held, refused = lock_movable(order_ids, State.ON_HOLD, versions)
        for order in held:  # the state each order leaves, remembered for 解除挂起
            order.state_before_hold, order.hold_reason = order.state, reason
        # the UPDATE's right-hand sides read the old row: state_before_hold takes the state being left
        move_set(
            actor, held, State.ON_HOLD, reason=reason, also={"state_before_hold": F("state"), "hold_reason": reason}
        )
    return held, refused


def lock_movable(order_ids, to: str, versions: dict | None = None, *, allowed=None) -> tuple[list[Order], list[str]]:
    """The first half of a set-based move, inside the caller's transaction: the orders locked in ONE SELECT … FOR
    UPDATE (pk order: concurrent batches queue up, no deadlock), and those that may move to `to` (the table, or
    `allowed(order)`) at the version seen (`versions` {id: version}). Returns (movable orders, a Chinese refusal for
    each of the others: unknown ids, stale versions, illegal moves)."""
    versions = versions or {}
    ids = sorted({int(getattr(o, "pk", o)) for o in order_ids})
    rows = list(Order.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")) if ids else []
    refused = [f"订单 #{pk} 不存在" for pk in sorted(set(ids) - {o.pk for o in rows})]
    movable = []
    for order in rows:
        try:
            check_version(order, versions.get(order.pk))
        except DomainError as error:
            refused.append(error.message)
            continue
        if not (allowed(order) if allowed else to in TRANSITIONS[order.state]):
            refused.append(_illegal(order, to).message)
            continue
        movable.append(order)
    return movable, refused


def move_set(
    actor, orders: list[Order], to: str, *, note: str = "", reason: str = "", also: dict | None = None
) -> None:
    """The second half of a set-based move of LOCKED orders: one UPDATE (state, version + 1, updated_at and `also`),
    the timeline in one INSERT, then the consequences in other apps through `apply_moves` — a fixed number of
    queries whatever the count."""
    if not orders:
        return
    now = clock.now()
    moves = [OrderMove(o, o.state, to) for o in orders]
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        state=to, version=F("version") + 1, updated_at=now, **(also or {})
    )
    for order in orders:
        order.state, order.version, order.updated_at = to, order.version + 1, now
    record_events(actor, [state_event(m.order, m.before, m.to, note, reason=reason) for m in moves])
    apply_moves(actor, moves, note=" ".join(t for t in (reason, note) if t))


def send_to_ship(actor, order, *, version=None, note: str = "") -> Order:
    """已审核 → 待发货 (打单: printed for the warehouse)."""
    return transition(order, State.TO_SHIP, actor, note, version)


def _ship(actor, order, to, *, version, note, carrier, tracking_no) -> Order:
    with transaction.atomic():
        current = locked(order, version)
        if carrier or tracking_no:
            current.carrier = (carrier or current.carrier)[:30]
            current.tracking_no = (tracking_no or current.tracking_no)[:40]
            current.save(update_fields=["carrier", "tracking_no"])
        detail = " ".join(t for t in (current.carrier, current.tracking_no) if t)
        move_locked(current, to, actor, " ".join(t for t in (detail, note) if t))
    sync(order, current)
    return current


def ship_partly(actor, order, *, version=None, note: str = "", carrier: str = "", tracking_no: str = "") -> Order:
    """待发货 → 部分发货 (some parcels left)."""
    return _ship(actor, order, State.PART_SHIPPED, version=version, note=note, carrier=carrier, tracking_no=tracking_no)


def ship(actor, order, *, version=None, note: str = "", carrier: str = "", tracking_no: str = "") -> Order:
    """待发货 / 部分发货 → 已发货, with carrier and tracking number. Stock is committed by fulfilment when our warehouse
    ships (commit_order, SHIP-1), else here as "shipped elsewhere" (apply_moves)."""
    return _ship(actor, order, State.SHIPPED, version=version, note=note, carrier=carrier, tracking_no=tracking_no)


def sign(actor, order, *, version=None, note: str = "") -> Order:
    """已发货 → 已签收."""
    return transition(order, State.SIGNED, actor, note, version)


def complete(actor, order, *, version=None, note: str = "") -> Order:
    """已发货 / 已签收 → 交易成功."""
    return transition(order, State.COMPLETED, actor, note, version)


def close(actor, order, reason: str, *, version=None, note: str = "") -> Order:
    """→ 已关闭 (cancelled, unpaid timeout, refunded — also after shipping); releases the reservation (ORD-4).
    A reason is required."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "关闭订单请填写原因", "reason")
    return transition(order, State.CLOSED, actor, note, version, reason=reason)


def hold(actor, order, reason: str, *, version=None, note: str = "") -> Order:
    """待审核 / 已审核 / 待发货 → 挂起, remembering where it came from; a reason is required. Stock stays reserved."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "挂起订单请填写原因", "reason")
    return transition(order, State.ON_HOLD, actor, note, version, reason=reason)


def release_hold(actor, order, *, version=None, note: str = "") -> Order:
    """挂起 → the state it was in before (Order.state_before_hold). Bank-transfer holds: see confirm_payment."""
    with transaction.atomic():
        current = locked(order, version)
        if current.state != State.ON_HOLD:
            raise IllegalTransition(
                "not_on_hold",
                f"订单 {current.platform_order_no} 当前为“{state_label(current.state)}”，没有挂起",
                "state",
            )
        move_locked(current, current.state_before_hold or State.TO_REVIEW, actor, note)
    sync(order, current)
    return current


def allowed_moves(order: Order) -> list[str]:
    """The states a person can move the order to now (page buttons)."""
    from .custom import review_blocker

    if order.state == State.ON_HOLD:
        if order.hold_reason == BANK_HOLD_REASON:  # ORD-5: only finance's confirmation releases it (move_locked)
            return [State.CLOSED]
        return [s for s in (order.state_before_hold, State.CLOSED) if s]
    moves = [s for s in State.values if s in TRANSITIONS[order.state]]
    if State.APPROVED in moves and review_blocker(order):  # ORD-8: no 审核 button before production and QC
        moves.remove(State.APPROVED)
    return moves
