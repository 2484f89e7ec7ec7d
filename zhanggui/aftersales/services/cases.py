"""After-sales cases (AS-2, AS-5, AS-6): opening a case and moving it — ONE transition table per case type, each
a `core.states.Machine`, every move on the case's timeline with the 工号.

    仅退款(未发货) refund_unshipped: 待处理 → 待退款 → 已完结            (or 等买家回复, 已拒绝, 已撤销)
    仅退款(已发货) refund_shipped:   待处理 → 待退款 → 已完结
    退货退款 return_refund:          待处理 → 等买家退货 → 退货已收到 → 待退款 → 已完结
    换货 exchange:                   待处理 → 等买家退货 → 退货已收到 → 待发出 → 已完结
    补发 resend:                     待处理 → 待发出 → 已完结
    丢件破损 lost_damaged:           待处理 → 快递理赔中 → 待发出 / 待退款 → 已完结   (AS-4: claim from the carrier)
    使用咨询 consult:                待处理 → 已完结
    every open state may wait for the buyer (等买家回复 ↔ 待处理) before the goods move; 已拒绝 needs a reason.

Entry points others build on (refund imports, return scanning, reviews, parcel claims):
- `open_case(actor, *, order, kind, lines, …) -> Case`: checks and creates; a second OPEN case of the same order and
  type is refused (DuplicateCase, 409) — by the database's partial unique index, so two clicks cannot make two;
- `move(actor, case, to, *, version, note, agreed_refund_fen) -> Case`: any move of the table (pages, API,
  imports); agreeing a refund (→ 待退款) needs the amount, within what was paid (AS-5, services/refunds.py);
  agreeing a return or exchange the policy does not cover (services/policy.check) needs a note saying why;
- `allowed_moves(case)`, `state_label(state)`, `kind_label(kind)`, `machine(kind)`.
INV-5: → 退货已收到 only through services/receiving.py (scan, inspect, stock posted with the ledger): `move` refuses
it. → 待发出 of an exchange, resend or lost parcel makes its new ¥0 order in the same transaction
(services/replacement.py, through orders' manual order service).
Assigning, follow-up, notes and escalation: services/work.py; photos: services/photos.py.

No domain event is published yet: no app above aftersales exists to listen, and core.domain_events takes only events
with a listener. `CaseOpened` / `CaseMoved` belong at the end of `open_case` / `move` once one does.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from zhanggui.core import clock, sequences
from zhanggui.core.bounds import check_fen
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.states import Machine
from zhanggui.orders.models import Order, OrderLine
from zhanggui.shops.settings_store import get_setting

from ..models import CLOSED_STATES, Case, CaseLine, Reason
from . import policy as policies
from . import refunds, replacement
from .errors import CaseInputError, DuplicateCase

State = Case.State
Kind = Case.Kind
OS = Order.State  # the order's states

# Chinese names: stored text on the timeline, whatever the request's language.
STATE_NAMES = {
    State.NEW: "待处理",
    State.WAITING_BUYER: "等买家回复",
    State.WAITING_RETURN: "等买家退货",
    State.RECEIVED: "退货已收到",
    State.REFUNDING: "待退款",
    State.RESENDING: "待发出",
    State.CLAIMING: "快递理赔中",
    State.DONE: "已完结",
    State.REFUSED: "已拒绝",
    State.CANCELLED: "已撤销",
}
KIND_NAMES = {
    Kind.REFUND_UNSHIPPED: "仅退款(未发货)",
    Kind.REFUND_SHIPPED: "仅退款(已发货)",
    Kind.RETURN_REFUND: "退货退款",
    Kind.EXCHANGE: "换货",
    Kind.RESEND: "补发",
    Kind.LOST_DAMAGED: "丢件破损",
    Kind.CONSULT: "使用咨询",
}
PARTY_NAMES = {"": "待判定", "seller": "卖家", "buyer": "买家", "courier": "快递", "supplier": "供应商"}

_END = {State.REFUSED, State.CANCELLED}
# AS-2: the only moves of each case type.
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    Kind.REFUND_UNSHIPPED: {
        State.NEW: {State.WAITING_BUYER, State.REFUNDING, *_END},
        State.WAITING_BUYER: {State.NEW, State.REFUNDING, *_END},
        State.REFUNDING: {State.DONE, State.CANCELLED},
    },
    Kind.REFUND_SHIPPED: {
        State.NEW: {State.WAITING_BUYER, State.REFUNDING, *_END},
        State.WAITING_BUYER: {State.NEW, State.REFUNDING, *_END},
        State.REFUNDING: {State.DONE, State.CANCELLED},
    },
    Kind.RETURN_REFUND: {
        State.NEW: {State.WAITING_BUYER, State.WAITING_RETURN, *_END},
        State.WAITING_BUYER: {State.NEW, State.WAITING_RETURN, *_END},
        State.WAITING_RETURN: {State.RECEIVED, State.CANCELLED},
        State.RECEIVED: {State.REFUNDING, State.REFUSED},  # INV-5: inspected; refused when not as agreed
        State.REFUNDING: {State.DONE},
    },
    Kind.EXCHANGE: {
        State.NEW: {State.WAITING_BUYER, State.WAITING_RETURN, *_END},
        State.WAITING_BUYER: {State.NEW, State.WAITING_RETURN, *_END},
        State.WAITING_RETURN: {State.RECEIVED, State.CANCELLED},
        State.RECEIVED: {State.RESENDING, State.REFUSED},
        State.RESENDING: {State.DONE},
    },
    Kind.RESEND: {
        State.NEW: {State.WAITING_BUYER, State.RESENDING, *_END},
        State.WAITING_BUYER: {State.NEW, State.RESENDING, *_END},
        State.RESENDING: {State.DONE},
    },
    Kind.LOST_DAMAGED: {  # AS-4: verify, ask the carrier (claim), then resend or refund
        State.NEW: {State.WAITING_BUYER, State.CLAIMING, State.RESENDING, State.REFUNDING, *_END},
        State.WAITING_BUYER: {State.NEW, State.CLAIMING, State.RESENDING, State.REFUNDING, *_END},
        State.CLAIMING: {State.RESENDING, State.REFUNDING, State.DONE},
        State.RESENDING: {State.DONE},
        State.REFUNDING: {State.DONE},
    },
    Kind.CONSULT: {
        State.NEW: {State.WAITING_BUYER, State.DONE, State.CANCELLED},
        State.WAITING_BUYER: {State.NEW, State.DONE, State.CANCELLED},
    },
}
MACHINES = {
    kind: Machine(Case, table, name="售后单 {number}", event_kind="case_state", names=STATE_NAMES)
    for kind, table in TRANSITIONS.items()
}

REFUND_KINDS = {Kind.REFUND_UNSHIPPED, Kind.REFUND_SHIPPED, Kind.RETURN_REFUND, Kind.LOST_DAMAGED}
# Moves that agree to what the buyer asks: a case the policy does not cover needs a note saying why (AS-1).
AGREEING = {State.WAITING_RETURN, State.REFUNDING, State.RESENDING}
UNSHIPPED_ORDERS = {OS.TO_REVIEW, OS.APPROVED, OS.TO_SHIP, OS.ON_HOLD}
SHIPPED_ORDERS = {OS.PART_SHIPPED, OS.SHIPPED, OS.SIGNED, OS.COMPLETED}
NOTE_MAX = 500
FOLLOW_UP_MAX_DAYS = 90

register_event_kinds(
    {
        "case_opened": "发起售后",
        "case_state": "售后状态",
        "aftersales_opened": "发起售后",  # on the order's timeline
    }
)


def machine(kind_or_case) -> Machine:
    kind = getattr(kind_or_case, "kind", kind_or_case)
    return MACHINES[kind]


def state_label(state: str) -> str:
    return STATE_NAMES.get(state, str(state or ""))


def kind_label(kind: str) -> str:
    return KIND_NAMES.get(kind, str(kind or ""))


def allowed_moves(case: Case) -> list[str]:
    """The states the case may move to now, in the order of Case.State (the page's buttons)."""
    table = TRANSITIONS[case.kind].get(case.state, set())
    return [s for s in State.values if s in table and s != State.RECEIVED]  # INV-5: received only by scanning


def handled_shops(staff) -> set[int] | None:
    """The ids of the shops whose cases `staff` may own (None: every shop): active, with the right to change cases,
    working for the shop. An empty set: none."""
    if staff is None or not getattr(staff, "is_active", False) or not staff.has_perm("aftersales.change_case"):
        return set()
    if staff.is_superuser or staff.all_shops:
        return None
    return set(staff.shops.values_list("pk", flat=True))


def staff_may_handle(staff, shop) -> bool:
    """May `staff` own cases of `shop`."""
    shops = handled_shops(staff)
    return shops is None or shop.pk in shops


# ---- opening --------------------------------------------------------------------------------------------------


def _order_allows(order: Order, kind: str) -> None:
    name = f"订单 {order.platform_order_no}"
    if order.state == OS.PENDING_PAYMENT:
        raise CaseInputError("order_unpaid", f"{name} 还未付款，不能发起售后", "order")
    if kind == Kind.CONSULT:
        return
    if order.state == OS.CLOSED:
        raise CaseInputError("order_closed", f"{name} 已关闭，只能登记使用咨询", "order")
    if kind == Kind.REFUND_UNSHIPPED:
        shipped = order.state in SHIPPED_ORDERS or any(ln.shipped_qty for ln in order.lines.all())
        if shipped or order.state not in UNSHIPPED_ORDERS:
            raise CaseInputError("order_shipped", f"{name} 已发货，请选择“仅退款(已发货)”或“退货退款”", "kind")
    elif order.state not in SHIPPED_ORDERS:
        raise CaseInputError("order_not_shipped", f"{name} 还未发货，未发货的退款请选择“仅退款(未发货)”", "kind")


def _picked_lines(order: Order, kind: str, lines) -> list[tuple[OrderLine, int]]:
    """[(order line, quantity)] from [(order line or its id, quantity)]: lines of this order, 1 … ordered each."""
    by_id = {ln.pk: ln for ln in order.lines.all()}
    picked, seen = [], set()
    for item, qty in lines or ():
        key = getattr(item, "pk", item)
        line = by_id.get(int(key)) if str(key).strip().isdigit() else None
        if line is None:
            raise CaseInputError("bad_line", f"商品行不属于订单 {order.platform_order_no}", "lines")
        if line.pk in seen:
            raise CaseInputError("bad_line", f"商品“{line.title or line.outer_code}”重复了", "lines")
        seen.add(line.pk)
        try:
            qty = int(str(qty).strip())
        except (TypeError, ValueError):
            raise CaseInputError("bad_quantity", "售后数量必须是整数", "lines") from None
        if qty == 0:
            continue
        if not 1 <= qty <= line.quantity:
            raise CaseInputError(
                "bad_quantity",
                f"商品“{line.title or line.outer_code}”售后数量应在 1 到 {line.quantity} 之间（现为 {qty}）",
                "lines",
            )
        picked.append((line, qty))
    if not picked and kind != Kind.CONSULT:
        raise CaseInputError("no_lines", "请选择售后的商品和数量", "lines")
    return picked


def _reason(kind: str, reason, reason_text: str) -> Reason | None:
    if reason in (None, ""):
        found = None
    else:
        reason_id = getattr(reason, "pk", reason)
        found = Reason.objects.filter(pk=reason_id if str(reason_id).isdigit() else None, kind=kind).first()
        if found is None or not found.is_active:
            raise CaseInputError("bad_reason", f"“{kind_label(kind)}”没有这个售后原因，请从列表里选择", "reason")
    if found is None and not reason_text:
        raise CaseInputError("reason_required", "请选择售后原因或写明原因", "reason")
    return found


def default_follow_up(shop) -> dt.datetime:
    """AS-6: when a new case of `shop` must be followed up (now + the shop's setting)."""
    return clock.now() + dt.timedelta(hours=int(get_setting(shop, "aftersales.follow_up_hours")))


def check_follow_up(when) -> dt.datetime:
    """A follow-up time in the future, at most FOLLOW_UP_MAX_DAYS ahead."""
    if not isinstance(when, dt.datetime):
        raise CaseInputError("bad_follow_up", "请填写跟进时间", "follow_up_at")
    if when.tzinfo is None:
        when = when.replace(tzinfo=clock.SHANGHAI)
    now = clock.now()
    if when <= now:
        raise CaseInputError("bad_follow_up", "跟进时间应晚于现在", "follow_up_at")
    if when > now + dt.timedelta(days=FOLLOW_UP_MAX_DAYS):
        raise CaseInputError("bad_follow_up", f"跟进时间最多在 {FOLLOW_UP_MAX_DAYS} 天以后", "follow_up_at")
    return when


def next_number() -> str:
    """Case numbers SH + Beijing date + running number of the day: SH2611230001."""
    day = clock.today()
    return f"SH{day:%y%m%d}{sequences.take('aftersales_case', day):04d}"


def _duplicate(order: Order, kind: str) -> DuplicateCase:
    existing = Case.objects.filter(order=order, kind=kind).exclude(state__in=CLOSED_STATES).first()
    number = existing.number if existing else ""
    return DuplicateCase(
        "duplicate_case",
        f"订单 {order.platform_order_no} 已有进行中的“{kind_label(kind)}”售后单 {number}，请在原售后单里处理",
        "kind",
    )


def open_case(
    actor,
    *,
    order: Order,
    kind: str,
    lines=(),
    reason=None,
    reason_text: str = "",
    responsible: str = "",
    requested_refund_fen=0,
    owner=None,
    follow_up_at=None,
    platform_refund_id: str | None = None,
    source: str = Case.Source.PAGE,
    note: str = "",
) -> Case:
    """AS-2: a new case of `order`. lines = [(order line or its id, quantity)]: lines of this order, 1 … ordered
    (not needed for a 使用咨询); a reason from the type's list or in words; the refund requested within what was paid
    for those lines (AS-5, refund types only); owner (default: whoever opens it, if they handle cases); follow-up
    (default: the shop's aftersales.follow_up_hours from now, AS-6). The case is judged under the shop's current
    policy version. One open case per order and type (DuplicateCase)."""
    if kind not in Kind.values:
        raise CaseInputError("bad_kind", "请选择售后类型", "kind")
    if responsible not in Case.Party.values:
        raise CaseInputError("bad_party", "责任方只能是卖家、买家、快递或供应商", "responsible")
    if source not in Case.Source.values:
        raise CaseInputError("bad_source", "来源不正确", "source")
    reason_text = str(reason_text or "").strip()
    if len(reason_text) > 200:
        raise CaseInputError("too_long", "原因说明最多 200 个字", "reason_text")
    refund_id = str(platform_refund_id or "").strip() or None
    if refund_id and len(refund_id) > 64:
        raise CaseInputError("too_long", "平台退款编号最多 64 个字符", "platform_refund_id")
    requested = check_fen(requested_refund_fen or 0, "申请退款金额", "requested_refund_fen")
    if requested and kind not in REFUND_KINDS:
        raise CaseInputError("no_refund", f"“{kind_label(kind)}”不退款，申请退款金额应为 0", "requested_refund_fen")
    follow_up = check_follow_up(follow_up_at) if follow_up_at else default_follow_up(order.shop)
    if owner is None and staff_may_handle(actor, order.shop):
        owner = actor
    elif owner is not None and not staff_may_handle(owner, order.shop):
        raise CaseInputError("bad_owner", f"{owner.number} 不负责店铺“{order.shop.name}”的售后", "owner")
    found_reason = _reason(kind, reason, reason_text)
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("shop").get(pk=order.pk)
        _order_allows(locked, kind)
        picked = _picked_lines(locked, kind, lines)
        refundable = refunds.refundable_for(locked, picked)
        refunds.check_amount(requested, refundable, "申请退款", "requested_refund_fen")
        policy = policies.ensure_policy(locked.shop)
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=next_number(),
                    shop=locked.shop,
                    order=locked,
                    kind=kind,
                    reason=found_reason,
                    reason_text=reason_text,
                    responsible=responsible,
                    owner=owner,
                    follow_up_at=follow_up,
                    requested_refund_fen=requested,
                    refundable_fen=refundable,
                    platform_refund_id=refund_id,
                    source=source,
                    policy=policy,
                    postage_payer=policies.postage_payer(Case(kind=kind), policy) or "",  # AS-3, recorded
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                CaseLine.objects.bulk_create(CaseLine(case=case, order_line=ln, quantity=q) for ln, q in picked)
        except IntegrityError:
            if refund_id and Case.objects.filter(shop=locked.shop, platform_refund_id=refund_id).exists():
                raise DuplicateCase(
                    "duplicate_refund_id", f"平台退款编号 {refund_id} 已登记过售后单", "platform_refund_id"
                ) from None
            raise _duplicate(locked, kind) from None
        why = found_reason.name if found_reason else ""
        why = "；".join(t for t in (why, reason_text, str(note or "").strip()[:NOTE_MAX]) if t)
        amount = f"，申请退款 {format_fen(requested)}" if requested else ""
        record_event(
            actor, case, "case_opened", to_state=STATE_NAMES[State.NEW], note=f"{kind_label(kind)}{amount}：{why}"
        )
        record_event(actor, locked, "aftersales_opened", to_state=f"{case.number} {kind_label(kind)}", note=why)
    return case


# ---- moving ---------------------------------------------------------------------------------------------------


def move(actor, case: Case, to: str, *, version=None, note: str = "", agreed_refund_fen=None) -> Case:
    """AS-2: move the case to `to` if its type's table allows it (timeline with the 工号). → 待退款 needs
    `agreed_refund_fen` (1 … what was paid for the lines, and the order's agreed refunds together within what it
    paid — AS-5); → 已拒绝 needs a note; agreeing to a case the policy does not cover needs a note (AS-1)."""
    if to not in State.values:
        raise CaseInputError("bad_state", f"未知的售后状态：{to}", "to")
    if to == State.RECEIVED:  # INV-5: only the receiving service (scan, inspect, stock) moves a case there
        raise CaseInputError("receive_by_scan", "退货已收到只能在“退货入库”页面扫描退货、验货后登记", "to")
    m = machine(case)
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    with transaction.atomic():
        current = m.lock(case, version)
        m.check(current, to)
        fields: list[str] = []
        if to == State.REFUSED and not note:
            raise CaseInputError("note_required", "拒绝售后请写明原因", "note")
        if to in AGREEING and not note:
            broken = policies.check(current)
            if broken:
                names = "、".join(b.name for b in broken)
                raise CaseInputError(
                    "outside_policy", f"售后单 {current.number} 不符合售后政策（{names}），如仍同意请写明原因", "note"
                )
        if to == State.REFUNDING:
            if agreed_refund_fen in (None, ""):
                raise CaseInputError("amount_required", "同意退款请填写退款金额", "agreed_refund_fen")
            amount = check_fen(agreed_refund_fen, "同意退款金额", "agreed_refund_fen", low=1)
            order = Order.objects.select_for_update(of=("self",)).get(pk=current.order_id)
            refunds.check_amount(amount, current.refundable_fen, "同意退款", "agreed_refund_fen")
            refunds.check_order_total(order, amount, exclude=current)
            current.agreed_refund_fen = amount
            fields.append("agreed_refund_fen")
            note = f"同意退款 {format_fen(amount)}" + (f"；{note}" if note else "")
        if to in CLOSED_STATES:
            current.closed_at = clock.now()
            fields.append("closed_at")
        m.move_locked(current, to, actor, note, fields)
        if to == State.RESENDING:  # 换货 / 补发: the new ¥0 order, in the same transaction (services/replacement.py)
            replacement.attach(actor, current)
    return current
