"""Reads for customer pages and the API; masking is applied here, once, for pages, API and exports."""

from django.db.models import Q

from zhanggui.core.privacy import mask_receiver

from .models import Customer


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
