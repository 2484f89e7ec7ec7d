"""Seller remarks and flags (ORD-3).

A remark line is ``<客服工号> <快递> <备注>`` (seed S2: 导购客服工号 + 快递名称 + 备注信息), appended to the order's
seller remark — newest last, one line each; when the field would exceed its length the oldest lines are dropped.
Flag meanings are per-shop settings (orders/shop_settings.py): red = size/colour request or several orders from one
buyer (the remark states the total count, `merge_hint_remark`), purple = checked and ready to ship (default remark
“准确无误，可以发货”), green = bank transfer received (bank, amount; see manual.confirm_payment); the rest are free.
Every change bumps the order's version and is on the timeline with the 工号.
"""

from __future__ import annotations

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.shops.settings_store import get_setting

from ..models import Order
from ..shop_settings import FLAG_MEANING_KEYS
from .states import OPEN_STATES, bump, check_version, lock, sync

Flag = Order.Flag
REMARK_MAX = Order._meta.get_field("seller_remark").max_length
FLAG_NAMES = {"": "无旗", "red": "红旗", "yellow": "黄旗", "green": "绿旗", "blue": "蓝旗", "purple": "紫旗"}
# ORD-3: the colour of each flag's mark on every page (core.flags, registered in apps.py)
FLAG_COLOURS = {"red": "#dc3545", "yellow": "#e0a800", "green": "#198754", "blue": "#0d6efd", "purple": "#6f42c1"}

register_event_kinds({"order_remark": "订单备注", "order_flag": "订单旗帜"})


def flag_meaning(shop, flag: str) -> str:
    """ORD-3: what `flag` means in this shop (setting; empty for free colours)."""
    key = FLAG_MEANING_KEYS.get(flag)
    return str(get_setting(shop, key) or "") if key else ""


def _check_flag(flag) -> str | None:
    if flag is None:
        return None
    flag = str(flag or "").strip()
    if flag not in Flag.values:
        raise DomainError("bad_flag", f"未知的旗帜颜色：{flag}", "flag")
    return flag


def remark_line(actor, note: str, carrier: str = "") -> str:
    """ORD-3: ``<工号> <快递> <备注>`` on one line (empty parts left out)."""
    number = getattr(actor, "number", "") if getattr(actor, "is_authenticated", False) else ""
    parts = [str(p or "").replace("\r", " ").replace("\n", " ").strip() for p in (number, carrier, note)]
    return " ".join(p for p in parts if p)


def append_remark(remark: str, line: str, limit: int = REMARK_MAX) -> str:
    """`line` after the existing remark lines (newest last); the oldest lines go when the text would not fit."""
    if len(line) > limit:
        line = line[:limit]
    lines = [ln for ln in (remark or "").split("\n") if ln.strip()] + [line]
    while len("\n".join(lines)) > limit:
        lines.pop(0)
    return "\n".join(lines)


def _note_for(order: Order, flag: str | None, note: str) -> str:
    note = str(note or "").strip()
    if not note and flag == Flag.PURPLE:  # ORD-3: purple = "准确无误，可以发货"
        note = str(get_setting(order.shop, "orders.purple_remark") or "")
    return note


def add_remark(actor, order, note: str, carrier: str = "", flag=None, *, version=None) -> Order:
    """ORD-3: append ``<工号> <快递> <备注>`` to the seller remark and optionally set the flag (None: keep it,
    "": clear it). A purple flag without a note writes the shop's purple remark (default “准确无误，可以发货”)."""
    flag = _check_flag(flag)
    carrier = str(carrier or "").strip()
    with transaction.atomic():
        current = lock(order)
        check_version(current, version)
        text = _note_for(current, flag, note)
        if not text and not carrier and flag is None:
            raise DomainError("remark_required", "请填写备注内容", "note")
        fields = []
        line = ""
        if text or carrier:
            line = remark_line(actor, text, carrier)
            current.seller_remark = append_remark(current.seller_remark, line)
            fields.append("seller_remark")
        before_flag = current.flag
        if flag is not None and flag != current.flag:
            current.flag = flag
            fields.append("flag")
        if not fields:
            return current
        bump(current, fields)
        if "flag" in fields:
            record_event(
                actor, current, "order_flag", from_state=FLAG_NAMES[before_flag], to_state=FLAG_NAMES[flag], note=line
            )
        else:
            record_event(actor, current, "order_remark", note=line)
    sync(order, current)
    return current


def flag_orders(actor, orders, flag, note: str = "", carrier: str = "") -> int:
    """ORD-3 batch flagging: set `flag` on every order (instances or ids) and append the remark line, in ONE
    transaction (rows locked in primary-key order), with the timeline entries in one INSERT. Returns the count."""
    flag = _check_flag(flag)
    if flag is None:
        raise DomainError("bad_flag", "请选择旗帜颜色", "flag")
    ids = sorted({int(getattr(o, "pk", o)) for o in orders})
    if not ids:
        raise DomainError("no_orders", "请先选择订单", "orders")
    carrier = str(carrier or "").strip()
    now = clock.now()
    with transaction.atomic():
        rows = list(
            Order.objects.select_for_update(of=("self",)).select_related("shop").filter(pk__in=ids).order_by("pk")
        )
        if len(rows) != len(ids):
            raise DomainError("no_order", "部分订单已不存在，请刷新", "orders")
        events = []
        for order in rows:
            text = _note_for(order, flag, note)
            line = remark_line(actor, text, carrier) if (text or carrier) else ""
            if line:
                order.seller_remark = append_remark(order.seller_remark, line)
            events.append((order, "order_flag", FLAG_NAMES[order.flag], FLAG_NAMES[flag], line))
            order.flag = flag
            order.version += 1
            order.updated_at = now
        Order.objects.bulk_update(rows, ["flag", "seller_remark", "version", "updated_at"])
        record_events(actor, events)
    return len(rows)


def _buyer_key(order: Order) -> dict | None:
    if order.buyer_nick:
        return {"buyer_nick": order.buyer_nick}
    if order.receiver_phone:
        return {"receiver_phone": order.receiver_phone}
    return None


def merge_hint_remark(actor, order) -> int:
    """ORD-3 red: when one buyer (nick, else phone) has several open orders in the shop, flag them all red with the
    remark “同一买家共 N 单，请合并发货”. Orders whose remark already states this count are left alone. Returns N
    (0 when the buyer has only this order)."""
    key = _buyer_key(order)
    if key is None:
        return 0
    same = Order.objects.filter(shop_id=order.shop_id, state__in=OPEN_STATES, **key)
    n = same.count()
    if n < 2:
        return 0
    hint = f"同一买家共 {n} 单，请合并发货"
    todo = [
        pk
        for pk, remark, flag in same.values_list("pk", "seller_remark", "flag")
        if hint not in remark or flag != "red"
    ]
    if todo:
        flag_orders(actor, todo, Flag.RED, hint)
    return n
