"""Editing an order with a record (ORD-7): change a line's SKU (exchange: the buyer wants L
instead of M), a line's quantity, the receiver's address, the carrier — each on the timeline with old → new.

Decisions:
- Only before shipping: 待付款, 待审核, 已审核, 待发货, 挂起 (states.OPEN_STATES). A shipped, signed, completed or
  closed order is refused with a message naming its state; after shipping an exchange is a return + resend.
- Every edit locks the order, checks the version the person saw (stale_version) and bumps it.
- Stock (ORD-4): a paid order (any editable state but 待付款) owns its goods. A SKU or quantity change gives back the
  order's reservation and reserves the lines as they are now, in the same transaction; too little stock puts the
  order in the out-of-stock queue (ORD-9, states.reserve_order), never silently. A reservation is unique per
  (reference, SKU) and a released one would block the same SKU forever, so the released rows of the order's
  reference are deleted before reserving again — the ledger keeps every release (INV-2, stock-verify only reads
  the ledger). An out-of-stock order (nothing reserved) also retries, so an exchange to an available size takes it
  out of the queue.
- Exchange: the line keeps the platform's title, properties, price and 商家编码 (a re-import compares those, not our
  SKU, so the exchange survives it); manual and own-channel orders carry our code, which follows the new SKU.
  Matching an unmatched line this way takes the order out of the unmatched queue (ORD-9) once no line is left
  unmatched.
- Quantity: manual and own-channel orders recompute the goods amount (and the paid amount when paid); a platform
  order keeps the platform's amounts — the platform decides what the buyer paid, the note says so.
- Address (TEAM-5): only people who may see buyer data (crm.view_buyer_pii) may change it — you cannot correct
  what you cannot see. Same validation as manual orders (ORD-7); re-split into 省/市/区/详细/邮编 with the adcode;
  the address queue (exc_address, ORD-9) follows whether the new address parses. The timeline note names only the
  region (省市区) and the phone's last four digits, which masked roles see anyway; the full before/after is kept in
  the event's data, which no page or API presents.
- Carrier: free text (the carrier table is fulfilment's, a layer above orders); ORD-2 "switch and remark it": the
  change is also a seller-remark line ``<工号> <快递> 改快递…`` (ORD-3). A tracking number of the old carrier no
  longer fits and is cleared (noted).
- After approval (ORD-2, SHIP-1, SHIP-3): every edit delivers OrderEdited (core.domain_events) in its transaction —
  orders never import fulfilment (rule 2 of the house) — and the order's open package follows it there: a printed
  label is voided and printed again, the carrier rules run again for the new address, lines and carrier; where
  they cannot decide the order goes on hold with the reason for 审单, and a carrier the rules refuse refuses the
  edit (nothing is kept).
"""

from __future__ import annotations

import re

from django.db import transaction

from zhanggui.catalog.models import Sku
from zhanggui.core.bounds import check_quantity, check_total_fen
from zhanggui.core.domain_events import OrderEdited, deliver
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.pinyin import person_initials
from zhanggui.core.privacy import can_see_pii
from zhanggui.inventory.models import Reservation

from ..models import Order, OrderLine
from . import states
from .manual import _text, normalise_phone, split_address
from .remarks import append_remark, remark_line

State = Order.State
EDITABLE = states.OPEN_STATES  # before shipping (ORD-7)
OWN_PLATFORM = "own"  # shops.Platform code of the own/offline channel

register_event_kinds(
    {
        "order_edit_sku": "换货/改 SKU",
        "order_edit_qty": "改数量",
        "order_edit_address": "改收货地址",
        "order_edit_carrier": "改快递",
    }
)


class PiiRequired(DomainError):
    """The address edit needs crm.view_buyer_pii (TEAM-5): answered 403 by the API."""

    status = 403


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def can_edit(order: Order) -> bool:
    """ORD-7: editable before shipping only."""
    return order.state in EDITABLE


def can_edit_address(actor) -> bool:
    return can_see_pii(actor)


def _check_editable(order: Order) -> None:
    if not can_edit(order):
        raise DomainError(
            "not_editable",
            f"订单 {order.platform_order_no} 当前为“{states.state_label(order.state)}”，只有发货前的订单可以修改",
            "state",
        )


def _lock_editable(order, version) -> Order:
    current = states.locked(order, version)
    _check_editable(current)
    return current


def _line(order: Order, line_no) -> OrderLine:
    number = _whole(line_no)
    known = number is not None and 0 < number < 2**15  # line_no is a small column: a bigger number is no line
    found = OrderLine.objects.filter(order=order, line_no=number).select_related("sku").first() if known else None
    if found is None:
        raise DomainError("no_line", f"订单 {order.platform_order_no} 没有第 {line_no} 行商品", "line_no")
    return found


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def find_sku(ref) -> Sku | None:
    """A Sku by 商家编码, then barcode (or the Sku itself)."""
    if isinstance(ref, Sku):
        return ref
    text = str(ref or "").strip()
    if not text:
        return None
    skus = Sku.objects.select_related("product")
    return skus.filter(code=text).first() or skus.filter(barcode=text).first()


def _own_amounts(order: Order) -> bool:
    """Manual and own-channel orders: our amounts, recomputed on a quantity change."""
    return order.source == Order.Source.MANUAL or order.shop.platform_id == OWN_PLATFORM


def _holds_stock(order: Order) -> bool:
    """ORD-4: a paid order before shipping owns its goods (reserved, or waiting in the out-of-stock queue)."""
    return order.state != State.PENDING_PAYMENT or states.has_reservation(order)


def _reserve_again(order: Order, actor, why: str) -> None:
    """ORD-4: give back what the order holds and reserve its lines as they are now (same transaction)."""
    states.release_order(order, actor, note=f"订单 {order.platform_order_no} {why}，重新预留")
    # A released reservation blocks its (reference, SKU) for good; the ledger keeps the release (INV-2).
    Reservation.objects.filter(reference=states.reference(order), state=Reservation.State.RELEASED).delete()
    states.reserve_order(order, actor)  # too little stock → out-of-stock queue (ORD-9)


_EXTRA_SYNC = (
    "exc_unmatched",
    "exc_address",
    "goods_fen",
    "paid_fen",
    "receiver_name",
    "receiver_initials",
    "receiver_phone",
    "phone_last4",
    "address_raw",
    "province",
    "city",
    "district",
    "street",
    "address_detail",
    "postcode",
    "adcode",
)


def _sync(target, current: Order) -> None:
    states.sync(target, current)
    if isinstance(target, Order) and target is not current:
        for name in _EXTRA_SYNC:
            setattr(target, name, getattr(current, name))


def _edited(current: Order, change: str, actor) -> None:
    """ORD-2, SHIP-3: the order's open package follows the edit (fulfilment listens; in this transaction)."""
    deliver(OrderEdited(order=current, change=change, actor=actor))


def _sku_label(line: OrderLine) -> str:
    return line.sku.code if line.sku_id else f"未匹配 {line.outer_code or '—'}"


# ---------------------------------------------------------------------------------------------------------------
# The edits
# ---------------------------------------------------------------------------------------------------------------


def change_line_sku(actor, order, line_no, sku_or_code, *, version=None) -> Order:
    """ORD-7 exchange: line `line_no` gets another SKU (by Sku, 商家编码 or barcode), keeping the platform's title
    and price. Matches an unmatched line too (ORD-9: the order leaves the unmatched queue when none is left).
    A paid order's reservation moves to the new SKU (ORD-4)."""
    sku = find_sku(sku_or_code)
    if sku is None:
        raise DomainError("unknown_sku", f"商家编码或条码“{sku_or_code or ''}”不存在", "sku")
    if not sku.is_active:
        raise DomainError("sku_inactive", f"{sku.code} 已停用，不能换成它", "sku")
    with transaction.atomic():
        current = _lock_editable(order, version)
        line = _line(current, line_no)
        if line.sku_id == sku.pk:
            raise DomainError("same_sku", f"第 {line.line_no} 行已经是 {sku.code}", "sku")
        before = _sku_label(line)
        line.sku = sku
        line_fields = ["sku"]
        if _own_amounts(current):  # our own code and properties: they name our SKU
            line.outer_code = sku.code
            line.properties = ";".join(p for p in (sku.colour, sku.size) if p)[:200]
            line_fields += ["outer_code", "properties"]
        line.save(update_fields=line_fields)
        was_unmatched = current.exc_unmatched
        current.exc_unmatched = OrderLine.objects.filter(order=current, sku__isnull=True).exists()
        states.bump(current, ["exc_unmatched"])
        note = f"第 {line.line_no} 行 {line.title or sku.product.name}：{before} → {sku.code}"
        if was_unmatched and not current.exc_unmatched:
            note += "，已移出未匹配队列"
        record_event(actor, current, "order_edit_sku", from_state=before, to_state=sku.code, note=note)
        if _holds_stock(current):
            _reserve_again(current, actor, f"第 {line.line_no} 行换成 {sku.code}")
        _edited(current, "lines", actor)
    _sync(order, current)
    return current


def change_quantity(actor, order, line_no, qty, *, version=None) -> Order:
    """ORD-7: line `line_no` gets quantity `qty` (1 … the company's bound, core.bounds). Manual and own-channel
    orders recompute the goods amount (and the paid amount when paid); platform orders keep the platform's amounts.
    A paid order re-reserves (ORD-4)."""
    number = check_quantity(qty, "数量", "quantity")  # rule 7: the company's bounds
    with transaction.atomic():
        current = _lock_editable(order, version)
        line = _line(current, line_no)
        if line.quantity == number:
            raise DomainError("same_quantity", f"第 {line.line_no} 行数量已经是 {number}", "quantity")
        before = line.quantity
        line.quantity = number
        line_fields = ["quantity"]
        fields = []
        if _own_amounts(current):
            paid = current.paid_fen > 0
            if paid:
                line.paid_fen = number * line.unit_price_fen
                line_fields.append("paid_fen")
            line.save(update_fields=line_fields)
            old_total = current.goods_fen
            current.goods_fen = sum(
                q * p for q, p in OrderLine.objects.filter(order=current).values_list("quantity", "unit_price_fen")
            )
            fields.append("goods_fen")
            check_total_fen(current.goods_fen + current.postage_fen, "订单金额", "quantity")  # rolled back whole
            money = f"商品金额 {format_fen(old_total)} → {format_fen(current.goods_fen)}"
            if paid:
                current.paid_fen = current.goods_fen + current.postage_fen - current.discount_fen
                fields.append("paid_fen")
                money += f"，实付 {format_fen(current.paid_fen)}"
        else:
            line.save(update_fields=line_fields)
            money = "平台订单金额以平台为准，未改"
        states.bump(current, fields)
        label = line.sku.code if line.sku_id else (line.outer_code or line.title)
        record_event(
            actor,
            current,
            "order_edit_qty",
            from_state=str(before),
            to_state=str(number),
            note=f"第 {line.line_no} 行 {label}：数量 {before} → {number}；{money}",
        )
        if line.sku_id and _holds_stock(current):
            _reserve_again(current, actor, f"第 {line.line_no} 行数量 {before} → {number}")
        _edited(current, "lines", actor)
    _sync(order, current)
    return current


def _region(province: str, city: str, district: str) -> str:
    return "".join(p for p in (province, city, district) if p) or "无法识别"


def _address_text(address, province, city, district, detail, postcode) -> str:
    """The address as one text: given whole, or from its parts as "省 市 区 详细(邮编)" (what split_address reads)."""
    parts = [str(p or "").strip() for p in (province, city, district, detail)]
    if any(parts):
        if not all(parts):
            raise DomainError("address_parts", "请填写完整的省、市、区和详细地址", "address")
        text = " ".join(parts)
        code = str(postcode or "").strip()
        if code:
            if not re.fullmatch(r"\d{6}", code):
                raise DomainError("bad_postcode", f"邮编“{code}”应为 6 位数字", "postcode")
            text += f"({code})"
        return _text(text, "收货地址", "address", 300, required=True)
    return _text(address, "收货地址", "address", 300, required=True)


def change_address(
    actor,
    order,
    *,
    name,
    phone,
    address="",
    province="",
    city="",
    district="",
    detail="",
    postcode="",
    version=None,
) -> Order:
    """ORD-7: the receiver's name, phone and address, validated like a manual order, re-split into 省/市/区/详细/
    邮编 with the adcode; the address queue (ORD-9) follows whether it parses. Needs crm.view_buyer_pii (TEAM-5).
    The timeline names only the region and the phone's last four digits."""
    if not can_edit_address(actor):
        raise PiiRequired("pii_required", "你的角色不能查看买家信息，因此不能修改收货地址", "address")
    name = _text(name, "收货人", "receiver_name", 60, required=True)
    phone = normalise_phone(phone)
    text = _address_text(address, province, city, district, detail, postcode)
    split = split_address(text)
    with transaction.atomic():
        current = _lock_editable(order, version)
        before = {
            "name": current.receiver_name,
            "phone": current.receiver_phone,
            "address": current.address_raw,
            "region": _region(current.province, current.city, current.district),
        }
        values = {
            "receiver_name": name,
            "receiver_initials": person_initials(name),  # ORD-6
            "receiver_phone": phone,
            "phone_last4": re.sub(r"\D", "", phone)[-4:],
            "address_raw": text,
            "street": "",  # the new text carries everything below the district
            **split,
        }
        fields = [f for f, v in values.items() if getattr(current, f) != v]
        if not fields:
            raise DomainError("unchanged", "收货人、电话和地址都没有变化", "address")
        for f in fields:
            setattr(current, f, values[f])
        states.bump(current, fields)
        after_region = _region(current.province, current.city, current.district)
        notes = []
        if before["name"] != name:
            notes.append("收货人已修改")
        if before["phone"] != phone:
            old4 = re.sub(r"\D", "", before["phone"])[-4:] or "—"
            notes.append(f"电话已修改（尾号 {old4} → {current.phone_last4}）")
        if before["address"] != text:
            notes.append(f"地址已修改（{before['region']} → {after_region}）")
            if current.exc_address:
                notes.append("地址无法识别，已进入地址异常队列")
            elif "exc_address" in fields:
                notes.append("地址已可识别，移出地址异常队列")
        record_event(
            actor,
            current,
            "order_edit_address",
            from_state=before["region"],
            to_state=after_region,
            note="；".join(notes),
            data={
                "before": {k: before[k] for k in ("name", "phone", "address")},
                "after": {"name": name, "phone": phone, "address": text},
            },
        )
        _edited(current, "address", actor)
    _sync(order, current)
    return current


def change_carrier(actor, order, carrier, *, version=None) -> Order:
    """ORD-7 / ORD-2: switch the carrier (free text: orders sits below fulfilment's carriers) and remark it
    (``<工号> <快递> 改快递…``, ORD-3). A tracking number of the old carrier is cleared."""
    carrier = _text(carrier, "快递", "carrier", Order._meta.get_field("carrier").max_length, required=True)
    with transaction.atomic():
        current = _lock_editable(order, version)
        before = current.carrier
        if before == carrier:
            raise DomainError("same_carrier", f"快递已经是 {carrier}", "carrier")
        current.carrier = carrier
        fields = ["carrier", "seller_remark"]
        note = f"改快递：{before or '未指定'} → {carrier}"
        if current.tracking_no:
            note += f"，原运单号 {current.tracking_no} 已清除"
            current.tracking_no = ""
            fields.append("tracking_no")
        current.seller_remark = append_remark(
            current.seller_remark, remark_line(actor, f"改快递（原 {before or '未指定'}）", carrier)
        )
        states.bump(current, fields)
        record_event(actor, current, "order_edit_carrier", from_state=before, to_state=carrier, note=note)
        _edited(current, "carrier", actor)
    _sync(order, current)
    return current
