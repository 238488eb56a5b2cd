"""Forms of the record-of-work pages: one per kind of record, decisions, funding, the report."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people import selectors as people_selectors
from places import selectors as place_selectors
from points.forms import PhotosField

from . import access
from .models import (
    Broadcast,
    Meeting,
    Output,
    Propaganda,
    Spending,
    Step,
    Training,
    VolunteerEvent,
    VolunteerTeam,
)
from .selectors import teams


def date_input(**attrs) -> forms.DateInput:
    """<input type="date">: its value must be ISO (YYYY-MM-DD), whatever the language."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


MAX_ID_NUMBERS = 500


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} · {obj.name}"


class RecordForm(forms.ModelForm):
    """Where and when, shared by every kind of record; photos are optional."""

    unit = UnitChoiceField(queryset=None, label=gettext_lazy("Unit"))
    photos = PhotosField(label=gettext_lazy("Photos"))

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["unit"].queryset = access.recording_units(scope)
        today = timezone.localdate()
        self.fields["date"].widget = date_input(max=today.isoformat())
        self.fields["date"].initial = today

    def record_fields(self) -> dict:
        """The service's keyword arguments."""
        data = dict(self.cleaned_data)
        data["photos"] = data.get("photos") or []
        return data


class TrainingForm(RecordForm):
    users = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Officials attending"),
        widget=forms.CheckboxSelectMultiple,
    )
    id_numbers = forms.CharField(
        required=False,
        label=gettext_lazy("Residents attending (ID numbers, one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Training
        fields = ["unit", "date", "kind", "topic", "trainer", "hours", "note"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        user_ids = (
            people_selectors.assignments(scope)
            .filter(is_current=True, unit__isnull=False)
            .values("user_id")
        )
        self.fields["users"].queryset = (
            get_user_model().objects.filter(pk__in=user_ids).order_by("name")
        )

    def clean_id_numbers(self):
        numbers = [
            line.strip().upper()
            for line in self.cleaned_data["id_numbers"].splitlines()
            if line.strip()
        ]
        if len(numbers) > MAX_ID_NUMBERS:
            raise forms.ValidationError(
                _("At most %(n)d ID numbers at once.") % {"n": MAX_ID_NUMBERS}
            )
        found = {
            r.id_number: r
            for r in place_selectors.residents(self.scope).filter(id_number__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No resident you can see has the ID number %(number)s.") % {"number": missing[0]}
            )
        return list(found.values())

    def record_fields(self):
        data = super().record_fields()
        data["residents"] = data.pop("id_numbers")
        return data


class VolunteerEventForm(RecordForm):
    class Meta:
        model = VolunteerEvent
        fields = ["unit", "date", "team", "title", "participants", "hours", "note"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["team"].queryset = teams(scope)


class PropagandaForm(RecordForm):
    class Meta:
        model = Propaganda
        fields = ["unit", "date", "kind", "title", "quantity", "note"]


class BroadcastForm(RecordForm):
    class Meta:
        model = Broadcast
        fields = ["unit", "date", "time", "content", "minutes", "note"]
        widgets = {"time": forms.TimeInput(attrs={"type": "time"})}


class MeetingForm(RecordForm):
    class Meta:
        model = Meeting
        fields = ["unit", "date", "kind", "title", "attendees", "minutes", "decisions", "note"]


class OutputForm(RecordForm):
    class Meta:
        model = Output
        fields = ["unit", "date", "kind", "quantity", "species", "note"]


RECORD_FORMS = {
    "training": TrainingForm,
    "volunteer": VolunteerEventForm,
    "propaganda": PropagandaForm,
    "broadcast": BroadcastForm,
    "meeting": MeetingForm,
    "output": OutputForm,
}


class TeamForm(forms.ModelForm):
    unit = UnitChoiceField(queryset=None, label=gettext_lazy("Unit"))

    class Meta:
        model = VolunteerTeam
        fields = ["unit", "name", "leader", "members"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.recording_units(scope)


class DecisionForm(forms.Form):
    village = UnitChoiceField(queryset=None, label=gettext_lazy("Village"))
    title = forms.CharField(max_length=200, label=gettext_lazy("Matter"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Description")
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = access.recording_units(scope).filter(
            kind__in=("village", "community")
        )


class StepForm(forms.Form):
    kind = forms.TypedChoiceField(choices=Step.Kind.choices, coerce=int, label=gettext_lazy("Step"))
    date = forms.DateField(widget=date_input(), label=gettext_lazy("Date"))
    outcome = forms.ChoiceField(choices=Step.Outcome.choices, label=gettext_lazy("Outcome"))
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Summary"),
        help_text=Step._meta.get_field("summary").help_text,
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, label=gettext_lazy("Year"))
    months = forms.IntegerField(min_value=1, max_value=12, initial=12, label=gettext_lazy("Months"))


class SpendingForm(forms.ModelForm):
    class Meta:
        model = Spending
        fields = ["date", "category", "description", "quantity", "amount"]
        widgets = {"date": date_input()}


class ReverseForm(forms.Form):
    reason = forms.CharField(max_length=150, label=gettext_lazy("Reason for the correction"))


class PeriodForm(forms.Form):
    """The report's unit and period (dates inclusive); this year up to today by default."""

    unit = forms.IntegerField(required=False)
    start = forms.DateField(required=False, widget=date_input(), label=gettext_lazy("From"))
    end = forms.DateField(required=False, widget=date_input(), label=gettext_lazy("To"))

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or today.replace(month=1, day=1)
        end = data.get("end") or max(today, start)
        if end < start:
            start, end = end, start
        return start, end
