from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Platform, Shop
from .services import PROFILE_FIELDS


class ShopCreateForm(forms.Form):
    code = forms.CharField(label=_("Shop code"), max_length=32, help_text=_("e.g. tb-main; used in files and the API"))
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.all(), empty_label=None)
    name = forms.CharField(label=_("Shop name"), max_length=60)


class ShopProfileForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [f for f in PROFILE_FIELDS if f != "is_active"]
        widgets = {
            "announcement": forms.Textarea(attrs={"rows": 3}),
            "buyer_notice": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = self.instance.platform.shop_types if self.instance.pk else []
        self.fields["shop_type"] = forms.ChoiceField(
            label=_("shop type"), choices=[("", "—"), *[tuple(t) for t in types]], required=False
        )


class OpeningStepForm(forms.Form):
    due_on = forms.DateField(label=_("due on"), required=False)
    amount = forms.DecimalField(label=_("amount (yuan)"), required=False, min_value=0, decimal_places=2)
    second_amount = forms.DecimalField(label=_("second amount (yuan)"), required=False, min_value=0, decimal_places=2)
    note = forms.CharField(label=_("note"), required=False, max_length=300)
