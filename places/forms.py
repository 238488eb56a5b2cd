"""Forms of the places pages. They parse input; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Household, Resident

REASON_HELP = _("Optional: why, or on whose decision (kept in the history).")


def _reason_field():
    return forms.CharField(label=_("Reason"), max_length=300, required=False, help_text=REASON_HELP)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or last digits of the ID number"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


# Plain forms, not ModelForms: a ModelForm writes into the instance while validating, and the
# services must see the instance unchanged to record what changed.
class HouseholdForm(forms.Form):
    address = _model_field(Household, "address")
    door_area = _model_field(Household, "door_area")
    reason = _reason_field()


class MoveHouseholdForm(forms.Form):
    """Another group and/or 联户, chosen among those the user may change."""

    group = forms.ModelChoiceField(
        label=_("Villagers' group"),
        queryset=None,
        required=False,
        empty_label=_("(keep the current group)"),
    )
    joint = forms.ModelChoiceField(
        label=_("联户"), queryset=None, required=False, empty_label=_("(keep the current 联户)")
    )
    reason = _reason_field()

    def __init__(self, *args, groups, joints, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["joint"].queryset = joints

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("group") and not cleaned.get("joint"):
            raise forms.ValidationError(_("Choose a new group or a new 联户."))
        return cleaned


class ResidentForm(forms.Form):
    """Edit a resident. The ID and phone are never sent to the browser: empty keeps them."""

    FIELDS = ["name", "sex", "birth_date", "relation", "is_party_member"]
    name = _model_field(Resident, "name")
    sex = _model_field(Resident, "sex")
    birth_date = _model_field(
        Resident,
        "birth_date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    relation = _model_field(Resident, "relation")
    is_party_member = _model_field(Resident, "is_party_member")

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("Leave empty to keep the current ID number."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current phone number."),
    )
    reason = _reason_field()

    def changes(self) -> dict:
        """The fields to pass to places.services.update_resident."""
        fields = {name: self.cleaned_data[name] for name in self.FIELDS}
        for name in ("id_number", "phone"):
            if self.cleaned_data[name].strip():
                fields[name] = self.cleaned_data[name].strip()
        return fields


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("“%(name)s” is not an Excel workbook (.xlsx)."), params={"name": upload.name}
            )
        return upload
