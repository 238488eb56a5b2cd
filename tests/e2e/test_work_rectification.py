"""A grid member on his phone reports a rectification with a photo; the grid chief accepts it.

The demo (work/demo.py) names dayi_member responsible for problems of 和平社区002网格, the
grid dayi_chief leads; the first is "串户路边堆放建筑垃圾", in state 整改中 (rectifying).
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PROBLEM = "串户路边堆放建筑垃圾"
NOTE = "已清运建筑垃圾，路面冲洗干净"


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')


def _photo(tmp_path):
    path = tmp_path / "rectified.jpg"
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"
    Image.new("RGB", (320, 240), (90, 140, 200)).save(out, format="JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_member_reports_rectification_and_chief_accepts(phone, screenshot, tmp_path):
    _log_in(phone, "dayi_member")
    mine = phone.locator("#work-card #work-mine")
    mine.wait_for()
    assert int(mine.inner_text()) >= 1
    screenshot(phone, "work-member-home")
    mine.click()
    phone.wait_for_url(re.compile(r"/work/problems/"))
    phone.get_by_role("link", name=PROBLEM).first.click()
    phone.wait_for_url(re.compile(r"/work/problems/\d+/$"))
    problem_url = phone.url
    assert phone.locator("#problem-state").inner_text().strip() == "整改中"
    _fits(phone)

    form = phone.locator("#transition-form")
    form.locator("textarea[name=note]").fill(NOTE)
    form.locator("input[type=file][name=photos]").set_input_files(str(_photo(tmp_path)))
    screenshot(phone, "work-member-submit")
    form.locator("button[data-to=submitted]").click()
    # offline-forms.js sends it with fetch, then loads the page again: wait for the new state
    expect(phone.locator("#problem-state")).to_have_text("待验收")
    last = phone.locator("#events li.event").last
    assert NOTE in last.inner_text()
    assert last.locator(".thumbs img").count() == 1
    # The thumbnail is served to him (scoped) and is a real image. It loads lazily, after the
    # state text is shown: bring it into view and wait until it has loaded with a width.
    last.locator(".thumbs img").scroll_into_view_if_needed()
    phone.wait_for_function(
        "() => { const img = document.querySelector('#events li.event:last-child .thumbs img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    _fits(phone)

    phone.context.clear_cookies()
    _log_in(phone, "dayi_chief")
    waiting = phone.locator("#work-card #work-to-accept")
    waiting.wait_for()
    assert int(waiting.inner_text()) >= 1
    waiting.click()
    phone.wait_for_url(re.compile(r"/work/problems/\?state=submitted"))
    phone.get_by_role("link", name=PROBLEM).first.click()
    phone.wait_for_url(problem_url)
    assert phone.locator("#events li.event").last.locator(".thumbs img").count() == 1
    screenshot(phone, "work-chief-accept")
    phone.locator("#transition-form button[data-to=closed]").click()
    expect(phone.locator("#problem-state")).to_have_text("已销号")
    assert phone.locator(".message-success").is_visible()
    _fits(phone)
    screenshot(phone, "work-chief-closed")
