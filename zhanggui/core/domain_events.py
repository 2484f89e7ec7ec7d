"""The domain-event catalogue: every event between apps whose dependencies point the other way (rule 2 of the house).

One frozen dataclass per event: its fields are the payload, its docstring names who publishes it and who listens,
and `publisher` / `listeners` say the same for the test that keeps the catalogue honest (tests/core/
test_domain_events.py: every event has a listener, nobody listens to an event outside the catalogue). A listener
takes the event instance: ``subscribe(StockChanged, on_stock_changed)`` → ``on_stock_changed(event)``.

`publish` delivers to the listeners after the current transaction commits (at once outside one), so a listener never
sees a change that was rolled back. `deliver` calls them at once, inside the caller's transaction: for consequences
that must commit or roll back together with the change (an order's packages, its stock) and for a publisher that
already runs after its commit and holds locks the listeners need.

Payload fields that are model instances are typed `object`: core imports no app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.db import transaction


@dataclass(frozen=True)
class DomainEvent:
    """The base of every event in the catalogue."""

    publisher: ClassVar[str] = ""  # the module that publishes it
    listeners: ClassVar[tuple[str, ...]] = ()  # the modules whose listeners subscribe to it (in their app's ready())


# ---- orders ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderMove:
    """One order state change: `order` (an orders.Order; pk, shop_id, platform_order_no, state_before_hold are
    read) went from `before` ("" for an order created in `to`, e.g. by an import) to `to`."""

    order: object
    before: str
    to: str


@dataclass(frozen=True)
class OrdersMoved(DomainEvent):
    """Orders changed state — whatever the source (order page, API, 审单 batch, file import, connector): delivered
    inside the transaction by the ONE owner of the consequences, orders.services.states.apply_moves, with the moves
    of one change (one order) or of a whole batch (approve_many, an import batch).

    Listeners: fulfilment.services.packages — approved orders become packages (own-stock lines; dropship lines are
    requested from the supplier: DropshipRequested), closed or shipped-elsewhere orders cancel their open packages;
    fulfilment.services.review — orders entering 待审核 are approved at once when the shop approves automatically
    (ORD-7); purchasing.services.dropship_routing — a closed order cancels its dropship orders not yet shipped
    (PROD-10); analytics.services.facts — created, paid and closed orders change their paid day's sales facts
    (DATA-2), recomputed after the commit; `by_import`: the moves of an import batch, whose OrdersImported names
    the days instead (one recomputation per run, not one per batch)."""

    publisher: ClassVar[str] = "zhanggui.orders.services.states"
    listeners: ClassVar[tuple[str, ...]] = (
        "zhanggui.fulfilment.services.packages",
        "zhanggui.fulfilment.services.review",
        "zhanggui.purchasing.services.dropship_routing",
        "zhanggui.analytics.services.facts",
    )

    moves: tuple[OrderMove, ...]
    actor: object = None
    by_import: bool = False


@dataclass(frozen=True)
class OrdersImported(DomainEvent):
    """An order import run finished (published after its commit by orders.services.imports).

    Listeners: fulfilment.services.review — the shop's automatic review (ORD-7) of what is now clean;
    analytics.services.facts — the sales facts of `days` (the Beijing paid days, before and after, of the orders
    the run created or changed) are recomputed (DATA-2)."""

    publisher: ClassVar[str] = "zhanggui.orders.services.imports"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.fulfilment.services.review", "zhanggui.analytics.services.facts")

    shop_id: int
    actor: object = None
    days: tuple = ()  # datetime.date


@dataclass(frozen=True)
class OrderEdited(DomainEvent):
    """An order's receiver address, lines (exchange, quantity) or carrier was edited before shipping (ORD-7):
    delivered inside the edit's transaction by orders.services.edits, with `order` (the edited orders.Order, locked
    and saved) and `change` ("address", "lines" or "carrier").

    Listener: fulfilment.services.replan — the order's open package follows the edit (ORD-2, SHIP-1, SHIP-3): a
    printed label is voided (the package goes back to 待打单 to be printed again), the lines are re-taken, the
    carrier rules run again for the new address (e.g. 申通 does not reach 西藏 → EMS, remote surcharge); where the
    rules cannot decide, the order goes on hold with the reason for 审单 — or a carrier edit the rules refuse is
    refused. Listener: analytics.services.facts — a line edit of a paid order changes its day's sales facts."""

    publisher: ClassVar[str] = "zhanggui.orders.services.edits"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.fulfilment.services.replan", "zhanggui.analytics.services.facts")

    order: object
    change: str  # "address" | "lines" | "carrier"
    actor: object = None


@dataclass(frozen=True)
class RefundReport:
    """What an order export says of one order's refund (ORD-9, AS-2): `order_id` / `order_no` of the shop's order
    as now written, its state after the import, the amount refunded (fen) and paid, the platform's status text and
    whether a refund is still open (退款中, 售后处理中)."""

    order_id: int
    order_no: str
    state: str
    refund_fen: int
    paid_fen: int
    status: str = ""
    refund_open: bool = False


@dataclass(frozen=True)
class RefundsReported(DomainEvent):
    """The refund columns of an order export (Taobao 退款金额 / 订单状态, PDD 售后状态, JD 订单状态) show refunds
    on orders this import created or changed: published after each import batch commits by
    orders.services.refund_reports, with `reports` (RefundReport) of one shop.

    Listener: aftersales.services.refund_import — each report creates or updates the order's after-sales case,
    idempotently (the case keyed by the order: platform_refund_id "order:<order no>", adopted later by the refund
    list's own refund id)."""

    publisher: ClassVar[str] = "zhanggui.orders.services.refund_reports"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.aftersales.services.refund_import",)

    shop_id: int
    reports: tuple[RefundReport, ...]
    actor: object = None


# ---- inventory -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockChanged(DomainEvent):
    """PROD-6: the availability of these SKUs crossed zero (sold out, or back in stock); `available` = {SKU id:
    on hand − reserved summed over the active warehouses}, read after the commit (inventory.services.stock).

    Listener: catalog.services.listing_stock — marks sold-out SKUs and delists / relists listings."""

    publisher: ClassVar[str] = "zhanggui.inventory.services.stock"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.catalog.services.listing_stock",)

    sku_ids: tuple[int, ...]
    available: dict


# ---- dropship (PROD-10) ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DropshipRequest:
    """The dropship lines [(SKU id, quantity)] of one approved order, with what the supplier needs to ship."""

    shop_id: int
    reference: str  # the platform order number
    lines: tuple[tuple[int, int], ...]
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    buyer_note: str = ""


@dataclass(frozen=True)
class DropshipRequested(DomainEvent):
    """Approved orders (审单) carry lines of dropship products: fulfilment.services.packages puts the own-stock lines
    in a package and requests these from the suppliers (delivered inside the approval's transaction).

    Listener: purchasing.services.dropship_routing — one dropship order per preferred supplier (the supplier's list)."""

    publisher: ClassVar[str] = "zhanggui.fulfilment.services.packages"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.purchasing.services.dropship_routing",)

    requests: tuple[DropshipRequest, ...]
    actor: object = None


@dataclass(frozen=True)
class DropshipShipped(DomainEvent):
    """A supplier shipped its dropship order (the supplier's tracking import, purchasing.services.dropship;
    published after its commit): `lines` [(SKU id, quantity)] left with `carrier` / `tracking_no`.

    Listener: orders.services.supplier_shipping — the order's lines are shipped and the order moves to 已发货 (or
    部分发货 while own-stock lines wait) through the one owner of its consequences."""

    publisher: ClassVar[str] = "zhanggui.purchasing.services.dropship"
    listeners: ClassVar[tuple[str, ...]] = ("zhanggui.orders.services.supplier_shipping",)

    shop_id: int
    reference: str
    supplier_id: int
    carrier: str
    tracking_no: str
    lines: tuple[tuple[int, int], ...] = ()
    actor: object = None


CATALOGUE: tuple[type[DomainEvent], ...] = (
    OrdersMoved,
    OrdersImported,
    OrderEdited,
    RefundsReported,
    StockChanged,
    DropshipRequested,
    DropshipShipped,
)

_SUBSCRIBERS: dict[type[DomainEvent], list[Callable]] = defaultdict(list)


def _checked(kind) -> type[DomainEvent]:
    if kind not in CATALOGUE:
        raise TypeError(f"{kind!r} is not an event of the catalogue (core.domain_events.CATALOGUE)")
    return kind


def subscribe(kind: type[DomainEvent], handler: Callable) -> None:
    """`handler(event)` runs for every `kind` event published or delivered."""
    if handler not in _SUBSCRIBERS[_checked(kind)]:
        _SUBSCRIBERS[kind].append(handler)


def subscribers(kind: type[DomainEvent]) -> list[Callable]:
    return list(_SUBSCRIBERS.get(kind, ()))


def publish(event: DomainEvent) -> None:
    """The listeners of `event` run after the current transaction commits."""
    for handler in subscribers(_checked(type(event))):
        transaction.on_commit(lambda handler=handler: handler(event))


def deliver(event: DomainEvent) -> None:
    """The listeners of `event` run now, in the caller's transaction."""
    for handler in subscribers(_checked(type(event))):
        handler(event)
