"""Shop pages (设置 → 店铺): list, create, profile, settings, opening checklist; 设置 → 公司设置."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core.access import page, scoped_get
from zhanggui.core.company_settings import company_settings_history, get_company_settings, update_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error
from zhanggui.core.money import yuan_to_fen
from zhanggui.core.registry import company_definitions, definitions_for

from . import services
from .forms import OpeningStepForm, ShopCreateForm, ShopProfileForm
from .models import OpeningStep, Platform, Shop
from .selectors import opening_progress, shops_with_counts
from .settings_store import get_settings, update_settings

FEE_LABELS = {  # labels for the keys of Platform.fees (basis points)
    "commission_rate_bp": gettext_lazy("Platform commission"),
    "payment_fee_bp": gettext_lazy("Payment fee"),
    "affiliate_commission_default_bp": gettext_lazy("Default affiliate commission"),
}
# SHOP-4: the common status each platform word maps to (Platform.status_names values), named in Chinese on the page
STATUS_LABELS = {
    "pending_payment": pgettext_lazy("order state", "awaiting payment"),
    "paid": pgettext_lazy("platform status", "paid, to ship"),
    "shipped": pgettext_lazy("order state", "shipped"),
    "received": pgettext_lazy("platform status", "received by the buyer"),
    "completed": pgettext_lazy("order state", "completed"),
    "closed": pgettext_lazy("order state", "closed"),
    "on_hold": pgettext_lazy("order state", "on hold"),
}


def _shop(request, shop_id):
    return scoped_get(Shop.objects.select_related("platform"), request.user, shop_field="pk", pk=shop_id)


@page("shops.view_shop")
def shop_list(request):
    shops = shops_with_counts(Shop.objects.filter(pk__in=[s.pk for s in request.scope.shops]))
    return render(request, "shops/list.html", {"shops": shops})


@page("shops.view_shop")
def platform_facts(request):
    """SHOP-4: what each platform charges, calls its tools and its order statuses — data, editable in the admin."""
    platforms = list(Platform.objects.all())
    for platform in platforms:
        platform.fee_rows = [(FEE_LABELS.get(key, key), f"{value / 100:.2f}%") for key, value in platform.fees.items()]
        # SHOP-4: the platform's word → the common status by its Chinese name (never the status key)
        platform.status_rows = [(k, STATUS_LABELS.get(v, v)) for k, v in platform.status_names.items()]
    return render(request, "shops/platforms.html", {"platforms": platforms})


@page("shops.add_shop")
def shop_create(request):
    form = ShopCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shop = services.create_shop(
                request.user,
                code=form.cleaned_data["code"],
                platform=form.cleaned_data["platform"].code,
                name=form.cleaned_data["name"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Shop %(name)s created") % {"name": shop.name})
            return redirect("shops:detail", shop_id=shop.pk)
    return render(request, "shops/create.html", {"form": form}, status=400 if form.errors else 200)


@page("shops.view_shop", shop_scoped=True)
def shop_detail(request, shop_id: int):
    shop = _shop(request, shop_id)
    checklist = getattr(shop, "opening", None)
    return render(
        request,
        "shops/detail.html",
        {
            "shop": shop,
            "opening": opening_progress(checklist) if checklist else None,
            "timeline": [present_event(e, request.user) for e in timeline_for(shop)[:50]],
        },
    )


@page("shops.change_shop", shop_scoped=True)
def shop_edit(request, shop_id: int):
    shop = _shop(request, shop_id)
    form = ShopProfileForm(request.POST or None, instance=Shop.objects.get(pk=shop.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_shop_profile(
                request.user, shop, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved: %(n)d fields changed") % {"n": len(changed)})
            return redirect("shops:detail", shop_id=shop.pk)
    return render(request, "shops/edit.html", {"shop": shop, "form": form}, status=400 if form.errors else 200)


def _submitted(request, definitions) -> dict:
    return {d.key: (d.key in request.POST) if d.kind == "bool" else request.POST.get(d.key, "") for d in definitions}


def _setting_groups(definitions, values, submitted, errors) -> dict[str, list]:
    """The settings form rows by group: value as posted (after an error) or as stored, default, error."""
    groups: dict[str, list] = {}
    for d in definitions:
        groups.setdefault(str(d.group), []).append(
            {
                "def": d,
                "value": submitted.get(d.key)
                if d.key in submitted and d.kind != "bool"
                else d.form_value(values[d.key]),
                "checked": values[d.key] if d.kind == "bool" and not submitted else submitted.get(d.key),
                "is_default": values[d.key] == d.default,
                "default": d.display(d.default),
                "error": errors.get(d.key),
            }
        )
    return groups


def _save_settings(request, save, definitions):
    """POST: validate and save all or nothing. Returns (saved, submitted, errors {key: message})."""
    submitted = _submitted(request, definitions)
    try:
        changed = save(submitted)
    except DomainError as exc:
        messages.error(request, exc.message)
        return False, submitted, getattr(exc, "errors", {}) or {exc.field or "": exc.message}
    messages.success(request, _("Settings saved: %(n)d changed") % {"n": len(changed)})
    return True, submitted, {}


@page("shops.change_shop_settings", shop_scoped=True)
def shop_settings(request, shop_id: int):
    """Rule 6: every per-shop setting of this shop, with its default, rule ID and validation."""
    shop = _shop(request, shop_id)
    definitions = definitions_for(shop.platform_id)
    errors, submitted = {}, {}
    if request.method == "POST":
        saved, submitted, errors = _save_settings(
            request, lambda raw: update_settings(request.user, shop, raw), definitions
        )
        if saved:
            return redirect("shops:settings", shop_id=shop.pk)
    history = timeline_for(shop).filter(kind="setting_changed")[:20]
    return render(
        request,
        "shops/settings.html",
        {
            "shop": shop,
            "groups": _setting_groups(definitions, get_settings(shop), submitted, errors),
            "timeline": [present_event(e, request.user) for e in history],
        },
        status=400 if errors else 200,
    )


@page("core.change_company_settings")
def company_settings(request):
    """Rule 6: the company-wide settings (stock, stocktake, purchasing, packing station), one value for every shop."""
    definitions = company_definitions()
    errors, submitted = {}, {}
    if request.method == "POST":
        saved, submitted, errors = _save_settings(
            request, lambda raw: update_company_settings(request.user, raw), definitions
        )
        if saved:
            return redirect("shops:company_settings")
    return render(
        request,
        "shops/company_settings.html",
        {
            "groups": _setting_groups(definitions, get_company_settings(), submitted, errors),
            "timeline": [present_event(e, request.user) for e in company_settings_history()[:20]],
        },
        status=400 if errors else 200,
    )


@require_POST
@page("shops.change_shop", shop_scoped=True)
def opening_start(request, shop_id: int):
    shop = _shop(request, shop_id)
    try:
        services.start_opening_checklist(request.user, shop)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("shops:detail", shop_id=shop.pk)


def _step(request, step_id):
    return scoped_get(
        OpeningStep.objects.select_related("checklist__shop"), request.user, shop_field="checklist__shop", pk=step_id
    )


@require_POST
@page("shops.change_shop", shop_scoped=True)
def opening_step_toggle(request, step_id: int):
    step = _step(request, step_id)
    try:
        if step.done_on:
            services.reopen_opening_step(request.user, step)
        else:
            services.complete_opening_step(request.user, step)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("shops:detail", shop_id=step.checklist.shop_id)


@require_POST
@page("shops.change_shop", shop_scoped=True)
def opening_step_edit(request, step_id: int):
    step = _step(request, step_id)
    form = OpeningStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect("shops:detail", shop_id=step.checklist.shop_id)
    data = form.cleaned_data
    try:
        services.update_opening_step(
            request.user,
            step,
            due_on=data["due_on"],
            note=data["note"] if "note" in request.POST else None,
            amount_fen=yuan_to_fen(data["amount"]) if data["amount"] is not None else None,
            second_amount_fen=yuan_to_fen(data["second_amount"]) if data["second_amount"] is not None else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("shops:detail", shop_id=step.checklist.shop_id)
