"""New manual order (/orders/new/, ORD-1 manual entry): own channel, phone orders, 补发 and customised orders, with the
import's validation (ORD-7, services.manual.create_manual_order). Yuan are turned into fen here, at the edge; a
refusal is shown next to its field with everything typed kept; the address split is previewed as it is typed."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

from ..models import PAYMENT_METHODS, Order
from ..services import manual
from .common import IMPORT as ADD  # orders.add_order: customer service and the manager (team/data/roles.json)

EMPTY_ROWS = 5
OWN_PLATFORM = "own"
# The service's field names → this form's (the rest are the same).
FORM_FIELDS = {"postage_fen": "postage", "original_order": "original_no"}
KNOWN_FIELDS = {
    "shop",
    "kind",
    "original_no",
    "receiver_name",
    "receiver_phone",
    "address",
    "lines",
    "postage",
    "buyer_nick",
    "buyer_message",
    "seller_remark",
    "payment_method",
}


def payment_methods():
    return [(code, str(PAYMENT_METHODS[code])) for code in ("alipay", "wechat", "bank", "cash")]


def shops_for(request) -> list:
    """The user's shops, the own/offline channel first (manual orders are mostly theirs)."""
    return sorted(request.scope.allowed, key=lambda s: s.platform_id != OWN_PLATFORM)


def _fen(raw, field: str, label: str) -> int:
    text = str(raw or "").strip()
    if not text:
        return 0
    try:
        return yuan_to_fen(text)
    except DomainError as exc:
        raise DomainError(exc.code, f"{label}：{exc.message}", field) from None


def posted_rows(post) -> list[dict]:
    """The line rows as typed (for showing them again), blank rows left out."""
    codes, qtys, prices = post.getlist("sku"), post.getlist("qty"), post.getlist("price")
    rows = []
    for n in range(max(len(codes), len(qtys), len(prices))):
        row = {k: (v[n] if n < len(v) else "").strip() for k, v in (("sku", codes), ("qty", qtys), ("price", prices))}
        if any(row.values()):
            rows.append(row)
    return rows


def _lines(rows) -> list[tuple[str, str, int]]:
    """[(code, qty as typed, unit price in fen)]; the service checks codes and quantities (ORD-7)."""
    lines = []
    for n, row in enumerate(rows, start=1):
        if not row["price"]:
            raise DomainError("bad_lines", f"第 {n} 行：请填写单价（补发可填 0）", "lines")
        lines.append((row["sku"], row["qty"], _fen(row["price"], "lines", f"第 {n} 行单价")))
    return lines


def _create(request, shops):
    p = request.POST
    shop = next((s for s in shops if str(s.pk) == p.get("shop")), None)
    if shop is None:
        raise DomainError("bad_shop", "请选择店铺", "shop")
    kind = p.get("kind", Order.Kind.NORMAL)
    original = None
    if kind == Order.Kind.RESEND:
        number = p.get("original_no", "").strip()
        if number:
            found = Order.objects.filter(shop=shop, platform_order_no=number).first()
            original = found or 0  # 0 is no order: the service says the original does not exist in this shop
    return manual.create_manual_order(
        request.user,
        shop,
        kind=kind,
        receiver_name=p.get("receiver_name", ""),
        receiver_phone=p.get("receiver_phone", ""),
        address=p.get("address", ""),
        lines=_lines(posted_rows(p)),
        postage_fen=_fen(p.get("postage"), "postage_fen", "运费"),
        buyer_nick=p.get("buyer_nick", ""),
        buyer_message=p.get("buyer_message", ""),
        seller_remark=p.get("seller_remark", ""),
        paid=p.get("paid") == "on",
        payment_method=p.get("payment_method", ""),
        original_order=original,
        idempotency_key=p.get("submit_key", ""),  # ORD-1: a double click on 创建订单 creates one order
    )


@page(ADD)
def new_order(request):
    shops = shops_for(request)
    errors, details = {}, []
    if request.method == "POST":
        values = request.POST
        rows = posted_rows(values)
        try:
            order = _create(request, shops)
        except DomainError as exc:
            field = FORM_FIELDS.get(exc.field, exc.field)
            errors[field if field in KNOWN_FIELDS else "form"] = exc.message
            details = exc.details[1:]  # the first detail is the message itself
        else:
            messages.success(request, _("Order created: ") + order.platform_order_no)
            return redirect("orders:detail", order_id=order.pk)
    else:
        shop = request.scope.current or (shops[0] if shops else None)
        values = {"shop": str(shop.pk) if shop else "", "paid": "on", "submit_key": uuid.uuid4().hex}
        rows = []
    rows = rows + [{"sku": "", "qty": "", "price": ""}] * max(EMPTY_ROWS - len(rows), 1)
    return render(
        request,
        "orders/manual.html",
        {
            "values": values,
            "rows": rows,
            "errors": errors,
            "details": details,
            "shops": shops,
            "kinds": Order.Kind.choices,
            "payment_methods": payment_methods(),
            "preview": _preview(values.get("address", "")) if request.method == "POST" else None,
        },
        status=400 if errors else 200,
    )


def _preview(address: str):
    address = str(address or "").strip()
    return manual.split_address(address) if address else None


@require_POST
@page(ADD)
def address_preview(request):
    """htmx: the address as the order will store it (province / city / district / detail / postcode)."""
    return render(request, "orders/_manual_address.html", {"preview": _preview(request.POST.get("address", ""))})


urls = [
    path("new/", new_order, name="new"),
    path("new/address/", address_preview, name="new_address"),
]
