"""The login page on a phone: the two fields, the app's name, no sideways scrolling."""

import pytest

pytestmark = pytest.mark.e2e


def test_login_page_fits_a_phone(phone, screenshot):
    response = phone.goto("/accounts/login/")

    assert response.status == 200
    assert "乡治" in phone.title()
    assert phone.locator("input[name=username]").is_visible()
    password = phone.locator("input[name=password]")
    assert password.is_visible()
    assert password.get_attribute("type") == "password"
    screenshot(phone, "login")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the login page scrolls sideways: {width}px wide in a 375px viewport"
