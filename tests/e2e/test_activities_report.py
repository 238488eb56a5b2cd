"""A township secretary on her phone reads the statistics the seed article quotes, drills down
to the records behind a figure, and records a loudspeaker broadcast that the figure then counts.

The demo data (activities/demo.py) gives 达依乡 18 central training sessions with 640
attendances this year; without them this test fails, it does not skip.
"""

import re

import pytest

pytestmark = pytest.mark.e2e


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def _figure(page, key: str) -> str:
    return page.locator(f"#figure-{key} dd").inner_text().strip()


def test_secretary_reads_figures_and_records_a_broadcast(phone, screenshot):
    _log_in(phone, "dayi_secretary")
    phone.locator("#activities-home a[href$='/activities/stats/']").click()
    phone.wait_for_url(re.compile(r"/activities/stats/"))
    assert _figure(phone, "trainings_central") == "18"
    assert _figure(phone, "attendances_central") == "640"
    assert phone.locator("#grievances").count() == 1
    phone.locator("#activities-chart svg").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "activities-report")
    broadcasts = int(_figure(phone, "broadcasts"))

    phone.locator("#figure-trainings_central a").click()
    phone.wait_for_url(re.compile(r"/activities/stats/figure/\?"))
    assert phone.locator("#figure-value").inner_text().strip() == "18"
    assert phone.locator("table.act-drill tbody tr").count() == 18
    screenshot(phone, "activities-drill-down")

    phone.goto("/activities/new/broadcast/")
    unit = phone.locator("select[name=unit] option").filter(has_text="和平社区").first
    phone.locator("select[name=unit]").select_option(value=unit.get_attribute("value"))
    phone.fill("input[name=time]", "07:30")
    phone.fill("input[name=content]", "汛期安全提醒：请远离河道")
    phone.fill("input[name=minutes]", "15")
    phone.locator("form.form button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/activities/records/broadcast/\d+/$"))
    assert "汛期安全提醒" in phone.locator("h1").inner_text()

    phone.goto("/activities/stats/")
    assert int(_figure(phone, "broadcasts")) == broadcasts + 1
