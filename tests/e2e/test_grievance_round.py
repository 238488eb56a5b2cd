"""A grid chief on his round records a villager's grievance on his phone, handles it, concludes
it and records the villager's satisfaction.

dayi_chief is grid chief of 和平社区002网格 in the demo data; the intake form offers the
households of his grid. Every step goes through the grievance page's forms.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

SUBJECT = "组道路灯不亮"
REQUEST = "三组到村委会的路灯坏了一个月，晚上出行不便。"
REPLY = "已联系供电所更换灯泡，本周内修复。"


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_grid_chief_records_and_closes_a_grievance(phone, screenshot):
    _log_in(phone, "dayi_chief")
    card = phone.locator("#grievances-card")
    card.wait_for()
    card.locator("#grievance-new").click()
    phone.wait_for_url(re.compile(r"/grievances/new/$"))

    form = phone.locator("#intake-form")
    assert form.locator("select[name=channel] option[value=grid_round]").count() == 1
    form.locator("select[name=channel]").select_option("grid_round")
    households = form.locator("select[name=household] option:not([value=''])")
    assert households.count() >= 10, "the chief's grid has its households on the form"
    number = households.first.inner_text().split()[0]
    form.locator("select[name=household]").select_option(households.first.get_attribute("value"))
    form.locator("select[name=category]").select_option("道路交通")
    form.locator("input[name=subject]").fill(SUBJECT)
    form.locator("textarea[name=request]").fill(REQUEST)
    _fits(phone)
    screenshot(phone, "grievance-intake")
    form.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grievances/\d+/$"))
    assert phone.locator(".message-success").is_visible()
    assert phone.locator("h1").inner_text() == SUBJECT
    assert "已登记" in phone.locator("#state").inner_text()
    # he recorded it: he sees the person in full (a name, not 张*三) and the household number
    assert "*" not in phone.locator("#person-name").inner_text()
    assert number in phone.locator("section.card").first.inner_text()

    # assign to his own grid and himself (the defaults), then reply
    step = phone.locator("#step-assign")
    assert step.get_attribute("open") is not None
    step.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grievances/\d+/$"))
    assert "办理中" in phone.locator("#state").inner_text()
    assert "刘光荣" in phone.locator("#responsible").inner_text()

    step = phone.locator("#step-reply")
    step.locator("textarea").fill(REPLY)
    step.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grievances/\d+/$"))
    assert REPLY in phone.locator("#reply").inner_text()

    phone.locator("#step-conclude button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grievances/\d+/$"))
    assert "已办结" in phone.locator("#state").inner_text()

    # the villager's satisfaction, asked in person on the spot
    step = phone.locator("#step-rate")
    step.locator("input[name=rate-rating][value=satisfied]").check()
    step.locator("select[name=rate-method]").select_option("in_person")
    _fits(phone)
    screenshot(phone, "grievance-rate")
    step.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/grievances/\d+/$"))
    assert "满意" in phone.locator("#rating").inner_text()
    history = phone.locator("#events li").all_inner_texts()
    assert len(history) == 5, history  # registered, assigned, replied, concluded, rated
    _fits(phone)
    screenshot(phone, "grievance-closed")

    # it now counts in his grid's list as concluded, and the rated step is gone
    assert phone.locator("#step-rate").count() == 0
    phone.goto("/grievances/?state=concluded")
    assert SUBJECT in phone.locator("#grievances").inner_text()
