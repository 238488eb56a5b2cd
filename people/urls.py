"""Pages of people. No namespace: settings.LOGIN_REDIRECT_URL names the home page "home"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/units/<int:unit_id>/assign/", views.assign_role, name="assign_role"),
    path("people/assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("people/assignments/<int:pk>/end/", views.end_assignment, name="end_assignment"),
    path("people/locked-logins/", views.locked_logins, name="locked_logins"),
    path("accounts/otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("accounts/otp/verify/", views.otp_verify, name="otp_verify"),
]
