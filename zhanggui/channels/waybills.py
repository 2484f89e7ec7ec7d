"""What a platform prints on a waybill label (SHIP-1 / TEAM-5; platform-formats.md §3).

Receiver privacy on labels is the platform's rule, not the viewer's: Taobao/Tmall (Cainiao), PDD and JD print
privacy waybills — masked name 张* and phone 138****1234, full address so the courier can deliver ("收 block (name,
masked phone, full address)", "PDD/Cainiao now print a masked recipient (privacy waybill)"); the own channel has no
platform number-protection service, so its labels print in full (a courier must be able to call). The masking
itself is the one rule of core.privacy.

Encrypted receivers (SHIP-1, TEAM-5; platform-formats §1.6, §2.5, §4): Pinduoduo gives sellers no plain receiver —
its 2023 export drops 收货人, 手机 and the detailed address (only 省/市/区/街道 remain, 省 even as ``****``), its API
sends them as ciphertext ``~…~`` (密文) with ``*_mask`` twins (打码). Such an order can only be printed through the
platform's own e-waybill (拼多多电子面单), whose print component decrypts the receiver — never on our own label.
"""

from __future__ import annotations

from zhanggui.core.privacy import mask_receiver

# Platforms whose waybills print a masked recipient (privacy waybill). Unknown platforms mask too.
PRIVACY_WAYBILL = {"taobao": True, "tmall": True, "pdd": True, "jd": True, "own": False}
PRODUCT_TITLE = "标准快递"  # shippingOption STANDARD_EXPRESS
COD_PRODUCT_TITLE = "代收货款"  # cash on delivery


# Platforms that hand sellers only an encrypted or masked receiver: the e-waybill service that must print them.
PLATFORM_WAYBILL = {"pdd": "拼多多电子面单"}


def _hidden(value) -> bool:
    """Empty, masked (138****1234, 张*, ****) or ciphertext (~AgAAAA…~)."""
    text = str(value or "").strip()
    return not text or "*" in text or "＊" in text or (len(text) > 2 and text.startswith("~") and text.endswith("~"))


def platform_waybill(platform: str, *, name, phone, province, detail) -> str:
    """The platform e-waybill service an order must be printed on ("拼多多电子面单"), or "" when our own label may
    print it: a PDD order whose receiver name, phone, province or detailed address is missing, masked or
    encrypted (module text)."""
    service = PLATFORM_WAYBILL.get(platform, "")
    if service and any(_hidden(v) for v in (name, phone, province, detail)):
        return service
    return ""


def platform_waybill_for(platform: str, order) -> str:
    """`platform_waybill` of an order (an object or a values() row with receiver_name, receiver_phone, province,
    address_detail)."""

    def get(name):
        return order.get(name, "") if isinstance(order, dict) else getattr(order, name, "")

    return platform_waybill(
        platform,
        name=get("receiver_name"),
        phone=get("receiver_phone"),
        province=get("province"),
        detail=get("address_detail"),
    )


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
