"""Orders API, ORD-4 and ORD-5: the buyer's confirmation message (masked for roles without buyer-data rights,
TEAM-5) with 已发送 / 买家已确认, and finance confirming a bank transfer. Same services as the pages."""

import datetime as dt

from ninja import Router, Schema

from zhanggui.core.access import scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Fen, Reference

from ..models import Order
from ..services import confirm, manual
from ..views.common import CHANGE, VIEW
from . import OrderDetailOut, _detail

router = Router(tags=["orders"])


class ConfirmationOut(Schema):
    order_id: int
    version: int
    text: str
    masked: bool
    applicable: bool  # paid, not shipped, money confirmed: asking the buyer makes sense now
    confirm_sent_at: dt.datetime | None
    buyer_confirmed_at: dt.datetime | None


class VersionIn(Schema):
    version: Reference | None = None


class BuyerConfirmedIn(VersionIn):
    note: str = ""


class PaymentConfirmationIn(Schema):
    bank: str = ""
    amount_fen: Fen = 0
    version: Reference | None = None


def _order(request, order_id: int) -> Order:
    return scoped_get(Order.objects.select_related("shop"), request.user, pk=order_id)


def _confirmation(request, order_id: int) -> dict:
    order = _order(request, order_id)
    text, masked = confirm.text_for(request.user, order)
    return {
        "order_id": order.pk,
        "version": order.version,
        "text": text,
        "masked": masked,
        "applicable": confirm.can_confirm(order),
        "confirm_sent_at": order.confirm_sent_at,
        "buyer_confirmed_at": order.buyer_confirmed_at,
    }


@api_route(router.get, "/orders/{order_id}/confirmation", perm=VIEW, response=ConfirmationOut)
def get_confirmation(request, order_id: int):
    """ORD-4: the shop's confirmation message for this order (setting orders.confirm_template) and when it was sent
    and confirmed. The receiver's name, phone and street are masked unless the caller may see buyer data."""
    return _confirmation(request, order_id)


@api_route(router.post, "/orders/{order_id}/confirmation/sent", perm=CHANGE, response=ConfirmationOut)
def confirmation_sent(request, order_id: int, payload: VersionIn):
    """ORD-4: record that the message was sent to the buyer (by hand: there is no platform chat connector)."""
    confirm.mark_sent(request.user, _order(request, order_id), version=payload.version)
    return _confirmation(request, order_id)


@api_route(router.post, "/orders/{order_id}/confirmation/confirmed", perm=CHANGE, response=ConfirmationOut)
def confirmation_confirmed(request, order_id: int, payload: BuyerConfirmedIn):
    """ORD-4: record that the buyer confirmed the receiving details (`note`: their answer, optional)."""
    confirm.mark_confirmed(request.user, _order(request, order_id), version=payload.version, note=payload.note)
    return _confirmation(request, order_id)


@api_route(
    router.post, "/orders/{order_id}/payment-confirmation", perm=manual.CONFIRM_PAYMENT_PERM, response=OrderDetailOut
)
def payment_confirmation(request, order_id: int, payload: PaymentConfirmationIn):
    """ORD-5: finance confirms the bank transfer arrived (`bank`, `amount_fen` ≥ the amount due): the hold is
    released and the order flagged green with the remark ``<工号> <银行> 到账 ¥金额`` (ORD-3)."""
    manual.confirm_payment(
        request.user,
        _order(request, order_id),
        bank=payload.bank,
        amount_fen=payload.amount_fen,
        version=payload.version,
    )
    return _detail(order_id, request.user)
