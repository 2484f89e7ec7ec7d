"""Manual orders (ORD-1 manual entry): the own channel, phone orders, 补发 (resend) and customised orders, entered by
staff with the same validation as imports (ORD-7), and the finance confirmation of bank transfers (ORD-5).

Order numbers: "SD" + Beijing date + the company's running number of the day (SD20261123-0001), from the one
sequence helper (core.sequences): unique across all shops and never refused when many people save at once. A form
or API call carrying an idempotency key creates one order however often it is submitted.
"""

from __future__ import annotations

import re

from django.db import transaction

from zhanggui.catalog.models import Sku
from zhanggui.core import clock, sequences
from zhanggui.core.bounds import check_fen, check_quantity, check_total_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.pinyin import person_initials

from ..models import Order, OrderLine
from . import customers, states
from .remarks import append_remark, remark_line

Kind = Order.Kind
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")  # 区号-号码[-分机]
CONFIRM_PAYMENT_PERM = "orders.confirm_payment"  # finance (ORD-5); the permission is declared on Order by the lead
ORDER_SEQUENCE = "orders.manual"
SUBMIT_SCOPE = "orders.manual"
KIND_NAMES = {Kind.NORMAL: "普通订单", Kind.PHONE: "电话订单", Kind.RESEND: "补发订单", Kind.CUSTOM: "定制订单"}

register_event_kinds({"order_created": "新建订单", "order_payment": "到账确认"})


# ---------------------------------------------------------------------------------------------------------------
# Validation (ORD-7: the same rules as the import)
# ---------------------------------------------------------------------------------------------------------------


def normalise_phone(raw) -> str:
    """A mobile (11 digits, 1[3-9]…) or a landline (区号-号码); spaces, dashes and +86 are tolerated. Chinese
    DomainError otherwise."""
    text = re.sub(r"[\s()（）]", "", str(raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    digits = text.replace("-", "")
    if digits.isdigit() and digits.startswith("1"):
        if MOBILE.match(digits):
            return digits
        raise DomainError("bad_phone", f"手机号“{raw}”应为 11 位数字", "receiver_phone")
    if LANDLINE.match(text):
        return text
    if not text:
        raise DomainError("required", "请填写收货人电话", "receiver_phone")
    raise DomainError("bad_phone", f"电话“{raw}”无效：手机号为 11 位数字，座机为 区号-号码", "receiver_phone")


def _find_sku(ref) -> Sku | None:
    if isinstance(ref, Sku):
        return ref
    text = str(ref or "").strip()
    if not text:
        return None
    found = Sku.objects.select_related("product").filter(code=text).first()
    if found is None:
        found = Sku.objects.select_related("product").filter(barcode=text).first()
    if found is None and text.isdigit():
        found = Sku.objects.select_related("product").filter(pk=int(text)).first()
    return found


def check_lines(lines) -> list[tuple[Sku, int, int]]:
    """ORD-7: [(sku or code, qty, unit_price_fen)] → [(Sku, qty, price)]; every bad row named (第 N 行), nothing
    accepted unless all rows are good: SKU exists and is active, quantity ≥ 1, price ≥ 0 (fen)."""
    lines = list(lines or [])
    if not lines:
        raise DomainError("no_lines", "请至少添加一件商品", "lines")
    good, errors = [], []
    for n, row in enumerate(lines, start=1):
        try:
            ref, qty, price = row
        except (TypeError, ValueError):
            errors.append(f"第 {n} 行：应为 商品编码、数量、单价")
            continue
        sku = _find_sku(ref)
        label = f"第 {n} 行"
        if sku is None:
            errors.append(f"{label}：商品编码“{ref}”不存在")
            continue
        label = f"第 {n} 行 {sku.code}"
        if not sku.is_active:
            errors.append(f"{label}：商品已停用")
            continue
        try:  # rule 7: the company's bounds (core.bounds), the same as every other quantity and price
            good.append((sku, check_quantity(qty, "数量", "lines"), check_fen(price, "单价", "lines")))
        except DomainError as exc:
            errors.append(f"{label}：{exc.message}")
    if errors:
        raise DomainError("bad_lines", f"有 {len(errors)} 行商品有误：{errors[0]}", "lines", details=errors)
    return good


def split_address(text: str) -> dict:
    """The address split into province / city / district / detail / postcode / adcode with the readers' splitter
    (zhanggui.core.regions, official division data: "省 市 区 详细" with spaces, else the division
    matcher). The raw text is always kept; an address that cannot be split puts the order in the address queue
    (exc_address, ORD-9) instead of refusing it."""
    from zhanggui.core.regions import split_taobao

    split = split_taobao(text)
    values = {
        "province": split.province,
        "city": split.city,
        "district": split.district,
        "address_detail": split.detail,
        "postcode": split.postcode,
        "adcode": split.adcode,
    }
    out = {k: str(v or "")[: Order._meta.get_field(k).max_length] for k, v in values.items()}
    out["exc_address"] = not split.ok
    return out


def next_order_no(day=None) -> str:
    """ "SD" + Beijing date + "-" + the next company-wide running number of that day (ORD-1: our own numbers are
    unique across shops). Numbers issued before the sequence existed are skipped (the floor)."""
    day = day or clock.today()
    stem = f"SD{day:%Y%m%d}-"

    def floor() -> int:
        numbers = Order.objects.filter(platform_order_no__startswith=stem).values_list("platform_order_no", flat=True)
        return max((int(n[len(stem) :]) for n in numbers if n[len(stem) :].isdigit()), default=0)

    return f"{stem}{sequences.take(ORDER_SEQUENCE, day, floor=floor):04d}"


def _text(value, label: str, field: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", f"请填写{label}", field)
    if len(text) > limit:
        raise DomainError("too_long", f"{label}最多 {limit} 个字", field)
    return text


# ---------------------------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------------------------


def create_manual_order(
    actor,
    shop,
    *,
    kind: str = Kind.NORMAL,
    receiver_name: str,
    receiver_phone: str,
    address: str,
    lines,
    postage_fen: int = 0,
    buyer_nick: str = "",
    buyer_message: str = "",
    seller_remark: str = "",
    paid: bool = True,
    payment_method: str = "",
    original_order=None,
    idempotency_key: str = "",
) -> Order:
    """A manual order (own channel, phone order, 补发, customised) with the import's validation (ORD-7).

    lines = [(sku or code, qty, unit_price_fen)]. Created 待付款, then (paid=True) 待审核 with the goods reserved
    (ORD-4, states.mark_paid); a bank-transfer order (payment_method "bank") goes on hold until finance confirms the
    money (ORD-5, `confirm_payment`). A resend (补发) needs the original order of the same shop; its remark links it.
    Every step is on the timeline. `idempotency_key` (the form's hidden key, the API's Idempotency-Key): a second
    call with the same key by the same person returns the first order instead of creating another."""
    if kind not in Kind.values:
        raise DomainError("bad_kind", f"未知的订单类型：{kind}", "kind")
    name = _text(receiver_name, "收货人", "receiver_name", 60, required=True)
    phone = normalise_phone(receiver_phone)
    address = _text(address, "收货地址", "address", 300, required=True)
    postage = check_fen(postage_fen, "运费", "postage_fen")
    buyer_nick = _text(buyer_nick, "买家昵称", "buyer_nick", 100)
    buyer_message = _text(buyer_message, "买家留言", "buyer_message", 500)
    remark = _text(seller_remark, "卖家备注", "seller_remark", 300)
    payment_method = _text(payment_method, "付款方式", "payment_method", 20)
    original = None
    if kind == Kind.RESEND:
        if original_order is None:
            raise DomainError("original_required", "补发订单请选择原订单", "original_order")
        original = (
            original_order
            if isinstance(original_order, Order)
            else Order.objects.filter(pk=getattr(original_order, "pk", original_order)).first()
        )
        if original is None or original.shop_id != shop.pk:
            raise DomainError("original_not_found", "原订单不存在或不属于本店铺", "original_order")
    elif original_order is not None:
        raise DomainError("original_only_resend", "只有补发订单才能关联原订单", "original_order")
    good = check_lines(lines)
    goods_fen = sum(qty * price for _sku, qty, price in good)
    check_total_fen(goods_fen + postage, "订单金额", "lines")
    now = clock.now()
    remark_lines = remark
    if original is not None:
        remark_lines = append_remark(remark_lines, remark_line(actor, f"补发，原订单 {original.platform_order_no}"))
    elif remark:
        remark_lines = remark_line(actor, remark)
    values = dict(
        shop=shop,
        state=Order.State.PENDING_PAYMENT,
        source=Order.Source.MANUAL,
        kind=kind,
        buyer_nick=buyer_nick,
        buyer_initials=person_initials(buyer_nick),  # ORD-6: found by pinyin initials
        buyer_message=buyer_message,
        seller_remark=remark_lines,
        receiver_name=name,
        receiver_initials=person_initials(name),
        receiver_phone=phone,
        phone_last4=re.sub(r"\D", "", phone)[-4:],
        address_raw=address,
        goods_fen=goods_fen,
        postage_fen=postage,
        paid_fen=(goods_fen + postage) if paid else 0,
        payment_method=payment_method,
        ordered_at=now,
        **split_address(address),
    )

    def make() -> Order:
        with transaction.atomic():
            order = Order.objects.create(platform_order_no=next_order_no(), **values)
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        line_no=n,
                        sku=sku,
                        outer_code=sku.code,
                        title=sku.product.name[:200],
                        properties=";".join(p for p in (sku.colour, sku.size) if p)[:200],
                        unit_price_fen=price,
                        quantity=qty,
                        paid_fen=qty * price if paid else 0,
                    )
                    for n, (sku, qty, price) in enumerate(good, start=1)
                ]
            )
            note = f"{KIND_NAMES[kind]}，{len(good)} 种商品，金额 {format_fen(goods_fen + postage)}"
            if original is not None:
                note += f"，补发原订单 {original.platform_order_no}"
            record_event(actor, order, "order_created", to_state=states.state_label(order.state), note=note)
            if original is not None:
                record_event(actor, original, "order_created", note=f"已补发，新订单 {order.platform_order_no}")
            if paid:
                order = states.mark_paid(actor, order)
            customers.link_customers(shop.pk, [(order.pk, order)])  # CRM-1: the buyer's customer of this shop
        return order

    # ORD-1: a double submit of one form (same key, same person) creates one order and answers with it
    key = f"{getattr(actor, 'pk', '')}:{idempotency_key}" if idempotency_key else ""
    order, _created = sequences.submit_once(SUBMIT_SCOPE, key, Order, make)
    return order


# ---------------------------------------------------------------------------------------------------------------
# ORD-5: finance confirms a bank transfer
# ---------------------------------------------------------------------------------------------------------------


def can_confirm_payment(actor) -> bool:
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(CONFIRM_PAYMENT_PERM)
    )


def confirm_payment(actor, order, *, bank: str, amount_fen: int, version=None) -> Order:
    """ORD-5: finance confirms the bank transfer arrived: the ORD-5 hold is released (the order goes back to
    待审核), the order gets the green flag and the remark ``<工号> <银行> 到账 ¥金额`` (ORD-3 green; carrier and
    tracking are remarked when shipped). Refused without the permission, for non-bank orders and when the amount is
    less than the order's total."""
    if not can_confirm_payment(actor):
        raise DomainError("forbidden", "只有财务可以确认银行转账到账", "actor")
    bank = _text(bank, "银行", "bank", 40, required=True)
    amount = check_total_fen(amount_fen, "到账金额", "amount_fen", low=1)
    with transaction.atomic():
        current = states.locked(order, version)
        if current.payment_method != "bank":
            raise DomainError("not_bank", f"订单 {current.platform_order_no} 不是银行转账订单", "payment_method")
        if current.state in states.FINAL or current.state == Order.State.PENDING_PAYMENT:
            raise DomainError(
                "not_confirmable",
                f"订单 {current.platform_order_no} 当前为“{states.state_label(current.state)}”，不能确认到账",
                "state",
            )
        due = current.paid_fen or current.goods_fen + current.postage_fen - current.discount_fen
        if amount < due:
            raise DomainError(
                "amount_short", f"到账金额 {format_fen(amount)} 少于订单应付 {format_fen(due)}，请核对", "amount_fen"
            )
        line = remark_line(actor, f"{bank} 到账 {format_fen(amount)}")
        current.seller_remark = append_remark(current.seller_remark, line)
        current.flag = Order.Flag.GREEN
        states.bump(current, ["seller_remark", "flag"])
        record_event(actor, current, "order_payment", to_state="已到账", note=line)
        if current.state == Order.State.ON_HOLD and current.hold_reason == states.BANK_HOLD_REASON:
            states.move_locked(current, current.state_before_hold, actor, "财务确认到账", bank_confirmed=True)
    states.sync(order, current)
    return current
