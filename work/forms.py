"""Forms of the work pages; the querysets of choices are limited by the caller's Powers."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.idempotency import KeyField
from people.models import User
from places.models import ResponsibilityArea, Unit

from .models import Draw, Problem, TaskReport


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from the phone's camera or gallery (checked again by the service)."""

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _month_initial():
    return timezone.localdate().strftime("%Y-%m")


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class MonthField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"


class ListForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Issued by"), queryset=Unit.objects.none())
    month = MonthField(label=_("Month"), initial=_month_initial)
    title = forms.CharField(label=_("Title"), max_length=120)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    done_when = forms.CharField(label=_("What counts as done"), max_length=300)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Unit.objects.none(), required=False)
    area = forms.ModelChoiceField(
        label=_("Responsibility area"), queryset=ResponsibilityArea.objects.none(), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, grids=None, areas=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if grids is not None:
            self.fields["grid"].queryset = grids
        if areas is not None:
            self.fields["area"].queryset = areas
        if people is not None:
            self.fields["assignee"].queryset = people

    def clean(self):
        data = super().clean()
        if not (data.get("grid") or data.get("area") or data.get("assignee")):
            raise forms.ValidationError(_("Give a grid, a responsibility area or a person."))
        return data


class CopyForm(forms.Form):
    month = MonthField(label=_("Into month"))


class ReportForm(forms.Form):
    KINDS = [
        (TaskReport.Kind.PROGRESS, TaskReport.Kind.PROGRESS.label),
        (TaskReport.Kind.DONE, TaskReport.Kind.DONE.label),
        (TaskReport.Kind.SUPERVISION, TaskReport.Kind.SUPERVISION.label),
    ]
    kind = forms.ChoiceField(label=_("Report"), choices=KINDS)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photos = PhotosField(label=_("Photos"), required=False)


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("return", _("Send back"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ProblemForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Problem.Source.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Problem.Category.choices)
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Unit.objects.none(), required=False)
    area = forms.ModelChoiceField(
        label=_("Responsibility area"), queryset=ResponsibilityArea.objects.none(), required=False
    )
    group = forms.ModelChoiceField(
        label=_("Villagers' group"), queryset=Unit.objects.none(), required=False
    )
    place = forms.CharField(
        label=pgettext_lazy("location", "Place"), max_length=200, required=False
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    description = forms.CharField(
        label=_("Problem"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirement = forms.CharField(
        label=_("Rectification requirement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty for the area's owner (or the grid's chief)."),
    )
    deadline = forms.DateField(label=pgettext_lazy("rectification", "Deadline"), widget=DateInput)
    photos = PhotosField(label=_("Photos"), required=False)
    idempotency_key = KeyField()

    def __init__(self, *args, grids=None, areas=None, groups=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("grid", grids),
            ("area", areas),
            ("group", groups),
            ("responsible", people),
        ):
            if qs is not None:
                self.fields[name].queryset = qs

    def clean(self):
        data = super().clean()
        if not (data.get("grid") or data.get("area")):
            raise forms.ValidationError(_("Choose the grid or the responsibility area."))
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Problem.State.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    photos = PhotosField(label=_("Photos of the rectification"), required=False)
    idempotency_key = KeyField()


class FollowUpForm(forms.Form):
    interview_on = forms.DateField(label=_("Interview held on"), widget=DateInput, required=False)
    interview_note = forms.CharField(
        label=_("Interview"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    accountability = forms.CharField(
        label=_("Accountability decided"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DrawForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Draw from"), queryset=Unit.objects.none())
    month = MonthField(label=_("Month"), initial=_month_initial)
    kind = forms.ChoiceField(label=_("Draw"), choices=Draw.Kind.choices)
    size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=500, initial=5)
    seed = forms.CharField(
        label=_("Seed"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for a random seed; it is recorded so anyone can repeat the draw."),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class FindingForm(forms.Form):
    target = forms.ChoiceField(label=_("Drawn place"))
    passed = forms.TypedChoiceField(
        label=_("Result"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Passed")), ("0", _("Problem found"))],
    )
    note = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(
        label=_("Category"), choices=Problem.Category.choices, required=False
    )
    requirement = forms.CharField(
        label=_("Rectification requirement"), max_length=500, required=False
    )
    deadline = forms.DateField(
        label=pgettext_lazy("rectification", "Deadline"), widget=DateInput, required=False
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets

    def clean(self):
        data = super().clean()
        if data.get("passed") is False and not (data.get("requirement") and data.get("deadline")):
            raise forms.ValidationError(
                _("A problem found needs the rectification requirement and a deadline.")
            )
        return data


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit visited"), queryset=Unit.objects.none())
    visited_on = forms.DateField(
        label=_("Visited on"), widget=DateInput, initial=timezone.localdate
    )
    survey = forms.CharField(
        label=_("必问摸排情况: the survey status"), widget=forms.Textarea(attrs={"rows": 2})
    )
    rectification = forms.CharField(
        label=_("必问整改情况: the rectification status"), widget=forms.Textarea(attrs={"rows": 2})
    )
    guarantee = forms.CharField(
        label=_("必问包保情况: who guarantees it"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class LedgerFilter(forms.Form):
    """Filters of the ledger page (all optional)."""

    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All"))] + Problem.State.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Only mine to rectify"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All"))] + Problem.Category.choices, required=False
    )
    start = forms.DateField(label=_("From"), widget=DateInput, required=False)
    end = forms.DateField(label=_("Until"), widget=DateInput, required=False)
