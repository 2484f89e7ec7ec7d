"""The shell's navigation, by duty. A module whose pages do not exist yet is shown greyed out."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .access import has_access

# (label, icon, url name of the module's main page, permission to see it)
MODULES = [
    (_("Orders"), "fa-file-invoice", "orders:list", "orders.view_order"),
    (_("Products"), "fa-shirt", "catalog:list", "catalog.view_product"),
    (_("Stock"), "fa-boxes-stacked", "inventory:list", "inventory.view_stocklevel"),
    (_("Purchasing"), "fa-cart-flatbed", "purchasing:list", "purchasing.view_purchaseorder"),
    (_("Shipping"), "fa-truck-fast", "fulfilment:list", "fulfilment.view_package"),
    (_("After-sales"), "fa-rotate-left", "aftersales:list", "aftersales.view_case"),
    (_("Service"), "fa-comments", "service:list", "service.view_conversation"),
    (_("Customers"), "fa-user-group", "crm:list", "crm.view_customer"),
    (_("Marketing"), "fa-bullhorn", "marketing:list", "marketing.view_promotion"),
    (_("Data"), "fa-chart-line", "analytics:home", "analytics.view_report"),
    (_("Finance"), "fa-coins", "finance:home", "finance.view_ledger"),
    (_("Team"), "fa-people-group", "team:list", "team.view_staff"),
    (_("Settings"), "fa-gear", "shops:list", "shops.view_shop"),
]


def navigation(user, current_path: str) -> list[dict]:
    items = []
    for label, icon, url_name, perm in MODULES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None  # the module arrives in a later release
        if url and not has_access(user, perm):
            continue
        # A module is active on every page under its first path segment (/customers/12/ → 客户).
        section = "/" + url.strip("/").split("/", 1)[0] + "/" if url else None
        items.append(
            {
                "label": label,
                "icon": icon,
                "url": url,
                "active": bool(url) and current_path.startswith(section),
            }
        )
    return items
