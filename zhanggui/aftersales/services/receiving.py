"""Returns received (INV-5): the warehouse scans a returned parcel and inspects what came back.

- `find_waiting(user, code)`: the scan. `code` is the buyer's return waybill (`Case.return_tracking_no`), an order
  number, or the last 4 digits of the receiver's phone → the cases of the user's shops waiting for their return
  (等买家退货). Nothing found says why in Chinese: the order never shipped, its return was already received, the
  parcel is already an 无主退件, or the number is unknown (then it can be kept as an 无主退件, services/unclaimed.py).
- `receive(actor, case, inspected, *, version, note)`: per case line how many pieces are 完好 (back to sellable
  stock, ledger reason return), 破损 (to the damaged account, reason damaged), 错发 and 少件 (recorded only; nothing
  posted); they add up to the line's quantity. The stock is posted through inventory's return service in the SAME
  transaction as the case's move to 退货已收到 and its timeline, with document "case:<pk>" (named by
  selectors.case_references), into the warehouse the order was shipped from. The only way a case becomes 退货已收到
  (services/cases.move refuses it).
- A double submit (two tabs, a double click, a retried API call) posts once: the case row is locked and its
  version checked (the second sees 退货已收到 or an older version and is refused), and inventory's return service
  is itself idempotent per document.
- Then, as the table says: a 退货退款 waits in 退货已收到 for the agent to agree the refund (the money is theirs to
  decide, AS-5); an 换货 whose pieces all came back intact moves on to 待发出 with its new ¥0 order
  (services/replacement.py) — otherwise it waits for the agent too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core.access import allowed_shops
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package
from zhanggui.inventory.services import returns as stock_returns
from zhanggui.orders.models import Order

from .. import selectors
from ..models import Case, CaseLine, ReturnLine, UnclaimedReturn
from . import replacement, unclaimed
from .cases import SHIPPED_ORDERS, machine, state_label
from .errors import CaseInputError

State = Case.State
OUTCOMES = ("intact", "damaged", "wrong", "missing")
OUTCOME_NAMES = {"intact": "完好", "damaged": "破损", "wrong": "错发", "missing": "少件"}
CODE_MAX = 40
SCAN_LIMIT = 20  # a phone's last 4 digits may match several buyers: the page lists at most this many
NOTE_MAX = 200


def clean_code(raw) -> str:
    """A scanned code without spaces and control characters, upper case (waybills are letters and digits)."""
    return re.sub(r"[\s\x00-\x1f]", "", str(raw or "")).upper()[: CODE_MAX + 1]


def reference(case: Case) -> str:
    """The ledger document of a case's return (INV-2: named and linked by selectors.case_references)."""
    return f"case:{case.pk}"


@dataclass
class Lookup:
    code: str
    by: str = ""  # tracking / order / phone
    cases: list[Case] = field(default_factory=list)
    message: str = ""  # why nothing was found (Chinese), or ""
    unknown: bool = False  # nothing knows this code: offer to keep the parcel as an 无主退件
    unclaimed: UnclaimedReturn | None = None


def _waiting(user):
    lines = Prefetch("lines", queryset=CaseLine.objects.select_related("order_line__sku").order_by("pk"))
    return (
        selectors.cases_for(user)
        .filter(state=State.WAITING_RETURN)
        .select_related("order", "shop__platform")
        .prefetch_related(lines)
        .order_by("pk")
    )


def _why_not(user, code: str, by: str) -> str:
    """Why no waiting case matched (an order number or a waybill some case already has)."""
    seen = selectors.cases_for(user)
    if by == "order":
        order = Order.objects.filter(platform_order_no=code, shop__in=allowed_shops(user)).first()
        if order is None:
            return ""
        shipped = order.state in SHIPPED_ORDERS or order.lines.filter(shipped_qty__gt=0).exists()
        if not shipped:
            return f"订单 {code} 还未发货，不能登记退货：未发货的请走“仅退款(未发货)”"
        done = seen.filter(order=order, returned_at__isnull=False).order_by("-returned_at").first()
        if done is not None:
            return f"订单 {code} 的退货已于 {clock.local(done.returned_at):%m-%d %H:%M} 收到（售后单 {done.number}）"
        return f"订单 {code} 没有等待退货的售后单：请先在售后单里同意退货，或登记为无主退件"
    done = seen.filter(return_tracking_no=code, returned_at__isnull=False).order_by("-returned_at").first()
    if done is not None:
        when = f"{clock.local(done.returned_at):%m-%d %H:%M}"
        return f"退货单号 {code} 已于 {when} 收到（售后单 {done.number}），不要重复入库"
    other = seen.filter(return_tracking_no=code).exclude(state=State.WAITING_RETURN).first()
    if other is not None:
        return f"退货单号 {code} 属于售后单 {other.number}，它现在是“{state_label(other.state)}”，不在等退货"
    return ""


def find_waiting(user, raw) -> Lookup:
    """INV-5: the scan — waiting cases of the user's shops by return waybill, order number or phone last 4."""
    code = clean_code(raw)
    if not code:
        return Lookup(code, message="请扫描退货快递单号，或输入订单号、收货人手机后 4 位")
    if len(code) > CODE_MAX:
        return Lookup(code[:CODE_MAX], message=f"扫描内容太长（最多 {CODE_MAX} 个字符），请重新扫描")
    waiting = _waiting(user)
    if len(code) == 4 and code.isdigit():
        found = list(waiting.filter(order__phone_last4=code)[:SCAN_LIMIT])
        message = "" if found else f"没有收货人手机后 4 位为 {code} 的待退货售后单"
        return Lookup(code, "phone", found, message)
    found = list(waiting.filter(return_tracking_no=code)[:SCAN_LIMIT])
    if found:
        return Lookup(code, "tracking", found)
    raw_code = str(raw or "").strip()  # order numbers keep their case (JD / PDD numbers have letters and dashes)
    found = list(waiting.filter(order__platform_order_no__in={raw_code, code})[:SCAN_LIMIT])
    if found:
        return Lookup(code, "order", found)
    why = _why_not(user, raw_code, "order") or _why_not(user, code, "tracking")
    if why:
        return Lookup(code, message=why)
    shops = allowed_shops(user)
    kept = UnclaimedReturn.objects.filter(shop__in=shops, tracking_no=code, state=UnclaimedReturn.State.OPEN).first()
    if kept is not None:
        return Lookup(code, message=f"{code} 已登记为无主退件，请在无主退件里认领", unclaimed=kept)
    return Lookup(code, message=f"没有找到退货单号或订单号为 {code} 的待退货售后单", unknown=True)


# ---- receiving ------------------------------------------------------------------------------------------------


@dataclass
class Inspected:
    """What came back for one case line (pieces per outcome), and what an exchange sends instead."""

    intact: int = 0
    damaged: int = 0
    wrong: int = 0
    missing: int = 0
    exchange_sku: object = None  # a Sku, its merchant code or barcode; "" / None: the same SKU
    note: str = ""


def _count(value, label: str) -> int:
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdigit() or len(text) > 6:
        raise CaseInputError("bad_quantity", f"{label}应为 0 或正整数（现为“{value}”）", "lines")
    return int(text)


def _exchange_sku(value, label: str) -> Sku | None:
    if value in (None, ""):
        return None
    if isinstance(value, Sku):
        return value
    code = str(value).strip()
    sku = Sku.objects.filter(code=code).first() or Sku.objects.filter(barcode=code).first()
    if sku is None or not sku.is_active:
        raise CaseInputError("bad_sku", f"{label}：换货商品“{code}”不存在或已停用", "lines")
    return sku


def _checked(case: Case, lines, inspected: dict) -> list[tuple[object, Inspected]]:
    """[(case line, Inspected)] for every line of the case: counts adding up to the line's quantity; pieces to
    stock need the line's SKU. Every bad line named (第 N 行)."""
    rows, errors = [], []
    for line in lines:
        ol = line.order_line
        label = f"第 {ol.line_no} 行“{ol.title or ol.outer_code}”"
        got = inspected.get(line.pk)
        if got is None:
            errors.append(f"{label}：请填写验货结果")
            continue
        try:
            counts = {k: _count(getattr(got, k), f"{label} {OUTCOME_NAMES[k]}数量") for k in OUTCOMES}
            sku = _exchange_sku(got.exchange_sku, label) if case.kind == Case.Kind.EXCHANGE else None
        except DomainError as exc:
            errors.append(exc.message)
            continue
        if sum(counts.values()) != line.quantity:
            errors.append(
                f"{label}：完好、破损、错发、少件合计应为 {line.quantity} 件（现为 {sum(counts.values())} 件）"
            )
            continue
        if (counts["intact"] or counts["damaged"]) and ol.sku_id is None:
            errors.append(f"{label}：没有匹配到商品（商家编码），不能入库，请记为错发或先在订单里匹配商品")
            continue
        note = str(got.note or "").strip()[:NOTE_MAX]
        rows.append((line, Inspected(**counts, exchange_sku=sku, note=note)))
    unknown = set(inspected) - {ln.pk for ln in lines}
    if unknown:
        errors.append("验货结果里有不属于这个售后单的商品行，请刷新页面后重试")
    if errors:
        raise CaseInputError("bad_inspection", "；".join(errors), "lines", details=errors)
    return rows


def _warehouse_of(order_id: int):
    """The warehouse the order was shipped from (its latest package), else the default one (None)."""
    return (
        Package.objects.filter(order_id=order_id)
        .order_by("-shipped_at", "-pk")
        .values_list("warehouse_id", flat=True)
        .first()
    )


def _summary(rows) -> str:
    parts = []
    for line, got in rows:
        counts = "、".join(f"{OUTCOME_NAMES[k]} {getattr(got, k)}" for k in OUTCOMES if getattr(got, k))
        ol = line.order_line
        parts.append(f"{ol.sku.code if ol.sku_id else ol.outer_code} {counts}")
    return "；".join(parts)


def receive(actor, case: Case, inspected: dict, *, version=None, note: str = "") -> Case:
    """INV-5: record the inspected return of `case` (inspected = {case line pk: Inspected}) and post the stock in
    one transaction; then an exchange with every piece intact goes on to 待发出 with its new order."""
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        if current.returned_at is not None:
            raise CaseInputError(
                "already_received", f"售后单 {current.number} 的退货已经收到入库，不能重复入库", "version"
            )
        m.require(current, {State.WAITING_RETURN}, "登记退货")
        order = Order.objects.get(pk=current.order_id)
        if order.state not in SHIPPED_ORDERS and not order.lines.filter(shipped_qty__gt=0).exists():
            raise CaseInputError("order_not_shipped", f"订单 {order.platform_order_no} 还未发货，不能登记退货", "order")
        lines = list(current.lines.select_related("order_line__sku").order_by("pk"))
        rows = _checked(current, lines, inspected)
        stock = [
            (
                line.order_line.sku,
                getattr(got, k),
                k == "intact",
                got.note or f"售后单 {current.number} 退货{OUTCOME_NAMES[k]}",
            )
            for line, got in rows
            for k in ("intact", "damaged")
            if getattr(got, k)
        ]
        if stock:
            stock_returns.receive_return(actor, reference(current), stock, warehouse=_warehouse_of(order.pk))
        who = actor if getattr(actor, "is_authenticated", False) else None
        ReturnLine.objects.bulk_create(
            ReturnLine(
                case=current,
                case_line=line,
                intact=got.intact,
                damaged=got.damaged,
                wrong=got.wrong,
                missing=got.missing,
                exchange_sku=got.exchange_sku,
                note=got.note,
                received_by=who,
            )
            for line, got in rows
        )
        unclaimed.claim_on_receipt(actor, current)
        current.returned_at = clock.now()
        text = _summary(rows) + (f"；{note}" if note else "")
        m.move_locked(current, State.RECEIVED, actor, text, ["returned_at"])
        all_intact = all(got.intact == line.quantity for line, got in rows)
        if current.kind == Case.Kind.EXCHANGE and all_intact:
            m.move_locked(current, State.RESENDING, actor, "退货完好，发出换货")
            replacement.attach(actor, current)
    return current
