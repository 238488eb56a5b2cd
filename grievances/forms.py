"""Forms of the grievance pages: intake, the handling steps, rating, duty rota, list filters."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.idempotency import KeyField
from places.models import Household, Resident, Unit

from .models import Grievance


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


MAX_HOUSEHOLD_CHOICES = 300
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLACE_KINDS = ("township", "village", "community", "grid")


class IntakeForm(forms.Form):
    """Who, where, what: a resident of a household in scope, or a named outsider."""

    channel = forms.ChoiceField(label=_("Channel"), choices=())
    is_petition = forms.BooleanField(
        label=_("Formal petition (信访)"),
        required=False,
        help_text=_("Shown only to its handlers; the petitioner's name is hidden from others."),
    )
    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), required=False
    )
    resident = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Resident.objects.none(),
        required=False,
        help_text=_("Left empty: the head of the household."),
    )
    outsider_name = forms.CharField(
        label=_("Or a person from outside: name"), max_length=50, required=False
    )
    outsider_phone = forms.CharField(label=_("Their phone"), max_length=20, required=False)
    unit = forms.ModelChoiceField(
        label=_("Where it arose"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Left empty: the household's 联户."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=())
    subject = forms.CharField(label=_("Subject"), max_length=100)
    request = forms.CharField(label=_("What they ask"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    files = MultipleFileField(label=_("Photos or PDF files"), required=False)
    idempotency_key = KeyField()

    def __init__(
        self, *args, scope, categories, households, units, channels, household=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channels
        self.fields["category"].choices = [(c, c) for c in categories]
        self.households = households
        if household is None and households.count() > MAX_HOUSEHOLD_CHOICES:
            # a township's thousands of households: typed by number instead of listed
            self.fields["household"] = forms.CharField(
                label=_("Household number"), max_length=30, required=False
            )
        else:
            self.fields["household"].queryset = households
            self.fields["household"].label_from_instance = lambda h: f"{h.number} {h.address}"
        self.fields["unit"].queryset = units
        self.fields["received_on"].initial = timezone.localdate()
        if household is not None:
            self.fields["household"].initial = household.pk
            self.fields["resident"].queryset = household.members.all()
            self.fields["resident"].label_from_instance = lambda r: (
                f"{r.name}（{r.get_relation_display()}）"
            )
        else:
            del self.fields["resident"]
        if len(channels) == 1:
            self.fields["channel"].widget = forms.HiddenInput()
            self.fields["channel"].initial = channels[0][0]

    def clean_household(self):
        value = self.cleaned_data.get("household")
        if isinstance(value, str):
            if not value.strip():
                return None
            found = self.households.filter(number=value.strip()).first()
            if found is None:
                raise forms.ValidationError(_("No household you may record for has this number."))
            return found
        return value

    def clean(self):
        data = super().clean()
        household = data.get("household")
        resident = data.get("resident")
        if resident is not None and household is not None and resident.household_id != household.pk:
            self.add_error("resident", _("This person is not in the household."))
        if household is None and not data.get("outsider_name"):
            raise forms.ValidationError(_("Choose a household, or name a person from outside."))
        if household is None and data.get("unit") is None:
            self.add_error("unit", _("Say where the matter arose."))
        return data

    def person(self):
        household = self.cleaned_data.get("household")
        if household is None:
            return None
        return self.cleaned_data.get("resident") or (
            household.members.filter(relation=Resident.Relation.HEAD).first()
            or household.members.first()
        )


class VillagerIntakeForm(forms.Form):
    """A villager files a grievance for their own household."""

    category = forms.ChoiceField(label=_("Category"), choices=())
    subject = forms.CharField(label=_("Subject"), max_length=100)
    request = forms.CharField(label=_("What you ask"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Photos or PDF files"), required=False)
    idempotency_key = KeyField()

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c, c) for c in categories]


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    assignee = forms.ModelChoiceField(label=_("Responsible person"), queryset=None, required=False)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("Left empty: the township's time limit."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["assignee"].queryset = people


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Handling note"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the person"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ConcludeForm(forms.Form):
    note = forms.CharField(label=_("How it was resolved"), required=False, max_length=500)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=500)


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Satisfaction"), choices=Grievance.Rating.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label=_("How it was obtained"), choices=())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, own: bool, **kwargs):
        super().__init__(*args, **kwargs)
        M = Grievance.RatingMethod
        if own:
            self.fields["method"].choices = [(M.OWN_LOGIN, M.OWN_LOGIN.label)]
            self.fields["method"].initial = M.OWN_LOGIN
            self.fields["method"].widget = forms.HiddenInput()
        else:
            self.fields["method"].choices = [c for c in M.choices if c[0] != M.OWN_LOGIN]


class DutyForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Where"), queryset=Unit.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE)
    leader = forms.ModelChoiceField(label=_("Leader on duty"), queryset=None)
    place = forms.CharField(label=_("Reception room"), max_length=100, required=False)

    def __init__(self, *args, units, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["leader"].queryset = leaders


class PeriodForm(forms.Form):
    """The list's filters (all optional): unit, period, figure, petitions, state."""

    unit = forms.IntegerField(required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    figure = forms.CharField(required=False)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("grievance", "grievance"), ("petition", "petition")],
    )
    state = forms.ChoiceField(required=False, choices=[("", ""), *Grievance.State.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period starts after it ends."))
        return data


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)
