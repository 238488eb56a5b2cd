"""The form of a new group robot. The key and secret are write-only: never rendered back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Robot


class RobotForm(forms.Form):
    name = forms.CharField(
        label=_("Work group"),
        max_length=100,
        required=False,
        help_text=_(
            "The group's name, e.g. 和平社区002网格联户群 (the unit's work group if empty)."
        ),
    )
    vendor = forms.ChoiceField(label=_("Vendor"), choices=Robot.Vendor.choices)
    message_format = forms.ChoiceField(
        label=_("Message format"), choices=Robot.Format.choices, initial=Robot.Format.MARKDOWN
    )
    key = forms.CharField(
        label=_("Webhook key / access token"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "WeCom: the key=… part of the robot's webhook address; DingTalk: the access_token=… "
            "part. Paste either the part or the whole address."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Only for DingTalk robots with the “sign” security setting (SEC…)."),
    )
