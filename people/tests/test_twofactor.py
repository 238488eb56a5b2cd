"""A second factor for administrators: enrol an authenticator app, then give a code at login."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from core.models import AuditEntry


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_login(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    return response


def _enrol(client) -> TOTPDevice:
    page = client.get(reverse("otp_enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("otp_enrol"), {"code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_an_admin_enrols_and_then_needs_a_code_at_every_login(client, alice):
    _password_login(client, alice)
    assert "添加身份验证器" in client.get("/").content.decode()
    device = _enrol(client)
    assert AuditEntry.objects.filter(actor=alice, reason="TOTP enrolment").exists()
    client.logout()

    _password_login(client, alice)
    blocked = client.get("/places/search/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("otp_verify"))
    api = client.get("/api/v1/units/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"

    wrong = client.post(reverse("otp_verify"), {"code": "000000", "next": "/places/search/"})
    assert wrong.status_code == 200 and "验证码错误或已过期" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above throttles the next try briefly
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    right = client.post(reverse("otp_verify"), {"code": _code(device), "next": "/places/search/"})
    assert right.status_code == 302 and right["Location"] == "/places/search/"
    assert client.get("/places/search/").status_code == 200


def test_a_code_cannot_be_used_twice(client, alice):
    _password_login(client, alice)
    device = _enrol(client)
    used = _code(device)
    client.logout()
    _password_login(client, alice)
    again = client.post(reverse("otp_verify"), {"code": used})
    assert again.status_code == 200  # refused: the same time step was already used


def test_a_township_that_requires_it_sends_admins_to_enrolment(client, alice, town):
    config = town.township.config
    config.require_totp = True
    config.save()
    _password_login(client, alice)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_enrol"))
    page = client.get(response["Location"]).content.decode()
    assert "要求管理员登录时同时输入一次性验证码" in page
    _enrol(client)
    assert client.get("/").status_code == 200


def test_others_are_not_asked_and_may_not_enrol(client, bob, town):
    config = town.township.config
    config.require_totp = True
    config.save()
    _password_login(client, bob)  # a grid chief: not an administrator
    assert client.get("/").status_code == 200
    assert "添加身份验证器" not in client.get("/").content.decode()
    assert client.get(reverse("otp_enrol")).status_code == 403


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused_plainly(client, alice, code):
    _password_login(client, alice)
    _enrol(client)
    client.logout()
    _password_login(client, alice)
    response = client.post(reverse("otp_verify"), {"code": code})
    assert response.status_code == 200 and "验证码错误或已过期" in response.content.decode()
