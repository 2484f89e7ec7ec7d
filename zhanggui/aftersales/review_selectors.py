"""Reads of reviews (AS-7) for the 中差评 queue, the review page, the API and the rates panels. No writes here.

- `reviews_for(user, shops)`: the reviews of the shops in scope (nothing else limits them: reviews are public).
- The queue: tabs by state (待联系 / 已联系 / 已改评 / 无法改评 / 全部中差评 / 全部评价) with counts from ONE aggregate
  under the same filters (rating, owner, product, search).
- `rates(...)`: good / neutral / bad counts and rates per month for shops or one product — ONE aggregate over the
  reviews (a filtered count per month and rating) plus ONE over the orders counted as default positive: shipped
  at least `aftersales.default_positive_days` (company setting, default 45, AS-7) ago with no review; such an
  order counts in the month its deadline fell in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from zhanggui.core import clock, paging
from zhanggui.core.access import allowed_shops
from zhanggui.core.company_settings import get_company_setting
from zhanggui.orders.models import Order

from .models import REVIEW_OPEN_STATES, Review

State, Rating = Review.State, Review.Rating
TABS = ("to_contact", "contacted", "changed", "unchangeable", "bad", "all")
BAD = (Rating.NEUTRAL, Rating.BAD)
PAGE_SIZES = paging.SIZES
MONTHS = 6
# orders that reached the buyer (a review is possible): the default positive counts only those
REVIEWABLE = (Order.State.PART_SHIPPED, Order.State.SHIPPED, Order.State.SIGNED, Order.State.COMPLETED)


def reviews_for(user, shops=None):
    return Review.objects.filter(shop__in=allowed_shops(user) if shops is None else shops)


def tab_filter(tab: str) -> Q:
    if tab == "bad":
        return Q(rating__in=BAD)
    if tab == "all":
        return Q()
    return Q(state=tab)


@dataclass
class ReviewFilters:
    tab: str = "to_contact"
    rating: str = ""
    owner: str = ""  # "", "me", "none" or a staff id
    product: int = 0
    q: str = ""  # order number, buyer nick or item
    size: int = PAGE_SIZES[0]

    @classmethod
    def from_params(cls, params) -> ReviewFilters:
        owner = str(params.get("owner") or "").strip()
        product = str(params.get("product") or "").strip()
        size = str(params.get("size") or "")
        tab = str(params.get("tab") or "").strip()
        rating = str(params.get("rating") or "").strip()
        return cls(
            tab=tab if tab in TABS else "to_contact",
            rating=rating if rating in Rating.values else "",
            owner=owner if owner in ("me", "none") or (owner.isdigit() and len(owner) < 10) else "",
            product=int(product) if product.isdigit() and len(product) < 10 else 0,
            q=str(params.get("q") or "").replace("\x00", "").strip()[:64],
            size=int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0],
        )

    @property
    def filtered(self) -> bool:
        return bool(self.rating or self.owner or self.product or self.q)

    def as_params(self) -> dict:
        params = {"rating": self.rating, "owner": self.owner, "product": self.product or "", "q": self.q,
                  "size": self.size if self.size != PAGE_SIZES[0] else ""}  # fmt: skip
        return {k: v for k, v in params.items() if v}

    def apply(self, qs, user):
        if self.rating:
            qs = qs.filter(rating=self.rating)
        if self.owner == "me":
            qs = qs.filter(owner=user)
        elif self.owner == "none":
            qs = qs.filter(owner__isnull=True)
        elif self.owner:
            qs = qs.filter(owner_id=int(self.owner))
        if self.product:
            qs = qs.filter(product_id=self.product)
        if self.q:
            qs = qs.filter(
                Q(platform_order_no__startswith=self.q) | Q(buyer_nick=self.q) | Q(item_title__icontains=self.q)
            )
        return qs


def tab_counts(qs) -> dict[str, int]:
    """{tab: count} of `qs` (already filtered) in one aggregate."""
    return qs.aggregate(**{tab: Count("pk", filter=tab_filter(tab)) for tab in TABS})


def queue(qs, tab: str):
    rows = qs.filter(tab_filter(tab)).select_related("shop__platform", "owner", "order")
    if tab in REVIEW_OPEN_STATES:
        return rows.order_by("reviewed_at", "pk")  # the oldest 中差评 first: the platforms' 30-day window runs
    return rows.order_by("-reviewed_at", "-pk")


def open_count(shops) -> int:
    """中差评 still to handle in `shops` (the workbench's figure)."""
    return Review.objects.filter(shop__in=shops, state__in=REVIEW_OPEN_STATES).count()


def home_figure(user, shops) -> tuple[int, dt.datetime | None]:
    """AS-6, AS-7: the 售后 home's 中差评 figure — how many are still to handle and when the oldest was written
    (one aggregate)."""
    from django.db.models import Min

    found = Review.objects.filter(shop__in=shops, state__in=REVIEW_OPEN_STATES).aggregate(
        n=Count("pk"), oldest=Min("reviewed_at")
    )
    return found["n"] or 0, found["oldest"]


def load_review(user, review_id) -> Review:
    from django.http import Http404

    found = (
        reviews_for(user)
        .select_related("shop__platform", "owner", "order", "order_line", "product")
        .filter(pk=review_id if str(review_id).isdigit() else None)
        .first()
    )
    if found is None:
        raise Http404
    return found


# ---- rates ----------------------------------------------------------------------------------------------------


def month_starts(count: int = MONTHS, today=None) -> list[dt.datetime]:
    """The first moments (Beijing) of the last `count` months, newest first, plus the next month's start first."""
    today = today or clock.today()
    year, month = today.year, today.month
    starts = []
    for _ in range(count + 1):
        starts.append(dt.datetime(year, month, 1, tzinfo=clock.SHANGHAI))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = dt.datetime(today.year + (today.month == 12), today.month % 12 + 1, 1, tzinfo=clock.SHANGHAI)
    return [nxt, *starts[:count]]


def default_positive_days() -> int:
    return int(get_company_setting("aftersales.default_positive_days"))


def rates(*, shops=None, product_id: int | None = None, months: int = MONTHS, now=None) -> list[dict]:
    """AS-7: [{month "2026-11", good, neutral, bad, default_good, total, good_rate, neutral_rate, bad_rate}] newest
    first, for the reviews of `shops` (a queryset or ids) and/or of one product. Rates in % with one decimal."""
    now = now or clock.now()
    bounds = month_starts(months, now.astimezone(clock.SHANGHAI).date())
    windows = [(bounds[i + 1], bounds[i]) for i in range(months)]  # [start, end) of each month, newest first
    reviews = Review.objects.all()
    orders = Order.objects.filter(state__in=REVIEWABLE, shipped_at__isnull=False)
    if shops is not None:
        reviews, orders = reviews.filter(shop__in=shops), orders.filter(shop__in=shops)
    if product_id is not None:
        reviews = reviews.filter(product_id=product_id)
        orders = orders.filter(lines__sku__product_id=product_id)
    counts = {}
    for i, (start, end) in enumerate(windows):
        for rating in Rating.values:
            counts[f"m{i}_{rating}"] = Count("pk", filter=Q(rating=rating, reviewed_at__gte=start, reviewed_at__lt=end))
    got = reviews.aggregate(**counts)
    days = dt.timedelta(days=default_positive_days())
    unreviewed = orders.filter(~Exists(Review.objects.filter(order=OuterRef("pk"))))
    defaults = {}
    for i, (start, end) in enumerate(windows):  # the deadline (shipped + N days) fell in the month, and has passed
        defaults[f"m{i}"] = Count(
            "pk", distinct=True, filter=Q(shipped_at__gte=start - days, shipped_at__lt=min(end, now) - days)
        )
    dflt = unreviewed.aggregate(**defaults)
    out = []
    for i, (start, _end) in enumerate(windows):
        good, neutral, bad = (got[f"m{i}_{r}"] for r in ("good", "neutral", "bad"))
        default_good = dflt[f"m{i}"]
        total = good + neutral + bad + default_good

        def pct(n, total=total):
            return round(n * 100 / total, 1) if total else None

        out.append(
            {
                "month": f"{start:%Y-%m}",
                "good": good,
                "neutral": neutral,
                "bad": bad,
                "default_good": default_good,
                "total": total,
                "good_rate": pct(good + default_good),
                "neutral_rate": pct(neutral),
                "bad_rate": pct(bad),
            }
        )
    return out
