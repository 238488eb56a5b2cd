from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .twofactor import on_login

        # What a session owes (a one-time code, or enrolment) is decided once, at login.
        user_logged_in.connect(on_login, dispatch_uid="people.twofactor.on_login")
