"""Forms of the star pages: the self-evaluation (自评表), the group's evaluation, the vote,
objections, visits, withdrawals, pairings and rounds."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.idempotency import KeyField
from points.forms import PhotosField

from .models import Confirmation, Objection, Visit


class SelfEvaluationForm(forms.Form):
    """One checkbox and a note per star; the required stars are ticked and cannot be left out
    (the service refuses a claim without them); how the head confirmed."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    confirmation = forms.ChoiceField(
        label=gettext_lazy("Household head's confirmation"),
        choices=Confirmation.choices,
        widget=forms.RadioSelect,
    )
    confirmation_note = forms.CharField(
        label=gettext_lazy("How the head confirmed"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Needed unless the head confirms in their own login: e.g. “户主签字，联户长刘某在场”."
        ),
    )

    def __init__(self, data=None, *, stars, is_head=False, **kwargs):
        super().__init__(data, **kwargs)
        self.stars = list(stars)
        self.is_head = is_head
        if is_head:
            del self.fields["confirmation"]
            del self.fields["confirmation_note"]
        for star in self.stars:
            self.fields[f"star_{star.pk}"] = forms.BooleanField(
                label=star.name, required=False, initial=star.required
            )
            self.fields[f"note_{star.pk}"] = forms.CharField(
                label=_("What the household does"), max_length=300, required=False
            )

    def star_rows(self):
        return [(star, self[f"star_{star.pk}"], self[f"note_{star.pk}"]) for star in self.stars]

    def chosen(self):
        return [
            (star, self.cleaned_data.get(f"note_{star.pk}", ""))
            for star in self.stars
            if self.cleaned_data.get(f"star_{star.pk}")
        ]


class GroupEvaluationForm(forms.Form):
    """Grant or deny each claimed star; a denial needs its reason."""

    def __init__(self, data=None, *, rows, **kwargs):
        super().__init__(data, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"grant_{row.star_id}"] = forms.TypedChoiceField(
                label=row.star.name,
                choices=[("1", _("Grant")), ("0", _("Deny"))],
                coerce=lambda value: value == "1",
                widget=forms.RadioSelect,
                initial="1",
            )
            self.fields[f"reason_{row.star_id}"] = forms.CharField(
                label=_("Reason"), max_length=300, required=False
            )

    def star_rows(self):
        return [
            (row, self[f"grant_{row.star_id}"], self[f"reason_{row.star_id}"]) for row in self.rows
        ]

    def decisions(self):
        return {
            row.star_id: (
                self.cleaned_data[f"grant_{row.star_id}"],
                self.cleaned_data[f"reason_{row.star_id}"],
            )
            for row in self.rows
        }


class VoteForm(forms.Form):
    members = forms.IntegerField(label=gettext_lazy("Members of the two committees"), min_value=1)
    votes_for = forms.IntegerField(label=gettext_lazy("For"), min_value=0)
    votes_against = forms.IntegerField(label=gettext_lazy("Against"), min_value=0)
    abstentions = forms.IntegerField(label=gettext_lazy("Abstentions"), min_value=0)
    note = forms.CharField(label=gettext_lazy("Minutes"), max_length=300, required=False)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label=gettext_lazy("Raised by"), max_length=50)
    text = forms.CharField(label=gettext_lazy("Objection"), max_length=500, widget=forms.Textarea)


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("0", Objection.State.DISMISSED.label),
            ("1", Objection.State.UPHELD.label),
        ],
        coerce=lambda value: value == "1",
    )
    resolution = forms.CharField(label=gettext_lazy("Resolution"), max_length=300)


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Visit.Kind.choices)
    visited_on = forms.DateField(
        label=gettext_lazy("Visited on"),
        # <input type="date"> takes only ISO dates, not the locale's 2026/11/24
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=gettext_lazy("Photos"))
    idempotency_key = KeyField()

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A visit cannot be recorded in advance."))
        return day


class WithdrawForm(forms.Form):
    star = forms.ModelChoiceField(label=gettext_lazy("Star"), queryset=None)
    reason = forms.CharField(
        label=gettext_lazy("Finding"),
        max_length=300,
        help_text=gettext_lazy("E.g. a law-breaking record, with its date and source."),
    )
    authority = forms.CharField(
        label=gettext_lazy("Decided by"),
        max_length=200,
        help_text=gettext_lazy("E.g. “村两委会议决定（2026年11月20日）”."),
    )

    def __init__(self, data=None, *, stars, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["star"].queryset = stars


class PairForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Party member or cadre"), queryset=None)
    numbers = forms.CharField(
        label=gettext_lazy("Household numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("About ten, separated by spaces, commas or new lines."),
    )

    def __init__(self, data=None, *, members, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["member"].queryset = members

    def clean_numbers(self):
        text = self.cleaned_data["numbers"].replace("，", ",").replace("、", ",")
        numbers = [n for n in text.replace(",", " ").split() if n]
        if not numbers:
            raise ValidationError(_("Give at least one household number."))
        return numbers


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    villages = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Villages"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    pilot = forms.BooleanField(label=gettext_lazy("These are pilot villages"), required=False)

    def __init__(self, data=None, *, villages, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["villages"].queryset = villages
