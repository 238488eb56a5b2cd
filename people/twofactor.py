"""A second factor for administrators: a one-time code from an authenticator app (TOTP).

Township and county administrators may enrol a device; a township can require it of its
administrators (TownshipConfig.require_totp). After the password, a user with a confirmed
device gives a code before any page opens; a required user without one enrols first. API
tokens are unaffected: they are issued per person and revoked by deleting them.
"""

import io

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from core import audit
from core.errors import ServiceError

from .access import active_assignments
from .models import Role

ADMIN_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_HEAD)
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/p/")


def may_enrol(user) -> bool:
    """Township and county administrators (and superusers) may add an authenticator app."""
    if user.is_superuser:
        return True
    return active_assignments(user).filter(role__in=ADMIN_ROLES).exists()


def is_required(user) -> bool:
    """Whether a township the user administers requires the second factor."""
    return (
        active_assignments(user)
        .filter(role__in=ADMIN_ROLES, township__config__require_totp=True)
        .exists()
    )


def confirmed_device(user) -> TOTPDevice | None:
    return next(iter(devices_for_user(user, confirmed=True)), None)


SESSION_KEY = "xiangzhi_second_factor"  # "verify", "enrol", or absent: decided at login


def on_login(sender, request, user, **kwargs):
    """At login, decide once what the session owes (so pages pay no query for it later)."""
    if request is None or not hasattr(request, "session"):
        return
    owed = "verify" if confirmed_device(user) is not None else "enrol" if is_required(user) else ""
    if owed:
        request.session[SESSION_KEY] = owed
    else:
        request.session.pop(SESSION_KEY, None)


def settle(request) -> None:
    request.session.pop(SESSION_KEY, None)


class SecondFactorMiddleware:
    """Send a logged-in user who owes a code to the code page, or to enrolment if required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        owed = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if (
            owed
            and request.user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not request.user.is_verified()
        ):
            if request.path.startswith("/api/"):
                message = _("Give your one-time code on the login page first.")
                body = {"code": "second_factor_required", "detail": message}
                return JsonResponse(body, status=403)
            target = "otp_verify" if owed == "verify" else "otp_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first sight of the enrolment page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )


def qr_svg(device: TOTPDevice) -> str:
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return out.getvalue().decode("utf-8")


def _check(device: TOTPDevice, code: str) -> None:
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        raise ServiceError(
            _("The code is wrong or has expired. Enter the 6 digits the app shows now."),
            code="bad_code",
        )


@transaction.atomic
def confirm(*, request, device: TOTPDevice, code: str) -> None:
    """Confirm an enrolment with a first code; the session counts as verified."""
    _check(device, code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit.record(actor=request.user, action="create", obj=device, reason="TOTP enrolment")
    otp_login(request, device)
    settle(request)


def verify(*, request, code: str) -> None:
    device = confirmed_device(request.user)
    if device is None:
        raise ServiceError(_("No authenticator app is set up for this account."), code="no_device")
    _check(device, code)
    otp_login(request, device)
    settle(request)
