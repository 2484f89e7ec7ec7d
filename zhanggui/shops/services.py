"""Every write to shops: creating shops, editing profiles, opening checklists (SHOP-1..4)."""

import datetime as dt
import json
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhanggui.core import clock
from zhanggui.core.bounds import check_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.money import format_fen

from .models import OpeningChecklist, OpeningStep, Platform, Shop, shop_code_validator
from .settings_store import get_setting

PLATFORM_FACTS = Path(__file__).parent / "data" / "platforms.json"
PROFILE_FIELDS = (
    "name",
    "shop_type",
    "category",
    "style",
    "target_customers",
    "price_band",
    "announcement",
    "buyer_notice",
    "service_hours",
    "reply_promise",
    "is_active",
)


def load_platform_facts() -> None:
    """SHOP-4: create missing platforms and fill missing keys from the data file; never overwrite edits."""
    facts = json.loads(PLATFORM_FACTS.read_text(encoding="utf-8"))["platforms"]
    for fact in facts:
        platform, created = Platform.objects.get_or_create(code=fact["code"], defaults=fact)
        if created:
            continue
        changed = False
        for key in ("fees", "promotion_tools", "status_names", "export_columns"):
            merged = {**fact[key], **getattr(platform, key)}
            if merged != getattr(platform, key):
                setattr(platform, key, merged)
                changed = True
        if not platform.opening_steps and fact["opening_steps"]:
            platform.opening_steps, changed = fact["opening_steps"], True
        if changed:
            platform.save()


def _platform(code: str) -> Platform:
    try:
        return Platform.objects.get(code=code)
    except Platform.DoesNotExist:
        names = "、".join(Platform.objects.values_list("code", flat=True))
        raise DomainError(
            "unknown_platform",
            _("Unknown platform “%(code)s”; use one of: %(names)s") % {"code": code, "names": names},
            "platform",
        ) from None


def _check_shop_type(platform: Platform, shop_type: str) -> None:
    if shop_type and shop_type not in dict(platform.shop_types):
        options = "、".join(name for _c, name in platform.shop_types)
        raise DomainError(
            "invalid_shop_type",
            _("Shop type not available on %(platform)s; choose one of: %(options)s")
            % {"platform": platform.name, "options": options},
            "shop_type",
        )


def create_shop(actor, *, code: str, platform: str, name: str, **profile) -> Shop:
    """SHOP-1: a new shop on a platform. The code is unique (a database constraint)."""
    code = (code or "").strip().lower()
    name = (name or "").strip()
    try:
        shop_code_validator(code)
    except Exception:
        raise DomainError(
            "invalid_code",
            _("Shop code “%(code)s” is not valid: use 2–32 lowercase letters, digits, - or _") % {"code": code},
            "code",
        ) from None
    if not name:
        raise DomainError("required", _("Shop name is required"), "name")
    plat = _platform(platform)
    _check_shop_type(plat, profile.get("shop_type", ""))
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields {unknown}")
    try:
        with transaction.atomic():
            shop = Shop.objects.create(code=code, platform=plat, name=name, **profile)
            record_event(actor, shop, "created", to_state=plat.name, note=_("Shop created"))
    except IntegrityError:
        raise DomainError("duplicate_code", _("Shop code “%(code)s” already exists") % {"code": code}, "code") from None
    return shop


def update_shop_profile(actor, shop: Shop, **changes) -> list[str]:
    """SHOP-2: edit the profile; each changed field is recorded on the shop's timeline."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields {unknown}")
    if "name" in changes and not str(changes["name"]).strip():
        raise DomainError("required", _("Shop name is required"), "name")
    if "shop_type" in changes:
        _check_shop_type(shop.platform, changes["shop_type"])
    changed = [f for f, v in changes.items() if getattr(shop, f) != v]
    if not changed:
        return []
    with transaction.atomic():
        for field in changed:
            old = getattr(shop, field)
            setattr(shop, field, changes[field])
            label = Shop._meta.get_field(field).verbose_name
            new = changes[field]
            if field == "shop_type":  # the platform's name for the type, never its code
                old, new = shop.platform.shop_type_name(old), shop.platform.shop_type_name(new)
            record_event(actor, shop, "profile_changed", from_state=_short(old), to_state=_short(new), note=str(label))
        shop.save(update_fields=changed)
    return changed


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def start_opening_checklist(actor, shop: Shop, started_on: dt.date | None = None) -> OpeningChecklist:
    """SHOP-3: copy the platform's steps with due dates (calendar days, as the platforms quote them) and amounts
    from the shop's settings."""
    if OpeningChecklist.objects.filter(shop=shop).exists():
        raise DomainError("exists", _("This shop already has an opening checklist"))
    started_on = started_on or clock.today()
    with transaction.atomic():
        checklist = OpeningChecklist.objects.create(shop=shop, started_on=started_on)
        due = started_on
        steps = []
        for position, template in enumerate(shop.platform.opening_steps, start=1):
            days = get_setting(shop, template["days_setting"]) if "days_setting" in template else template["days"]
            due = due + dt.timedelta(days=days)
            steps.append(
                OpeningStep(
                    checklist=checklist,
                    position=position,
                    title=template["title"],
                    due_on=due,
                    amount_fen=get_setting(shop, template["amount_setting"]) if "amount_setting" in template else None,
                    second_amount_fen=(
                        get_setting(shop, template["second_amount_setting"])
                        if "second_amount_setting" in template
                        else None
                    ),
                )
            )
        OpeningStep.objects.bulk_create(steps)
        record_event(
            actor, shop, "opening_started", note=_("Opening checklist started: %(n)d steps") % {"n": len(steps)}
        )
    return checklist


def complete_opening_step(actor, step: OpeningStep, done_on: dt.date | None = None) -> OpeningStep:
    if step.done_on:
        raise DomainError("already_done", _("Step “%(title)s” is already done") % {"title": step.title})
    return _set_step_done_on(actor, step, done_on or clock.today())


def reopen_opening_step(actor, step: OpeningStep) -> OpeningStep:
    if not step.done_on:
        raise DomainError("not_done", _("Step “%(title)s” is not done yet") % {"title": step.title})
    return _set_step_done_on(actor, step, None)


def _set_step_done_on(actor, step: OpeningStep, done_on: dt.date | None) -> OpeningStep:
    """Mark a step done (a date) or open again (None), with the move on the shop's timeline."""
    states = (_("open"), _("done")) if done_on else (_("done"), _("open"))
    with transaction.atomic():
        step.done_on = done_on
        step.save(update_fields=["done_on"])
        record_event(
            actor,
            step.shop,
            "opening_step",
            from_state=states[0],
            to_state=states[1],
            note=f"{step.position}. {step.title}",
        )
    return step


def update_opening_step(
    actor, step: OpeningStep, *, due_on=None, amount_fen=None, second_amount_fen=None, note=None
) -> OpeningStep:
    """Edit a step's date, amounts (the editable defaults of SHOP-3) or note."""
    changes = {
        k: v
        for k, v in {
            "due_on": due_on,
            "amount_fen": amount_fen,
            "second_amount_fen": second_amount_fen,
            "note": note,
        }.items()
        if v is not None and getattr(step, k) != v
    }
    for key in ("amount_fen", "second_amount_fen"):
        if key in changes:  # rule 7: a deposit or fee within the company's money bound
            changes[key] = check_fen(changes[key], _("Amount"), key)
    if not changes:
        return step
    with transaction.atomic():
        for key, value in changes.items():
            old = getattr(step, key)
            setattr(step, key, value)
            shown = format_fen if key.endswith("_fen") else _short  # money as ¥, never in fen
            record_event(
                actor,
                step.shop,
                "opening_step_edited",
                from_state=shown(old),
                to_state=shown(value),
                note=f"{step.position}. {step.title} · {OpeningStep._meta.get_field(key).verbose_name}",
            )
        step.save(update_fields=list(changes))
    return step
