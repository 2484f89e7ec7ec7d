"""ORD-4: after payment the buyer is sent their receiving details to confirm once more (seed S3).

The message comes from the shop's template (setting ``orders.confirm_template``) filled with the order's data. "Sent
through the channel": there is no platform messaging connector here (the 千牛 / 咚咚 / 京麦 chat APIs are not
available to us), so the order page offers the message to copy into the chat and a 已发送 button; when the buyer
answers, 买家已确认. Both are recorded on the order (confirm_sent_at, buyer_confirmed_at) and on the timeline.

The full text carries the receiver's name, phone and address: only people who may see buyer data (TEAM-5,
crm.view_buyer_pii) get it and may mark it sent; everyone else sees it masked. Timeline notes never carry it.
"""

from __future__ import annotations

import re

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.privacy import can_see_pii, mask_receiver, mask_text
from zhanggui.shops.settings_store import get_setting

from ..models import Order
from . import states

State = Order.State
TEMPLATE_KEY = "orders.confirm_template"
# ORD-4: paid and not shipped yet (a held order too: the details can still change before it ships).
CONFIRMABLE = states.PAID_UNSHIPPED | {State.ON_HOLD}
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")
GOODS_SHOWN = 5  # lines named in {商品}; more are summarised as 等 N 件

register_event_kinds({"order_confirm_sent": "已发确认信息", "order_buyer_confirmed": "买家确认收货信息"})


# ---------------------------------------------------------------------------------------------------------------
# The message
# ---------------------------------------------------------------------------------------------------------------


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill ``{名称}`` placeholders from `values`; an unknown placeholder stays as typed.

    Not str.format_map: a manager typing a lone brace, ``{0}`` or ``{a.b}`` into the setting would make it raise
    (ValueError / IndexError / AttributeError) — this never does, and filled-in values are not read again."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), str(template or ""))


def _address(order: Order) -> str:
    parts = (order.province, order.city, order.district, order.street, order.address_detail)
    return "".join(p for p in parts if p) or order.address_raw


def _goods(order: Order) -> str:
    lines = list(order.lines.all())
    named = [
        " ".join(p for p in (ln.title or ln.outer_code, ln.properties) if p) + f" ×{ln.quantity}"
        for ln in lines[:GOODS_SHOWN]
    ]
    text = "，".join(named)
    if len(lines) > GOODS_SHOWN:
        text += f" 等 {sum(ln.quantity for ln in lines)} 件"
    return text


def template_values(order: Order, *, masked: bool = False) -> dict[str, str]:
    """The placeholders' values; `masked` for people without buyer-data rights (TEAM-5)."""
    name, phone, address = order.receiver_name, order.receiver_phone, _address(order)
    if masked:
        masked_receiver = mask_receiver(name, phone, region=(order.province, order.city, order.district))
        name, phone, address = masked_receiver.name, masked_receiver.phone, masked_receiver.address
    return {
        "买家": order.buyer_nick or name,
        "收货人": name,
        "电话": phone,
        "地址": address,
        "邮编": "" if masked else order.postcode,
        "商品": _goods(order),
        "店铺": order.shop.name,
        "订单号": order.platform_order_no,
        "金额": format_fen(order.paid_fen),
    }


def confirmation_text(order: Order, *, masked: bool = False) -> str:
    """ORD-4: the shop's confirmation message for `order`. The full text is for PII roles only; with `masked`
    names, phones and the street are hidden (also a phone number that appears as the buyer's nick)."""
    text = render_template(get_setting(order.shop, TEMPLATE_KEY), template_values(order, masked=masked))
    return mask_text(text) if masked else text


def text_for(user, order: Order) -> tuple[str, bool]:
    """(message, masked) as `user` may see it."""
    masked = not can_see_pii(user)
    return confirmation_text(order, masked=masked), masked


def can_confirm(order: Order) -> bool:
    """Whether asking the buyer makes sense now (paid, not shipped, not closed, not waiting for the money)."""
    return order.state in CONFIRMABLE and not _waiting_for_money(order)


def _waiting_for_money(order: Order) -> bool:
    return order.state == State.ON_HOLD and order.hold_reason == states.BANK_HOLD_REASON  # ORD-5


def _check_confirmable(order: Order) -> None:
    if _waiting_for_money(order):
        raise DomainError(
            "payment_unconfirmed",
            f"订单 {order.platform_order_no} 的银行转账尚未确认到账，到账后再请买家确认收货信息",
            "state",
        )
    if order.state not in CONFIRMABLE:
        why = "尚未付款" if order.state == State.PENDING_PAYMENT else f"当前为“{states.state_label(order.state)}”"
        raise DomainError(
            "not_confirmable",
            f"订单 {order.platform_order_no} {why}，不需要请买家确认收货信息（付款后、发货前才需要）",
            "state",
        )


# ---------------------------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------------------------


def _copy_back(order, current: Order) -> None:
    states.sync(order, current)
    if isinstance(order, Order) and order is not current:
        order.confirm_sent_at, order.buyer_confirmed_at = current.confirm_sent_at, current.buyer_confirmed_at


def mark_sent(actor, order, *, version=None) -> Order:
    """ORD-4: the confirmation message was sent to the buyer (copied into the platform chat by hand — no messaging
    connector). Sending again (the buyer did not answer) moves the time on. Only someone who may see buyer data
    can have sent it (the message carries the receiver's details, TEAM-5)."""
    if not can_see_pii(actor):
        raise DomainError("forbidden", "您的角色不能查看买家信息，不能发送收货信息确认", "actor")
    with transaction.atomic():
        current = states.locked(order, version)
        _check_confirmable(current)
        again = current.confirm_sent_at is not None
        current.confirm_sent_at = clock.now()
        states.bump(current, ["confirm_sent_at"])
        record_event(
            actor,
            current,
            "order_confirm_sent",
            to_state="已发送",
            note="再次发送收货信息给买家确认" if again else "已发送收货信息给买家确认",
        )
    _copy_back(order, current)
    return current


def mark_confirmed(actor, order, *, version=None, note: str = "") -> Order:
    """ORD-4: the buyer confirmed the receiving details (answered in the chat). Once only; `note` is what the
    buyer said, if worth keeping (phone numbers in it are masked for other roles by the timeline)."""
    note = str(note or "").strip()[:200]
    with transaction.atomic():
        current = states.locked(order, version)
        _check_confirmable(current)
        if current.buyer_confirmed_at is not None:
            raise DomainError("already_confirmed", f"订单 {current.platform_order_no} 的买家已确认过收货信息", "state")
        current.buyer_confirmed_at = clock.now()
        states.bump(current, ["buyer_confirmed_at"])
        sent = "" if current.confirm_sent_at else "（未记录发送）"
        record_event(
            actor,
            current,
            "order_buyer_confirmed",
            from_state="已发送" if current.confirm_sent_at else "",
            to_state="买家已确认",
            note=" ".join(t for t in (f"买家已确认收货信息{sent}", note) if t),
        )
    _copy_back(order, current)
    return current
