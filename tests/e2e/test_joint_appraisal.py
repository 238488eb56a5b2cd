"""A 联户长 on his phone makes the monthly 联户评: one form, a row per household of his 联户.

dayi_lianhu is 联户长 of the first 联户 of 和平社区002网格 in the demo data. The seed gives every
village a points list in force (points/demo.py); without one this test fails, it does not skip.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

ITEMS = ("C1", "S3")  # 红白喜事简办 +5 and 乱倒垃圾 −5: no monthly cap, no photo needed
NOTE = "在河沟边倾倒生活垃圾"


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def _choose(row, code: str) -> str:
    """Select the item `code` in the row; returns the option's text."""
    option = row.locator("select option").filter(has_text=re.compile(rf"^\s*{code} "))
    assert option.count() == 1, f"item {code} is not offered: {row.locator('select').inner_text()}"
    row.locator("select").select_option(value=option.get_attribute("value"))
    return option.inner_text().strip()


def test_joint_head_appraises_two_households(phone, screenshot):
    _log_in(phone, "dayi_lianhu")
    # The home page loads its points card with htmx; it links straight to his 联户's form.
    link = phone.locator('#points-card a[href*="/points/joints/"][href$="/appraisal/"]')
    link.first.wait_for()
    screenshot(phone, "joint-appraisal-home")
    link.first.click()
    phone.wait_for_url(re.compile(r"/points/joints/\d+/appraisal/$"))

    missing_list = phone.locator("#appraisal-rows [role=alert]")
    assert missing_list.count() == 0, (
        f"no points list in force for the 联户's village: {missing_list.first.inner_text()}"
    )
    rows = phone.locator("fieldset.appraisal-row")
    assert rows.count() >= 2, "the 联户 needs at least two households"
    assert phone.locator("input[type=month]").input_value() == re.sub(
        r"-\d\d$", "", phone.evaluate("new Date().toLocaleDateString('sv-SE')")
    )
    numbers, chosen = [], []
    for index, code in enumerate(ITEMS):
        row = rows.nth(index)
        numbers.append(row.locator(".row-number").inner_text().strip())
        chosen.append(_choose(row, code))
    rows.nth(1).locator("input[name^=note_]").fill(NOTE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "joint-appraisal-form")

    phone.locator("#appraisal-form button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/points/appraisals/\d+/$"))

    proposals = phone.locator("#proposals li.proposal")
    assert proposals.count() == 2
    texts = proposals.all_inner_texts()
    for number, option, text in zip(numbers, chosen, texts, strict=True):
        assert number in text, text
        assert option.split(" (")[0] in text, (option, text)
    assert NOTE in texts[1]
    assert phone.locator(".message-success").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "joint-appraisal-sent")
