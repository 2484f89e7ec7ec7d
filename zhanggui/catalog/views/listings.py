"""Catalog pages: listings per shop (PROD-1), schedules (PROD-2), title check (PROD-3), stock-aware status
(PROD-6), heroes (PROD-7), showcase and recommended items (PROD-11)."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import clock
from zhanggui.core.access import page, scoped_get
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.money import yuan_to_fen
from zhanggui.core.paging import paginate

from .. import selectors
from ..models import Listing, ListingSchedule, Product, TitleWord
from ..rules_schedule import next_relist
from ..services import listing_flags, listing_schedules, title_checks, titles
from ..services import listings as svc

S = Listing.Status
TAB_LABELS = {
    "": gettext_lazy("All"),
    S.DRAFT: gettext_lazy("Drafts"),
    S.LISTED: gettext_lazy("On sale"),
    S.TO_DELIST: gettext_lazy("To delist"),
    S.DELISTED: gettext_lazy("Delisted"),
}


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _listing(request, listing_id: int) -> Listing:
    return scoped_get(
        Listing.objects.select_related("shop__platform", "product__category"), request.user, pk=listing_id
    )


def _shop_in_scope(request, shop_id):
    try:
        shop_id = int(shop_id)
    except (TypeError, ValueError):
        return None
    return next((s for s in request.scope.allowed if s.pk == shop_id), None)


def _check_context(result) -> dict:
    """Context of catalog/_title_check.html: the check and its five parts with labels, in title order."""
    return {"check": result, "parts": [(p, titles.PART_LABELS[p], result.parts.get(p, [])) for p in titles.PARTS]}


# ---------------------------------------------------------------------------------------------------------------
# List (status tabs with counts, batch list/delist)
# ---------------------------------------------------------------------------------------------------------------


@page("catalog.view_listing")
def listing_list(request):
    shops = request.scope.shops
    status = request.GET.get("status", "")
    status = status if status in S.values else ""
    keyword = request.GET.get("q", "").strip()
    flag = request.GET.get("flag", "")
    search = selectors.listing_search(keyword)
    if flag in ("hero", "showcase", "recommended"):
        search &= Q(**{{"hero": "is_hero", "showcase": "in_showcase", "recommended": "recommended"}[flag]: True})
    counts = selectors.listing_status_counts(shops, search)
    qs = Listing.objects.filter(shop__in=shops).filter(search).select_related("shop__platform", "product")
    if status:
        qs = qs.filter(status=status)
    page_obj = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    base = {"q": keyword, "flag": flag}
    tabs = []
    for key, label in TAB_LABELS.items():
        query = urlencode({k: v for k, v in {**base, "status": key}.items() if v})
        tabs.append((key, label, sum(counts.values()) if not key else counts[key], f"?{query}"))
    schedules = {}
    for item in ListingSchedule.objects.filter(
        listing__in=list(page_obj), done_at__isnull=True, cancelled_at__isnull=True
    ).order_by("run_at"):
        schedules.setdefault(item.listing_id, item)
    rows = [(li, schedules.get(li.pk)) for li in page_obj]
    return render(
        request,
        "catalog/listing_list.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "tabs": tabs,
            "status": status,
            "keyword": keyword,
            "flag": flag,
            "hero_warnings": selectors.hero_warnings(shops),
            "query": urlencode({k: v for k, v in {**base, "status": status}.items() if v}),
            "listing_nav": "listings",
        },
    )


@require_POST
@page("catalog.change_listing")
def listing_batch(request):
    """Batch 上架/下架 of the ticked rows (only rows of the user's shops)."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    action = request.POST.get("action", "")
    listings = list(Listing.objects.filter(pk__in=ids, shop__in=request.scope.allowed))
    if not listings:
        messages.error(request, _("Tick the listings first."))
        return _back(request, reverse("catalog:listings"))
    try:
        result = svc.bulk_change(request.user, listings, action)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, reverse("catalog:listings"))
    done = _("Listed") if action == "list" else _("Delisted")
    messages.success(request, _("%(done)s: %(n)d") % {"done": done, "n": result["moved"]})
    for _pk, title, reason in result["skipped"][:10]:
        messages.warning(request, f"{title}：{reason}")
    return _back(request, reverse("catalog:listings"))


# ---------------------------------------------------------------------------------------------------------------
# Create and detail
# ---------------------------------------------------------------------------------------------------------------


def _mapping_from_post(request, skus):
    pairs = []
    for sku in skus:
        if request.POST.get(f"use_{sku.pk}"):
            pairs.append((sku, request.POST.get(f"platform_sku_{sku.pk}", "")))
    return pairs


def _price_from_post(request):
    text = request.POST.get("price", "").strip()
    if not text:
        raise DomainError("price_required", "请填写价格", "price")
    try:
        return yuan_to_fen(text)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, "price") from None


@page("catalog.add_listing")
def listing_create(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=product_id)
    skus = list(product.skus.filter(is_active=True))
    taken = set(Listing.objects.filter(product=product).values_list("shop_id", flat=True))
    shops = [s for s in request.scope.allowed if s.pk not in taken]
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        shop = _shop_in_scope(request, request.POST.get("shop"))
        try:
            if shop is None:
                raise DomainError("shop_required", "请选择店铺", "shop")
            listing = svc.create_listing(
                request.user,
                shop,
                product,
                request.POST.get("title", ""),
                _price_from_post(request),
                platform_item_id=request.POST.get("platform_item_id", ""),
                skus=_mapping_from_post(request, skus),
                price_event=request.POST.get("price_event", ""),
                override=bool(request.POST.get("override")) and request.user.has_perm("catalog.override_price_floor"),
            )
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(request, _("Listing created as a draft."))
            for warning in getattr(listing, "warnings", []):
                messages.warning(request, warning)
            return redirect("catalog:listing_detail", listing_id=listing.pk)
    default_shop = request.scope.current.pk if request.scope.current and request.scope.current in shops else None
    ticked = {int(k[4:]) for k in values if k.startswith("use_") and k[4:].isdigit()} if values else None
    return render(
        request,
        "catalog/listing_form.html",
        {
            "product": product,
            "skus": [(s, ticked is None or s.pk in ticked, values.get(f"platform_sku_{s.pk}", "")) for s in skus],
            "shops": shops,
            "selected_shop": int(values.get("shop") or 0) or default_shop,
            "errors": errors,
            "values": values,
            "title": values.get("title", product.name),
            "can_override": request.user.has_perm("catalog.override_price_floor"),
            "listing_nav": "listings",
        },
        status=400 if errors else 200,
    )


@page("catalog.view_listing", shop_scoped=True)
def listing_detail(request, listing_id: int, errors=None, status=200):
    listing = _listing(request, listing_id)
    mapping = list(listing.skus.select_related("sku"))
    available = selectors.sku_availability([m.sku_id for m in mapping])
    product_skus = list(listing.product.skus.filter(is_active=True))
    mapped = {m.sku_id: m for m in mapping}
    extra = [m.sku for m in mapping if m.sku.product_id != listing.product_id]  # combinations of other products
    now = clock.now()
    pending = list(listing.schedules.filter(done_at__isnull=True, cancelled_at__isnull=True))
    return render(
        request,
        "catalog/listing_detail.html",
        {
            "listing": listing,
            "sku_rows": [
                (s, s.pk in mapped, mapped[s.pk].platform_sku_id if s.pk in mapped else "", available.get(s.pk))
                for s in [*product_skus, *extra]
            ],
            **_check_context(titles.check(listing.title, listing.product, listing.shop)),
            "suggested": selectors.suggested_times(listing.shop, count=6, now=now),
            "pending": pending,
            "past": list(listing.schedules.exclude(pk__in=[p.pk for p in pending]).order_by("-run_at")[:10]),
            "next_relist": next_relist(listing.listed_at, now) if listing.status == S.LISTED else None,
            "timeline": [present_event(e, request.user) for e in timeline_for(listing)[:50]],
            "errors": errors or {},
            "can_override": request.user.has_perm("catalog.override_price_floor"),
            "tab_label": TAB_LABELS.get(listing.status),
            "listing_nav": "listings",
        },
        status=status,
    )


@require_POST
@page("catalog.change_listing", shop_scoped=True)
def listing_edit(request, listing_id: int):
    listing = _listing(request, listing_id)
    try:
        svc.update_listing(
            request.user,
            listing,
            title=request.POST.get("title", listing.title),
            price_fen=_price_from_post(request) if "price" in request.POST else None,
            price_event=request.POST.get("price_event") if "price_event" in request.POST else None,
            platform_item_id=request.POST.get("platform_item_id") if "platform_item_id" in request.POST else None,
            override=bool(request.POST.get("override")) and request.user.has_perm("catalog.override_price_floor"),
        )
        if request.POST.get("mapping"):
            skus = list(listing.product.skus.filter(is_active=True)) + [
                m.sku for m in listing.skus.select_related("sku") if m.sku.product_id != listing.product_id
            ]
            svc.set_sku_mapping(request.user, listing, _mapping_from_post(request, skus))
    except DomainError as exc:
        return listing_detail.__wrapped__(request, listing_id, errors={exc.field or "form": exc.message}, status=400)
    messages.success(request, _("Saved."))
    for warning in getattr(listing, "warnings", []):
        messages.warning(request, warning)
    return redirect("catalog:listing_detail", listing_id=listing.pk)


ACTIONS = {
    "list": (svc.list_now, None),
    "delist": (svc.delist_now, None),
    "hero_on": (listing_flags.set_hero, True),
    "hero_off": (listing_flags.set_hero, False),
    "showcase_on": (listing_flags.set_showcase, True),
    "showcase_off": (listing_flags.set_showcase, False),
    "recommended_on": (listing_flags.set_recommended, True),
    "recommended_off": (listing_flags.set_recommended, False),
}


@require_POST
@page("catalog.change_listing", shop_scoped=True)
def listing_action(request, listing_id: int):
    """List/delist now, hero (PROD-7), showcase and recommended (PROD-11) toggles."""
    listing = _listing(request, listing_id)
    action = ACTIONS.get(request.POST.get("action", ""))
    default = reverse("catalog:listing_detail", kwargs={"listing_id": listing.pk})
    if action is None:
        messages.error(request, _("Unknown action."))
        return _back(request, default)
    func, flag = action
    try:
        func(request.user, listing) if flag is None else func(request.user, listing, flag)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return _back(request, default)


@require_POST
@page("catalog.change_listing", shop_scoped=True)
def listing_schedule(request, listing_id: int):
    """PROD-2: schedule a list/delist at a Beijing time (datetime-local input)."""
    listing = _listing(request, listing_id)
    text = request.POST.get("run_at", "").strip()
    try:
        try:
            run_at = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DomainError("invalid_run_at", "请填写时间，如 2025-03-01 08:00", "run_at") from None
        if run_at.tzinfo is None:
            run_at = run_at.replace(tzinfo=clock.SHANGHAI)
        listing_schedules.schedule(request.user, listing, request.POST.get("action", ""), run_at)
    except DomainError as exc:
        return listing_detail.__wrapped__(request, listing_id, errors={"schedule": exc.message}, status=400)
    messages.success(request, _("Scheduled."))
    return redirect("catalog:listing_detail", listing_id=listing.pk)


@require_POST
@page("catalog.change_listing", shop_scoped=True)
def schedule_cancel(request, schedule_id: int):
    item = scoped_get(
        ListingSchedule.objects.select_related("listing__shop"), request.user, "listing__shop", pk=schedule_id
    )
    try:
        listing_schedules.cancel_schedule(request.user, item)
        messages.success(request, _("Schedule cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:listing_detail", listing_id=item.listing_id)


# ---------------------------------------------------------------------------------------------------------------
# Showcase and recommended (PROD-11)
# ---------------------------------------------------------------------------------------------------------------


@page("catalog.view_listing")
def showcase(request):
    from zhanggui.shops.settings_store import get_setting

    now = clock.now()
    sections = []
    for shop in request.scope.shops:
        current = list(
            Listing.objects.filter(shop=shop)
            .filter(Q(in_showcase=True) | Q(recommended=True) | Q(is_hero=True))
            .select_related("product")
            .order_by("-recommended", "-in_showcase", "title")
        )
        for li in current:
            li.next_relist = next_relist(li.listed_at, now) if li.status == S.LISTED else None
        suggestions = [r for r in selectors.showcase_suggestions(shop, now=now) if not r["listing"].recommended][:15]
        sections.append(
            {
                "shop": shop,
                "current": current,
                "recommended_n": sum(1 for li in current if li.recommended),
                "showcase_n": sum(1 for li in current if li.in_showcase),
                "hero_n": sum(1 for li in current if li.is_hero),
                "recommended_max": get_setting(shop, "catalog.recommended_max"),
                "hero_min": get_setting(shop, "catalog.hero_min"),
                "hero_max": get_setting(shop, "catalog.hero_max"),
                "suggestions": suggestions,
            }
        )
    return render(request, "catalog/showcase.html", {"sections": sections, "listing_nav": "showcase"})


# ---------------------------------------------------------------------------------------------------------------
# Title check (PROD-3): live fragment, batch view, word lists
# ---------------------------------------------------------------------------------------------------------------


@page("catalog.view_listing")
def title_check(request):
    """htmx: the title check fragment for the title being typed (GET or POST: title, product_id, shop_id)."""
    data = request.POST if request.method == "POST" else request.GET
    product = None
    if (product_id := data.get("product_id", "")).isdigit():
        product = Product.objects.select_related("category__parent").filter(pk=product_id).first()
    shop = _shop_in_scope(request, data.get("shop_id") or data.get("shop"))
    result = titles.check(data.get("title", ""), product=product, shop=shop)
    return render(request, "catalog/_title_check.html", _check_context(result))


@page("catalog.view_listing")
def title_issues(request):
    """PROD-3: the listings whose title breaks a rule, from the stored checks (services/title_checks.py: only the
    listings whose title, words, limits or product changed are checked again), by problem and shop, paged."""
    shops = request.scope.shops
    g = request.GET
    kind = g.get("kind") if g.get("kind") in title_checks.KINDS else ""
    shop = g.get("shop_id", "")
    shop_id = int(shop) if shop.isdigit() else None
    q = g.get("q", "").strip()[:64]
    title_checks.refresh(shops)
    base = title_checks.issues(shops, shop_id=shop_id, q=q)
    counts = title_checks.kind_counts(base)
    page_obj = paginate(request, title_checks.of_kind(base, kind), "title_issues", count=counts[kind or "all"])
    per_shop = title_checks.shop_counts(title_checks.issues(shops, q=q))
    filters = {k: v for k, v in {"q": q, "shop_id": shop if shop_id else ""}.items() if v}
    keep = {**filters, **request.scope.query()}  # shared links show the same shop
    labels = {"": _("All"), "long": _("Too long"), "missing": _("Missing parts"), "repeats": _("Repeated words")}
    tabs = [
        (key, label, counts[key or "all"], "?" + urlencode({**keep, **({"kind": key} if key else {})}))
        for key, label in labels.items()
    ]
    return render(
        request,
        "catalog/title_issues.html",
        {
            "rows": page_obj,
            "page_obj": page_obj,
            "tabs": tabs,
            "kind": kind,
            "total": counts["all"],
            "shops": [(s, per_shop.get(s.pk, 0)) for s in shops],
            "filters": {"q": q, "shop": shop if shop_id else ""},
            "filtered": bool(filters),
            "query": urlencode({**keep, **({"kind": kind} if kind else {})}),
            "listing_nav": "title_issues",
        },
    )


@page("catalog.view_titleword")
def title_words(request):
    words = {k: [] for k in TitleWord.Kind.values}
    for word in TitleWord.objects.all():
        words[word.kind].append(word)
    return render(
        request,
        "catalog/title_words.html",
        {
            "lists": [(k, TitleWord.Kind(k).label, words[k]) for k in TitleWord.Kind.values],
            "listing_nav": "title_words",
        },
    )


@require_POST
@page("catalog.change_titleword")
def title_words_edit(request):
    """Add words (several at once, separated by spaces or commas) or delete one."""
    try:
        if request.POST.get("delete", "").isdigit():
            word = TitleWord.objects.filter(pk=int(request.POST["delete"])).first()
            if word is None:
                raise Http404
            titles.delete_title_word(request.user, word)
            messages.success(request, _("Removed “%(word)s”.") % {"word": word.word})
        else:
            added = []
            for text in titles._SPLIT.split(request.POST.get("words", "")):
                if text:
                    added.append(titles.add_title_word(request.user, request.POST.get("kind", ""), text).word)
            if not added:
                raise DomainError("word_required", "请填写词语", "word")
            messages.success(request, _("Added: %(words)s") % {"words": "、".join(added)})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:title_words")


urls = [
    path("listings/", listing_list, name="listings"),
    path("listings/batch/", listing_batch, name="listings_batch"),
    path("listings/title-issues/", title_issues, name="title_issues"),
    path("listings/<int:listing_id>/", listing_detail, name="listing_detail"),
    path("listings/<int:listing_id>/edit/", listing_edit, name="listing_edit"),
    path("listings/<int:listing_id>/action/", listing_action, name="listing_action"),
    path("listings/<int:listing_id>/schedule/", listing_schedule, name="listing_schedule"),
    path("listing-schedules/<int:schedule_id>/cancel/", schedule_cancel, name="schedule_cancel"),
    path("<int:product_id>/listings/new/", listing_create, name="listing_create"),
    path("showcase/", showcase, name="showcase"),
    path("title-check/", title_check, name="title_check"),
    path("title-words/", title_words, name="title_words"),
    path("title-words/edit/", title_words_edit, name="title_words_edit"),
]
