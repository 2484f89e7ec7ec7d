"""What a platform prints on a waybill label (SHIP-1 / TEAM-5; platform-formats.md §3).

Receiver privacy on labels is the platform's rule, not the viewer's: Taobao/Tmall (Cainiao), PDD and JD print
privacy waybills — masked name 张* and phone 138****1234, full address so the courier can deliver ("收 block (name,
masked phone, full address)", "PDD/Cainiao now print a masked recipient (privacy waybill)"); the own channel has no
platform number-protection service, so its labels print in full (a courier must be able to call). The masking
itself is the one rule of core.privacy.
"""

from __future__ import annotations

from zhanggui.core.privacy import mask_receiver

# Platforms whose waybills print a masked recipient (privacy waybill). Unknown platforms mask too.
PRIVACY_WAYBILL = {"taobao": True, "tmall": True, "pdd": True, "jd": True, "own": False}
PRODUCT_TITLE = "标准快递"  # shippingOption STANDARD_EXPRESS
COD_PRODUCT_TITLE = "代收货款"  # cash on delivery


def privacy_waybill(platform: str) -> bool:
    return PRIVACY_WAYBILL.get(platform, True)


def receiver(platform: str, name: str, phone: str) -> tuple[str, str]:
    """(name, phone) of the receiver as the platform's label prints them."""
    if privacy_waybill(platform):
        masked = mask_receiver(name, phone)
        return masked.name, masked.phone
    return name, phone


def receiver_name(platform: str, name: str) -> str:
    """The receiver's name as the platform prints it on paper that goes with the parcel (the packing slip)."""
    return mask_receiver(name).name if privacy_waybill(platform) else name


def product_title(cod: bool) -> str:
    return COD_PRODUCT_TITLE if cod else PRODUCT_TITLE
