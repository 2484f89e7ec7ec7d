"""SHIP-4: after shipping, tell the buyer the goods are on the way and ask for a good review. There is no sending
API: the message is rendered from the shop's template (fulfilment.shipped_template) for a person to copy into the
platform's chat (千牛 / 京麦 / 拼多多商家后台), who then marks it sent (a timeline entry on the package)."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.models import Event
from zhanggui.orders.models import OrderLine
from zhanggui.shops.settings_store import get_setting

from ..models import Package, PackageOrder

SENT = "shipped_message_sent"
register_event_kinds({SENT: "已发送发货通知"})


class _Blank(dict):
    def __missing__(self, key):  # an unknown placeholder stays as written
        return "{" + key + "}"


def placeholders(package: Package) -> dict[str, str]:
    orders = [link.order for link in PackageOrder.objects.filter(package=package).select_related("order")]
    orders = orders or [package.order]
    titles = list(
        OrderLine.objects.filter(package_lines__package=package)
        .order_by("order_id", "line_no")
        .values_list("title", flat=True)
    )
    titles = list(dict.fromkeys(t for t in titles if t))
    goods = "、".join(titles[:3]) + ("等商品" if len(titles) > 3 else "") if titles else "商品"
    carrier = package.carrier.short_name or package.carrier.name if package.carrier else ""
    return {
        "买家": package.order.buyer_nick or package.order.receiver_name,
        "店铺": package.shop.name,
        "商品": goods,
        "快递": carrier,
        "运单号": package.waybill_no,
        "订单号": "、".join(o.platform_order_no for o in orders),
    }


def shipped_message(package: Package) -> str:
    """SHIP-4: the after-shipping message of `package` from its shop's template."""
    template = get_setting(package.shop, "fulfilment.shipped_template") or ""
    return template.format_map(_Blank(placeholders(package)))


def shipped_on(shops, day: dt.date):
    """Packages of `shops` shipped (or since signed) on Beijing `day`, in shipping order."""
    start, end = clock.local_day_bounds(day)
    return (
        Package.objects.filter(shop__in=shops, shipped_at__gte=start, shipped_at__lt=end)
        .filter(state__in=[Package.State.SHIPPED, Package.State.SIGNED])
        .select_related("shop", "carrier", "order")
        .order_by("shipped_at", "id")
    )


def sent_ids(packages) -> set[int]:
    """Which of `packages` already had their message marked sent (one query)."""
    ids = [str(p.pk) for p in packages]
    kind = ContentType.objects.get_for_model(Package)
    return {
        int(x)
        for x in Event.objects.filter(content_type=kind, object_id__in=ids, kind=SENT).values_list(
            "object_id", flat=True
        )
    }


def mark_sent(actor, package: Package) -> Package:
    """Record that the message was sent to the buyer (once)."""
    if package.state not in (Package.State.SHIPPED, Package.State.SIGNED):
        raise DomainError("not_shipped", f"包裹 {package.package_no} 尚未发货", "package")
    if package.pk in sent_ids([package]):
        raise DomainError("already_sent", f"包裹 {package.package_no} 的发货通知已标记为已发送", "package")
    record_event(actor, package, SENT, note=shipped_message(package)[:500])
    return package
