"""A township secretary closes the month on her phone: computes it again from the page (the
computation runs in the background while the page shows its progress), publishes it with the
meeting's authority, and opens the public board it now appears on.

The demo data (assessment/demo.py) leaves the last complete month of 达依乡 computed but not
published; without it this test fails, it does not skip.
"""

import re

import pytest

pytestmark = pytest.mark.e2e


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def test_secretary_recomputes_publishes_and_sees_the_board(phone, screenshot):
    _log_in(phone, "dayi_secretary")
    phone.locator("#assessment-home a[href*='/assessment/townships/']").first.click()
    phone.wait_for_url(re.compile(r"/assessment/townships/\d+/$"))
    computed = phone.locator("#closes li").filter(has=phone.locator(".close-computed")).first
    computed.locator("a").first.click()
    phone.wait_for_url(re.compile(r"/assessment/townships/\d+/\d{4}-\d{2}/$"))
    assert phone.locator("#lists .list-red li").count() >= 5

    phone.locator("#close-actions button", has_text=re.compile("重新计算|Compute again")).click()
    # Queued or running: the status panel polls until the computation is done, then reloads.
    phone.locator("#close-status .close-computed").wait_for(timeout=60_000)
    phone.locator("#lists").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "assessment-month")

    phone.fill("#publish-form input[name=authority]", "乡党委月度考评会")
    phone.locator("#publish-form button[type=submit]").click()
    phone.locator(".page-head .close-published").wait_for()
    digest = phone.locator(".page-head .mono").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert phone.locator("#close-actions").count() == 0  # frozen: nothing left to do

    red = phone.locator("#lists .list-red li .list-main a").first.inner_text().strip()
    phone.locator(".page-head a", has_text=re.compile("公示栏|Public board")).click()
    phone.wait_for_url(re.compile(r"/board/"))
    body = phone.locator("main").inner_text()
    assert red in body and digest[:12] in body
    screenshot(phone, "assessment-board")
