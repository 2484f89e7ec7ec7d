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


class HolidayCalendarForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=_("Days off, one holiday a line"),
        widget=forms.Textarea(attrs={"rows": 7, "placeholder": "元旦 2027-01-01\n春节 2027-02-05~2027-02-12"}),
    )
    workdays = forms.CharField(
        label=_("Make-up working days (调休)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "2027-02-14 2027-09-26"}),
    )
    source = forms.CharField(label=_("Source (the State Council notice)"), max_length=300)
