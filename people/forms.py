"""Forms of the people pages: appointing and ending roles."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ROLE_UNIT_KINDS, Role, User


class AssignRoleForm(forms.Form):
    """Give a role on one unit to a user named by login; the roles offered fit the unit's kind."""

    username = forms.CharField(label=_("Login name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    start_date = forms.DateField(
        label=_("From"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    authority = forms.CharField(
        label=_("On whose authority"),
        max_length=200,
        help_text=_("The meeting, decision or document that made this assignment."),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (role.value, role.label) for role in Role if unit.kind in ROLE_UNIT_KINDS[role]
        ]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no active user with the login name “%(name)s”."),
                params={"name": username},
            )
        self.cleaned_data["user"] = user
        return username


class EndAssignmentForm(forms.Form):
    end_date = forms.DateField(
        label=_("Last day"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("For example the assessment or decision that ended the role."),
    )
