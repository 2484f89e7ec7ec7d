from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to the field it names (or at the top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    for key, message in (getattr(exc, "errors", None) or {}).items():
        form.add_error(key if key in form.fields else None, message)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Name"))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    confirm_password = forms.CharField(label=_("New password (twice)"), widget=forms.PasswordInput, strip=False)
