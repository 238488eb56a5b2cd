"""Failed logins lock an account or an address (django-axes); a township admin unlocks."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from conftest import PASSWORD
from core.models import AuditEntry

LOGIN = "/accounts/login/"


def _fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = client.post(
            LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )
    return response


def _login(client, username, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_with_a_chinese_message(client, bob, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert _fail(client, "bob", 4).status_code == 200  # the form again, with its error
    locked = _fail(client, "bob", 1)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The right password does not help while locked, from any address.
    assert _login(client, "bob", address="10.9.9.9").status_code == 429


def test_failures_from_one_address_lock_the_address_for_every_account(client, bob, charlie):
    for name in ("x1", "x2", "x3", "x4", "x5"):
        _fail(client, name, 1, address="10.0.0.7")
    assert _login(client, "charlie", address="10.0.0.7").status_code == 429
    assert _login(client, "charlie", address="10.0.0.8").status_code == 302  # elsewhere: fine


def test_a_success_before_the_limit_clears_the_count(client, bob):
    _fail(client, "bob", 4)
    assert _login(client, "bob").status_code == 302
    client.logout()
    assert _fail(client, "bob", 4).status_code == 200


def test_the_api_token_endpoint_is_locked_too_with_a_json_answer(client, bob):
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "bob", "password": "no"})
    response = client.post("/api/v1/auth/token/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
    assert (
        response.json()["code"] == "locked_out" and "登录失败次数过多" in response.json()["detail"]
    )


def test_the_township_admin_sees_and_unlocks_an_account_of_the_township(client, login, alice, bob):
    _fail(client, "bob", 5)
    admin = login(alice)
    page = admin.get(reverse("locked_logins"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "bob" in html and "已锁定" in html
    response = admin.post(reverse("locked_logins"), {"username": "bob", "reason": "电话核实本人"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="bob").exists()
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.actor == alice and entry.reason == "电话核实本人"
    admin.logout()
    assert _login(client, "bob").status_code == 302


def test_an_outsider_cannot_see_or_unlock_and_a_grid_chief_may_not(
    client, login, alice, bob, charlie, eve
):
    _fail(client, "bob", 5)
    outsider = login(eve)
    assert "bob" not in outsider.get(reverse("locked_logins")).content.decode()
    assert outsider.post(reverse("locked_logins"), {"username": "bob"}).status_code == 404
    assert AccessAttempt.objects.filter(username="bob").exists()
    chief = login(charlie)
    assert chief.get(reverse("locked_logins")).status_code == 403
    assert chief.post(reverse("locked_logins"), {"username": "bob"}).status_code == 403


def test_the_home_page_links_the_page_for_admins_only(login, alice, bob):
    assert reverse("locked_logins") in login(alice).get("/").content.decode()
    assert reverse("locked_logins") not in login(bob).get("/").content.decode()


@pytest.mark.parametrize("count, expected", [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_behind_a_proxy(rf, settings, count, expected):
    from people.security import client_address

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == expected
