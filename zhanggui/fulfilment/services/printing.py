"""Printing waybills (SHIP-1): a print batch takes the 待打单 packages the person picked, sorted by order time, gives
each a waybill number from its carrier's account, and moves them to 已打单 (their orders 已审核 → 待发货). A reprint
needs a reason and is recorded (who, when, why); voiding a waybill sends the package back to 待打单.

The batch is set-based: one locked read of the packages, one read of their orders, one take of numbers per
(carrier, account), bulk updates and bulk timeline entries, and the orders' moves in one set
(orders.services.to_ship.send_to_ship_many) — the query count does not grow with the batch.

Two people printing the same packages at once (two tabs, two printers): the packages are locked (SELECT … FOR
UPDATE, in print order) before their state is read, so the second batch waits, then finds them 已打单 and refuses
them — one waybill number and one print per package; the one-to-one link of a pool number to its package backs it
in the database.

A batch holds at most fulfilment.print_batch_max packages (a company setting, 1,000 by default): what the person
ticked, or every 待打单 package matching the list's filters (`print_matching`, 打印全部符合条件的).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from zhanggui.channels import waybills as channel_waybills
from zhanggui.core import clock, sequences
from zhanggui.core.access import allowed_shops
from zhanggui.core.company_settings import get_company_setting
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, record_events
from zhanggui.orders.models import Order
from zhanggui.orders.services import states as order_states
from zhanggui.orders.services import to_ship

from ..models import Package, PackageOrder, PrintBatch, WaybillNumber, WaybillPrint
from . import packages as package_states
from . import waybills

State = Package.State
BLOCKING = {Order.State.ON_HOLD: "订单已挂起", Order.State.CLOSED: "订单已关闭"}


@dataclass
class BatchResult:
    batch: PrintBatch | None
    printed: list[Package] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (package number, Chinese reason)
    orders_left: list[tuple[str, str]] = field(default_factory=list)  # (order number, why): 打单 from the order list

    @property
    def refusals(self) -> list[str]:
        return [f"包裹 {no}：{why}" for no, why in self.refused] + [f"订单 {no}：{why}" for no, why in self.orders_left]


BATCH_SEQUENCE = "fulfilment.print_batch"


def next_batch_no(now=None) -> str:
    """B + Beijing date + the day's running number (B2612030001), from the company's sequence (core.sequences):
    readable, and unique however many printers start a batch at once."""
    local = clock.local(now or clock.now())
    prefix = f"B{local:%y%m%d}"

    def floor() -> int:  # numbers issued before the sequence existed
        last = PrintBatch.objects.filter(batch_no__startswith=prefix).order_by("-batch_no")
        last = last.values_list("batch_no", flat=True).first()
        return int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0

    return f"{prefix}{sequences.take(BATCH_SEQUENCE, local.date(), floor=floor):04d}"


def _create_batch(now, **fields) -> PrintBatch:
    return PrintBatch.objects.create(batch_no=next_batch_no(now), **fields)


def platform_waybill_refusal(service: str) -> str:
    """SHIP-1, TEAM-5: why an order with an encrypted receiver never prints on our own label."""
    return f"收件人信息已加密，不能打印我们的面单，请用{service}打单"


def _encrypted(packages: list[Package]) -> dict[int, str]:
    """Package id → refusal for packages carrying an order whose receiver only the platform's e-waybill can print
    (channels.waybills.platform_waybill: PDD's encrypted or masked receiver) — one query for the batch."""
    found: dict[int, str] = {}
    rows = PackageOrder.objects.filter(package__in=packages).values(
        "package_id", "order__platform_order_no", "order__receiver_name", "order__receiver_phone",
        "order__province", "order__address_detail", "order__shop__platform_id",
    )  # fmt: skip
    for row in rows:
        order = {key.removeprefix("order__"): value for key, value in row.items()}
        service = channel_waybills.platform_waybill_for(order["shop__platform_id"], order)
        if service:
            found.setdefault(row["package_id"], f"{platform_waybill_refusal(service)}（{order['platform_order_no']}）")
    return found


def _refusals(packages: list[Package]) -> dict[int, str]:
    """Package id → why it may not print now: an order on hold or closed (any order of a merged package), an order
    whose receiver is encrypted (only the platform's e-waybill prints it), or no carrier chosen yet."""
    why: dict[int, str] = _encrypted(packages)
    links = PackageOrder.objects.filter(package__in=packages, order__state__in=list(BLOCKING)).values_list(
        "package_id", "order__platform_order_no", "order__state"
    )
    for package_id, order_no, state in links:
        why.setdefault(package_id, f"{BLOCKING[state]}（{order_no}）")
    for p in packages:
        if p.order.state in BLOCKING:
            why.setdefault(p.pk, f"{BLOCKING[p.order.state]}（{p.order.platform_order_no}）")
        if p.carrier_id is None:
            why.setdefault(p.pk, "未选择快递公司")
    return why


def print_batch(actor, package_ids, size: str = "76x130") -> BatchResult:
    """SHIP-1: print the picked 待打单 packages of the actor's shops, sorted by order time. Packages that cannot print
    (order on hold / closed, no carrier, pool empty, not 待打单) are refused with a reason; the others print. Raises
    DomainError (with the reasons as details) when none can."""
    if size not in waybills.SIZES:
        raise DomainError("bad_size", "面单尺寸只能是 76×130 或 100×180", "size")
    ids = sorted({int(i) for i in package_ids})
    if not ids:
        raise DomainError("nothing_picked", "请先勾选要打印的包裹", "package_ids")
    check_batch_size(len(ids))
    shops = allowed_shops(actor)
    with transaction.atomic():
        found = list(
            Package.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, shop__in=shops)
            .select_related("order", "carrier", "shop")
            .order_by("ordered_at", "id")  # SHIP-1: labels come out in order time
        )
        result = BatchResult(batch=None)
        known = {p.pk for p in found}
        result.refused += [(str(i), "不存在或不在你的店铺范围内") for i in ids if i not in known]
        candidates = []
        for p in found:
            if p.state != State.TO_PRINT:
                result.refused.append((p.package_no, f"当前为“{package_states.state_label(p.state)}”，不是待打单"))
            else:
                candidates.append(p)
        blocked = _refusals(candidates)
        result.refused += [(p.package_no, blocked[p.pk]) for p in candidates if p.pk in blocked]
        candidates = [p for p in candidates if p.pk not in blocked]

        # one take per account (the carrier's account for the shop, else its all-shops one), in print order
        accounts = {key: waybills.account_for(*key) for key in {(p.carrier_id, p.shop_id) for p in candidates}}
        groups: dict[int, list[Package]] = defaultdict(list)
        for p in candidates:
            account = accounts[(p.carrier_id, p.shop_id)]
            if account is None:
                result.refused.append((p.package_no, f"{p.carrier}没有可用的电子面单账号"))
            else:
                groups[account.pk].append(p)
        by_pk = {a.pk: a for a in accounts.values() if a is not None}
        numbered: dict[int, str] = {}
        for account_pk, group in groups.items():
            account = by_pk[account_pk]
            numbers = waybills.provider_for(account).take(account, group)
            numbered.update({p.pk: n for p, n in zip(group, numbers, strict=False)})
            result.refused += [(p.package_no, f"{account.name} 运单号余量不足") for p in group[len(numbers) :]]
        printing = [p for p in candidates if p.pk in numbered]
        if not printing:
            raise DomainError("nothing_printed", "没有可打印的包裹", "package_ids", details=result.refusals)

        now = clock.now()
        shop_ids = {p.shop_id for p in printing}
        batch = _create_batch(
            now,
            shop_id=next(iter(shop_ids)) if len(shop_ids) == 1 else None,
            label_size=size,
            package_count=len(printing),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for p in printing:
            p.state, p.waybill_no, p.print_batch = State.PRINTED, numbered[p.pk], batch
            p.printed_at, p.print_count, p.version, p.updated_at = now, p.print_count + 1, p.version + 1, now
        Package.objects.bulk_update(
            printing, ["state", "waybill_no", "print_batch", "printed_at", "print_count", "version", "updated_at"]
        )
        WaybillPrint.objects.bulk_create(
            [WaybillPrint(package=p, batch=batch, printed_by=batch.created_by) for p in printing]
        )
        before, after = package_states.state_label(State.TO_PRINT), package_states.state_label(State.PRINTED)
        record_events(
            actor,
            [
                (p, "package_state", before, after, f"{p.carrier} {p.waybill_no}，批次 {batch.batch_no}")
                for p in printing
            ],
        )
        # the orders go to 待发货 (打单 done), as one set; merged packages carry several orders
        order_ids = PackageOrder.objects.filter(package__in=printing).values_list("order_id", flat=True)
        to_ship.send_to_ship_many(actor, list(order_ids), note=f"打单 {batch.batch_no}")
        result.batch, result.printed = batch, printing
    return result


def batch_limit() -> int:
    """SHIP-1: the most packages one print batch may hold (company setting fulfilment.print_batch_max)."""
    return int(get_company_setting("fulfilment.print_batch_max"))


def check_batch_size(count: int) -> None:
    limit = batch_limit()
    if count > limit:
        raise DomainError(
            "batch_too_large",
            f"一次最多打印 {limit} 个包裹，这次有 {count} 个。请按店铺、快递公司或下单日期缩小范围，分批打印",
            "package_ids",
        )


def print_matching(actor, packages, size: str = "76x130", *, through: int | None = None) -> BatchResult:
    """SHIP-1 打印全部符合条件的: every 待打单 package of the queryset `packages` (the list's filters, already limited
    to the person's shops) — up to package id `through`, the last one counted on the confirmation, so packages
    arriving meanwhile wait for the next batch and the count confirmed is the count printed. Refused in Chinese
    when none match or more than the batch limit do."""
    qs = packages.filter(state=State.TO_PRINT)
    if through is not None:
        qs = qs.filter(pk__lte=through)
    count = qs.count()
    if not count:
        raise DomainError("nothing_picked", "没有符合条件的待打单包裹", "package_ids")
    check_batch_size(count)
    return print_batch(actor, list(qs.values_list("pk", flat=True)), size)


def open_packages_of(orders):
    """The 待打单 packages carrying any of `orders` (a queryset or ids; a merged package once)."""
    return Package.objects.filter(state=State.TO_PRINT, package_orders__order__in=orders).distinct()


def print_orders(actor, orders, size: str = "76x130", *, through: int | None = None) -> BatchResult:
    """SHIP-1 打单 from the order list: the 待打单 packages of `orders` (ticked ids, or the list's filtered queryset)
    become one print batch, like the print queue's (same refusals, same limit). A ticked order without a package
    waiting to print is named with its state; `through` as in `print_matching`."""
    shops = allowed_shops(actor)
    picked = orders if hasattr(orders, "values") else Order.objects.filter(pk__in=[int(o) for o in orders])
    picked = picked.filter(shop__in=shops)  # another shop's order is not named, let alone printed
    packages = open_packages_of(picked.values("pk")).filter(shop__in=shops)
    if through is not None:
        packages = packages.filter(pk__lte=through)
    check_batch_size(packages.count())
    ids = list(packages.order_by().values_list("pk", flat=True))
    missing = []
    if not hasattr(orders, "values"):
        covered = set(PackageOrder.objects.filter(package_id__in=ids).values_list("order_id", flat=True))
        missing = [
            (number, f"没有待打单的包裹（订单为“{order_states.state_label(state)}”）")
            for pk, number, state in picked.order_by("pk").values_list("pk", "platform_order_no", "state")
            if pk not in covered
        ]
    if not ids:
        text = "所选订单没有待打单的包裹（订单审核后才有包裹）"
        raise DomainError(
            "nothing_picked", text, "orders", details=[text, *(f"订单 {no}：{why}" for no, why in missing)]
        )
    result = print_batch(actor, ids, size)
    result.orders_left = missing
    return result


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请填写原因", "reason")
    return reason[:200]


def reprint(actor, package: Package | int, reason: str, version=None) -> Package:
    """SHIP-1: print the same waybill again — reason required, recorded with who and when, print count + 1."""
    reason = _reason(reason)
    with transaction.atomic():
        current = package_states.lock(package, version)
        if not current.waybill_no or current.state not in {State.PRINTED, State.PACKED}:
            raise DomainError(
                "not_printed",
                f"包裹 {current.package_no} 当前为“{package_states.state_label(current.state)}”，没有可补打的面单",
                "state",
            )
        current.print_count += 1
        package_states.save_changes(current, ["print_count"])
        WaybillPrint.objects.create(package=current, reprint=True, reason=reason, printed_by=_staff(actor))
        record_event(actor, current, "waybill_reprint", note=f"{current.waybill_no}：{reason}")
    return current


def void_waybill(actor, package: Package | int, reason: str, version=None) -> Package:
    """SHIP-1: the label is unusable (wrong carrier, torn): its number is voided (never reused) and the package goes
    back to 待打单 to print with a new one."""
    reason = _reason(reason)
    with transaction.atomic():
        current = package_states.lock(package, version)
        old = current.waybill_no
        if current.state != State.PRINTED:
            raise DomainError(
                "not_printed",
                f"包裹 {current.package_no} 当前为“{package_states.state_label(current.state)}”，"
                "只有已打单的包裹可以作废面单",
                "state",
            )
        WaybillNumber.objects.filter(package=current).update(package=None, voided=True)
        current.waybill_no, current.print_batch = "", None
        package_states.move_locked(
            current, State.TO_PRINT, actor, f"作废面单 {old}：{reason}", fields=["waybill_no", "print_batch"]
        )
    return current


def _staff(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def batch_packages(batch: PrintBatch) -> list[Package]:
    """The packages of a batch in print order (order time), with what labels, slips and pick lists need."""
    return list(
        batch.packages.select_related("order", "shop__platform", "carrier", "warehouse")
        .prefetch_related("lines__sku__product", "lines__order_line")
        .order_by("ordered_at", "id")
    )
