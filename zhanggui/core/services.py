"""Writes owned by core: personal API tokens, one's own password (TEAM-3: each person signs in with their 工号)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .apitools import hash_token, new_token_key
from .errors import DomainError
from .events import record_event
from .models import ApiToken

MAX_ACTIVE_TOKENS = 10


def create_api_token(user, name: str) -> tuple[ApiToken, str]:
    """A personal token acting with exactly the user's roles and shops; the key is returned once."""
    name = (name or "").strip()
    if not name:
        raise DomainError("required", _("Give the token a name, e.g. the script that uses it"), "name")
    if len(name) > 60:
        raise DomainError("too_long", _("Token name: at most 60 characters"), "name")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise DomainError("too_many", _("At most %(n)d active tokens; revoke one first") % {"n": MAX_ACTIVE_TOKENS})
    key = new_token_key()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], digest=hash_token(key))
        record_event(user, user, "token_created", note=f"{name}（{token.prefix}…）")
    return token, key


def revoke_api_token(user, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise DomainError("not_yours", _("You can only revoke your own tokens"))
    if token.revoked_at:
        raise DomainError("already_revoked", _("This token is already revoked"))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(user, user, "token_revoked", note=f"{token.name}（{token.prefix}…）")
    return token


def change_own_password(user, old: str, new: str, confirm: str) -> None:
    """A person changes their own password: the current one first, the new one twice and through the password
    rules (settings.AUTH_PASSWORD_VALIDATORS); the change goes on their timeline (never the password)."""
    if not user.check_password(old or ""):
        raise DomainError("wrong_password", "当前密码不正确", "old_password")
    if not new:
        raise DomainError("required", "请填写新密码", "new_password")
    if new != confirm:
        raise DomainError("mismatch", "两次输入的新密码不一致", "confirm_password")
    if new == old:
        raise DomainError("same_password", "新密码不能与当前密码相同", "new_password")
    try:
        password_validation.validate_password(new, user)
    except ValidationError as exc:
        raise DomainError("weak_password", "；".join(exc.messages), "new_password") from None
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        record_event(user, user, "password_changed", note="本人修改了密码")


def revoke_all_api_tokens(user) -> int:
    """Revoke every active token of `user` (a password reset: whoever knew the old password may hold a key)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
