from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.shops.models import Shop

from .models import Role


class StaffForm(forms.Form):
    number = forms.CharField(label=_("staff number"), max_length=16)
    name = forms.CharField(label=_("name"), max_length=40)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    roles = forms.ModelMultipleChoiceField(
        label=_("roles"), queryset=Role.objects.select_related("group"), widget=forms.CheckboxSelectMultiple
    )
    all_shops = forms.BooleanField(label=_("all shops"), required=False)
    shops = forms.ModelMultipleChoiceField(
        label=_("shops"), queryset=Shop.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
