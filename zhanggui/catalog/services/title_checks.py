"""Stored title checks (PROD-3): the 标题问题 page reads ListingTitleCheck rows instead of checking every listing on
every view (jieba segmentation of each title is the expensive part).

Decision: the result is stored per listing with what it was computed from, and computed again only when one of
those changed — found in the database on each read, so no writer of titles has to remember to call us:
- no stored check yet (a new listing, or one whose check was forgotten);
- the title differs from the title checked (any path that writes titles: page, API, import, demo);
- the word lists differ (their fingerprint, `words_key`);
- the shop's limits (catalog.title_max_chars / _bytes) differ from the ones checked;
- the product changed after the check (name, category, attributes, brand: Product.updated_at).
SKU colours and sizes (attribute words) live on the SKUs, which have no time stamp: adding SKUs (the grid page, the
product import) calls `forget(products)`.
"""

from __future__ import annotations

import hashlib
import json

from django.db.models import Count, F, Q

from zhanggui.core import clock

from ..models import Listing, ListingTitleCheck
from . import titles

CHUNK = 500  # listings checked per round when many are out of date (the first view after a word-list change)
KINDS = {"long": "too_long", "missing": "missing", "repeats": "repeats"}  # the page's tabs → stored flags
_FIELDS = ["title", "words_key", "max_chars", "max_bytes", "checked_at", "ok", "too_long", "missing", "repeats",
           "chars", "bytes", "reasons"]  # fmt: skip


def words_key(words: dict | None = None) -> str:
    """A fingerprint of the word lists: a check made against other lists is out of date."""
    words = words if words is not None else titles.word_lists()
    text = json.dumps({k: sorted(v) for k, v in words.items()}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()


def out_of_date(shops, key: str) -> list[int]:
    """Ids of the listings of `shops` whose stored check is missing or was computed from other inputs (module
    text): two queries plus one settings read per shop."""
    missing = Listing.objects.filter(shop__in=shops, title_check__isnull=True).values_list("pk", flat=True)
    changed = ~Q(title=F("listing__title")) | ~Q(words_key=key) | Q(listing__product__updated_at__gt=F("checked_at"))
    for shop in shops:
        limit = titles.limits(shop)
        changed |= Q(listing__shop=shop) & (~Q(max_chars=limit["max_chars"]) | ~Q(max_bytes=limit["max_bytes"]))
    stale = ListingTitleCheck.objects.filter(listing__shop__in=shops).filter(changed).values_list("pk", flat=True)
    return sorted({*missing, *stale})


def refresh(shops) -> int:
    """Check again the listings of `shops` whose stored check is out of date and store the results (an upsert, so
    two page views refreshing at once both succeed). Returns how many were checked."""
    words = titles.word_lists()
    key = words_key(words)
    ids = out_of_date(shops, key)
    for start in range(0, len(ids), CHUNK):
        now = clock.now()
        rows = []
        for listing, result in titles.check_listings(Listing.objects.filter(pk__in=ids[start : start + CHUNK])):
            rows.append(
                ListingTitleCheck(
                    listing=listing,
                    title=listing.title,
                    words_key=key,
                    max_chars=result.max_chars,
                    max_bytes=result.max_bytes,
                    checked_at=now,
                    ok=result.ok,
                    too_long=result.too_many_chars or result.too_many_bytes,
                    missing=bool(result.missing),
                    repeats=bool(result.repeats),
                    chars=result.chars,
                    bytes=result.bytes,
                    reasons=titles.reasons(result),
                )
            )
        ListingTitleCheck.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["listing"], update_fields=_FIELDS
        )
    return len(ids)


def forget(products) -> None:
    """The stored checks of the listings of `products` (ids or instances) are out of date: their SKU colours or
    sizes (attribute words) changed. The next read checks them again."""
    ids = [getattr(p, "pk", p) for p in products]
    if ids:
        ListingTitleCheck.objects.filter(listing__product_id__in=ids).delete()


def issues(shops, *, shop_id: int | None = None, q: str = ""):
    """The stored failing checks of `shops` (call `refresh` first), narrowed to one shop and by a style code or a
    word of the title; with listing, product and shop for the page."""
    qs = ListingTitleCheck.objects.filter(ok=False, listing__shop__in=shops)
    if shop_id:
        qs = qs.filter(listing__shop_id=shop_id)
    q = q.strip()
    if q:
        qs = qs.filter(Q(listing__product__style_code__istartswith=q) | Q(title__icontains=q))
    return qs.select_related("listing__shop__platform", "listing__product").order_by(
        "listing__shop_id", "-listing__created_at", "listing_id"
    )


def kind_counts(qs) -> dict[str, int]:
    """{"all": n, "long": n, "missing": n, "repeats": n} of failing checks, in one aggregate."""
    found = qs.order_by().aggregate(
        all=Count("pk"), **{kind: Count("pk", filter=Q(**{flag: True})) for kind, flag in KINDS.items()}
    )
    return {k: v or 0 for k, v in found.items()}


def of_kind(qs, kind: str):
    return qs.filter(**{KINDS[kind]: True}) if kind in KINDS else qs


def shop_counts(qs) -> dict[int, int]:
    """{shop id: failing checks} in one grouped query."""
    return dict(qs.order_by().values_list("listing__shop_id").annotate(n=Count("pk")))
