"""A grid chief on his phone: log in, open his grid, see its households (masked names)."""

import re

import pytest

pytestmark = pytest.mark.e2e

GRID = "和平社区002网格"


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def test_grid_chief_sees_his_grids_households(phone, screenshot):
    _log_in(phone, "dayi_chief")
    card = phone.locator("section.card", has=phone.get_by_role("link", name=GRID))
    card.first.wait_for()
    screenshot(phone, "grid-chief-home")
    households_on_card = int(card.first.locator("dd").first.inner_text())
    assert households_on_card > 0

    phone.get_by_role("link", name=GRID).first.click()
    phone.wait_for_url(re.compile(r"/places/units/\d+/"))
    assert GRID in phone.locator("h1").inner_text()
    rows = phone.locator("#households tbody tr")
    assert rows.count() == min(households_on_card, 50)
    heads = rows.locator("td:nth-child(2)").all_inner_texts()
    assert heads and all("*" in name for name in heads), heads
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "grid-chief-households")

    rows.first.locator("a").click()
    phone.wait_for_url(re.compile(r"/places/households/\d+/"))
    assert phone.get_by_text(GRID).first.is_visible()
    screenshot(phone, "grid-chief-household")


def test_grid_chief_cannot_open_the_township_page(phone):
    _log_in(phone, "dayi_chief")
    phone.get_by_role("link", name=GRID).first.wait_for()
    phone.get_by_role("link", name=GRID).first.click()
    phone.wait_for_url(re.compile(r"/places/units/\d+/"))
    # The breadcrumb shows only what he may see: no link up to the township.
    assert phone.get_by_role("link", name="达依乡").count() == 0


def test_wrong_password_is_refused_in_chinese(phone):
    _log_in(phone, "dayi_chief", password="not-the-password")
    assert phone.url.endswith("/accounts/login/")
    assert phone.locator(".errorlist, .error, [role=alert]").first.is_visible()
