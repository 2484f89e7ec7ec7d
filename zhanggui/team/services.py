"""Every write to the team: roles and their permissions (TEAM-1), staff (TEAM-3), duty owners (TEAM-2)."""

import datetime as dt
import json
import secrets
from pathlib import Path

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.services import revoke_all_api_tokens

from .models import Duty, Role, Staff, number_validator

ROLES_FILE = Path(__file__).parent / "data" / "roles.json"
# Apps whose permissions make up the manager's "*" (every app of ours, present and future).
OWN_APP_PREFIX = "zhanggui."


def role_definitions() -> list[dict]:
    return json.loads(ROLES_FILE.read_text(encoding="utf-8"))["roles"]


def _own_permissions():
    from django.apps import apps

    labels = [cfg.label for cfg in apps.get_app_configs() if cfg.name.startswith(OWN_APP_PREFIX)]
    return Permission.objects.filter(content_type__app_label__in=labels)


def sync_roles() -> None:
    """Create or refresh the role groups, their permission sets and their duties from roles.json."""
    own = list(_own_permissions().select_related("content_type"))
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in own}
    for position, spec in enumerate(role_definitions(), start=1):
        group, _created = Group.objects.get_or_create(name=spec["name"])
        perms = own if spec["permissions"] == ["*"] else [by_name[n] for n in spec["permissions"] if n in by_name]
        group.permissions.set(perms)
        role, _created = Role.objects.update_or_create(
            code=spec["code"],
            defaults={"group": group, "position": position, "all_shops": spec.get("all_shops", False)},
        )
        for duty_position, title in enumerate(spec["duties"], start=1):
            Duty.objects.update_or_create(role=role, title=title, defaults={"position": duty_position})


def find_roles(names_or_codes) -> list[Role]:
    """Roles by code (manager, cs, …) or Chinese name (店长, 客服, …, a prefix is enough)."""
    roles = list(Role.objects.select_related("group"))
    found = []
    for wanted in names_or_codes:
        wanted = wanted.strip()
        match = [r for r in roles if wanted in (r.code, r.name)] or [r for r in roles if r.name.startswith(wanted)]
        if len(match) != 1:
            options = "、".join(f"{r.code}({r.name})" for r in roles)
            raise DomainError(
                "unknown_role",
                _("Unknown role “%(role)s”; use one of: %(options)s") % {"role": wanted, "options": options},
                "roles",
            )
        found.append(match[0])
    return found


def _check_number(number: str) -> str:
    number = (number or "").strip()
    try:
        number_validator(number)
    except Exception:
        raise DomainError(
            "invalid_number",
            _("Staff number “%(number)s” is not valid: 2–16 letters, digits, - or _") % {"number": number},
            "number",
        ) from None
    return number


def new_password() -> str:
    return secrets.token_urlsafe(9)


def create_staff(
    actor, *, number: str, name: str, roles, shops=(), phone: str = "", password: str | None = None
) -> tuple[Staff, str]:
    """A new staff member with a unique 工号 and one or more roles; returns the first password."""
    number = _check_number(number)
    name = (name or "").strip()
    if not name:
        raise DomainError("required", _("Name is required"), "name")
    role_objs = find_roles(roles) if roles and not isinstance(next(iter(roles)), Role) else list(roles)
    if not role_objs:
        raise DomainError("required", _("Choose at least one role"), "roles")
    password = password or new_password()
    try:
        with transaction.atomic():
            staff = Staff.objects.create_user(
                number, password, name=name, phone=phone.strip(), all_shops=any(r.all_shops for r in role_objs)
            )
            staff.groups.set([r.group for r in role_objs])
            staff.shops.set(shops)
            record_event(
                actor, staff, "created", to_state="、".join(r.name for r in role_objs), note=_("Staff created")
            )
    except IntegrityError:
        raise DomainError(
            "duplicate_number", _("Staff number %(number)s already exists") % {"number": number}, "number"
        ) from None
    return staff, password


def update_staff(
    actor, staff: Staff, *, name=None, phone=None, roles=None, shops=None, all_shops=None, is_active=None
) -> Staff:
    """Change a person's roles, shop scope or details; each change goes on their timeline."""
    if actor and actor.pk == staff.pk and is_active is False:
        raise DomainError("self_deactivate", _("You cannot deactivate yourself"), "is_active")
    with transaction.atomic():
        if name is not None and name.strip() != staff.name:
            if not name.strip():
                raise DomainError("required", _("Name is required"), "name")
            record_event(actor, staff, "profile_changed", from_state=staff.name, to_state=name.strip(), note=_("name"))
            staff.name = name.strip()
        if phone is not None and phone.strip() != staff.phone:
            staff.phone = phone.strip()
            record_event(actor, staff, "profile_changed", note=_("phone"))
        if is_active is not None and is_active != staff.is_active:
            record_event(actor, staff, "status", from_state=_status(staff.is_active), to_state=_status(is_active))
            staff.is_active = is_active
        if all_shops is not None and all_shops != staff.all_shops:
            record_event(actor, staff, "scope_changed", from_state=_scope(staff.all_shops), to_state=_scope(all_shops))
            staff.all_shops = all_shops
        staff.save()
        if roles is not None:
            role_objs = roles if not roles or isinstance(roles[0], Role) else find_roles(roles)
            if not role_objs:
                raise DomainError("required", _("Choose at least one role"), "roles")
            before = _role_names(staff)
            staff.groups.set([r.group for r in role_objs])
            after = _role_names(staff)
            if before != after:
                record_event(actor, staff, "roles_changed", from_state=before, to_state=after)
        if shops is not None:
            before = _shop_names(staff)
            staff.shops.set(shops)
            after = _shop_names(staff)
            if before != after:
                record_event(actor, staff, "shops_changed", from_state=before, to_state=after)
    return staff


def login_locked(staff: Staff) -> bool:
    """Is the 工号 locked out of signing in (django-axes: AXES_FAILURE_LIMIT wrong passwords within the cool-off,
    on any computer)?"""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        username=staff.number, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


def unlock_login(actor, staff: Staff) -> int:
    """The manager lifts the lock of a 工号 (TEAM-3): its failed sign-ins are forgotten; recorded on the timeline."""
    if not AccessAttempt.objects.filter(username=staff.number).exists():
        raise DomainError("not_locked", f"工号 {staff.number} 没有登录锁定")
    with transaction.atomic():
        cleared = axes_reset(username=staff.number)
        record_event(actor, staff, "login_unlocked", note=f"解除登录锁定（清除 {cleared} 条失败记录）")
    return cleared


def reset_password(actor, staff: Staff) -> str:
    """A new password shown once; the 工号's sign-in lock is lifted and its API tokens are revoked (whoever knew
    the old password may hold one of their keys)."""
    password = new_password()
    with transaction.atomic():
        staff.set_password(password)
        staff.save(update_fields=["password"])
        axes_reset(username=staff.number)
        revoked = revoke_all_api_tokens(staff)
        note = _("Password reset; the new password was shown once")
        note += "；已解除登录锁定" + (f"；已停用 {revoked} 个 API 令牌" if revoked else "")
        record_event(actor, staff, "password_reset", note=note)
    return password


def set_duty_owners(actor, duty: Duty, owners) -> Duty:
    """TEAM-2: owners of a duty must hold its role."""
    owners = list(owners)
    wrong = [s for s in owners if not s.groups.filter(pk=duty.role.group_id).exists()]
    if wrong:
        raise DomainError(
            "owner_without_role",
            _("%(staff)s does not hold the role %(role)s") % {"staff": wrong[0], "role": duty.role.name},
            "owners",
        )
    before = "、".join(str(s) for s in duty.owners.all()) or "—"
    with transaction.atomic():
        duty.owners.set(owners)
        record_event(
            actor,
            duty,
            "duty_owner",
            from_state=before,
            to_state="、".join(str(s) for s in owners) or "—",
            note=duty.title,
        )
    return duty


def _status(active: bool) -> str:
    return _("active") if active else _("inactive")


def _scope(all_shops: bool) -> str:
    return _("all shops") if all_shops else _("assigned shops")


def _role_names(staff: Staff) -> str:
    return "、".join(sorted(staff.groups.values_list("name", flat=True)))


def _shop_names(staff: Staff) -> str:
    return "、".join(sorted(staff.shops.values_list("name", flat=True))) or "—"
