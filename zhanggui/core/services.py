"""Writes owned by core: personal API tokens."""

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
