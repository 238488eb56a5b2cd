"""Forms of the supermarket pages; each feeds one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_QUANTITY


class CounterForm(forms.Form):
    """The counter: a quantity per goods on offer, and the key that makes a resend harmless."""

    household = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goods = list(goods)
        for item in self.goods:
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=item.name,
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
            )

    def rows(self):
        return [(item, self[f"qty_{item.pk}"]) for item in self.goods]

    def lines(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data.get(f"qty_{item.pk}") or 0
            for item in self.goods
            if self.cleaned_data.get(f"qty_{item.pk}")
        }


class StockForm(forms.Form):
    KINDS = [("restock", _("Restock")), ("write_off", _("Write-off"))]

    kind = forms.ChoiceField(label=_("What"), choices=KINDS)
    goods = forms.TypedChoiceField(label=_("Goods"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100000)
    cost_yuan = forms.DecimalField(
        label=_("Purchase cost (yuan)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
    )
    fund = forms.CharField(label=_("Paid from fund"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason (write-off)"), max_length=300, required=False)

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goods"].choices = [(g.pk, f"{g.name}（{g.unit}）") for g in goods]


class GoodsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="个")
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=100000)
    photo = forms.FileField(label=_("Photo"), required=False)


class GoodsEditForm(forms.Form):
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=100000)
    active = forms.BooleanField(label=_("On offer"), required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    authority = forms.CharField(
        label=_("Decided by"), max_length=200, help_text=_("E.g. 村两委会议 2026-11-20.")
    )
    ends_on = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SettingsForm(forms.Form):
    keeper_void_days = forms.IntegerField(
        label=_("Days a keeper may void a receipt"),
        min_value=0,
        max_value=30,
        help_text=_("0: only on the day of the redemption."),
    )
