"""The homes of the people who work the queues: customer service, warehouse, finance, editor, designer, marketing.
Each block counts what the role must do now, with the age of the oldest item, and links to the page that lists
exactly those rows (the tab, filter or shop behind the figure). The counts come from the same selectors and
services as the pages they open, so the number on the home page is the number of rows there."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhanggui.aftersales.queues import home_counts as aftersales_counts
from zhanggui.catalog import selectors as catalog
from zhanggui.catalog.models import Listing
from zhanggui.catalog.services.titles import title_issues
from zhanggui.fulfilment import selectors as fulfilment
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import fees, sla
from zhanggui.orders import selectors as orders
from zhanggui.team.models import Staff

from .blocks import Block, Row
from .manager import ORDERS, orders_url

PACKAGES = "fulfilment.view_package"
FEES = "fulfilment.reconcile_fee"


def _mine(user, role_codes, owner: dict, role_code: str, working: set[int]) -> bool:
    """ORD-9 / TEAM-2: a queue is mine when I own its duty on the duty chart — or it is a duty of one of my roles
    and none of its owners works for the shops I see (`working`: the owners who do), so nobody else answers for
    it here."""
    owners = owner["owners"]
    if any(o.pk == user.pk for o in owners):
        return True
    return role_code in role_codes and not any(o.all_shops or o.pk in working for o in owners)


def my_orders(user, shops, role_codes) -> Block:
    """The order queues a person answers for: 客服 — orders awaiting payment (催付) and to review (审单); everyone —
    the exception queues (ORD-9) whose duty is theirs."""
    rows = []
    if "cs" in role_codes:
        pending = orders.state_count(shops, orders.State.PENDING_PAYMENT)
        to_review = orders.state_count(shops, orders.State.TO_REVIEW)
        ages = orders.queue_oldest(shops, [orders.State.PENDING_PAYMENT, orders.State.TO_REVIEW])
        rows += [
            Row("pending_payment", _("Awaiting payment"), pending, orders_url(tab=orders.State.PENDING_PAYMENT),
                ORDERS, oldest=ages[orders.State.PENDING_PAYMENT], urgent=False),  # 催付: a figure, not a fault
            Row("to_review", _("Orders to review"), to_review, orders_url(tab=orders.State.TO_REVIEW), ORDERS,
                oldest=ages[orders.State.TO_REVIEW]),
        ]  # fmt: skip
    duties = orders.queue_duties()
    queues = orders.exception_queues(shops)
    owner_ids = {o.pk for _key, _label, _n, owner in queues for o in owner["owners"]}
    working = set(
        Staff.shops.through.objects.filter(staff_id__in=owner_ids, shop_id__in=[s.pk for s in shops]).values_list(
            "staff_id", flat=True
        )
    )
    mine = [
        (key, label, n, owner)
        for key, label, n, owner in queues
        if _mine(user, role_codes, owner, duties.get(key, ("", ""))[0], working)
    ]
    ages = orders.queue_oldest(shops, [key for key, _label, n, _owner in mine if n])
    rows += [
        # the owner line only when the owner is someone else (a duty of my role nobody answers for here)
        Row(key, label, n, orders_url(tab=key), ORDERS, oldest=ages.get(key),
            owner=None if any(o.pk == user.pk for o in owner["owners"]) else owner)
        for key, label, n, owner in mine
    ]  # fmt: skip
    return Block("my_orders", _("My order queues"), "fa-headset", rows)


def warehouse(shops) -> Block:
    """SHIP-1 / SHIP-2: packages to print, to verify (scan) and to ship, and the parcels at risk of shipping late —
    the at-risk page's own queue (fulfilment.services.sla.at_risk: one definition of at risk and 超时)."""
    figures = fulfilment.open_state_figures(shops)
    base = reverse("fulfilment:list")
    labels = {
        Package.State.TO_PRINT: _("To print"),
        Package.State.PRINTED: _("To verify and weigh"),
        Package.State.PACKED: _("To ship"),
    }
    rows = [
        Row(f"packages:{state}", labels[state], n, f"{base}?{urlencode({'state': state})}", PACKAGES, oldest=oldest)
        for state, (n, oldest) in figures.items()
    ]
    risky = sla.at_risk(shops)
    overdue = sum(1 for r in risky if r.overdue)
    rows.append(
        Row("at_risk", _("At risk of shipping late"), len(risky), reverse("fulfilment:at_risk"), PACKAGES,
            note=_("%(n)s overdue") % {"n": overdue} if overdue else "")
    )  # fmt: skip
    return Block("warehouse", _("Warehouse"), "fa-boxes-packing", rows)


def finance(shops, today: dt.date) -> Block:
    """ORD-5: bank transfers waiting for finance to confirm the money; SHIP-5: courier fee differences over the
    threshold and parcels not billed, this month and last (a carrier's bill arrives after the month)."""
    waiting = orders.waiting_bank_orders(shops)
    first = waiting.first()
    rows = [
        Row("payments", _("Bank transfers to confirm"), waiting.count(), reverse("orders:payments"),
            "orders.confirm_payment", oldest=(first.paid_at or first.ordered_at) if first else None)
    ]  # fmt: skip
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    found = fees.differences(shops, [today.strftime("%Y-%m"), last_month])
    url = reverse("fulfilment:fees")

    def row(d, key, label, only, **extra):
        query = urlencode({"carrier": d["carrier_id"], "month": d["month"], "only": only})
        return Row(f"{key}:{d['month']}:{d['carrier_id']}", label, d[key], f"{url}?{query}", FEES,
                   note=f"{d['carrier']} · {d['month']}", **extra)  # fmt: skip

    flagged = [row(d, "flagged", _("Courier fee differences"), "flagged") for d in found if d["flagged"]]
    rows += flagged or [Row("flagged", _("Courier fee differences"), 0, url, FEES)]
    # Parcels of last month the carrier's bill left out (this month's bill has not come yet).
    rows += [row(d, "unbilled", _("Shipped, not billed"), "unbilled") for d in found
             if d["unbilled"] and d["month"] == last_month]  # fmt: skip
    return Block("finance", _("Finance"), "fa-coins", rows)


def editor(shops) -> Block:
    """PROD-3: listings whose title breaks a rule (the title-issues page's own check); PROD-6: listings of sold-out
    goods waiting to be delisted on the platform."""
    listings = reverse("catalog:listings")
    to_delist = catalog.listing_status_counts(shops)[Listing.Status.TO_DELIST]
    rows = [
        Row("title_issues", _("Titles to fix"), len(title_issues(shops)), reverse("catalog:title_issues"),
            "catalog.view_listing"),
        Row("to_delist", _("Sold out, to delist"), to_delist, f"{listings}?status={Listing.Status.TO_DELIST}",
            "catalog.view_listing"),
    ]  # fmt: skip
    return Block("editor", _("Listings and titles"), "fa-pen-to-square", rows)


def designer(shops, current) -> Block:
    """PROD-4: active products without a main image, and goods arrived but not photographed yet — counted with
    the product list's own filter (catalog.selectors.IMAGE_FILTERS)."""
    products = reverse("catalog:list")
    labels = {"no_main": _("Without a main image"), "to_photograph": _("Arrived, not photographed")}
    rows = []
    for key, label in labels.items():
        qs = catalog.products_in(shops, current, catalog.ProductFilters(images=key))
        rows.append(Row(f"images:{key}", label, qs.count(), f"{products}?images={key}", "catalog.view_product"))
    return Block("designer", _("Images"), "fa-image", rows)


def marketing(shops) -> Block:
    """PROD-7: the hero items (主打款) of each shop against the range its settings ask for — the items that go first
    into every campaign; PROD-6: sold-out listings still to delist (not worth promoting)."""
    listings = reverse("catalog:listings")
    rows = []
    for shop, n, least, most in catalog.hero_figures(shops):
        rows.append(
            Row(f"heroes:{shop.pk}", _("Hero items: %(shop)s") % {"shop": shop.name}, n,
                f"{listings}?{urlencode({'flag': 'hero', 'shop': shop.code})}", "catalog.view_listing",
                note=_("%(least)s–%(most)s wanted") % {"least": least, "most": most},
                warn=not least <= n <= most)  # PROD-7: outside the range is shown in red
        )  # fmt: skip
    to_delist = catalog.listing_status_counts(shops)[Listing.Status.TO_DELIST]
    rows.append(Row("to_delist", _("Sold out, to delist"), to_delist, f"{listings}?status={Listing.Status.TO_DELIST}",
                    "catalog.view_listing"))  # fmt: skip
    return Block("marketing", _("Promotion"), "fa-bullhorn", rows)


def aftersales(user, shops) -> Block:
    """AS-6: the after-sales queues — new, waiting for the buyer, waiting for the return, overdue, escalated — and
    what other parts register (the 中差评 queue, AS-7), each linking to the queue page's tab with those rows."""
    rows = [
        Row(f"aftersales:{f.key}", f.label, f.count, f.url, f.perm, oldest=f.oldest, urgent=f.key != "waiting_return")
        for f in aftersales_counts(user, shops)
    ]
    return Block("aftersales", _("After-sales"), "fa-rotate-left", rows)
