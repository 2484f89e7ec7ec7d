"""Reads for customer pages and the API; masking is applied here, once, for pages, API and exports.

CRM-1 purchase figures (orders, spend, frequency, first and last purchase, average order, refunds) are the
customer's orders — and orders sit ABOVE crm (rule 2 of the house: crm never imports them). The orders app
registers its reader at start-up (`register_purchase_source`, in OrdersConfig.ready()); `purchases_of` asks it for
a page of customers at once. Read on demand rather than copied onto the customer, so a refund or a closure made
anywhere shows at once without every state change having to update crm.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from zhanggui.core.privacy import mask_receiver

from .models import Customer


@dataclass
class Purchases:
    """CRM-1: what a customer bought — paid orders that were not closed; refunds: paid orders with money back."""

    orders: int = 0
    spend_fen: int = 0  # paid less refunded
    refunds: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    recent: list = field(default_factory=list)  # the newest orders (number, time, amount, state, link): detail only

    @property
    def average_fen(self) -> int:
        return self.spend_fen // self.orders if self.orders else 0

    @property
    def days_between(self) -> int | None:
        """Frequency: the average number of days between two purchases (None below two)."""
        if self.orders < 2 or not (self.first_at and self.last_at):
            return None
        return round((self.last_at - self.first_at).total_seconds() / 86400 / (self.orders - 1))


PurchaseSource = Callable[[list[int], int], dict[int, Purchases]]  # (customer ids, recent orders) → figures
_source: list[PurchaseSource] = []


def register_purchase_source(source: PurchaseSource) -> None:
    """Called by the orders app in its ready(); a second call replaces the first."""
    _source[:] = [source]


def purchases_of(customer_ids, recent: int = 0) -> dict[int, Purchases]:
    """CRM-1 figures per customer id (every id present; zeros without orders or without a registered source);
    `recent`: how many of the newest orders to list as well."""
    ids = list(customer_ids)
    found = _source[0](ids, recent) if _source and ids else {}
    return {pk: found.get(pk) or Purchases() for pk in ids}


def customers_in(shops, keyword: str = ""):
    qs = Customer.objects.filter(shop__in=shops).select_related("shop", "shop__platform")
    keyword = keyword.strip()
    if keyword:
        qs = qs.filter(Q(buyer_nick__icontains=keyword) | Q(name__icontains=keyword) | Q(phone__endswith=keyword))
    return qs


def present_customer(customer: Customer, show_pii: bool) -> dict:
    """A customer as a role may see it: full, or masked (138****1234, address to district, 张**)."""
    full_address = f"{customer.province}{customer.city}{customer.district}{customer.address}"
    masked = (
        None
        if show_pii
        else mask_receiver(customer.name, customer.phone, region=(customer.province, customer.city, customer.district))
    )
    return {
        "id": customer.id,
        "shop": customer.shop.code,
        "buyer_nick": customer.buyer_nick,
        "name": customer.name if show_pii else masked.name,
        "phone": customer.phone if show_pii else masked.phone,
        "address": full_address if show_pii else masked.address,
        "tags": customer.tags,
        "masked": not show_pii,
    }
