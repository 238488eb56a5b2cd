"""Forms of the points pages: the 联户 appraisal, reviews, appeals, month and quarter pickers."""

import datetime
import re
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.masking import mask_name

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_month(text: str | None) -> datetime.date | None:
    """'2026-10' → 2026-10-01; None for anything else."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def parse_quarter(text: str | None) -> str | None:
    """'2026-Q3' as given, or None when it is not a quarter."""
    text = (text or "").strip().upper()
    return text if QUARTER_RE.match(text) else None


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value


class MonthField(forms.Field):
    """A month as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = MonthInput
    default_error_messages = {"invalid": gettext_lazy("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        month = parse_month(str(value))
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos; their content is checked by the service (points.evidence)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(one, initial) for one in files]


class Row(NamedTuple):
    """A household's row of the appraisal form, as the template shows it."""

    household: object
    item: forms.BoundField
    note: forms.BoundField
    photos: forms.BoundField
    errors: list[str]

    @property
    def fields(self) -> tuple:
        return (self.item, self.note, self.photos)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.code} {obj.name} ({obj.value:+d})"
        if obj.evidence_required:
            label += " · " + _("photo required")
        return label


class AppraisalForm(forms.Form):
    """The monthly 联户评: a row (item, note, photos) per household of the 联户.

    Rows left without an item are skipped. `rows()` gives each household with its bound fields
    for the template; `filled_rows()` the cleaned rows for services.propose_joint.
    """

    month = MonthField(label=gettext_lazy("Month"))
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, data=None, files=None, *, households, items, **kwargs):
        super().__init__(data, files, **kwargs)
        self.households = list(households)
        self.fields["month"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m}"
        for household in self.households:
            pk = household.pk
            self.fields[f"item_{pk}"] = ItemChoiceField(
                queryset=items,
                required=False,
                label=_("Item"),
                empty_label=_("— no entry this month —"),
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False
            )
            self.fields[f"photos_{pk}"] = PhotosField(label=_("Photos"))

    def rows(self) -> list[Row]:
        rows = []
        for household in self.households:
            pk = household.pk
            item, note, photos = self[f"item_{pk}"], self[f"note_{pk}"], self[f"photos_{pk}"]
            errors = [str(e) for field in (item, note, photos) for e in field.errors]
            rows.append(Row(household, item, note, photos, errors))
        return rows

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(
                _("The month %(month)s has not begun.") % {"month": f"{month:%Y-%m}"}
            )
        return month

    def clean(self):
        cleaned = super().clean()
        for household in self.households:
            pk = household.pk
            if f"item_{pk}" in self.errors:
                continue
            if not cleaned.get(f"item_{pk}") and (
                cleaned.get(f"note_{pk}") or cleaned.get(f"photos_{pk}")
            ):
                self.add_error(f"item_{pk}", _("Choose an item, or clear the note and photos."))
        if not self.errors and not self.filled_rows():
            raise ValidationError(_("Choose an item for at least one household."))
        return cleaned

    def filled_rows(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "household": household,
                "item": data[f"item_{household.pk}"],
                "note": data.get(f"note_{household.pk}", ""),
                "photos": data.get(f"photos_{household.pk}", []),
            }
            for household in self.households
            if data.get(f"item_{household.pk}")
        ]

    def row_errors(self) -> list[str]:
        """One line per household whose row has errors, naming the household."""
        return [
            f"{household_label(row.household)}: {' '.join(row.errors)}"
            for row in self.rows()
            if row.errors
        ]

    def refuse_row(self, household, message: str) -> None:
        """A service refused this household's row: show it there and in the summary."""
        self.add_error(f"item_{household.pk}", message)


def household_label(household) -> str:
    """'Household 0012 (刘*先)': how the form names a row; the head's name is masked."""
    head = getattr(household, "head_name", None)
    if head:
        return _("Household %(number)s (%(name)s)") % {
            "number": household.number,
            "name": mask_name(head),
        }
    return _("Household %(number)s") % {"number": household.number}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))]
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the proposal is rejected."))
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this entry wrong?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideAppealForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("uphold", gettext_lazy("Uphold: reverse the entry")),
            ("dismiss", gettext_lazy("Dismiss")),
        ]
    )
    text = forms.CharField(label=gettext_lazy("Decision"), max_length=500)

    @property
    def uphold(self) -> bool:
        return self.cleaned_data["decision"] == "uphold"
