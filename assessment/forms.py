"""Forms of the assessment pages."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core import idempotency
from people.models import User
from places.models import Unit

from .models import CaseAction, KeyWork


class MonthField(forms.CharField):
    """A month written YYYY-MM (the input type="month" of phones)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})

    def clean(self, value):
        value = super().clean(value)
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(
                _("Write the month as YYYY-MM, e.g. 2026-10."), code="bad_month"
            ) from None


class CloseForm(forms.Form):
    month = MonthField(label=_("Month"))


class PublishForm(forms.Form):
    authority = forms.CharField(
        label=_("On whose authority (meeting or decision)"),
        max_length=200,
        help_text=_("The meeting or decision that approved this month's results."),
    )


class AdjustmentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Grid"), queryset=Unit.objects.none())
    month = MonthField(label=_("Month"))
    points = forms.DecimalField(
        label=_("Points"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Positive for a commendation, negative for a deduction."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    authority = forms.CharField(label=_("On whose authority (meeting or decision)"), max_length=200)

    def __init__(self, *args, township: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            township=township, kind=Unit.Kind.GRID, is_active=True
        ).order_by("path")


class ItemForm(forms.Form):
    points = forms.DecimalField(label=_("Points"), max_digits=7, decimal_places=2)


class CaseActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was done"), choices=CaseAction.Kind.choices)
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    authority = forms.CharField(label=_("On whose authority (meeting or decision)"), max_length=200)
    new_holder = forms.ModelChoiceField(
        label=_("New grid chief"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only when a replacement is appointed."),
    )

    def __init__(self, *args, township: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_holder"].queryset = (
            User.objects.filter(is_active=True, assignments__township=township)
            .distinct()
            .order_by("name", "username")
        )


class MarkForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village or community"), queryset=Unit.objects.none())
    item = forms.ModelChoiceField(label=_("Key work"), queryset=KeyWork.objects.none())
    points = forms.DecimalField(
        label=_("Points"),
        max_digits=6,
        decimal_places=1,
        help_text=_("Negative to deduct. A correction is a further mark."),
    )
    note = forms.CharField(label=_("Reason"), max_length=300)
    idempotency_key = idempotency.KeyField()

    def __init__(self, *args, villages, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: (
            _("%(item)s (at most ±%(max)s a year)") % {"item": item.name, "max": item.max_points}
        )

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Give a number of points other than zero."))
        return points


class KeyWorkForm(forms.Form):
    name = forms.CharField(label=_("Key work"), max_length=100)
    max_points = forms.DecimalField(
        label=_("At most (points a year, plus or minus)"),
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        initial=Decimal(10),
    )
