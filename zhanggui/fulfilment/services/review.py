"""审单 (ORD-2, ORD-7): why an order waits for a person, automatic approval of the clean ones, batch approve/reject.

An order "needs a person" for each reason `reasons` finds; an order without any is clean. Reasons are computed for
many orders at once in a fixed number of queries (the orders, their unmatched lines, their custom work; one
settings read per shop) — never one query per order.

Decisions (documented here, the one place):
- Address not parsed cleanly: exc_address, or province / city / district missing.
- Stock not available: exc_out_of_stock (the reservation failed, ORD-4/ORD-9), or exc_unmatched / a line without
  a SKU (ORD-9: nothing to reserve or pick).
- Buyer message: any non-empty message needs a person.
- Seller remark needs attention when it is non-empty, UNLESS the order carries the purple flag (ORD-3: purple =
  "准确无误，可以发货", checked and ready to ship) — or every remark line is the merge note this module's merge
  writes ("同一买家N单合并发货", plan.MERGED_REMARK): a merge is itself a reviewer's decision.
- Amount: paid_fen ≥ setting fulfilment.auto_approve_max waits (the setting says "only below this amount").
- Platform risk hold (exc_risk) and refund requested (exc_refund).
- Custom order not finished (ORD-8, orders.services.custom.review_blocker — same rule, set-based here).
- The receiver is encrypted or masked (PDD: the 2023 export and the API give no plain name, phone or detailed
  address, channels.waybills.platform_waybill): the order must be printed on the platform's own e-waybill
  (拼多多电子面单), never on our label (SHIP-1, TEAM-5) — the reviewer is told so, and printing refuses it.
- Default carrier does not reach the address (SHIP-3): asked of carrier_rules.unreachable_by_default(shop, adcodes)
  when that part provides it; skipped otherwise.

Automatic approval (ORD-7) runs only when the shop's setting fulfilment.auto_approve is on: orders when they enter
待审核 (domain event OrdersMoved), whole shops after an import (OrdersImported), from the review page's button and
from the Celery task fulfilment.tasks.auto_review_shop. Approval goes through the state machine set-based:
orders.services.states.approve_many (row locks, version, timeline, reservation, refusals; its OrdersMoved event
creates the packages in bulk, packages.create_for_orders) — a fixed number of queries per chunk of orders.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from zhanggui.channels import waybills
from zhanggui.core.errors import DomainError
from zhanggui.orders.models import CustomWork, Order, OrderLine
from zhanggui.orders.services import states
from zhanggui.shops.settings_store import get_setting

S = Order.State
CHUNK = 500
QUEUE_CHUNK = 2000  # orders per `reasons` call when the review page reads its whole queue
APPROVE_CHUNK = 1000  # orders per set-based approval (states.approve_many)
AUTO_NOTE = "自动审核"

REASON_ADDRESS = "地址未解析完整"
REASON_STOCK = "库存不足"
REASON_UNMATCHED = "商品未匹配SKU"
REASON_MESSAGE = "买家留言"
REASON_REMARK = "卖家备注需处理"
REASON_AMOUNT = "金额超过自动审核上限"
REASON_RISK = "平台风控"
REASON_REFUND = "买家申请退款"
REASON_NO_LINES = "没有商品明细"  # ORD-9: nothing to pick or pack until the lines are imported
REASON_CUSTOM = "定制未完成"
REASON_UNREACHABLE = "默认快递不到"
REASON_PLATFORM_WAYBILL = "收件人信息已加密，需用{service}打单"  # SHIP-1, TEAM-5

_FIELDS = (
    "id",
    "shop_id",
    "kind",
    "province",
    "city",
    "district",
    "adcode",
    "buyer_message",
    "seller_remark",
    "flag",
    "paid_fen",
    "exc_address",
    "exc_out_of_stock",
    "exc_unmatched",
    "exc_risk",
    "exc_refund",
    "exc_no_lines",
    "receiver_name",
    "receiver_phone",
    "address_detail",
    "shop__platform_id",
)


def _remark_needs_attention(remark: str, flag: str) -> bool:
    from .plan import MERGED_REMARK_END

    if flag == Order.Flag.PURPLE:  # ORD-3: checked and ready to ship
        return False
    lines = [ln for ln in (remark or "").split("\n") if ln.strip()]
    return any(not ln.rstrip().endswith(MERGED_REMARK_END) for ln in lines)


def _shop_max(shop_ids) -> dict[int, int]:
    from zhanggui.shops.models import Shop

    return {
        shop.pk: int(get_setting(shop, "fulfilment.auto_approve_max") or 0)
        for shop in Shop.objects.filter(pk__in=shop_ids)
    }


def _unreachable(rows) -> set[int]:
    """SHIP-3 reach of the default carrier, when carrier_rules provides a set-based check (else nothing)."""
    from . import carrier_rules

    check = getattr(carrier_rules, "unreachable_by_default", None)
    if check is None:
        return set()
    from zhanggui.shops.models import Shop

    by_shop = defaultdict(list)
    for row in rows:
        if row["adcode"]:
            by_shop[row["shop_id"]].append(row)
    out = set()
    for shop in Shop.objects.filter(pk__in=list(by_shop)):
        bad = set(check(shop, {r["adcode"] for r in by_shop[shop.pk]}))
        out |= {r["id"] for r in by_shop[shop.pk] if r["adcode"] in bad}
    return out


def reasons(orders) -> dict[int, list[str]]:
    """ORD-7: {order id: [Chinese reasons]} for `orders` (a queryset, instances or ids); [] = clean. A fixed number
    of queries per call (the chunking is the caller's)."""
    if hasattr(orders, "values"):
        rows = list(orders.values(*_FIELDS))
    else:
        ids = [int(getattr(o, "pk", o)) for o in orders]
        rows = list(Order.objects.filter(pk__in=ids).values(*_FIELDS)) if ids else []
    if not rows:
        return {}
    ids = [r["id"] for r in rows]
    unmatched = set(OrderLine.objects.filter(order_id__in=ids, sku__isnull=True).values_list("order_id", flat=True))
    stages = dict(CustomWork.objects.filter(order_id__in=ids).values_list("order_id", "stage"))
    limits = _shop_max({r["shop_id"] for r in rows})
    far = _unreachable(rows)
    found: dict[int, list[str]] = {}
    for r in rows:
        why = []
        if r["exc_address"] or not (r["province"] and r["city"] and r["district"]):
            why.append(REASON_ADDRESS)
        if r["exc_out_of_stock"]:
            why.append(REASON_STOCK)
        if r["exc_unmatched"] or r["id"] in unmatched:
            why.append(REASON_UNMATCHED)
        if (r["buyer_message"] or "").strip():
            why.append(REASON_MESSAGE)
        if _remark_needs_attention(r["seller_remark"], r["flag"]):
            why.append(REASON_REMARK)
        limit = limits.get(r["shop_id"], 0)
        if limit and r["paid_fen"] >= limit:
            why.append(REASON_AMOUNT)
        if r["exc_risk"]:
            why.append(REASON_RISK)
        if r["exc_refund"]:
            why.append(REASON_REFUND)
        if r["exc_no_lines"]:
            why.append(REASON_NO_LINES)
        stage = stages.get(r["id"])
        if (r["kind"] == Order.Kind.CUSTOM or stage is not None) and stage != CustomWork.Stage.DONE:  # ORD-8
            why.append(REASON_CUSTOM)
        if r["id"] in far:
            why.append(REASON_UNREACHABLE)
        service = waybills.platform_waybill_for(r["shop__platform_id"], r)
        if service:  # SHIP-1, TEAM-5: only the platform's e-waybill can print an encrypted receiver
            why.append(REASON_PLATFORM_WAYBILL.format(service=service))
        found[r["id"]] = why
    return found


def queue(orders) -> dict[int, list[str]]:
    """ORD-7: `reasons` of every order of a queryset (the 审单 queue with the page's filters), QUEUE_CHUNK orders per
    call: the page counts its tabs over the whole queue and pages through it, in a fixed number of queries per
    chunk."""
    found: dict[int, list[str]] = {}
    ordered = orders.order_by("pk")
    last = 0
    while True:
        chunk = reasons(ordered.filter(pk__gt=last)[:QUEUE_CHUNK])
        found.update(chunk)
        if len(chunk) < QUEUE_CHUNK:
            return found
        last = max(chunk)


# ---- automatic approval (ORD-7) ---------------------------------------------------------------------------------


def auto_review(actor, shop=None, orders=None, *, force: bool = False) -> dict:
    """ORD-7: approve every clean 待审核 order of `shop` (or of `orders`) whose shop has fulfilment.auto_approve on
    (`force`: a person pressed "approve all clean" on the review page — the setting is not needed then); the rest
    wait with their reasons. Returns {"approved": n, "waiting": n}. Each approval is its own transaction
    (one refused order does not stop the others)."""
    qs = Order.objects.filter(state=S.TO_REVIEW)
    if orders is not None:
        qs = qs.filter(pk__in=[int(getattr(o, "pk", o)) for o in orders])
    if shop is not None:
        qs = qs.filter(shop=shop)
    from zhanggui.shops.models import Shop

    shops = Shop.objects.filter(pk__in=qs.values("shop_id"))
    on = [s.pk for s in shops if force or get_setting(s, "fulfilment.auto_approve")]
    qs = qs.filter(shop_id__in=on)
    approved = waiting = 0
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1]
        found = reasons(Order.objects.filter(pk__in=chunk))
        clean = [pk for pk in chunk if not found.get(pk)]
        waiting += len(chunk) - len(clean)
        approved += approve_clean(actor, clean)
    return {"approved": approved, "waiting": waiting}


def approve_clean(actor, order_ids) -> int:
    """Approve orders already found clean through the order state machine, set-based (states.approve_many: a fixed
    number of queries per chunk of APPROVE_CHUNK, packages in bulk); an order changed meanwhile (no longer 待审核,
    customised and unfinished) is skipped. Each chunk is its own transaction; a chunk that fails as a whole (a
    DomainError, e.g. a stock error of one order) falls back to one order at a time, so one bad order does not stop
    the others."""
    ids = sorted({int(getattr(o, "pk", o)) for o in order_ids})
    n = 0
    for start in range(0, len(ids), APPROVE_CHUNK):
        chunk = ids[start : start + APPROVE_CHUNK]
        try:
            with transaction.atomic():
                approved, _refused = states.approve_many(actor, chunk, note=AUTO_NOTE)
            n += len(approved)
        except DomainError:
            n += _approve_one_by_one(actor, chunk)
    return n


def _approve_one_by_one(actor, order_ids) -> int:
    n = 0
    for order in Order.objects.filter(pk__in=list(order_ids), state=S.TO_REVIEW).order_by("pk"):
        try:
            with transaction.atomic():
                states.approve(actor, order, version=order.version, note=AUTO_NOTE)
        except DomainError:
            continue
        n += 1
    return n


def _on_orders_moved(event) -> None:
    """Orders entering 待审核 (core.domain_events.OrdersMoved, in their transaction) are reviewed at once when their
    shop approves automatically (ORD-7): the clean ones are approved after the commit. Set-based: one settings read
    per shop, one `reasons` call for the lot."""
    entering = [m.order for m in event.moves if m.to == S.TO_REVIEW]
    if not entering:
        return
    from zhanggui.shops.models import Shop

    shop_ids = {o.shop_id for o in entering}
    auto = {shop.pk for shop in Shop.objects.filter(pk__in=shop_ids) if get_setting(shop, "fulfilment.auto_approve")}
    candidates = [o.pk for o in entering if o.shop_id in auto]
    if not candidates:
        return
    found = reasons(candidates)
    clean = [pk for pk in candidates if not found.get(pk)]
    if clean:
        actor = event.actor
        transaction.on_commit(lambda: approve_clean(actor, clean))


def _on_orders_imported(event) -> None:
    from zhanggui.shops.models import Shop

    shop = Shop.objects.filter(pk=event.shop_id).first()
    if shop is not None and get_setting(shop, "fulfilment.auto_approve"):
        auto_review(event.actor, shop)


def connect() -> None:
    from zhanggui.core.domain_events import OrdersImported, OrdersMoved, subscribe

    subscribe(OrdersMoved, _on_orders_moved)
    subscribe(OrdersImported, _on_orders_imported)


# ---- batch approve / reject (ORD-7) -----------------------------------------------------------------------------


def _picked(order_ids) -> dict[int, int | None]:
    """{order id: version seen or None} from ids, (id, version) pairs or "id:version" strings."""
    out: dict[int, int | None] = {}
    for item in order_ids or []:
        if isinstance(item, (tuple, list)):
            pk, version = item
        else:
            pk, _sep, version = str(getattr(item, "pk", item)).partition(":")
        try:
            out[int(pk)] = int(version) if str(version or "").isdigit() else None
        except (TypeError, ValueError):
            continue
    if not out:
        raise DomainError("no_orders", "请先勾选订单", "order")
    return out


def approve_orders(actor, order_ids, note: str = "", shops=None) -> int:
    """ORD-7 batch approve (the reviewer checked items, quantities, gifts, postage and receiver): all or nothing, in
    one transaction, set-based (states.approve_many per chunk of APPROVE_CHUNK); when any order is refused nothing
    is kept and the refusal lists every refused order (details)."""
    note = str(note or "").strip() or "审单通过"
    picked = _picked(order_ids)
    ids = sorted(picked)
    with transaction.atomic():
        qs = Order.objects.filter(pk__in=ids)
        if shops is not None:
            qs = qs.filter(shop__in=shops)
        if qs.count() != len(ids):
            raise DomainError("no_order", "部分订单不存在或不在当前店铺，请刷新", "order")
        problems: list[str] = []
        done = 0
        for start in range(0, len(ids), APPROVE_CHUNK):
            chunk = ids[start : start + APPROVE_CHUNK]
            approved, refused = states.approve_many(actor, chunk, note, versions={pk: picked[pk] for pk in chunk})
            done += len(approved)
            problems += refused
        if problems:
            transaction.set_rollback(True)
            raise DomainError(
                "batch_refused", f"{len(problems)} 个订单无法处理，全部未执行：{problems[0]}", "order", details=problems
            )
    return done


def reject_orders(actor, order_ids, reason: str, shops=None) -> int:
    """ORD-7 batch reject: the orders are held (挂起) with the reason, which is required; all or nothing, set-based
    (states.hold_many, as the order list's batch hold): when any is refused nothing is kept and the refusal lists
    every refused order (details)."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "驳回请填写原因", "reason")
    picked = _picked(order_ids)
    with transaction.atomic():
        qs = Order.objects.filter(pk__in=list(picked))
        if shops is not None:
            qs = qs.filter(shop__in=shops)
        if qs.count() != len(picked):
            raise DomainError("no_order", "部分订单不存在或不在当前店铺，请刷新", "order")
        held, problems = states.hold_many(actor, list(picked), f"审单驳回：{reason}", versions=picked)
        if problems:
            transaction.set_rollback(True)
            raise DomainError(
                "batch_refused", f"{len(problems)} 个订单无法处理，全部未执行：{problems[0]}", "order", details=problems
            )
    return len(held)
