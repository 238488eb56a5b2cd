"""Forms of the places pages. They parse input; the services enforce the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import idcard

from .models import Household, Resident, ResponsibilityArea, TownshipConfig
from .services import CONFIG_SCALARS, MAX_STARS, STAR_NAME_LENGTH

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


# --- Members of a household ----------------------------------------------------------------------


class MemberForm(forms.Form):
    """Add a resident to a household. Birth date and sex default from the ID number."""

    FIELDS = ["name", "sex", "birth_date", "id_number", "phone", "relation", "is_party_member"]
    name = _model_field(Resident, "name")
    sex = _model_field(Resident, "sex", required=False)
    birth_date = _model_field(
        Resident,
        "birth_date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters; the birth date and sex are taken from it if left empty."),
    )
    phone = _model_field(Resident, "phone")
    relation = _model_field(Resident, "relation")
    is_party_member = _model_field(Resident, "is_party_member")
    reason = _reason_field()

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        return idcard.validate_id_number(value) if value else None

    def clean_relation(self):
        relation = self.cleaned_data["relation"]
        if (
            relation == Resident.Relation.HEAD
            and self.household.members.filter(relation=Resident.Relation.HEAD).exists()
        ):
            raise forms.ValidationError(
                _("Household %(number)s already has a head; choose another relation."),
                params={"number": self.household.number},
            )
        return relation

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        if id_number:
            self._match_id(cleaned, id_number)
        elif "id_number" in cleaned and "sex" in cleaned and not cleaned["sex"]:
            self.add_error(
                "sex", _("Choose the sex, or enter the ID number to take it from there.")
            )
        return cleaned

    def _match_id(self, cleaned: dict, id_number: str) -> None:
        born, sex = idcard.birth_date(id_number), idcard.sex_of(id_number)
        if not cleaned.get("birth_date"):
            cleaned["birth_date"] = born
        elif cleaned["birth_date"] != born:
            self.add_error(
                "birth_date",
                ValidationError(
                    _("The birth date differs from the one in the ID number (%(date)s)."),
                    params={"date": born.isoformat()},
                ),
            )
        if not cleaned.get("sex"):
            cleaned["sex"] = sex
        elif cleaned["sex"] != sex:
            self.add_error(
                "sex",
                ValidationError(
                    _("The sex in the ID number is “%(sex)s”."),
                    params={"sex": Resident.Sex(sex).label},
                ),
            )

    def fields_for_service(self) -> dict:
        """The keyword arguments of places.services.create_resident."""
        return {name: self.cleaned_data[name] for name in self.FIELDS}


# --- Responsibility areas ------------------------------------------------------------------------


class AreaOwnerForm(forms.Form):
    """The owner of an area: a person (by login name), a household (by number), or both."""

    owner_username = forms.CharField(
        label=_("Owner's login name"),
        max_length=150,
        required=False,
        help_text=_("The person who answers for the area."),
    )
    owner_household = forms.CharField(
        label=_("Owner household number"),
        max_length=30,
        required=False,
        help_text=_("For a 门前三包 strip: the household that keeps it."),
    )

    def __init__(self, *args, households, **kwargs):
        """`households`: the households the owner may be chosen among (the user's scope)."""
        super().__init__(*args, **kwargs)
        self.households = households

    def clean_owner_username(self):
        username = self.cleaned_data["owner_username"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no active user with the login name “%(name)s”."),
                params={"name": username},
            )
        return user

    def clean_owner_household(self):
        number = self.cleaned_data["owner_household"].strip()
        if not number:
            return None
        household = self.households.filter(number=number).first()
        if household is None:
            raise forms.ValidationError(
                _("There is no household numbered “%(number)s” in your part of the township."),
                params={"number": number},
            )
        return household

    def owners(self) -> dict:
        return {
            "owner": self.cleaned_data["owner_username"],
            "owner_household": self.cleaned_data["owner_household"],
        }


class AreaForm(AreaOwnerForm):
    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the next free number of the township."),
    )
    name = _model_field(ResponsibilityArea, "name")
    kind = _model_field(ResponsibilityArea, "kind")
    description = _model_field(ResponsibilityArea, "description")
    reason = _reason_field()
    field_order = ["number", "name", "kind", "description", "owner_username", "owner_household"]

    def fields_for_service(self) -> dict:
        """The keyword arguments of places.services.create_area, but the grid and actor."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("number", "name", "kind", "description")}
        return {**fields, **self.owners(), "reason": data["reason"]}


class ReassignAreaForm(AreaOwnerForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Why the area changes hands, or on whose decision (kept in the history)."),
    )


# --- Township configuration ----------------------------------------------------------------------


class ConfigForm(forms.Form):
    """A township's rules. The star set is edited as MAX_STARS rows of name and "required"."""

    SCALARS = CONFIG_SCALARS
    grid_levels = _model_field(TownshipConfig, "grid_levels")
    joint_size = _model_field(TownshipConfig, "joint_size")
    warning_below = _model_field(TownshipConfig, "warning_below")
    suspension_below = _model_field(TownshipConfig, "suspension_below")
    red_list_size = _model_field(TownshipConfig, "red_list_size")
    black_list_size = _model_field(TownshipConfig, "black_list_size")
    require_totp = _model_field(TownshipConfig, "require_totp")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_STARS + 1):
            self.fields[f"star_{n}"] = forms.CharField(
                label=gettext("Star %(n)d") % {"n": n},
                max_length=STAR_NAME_LENGTH,
                required=False,
            )
            self.fields[f"star_{n}_required"] = forms.BooleanField(
                label=gettext("Required of every household"), required=False
            )
        self.fields["reason"] = _reason_field()

    def clean(self):
        cleaned = super().clean()
        for n in range(1, MAX_STARS + 1):
            if cleaned.get(f"star_{n}_required") and not cleaned.get(f"star_{n}", "").strip():
                self.add_error(f"star_{n}", _("Give this star a name, or untick “required”."))
        return cleaned

    @classmethod
    def initial_for(cls, config: TownshipConfig) -> dict:
        initial = {name: getattr(config, name) for name in cls.SCALARS}
        for n, star in enumerate(config.stars[:MAX_STARS], start=1):
            initial[f"star_{n}"] = star.get("name", "")
            initial[f"star_{n}_required"] = bool(star.get("required"))
        return initial

    def scalar_fields(self):
        return [self[name] for name in self.SCALARS]

    def star_rows(self):
        return [(self[f"star_{n}"], self[f"star_{n}_required"]) for n in range(1, MAX_STARS + 1)]

    def fields_for_service(self) -> dict:
        """The keyword arguments of places.services.update_config, but the config and actor."""
        data = self.cleaned_data
        stars = [
            {"name": data[f"star_{n}"].strip(), "required": data[f"star_{n}_required"]}
            for n in range(1, MAX_STARS + 1)
            if data[f"star_{n}"].strip() or data[f"star_{n}_required"]
        ]
        fields = {name: data[name] for name in self.SCALARS}
        return {**fields, "stars": stars, "reason": data["reason"]}
