"""Phone forms that survive a dropped connection (static/js/offline-forms.js).

On a 375 px phone, each form that creates a record is filled and sent while the connection is
down: the form says it waits, and sends itself when the connection returns. Then the answer is
lost on the way back (the server got the form; Playwright drops its answer): the phone sends the
same form again with the same key, and the server still records it once. Each case counts the
records with its text on a page of the app afterwards.

The module serves its own seeded database, so that the records it adds (a rectification report
moves a demo problem on) change nothing the other browser tests expect.
"""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import serve

pytestmark = pytest.mark.e2e

WAITING = ".offline-status[data-state=waiting]"


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    with serve(tmp_path_factory, "offline") as base_url:
        yield base_url


def _log_in(page, username, password="demo2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')
    page.wait_for_url(re.compile(r"/$"))


def _photo(tmp_path):
    path = tmp_path / "photo.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def _first_choice(select):
    """Choose the first option with a value."""
    select.select_option(select.locator("option:not([value=''])").first.get_attribute("value"))


# --- the five forms: open, fill, send, where it lands, how many records have the text ---------


def _problem_open(page):
    page.goto("/work/problems/new/")


def _problem_fill(page, text, tmp_path):
    form = page.locator("#problem-form")
    _first_choice(form.locator("select[name=grid]"))
    form.locator("textarea[name=description]").fill(text)
    form.locator("textarea[name=requirement]").fill("三日内清理")
    deadline = datetime.date.today() + datetime.timedelta(days=10)
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("button[type=submit]").click()


def _problem_count(page, text):
    page.goto("/work/problems/?mine=1")  # the grid's chief is responsible for what he raises
    return page.locator("li[id^=problem-]").filter(has_text=text).count()


def _grievance_open(page):
    page.goto("/grievances/new/")


def _received_on(text):
    """A day of its own for each case, so that the list of that day is short."""
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=sum(map(ord, text)) % 300)


def _grievance_fill(page, text, tmp_path):
    form = page.locator("#intake-form")
    form.locator("select[name=channel]").select_option("grid_round")
    _first_choice(form.locator("select[name=household]"))
    form.locator("input[name=subject]").fill(text)
    form.locator("textarea[name=request]").fill("路灯坏了一个月，晚上出行不便。")
    form.locator("input[name=received_on]").fill(_received_on(text).isoformat())
    form.locator("button[type=submit]").click()


def _grievance_count(page, text):
    day = _received_on(text).isoformat()
    page.goto(f"/grievances/?start={day}&end={day}")
    return page.locator("li.grievance").filter(has_text=text).count()


def _report_open(page):
    page.goto("/work/problems/?mine=1&state=rectifying")
    page.locator("li[id^=problem-] a").first.click()
    page.wait_for_url(re.compile(r"/work/problems/\d+/$"))


def _report_fill(page, text, tmp_path):
    form = page.locator("#transition-form")
    form.locator("textarea[name=note]").fill(text)
    form.locator("input[type=file][name=photos]").set_input_files(str(_photo(tmp_path)))
    form.locator("button[data-to=submitted]").click()


def _report_count(page, text):
    expect(page.locator("#problem-state")).to_have_text("待验收")
    events = page.locator("#events li.event").filter(has_text=text)
    expect(events.locator(".thumbs img")).to_have_count(1)  # the photo was sent with it
    return events.count()


def _visit_open(page):
    page.goto("/stars/")
    page.locator('#my-pairings a[href$="/visit/"]').first.click()
    page.wait_for_url(re.compile(r"/stars/households/\d+/visit/$"))


def _visit_fill(page, text, tmp_path):
    form = page.locator("#visit-form")
    form.locator("textarea[name=notes]").fill(text)
    form.locator("button[type=submit]").click()


def _visit_count(page, text):
    return page.locator("li").filter(has_text=text).count()


def _appraisal_open(page):
    page.locator('#points-card a[href*="/points/joints/"][href$="/appraisal/"]').first.click()
    page.wait_for_url(re.compile(r"/points/joints/\d+/appraisal/$"))


def _appraisal_fill(page, text, tmp_path):
    row = page.locator("fieldset.appraisal-row").first
    select = row.locator("select")
    # C1 红白喜事简办 +5: no photo needed and no monthly cap
    select.select_option(
        select.locator("option").filter(has_text=re.compile(r"^\s*C1 ")).get_attribute("value")
    )
    row.locator("input[name^=note_]").fill(text)
    page.locator("#appraisal-form button[type=submit]").click()


def _appraisal_count(page, text):
    """The proposals with the text in the 联户's proposals waiting for review."""
    page.goto("/points/review/")
    return page.locator("li[id^=proposal-]").filter(has_text=text).count()


@dataclass
class Case:
    user: str
    open: Callable
    fill: Callable  # fills the form with the text and presses its submit button
    lands: re.Pattern  # where the form goes once sent (the rectification: back to its problem)
    count: Callable  # how many records with the text (may leave the page)
    reviewer: str = ""  # who counts, when not the sender


CASES = {
    "problem": Case(
        "dayi_chief",
        _problem_open,
        _problem_fill,
        re.compile(r"/work/problems/\d+/$"),
        _problem_count,
    ),
    "grievance": Case(
        "dayi_chief",
        _grievance_open,
        _grievance_fill,
        re.compile(r"/grievances/\d+/$"),
        _grievance_count,
    ),
    "rectification": Case(
        "dayi_member",
        _report_open,
        _report_fill,
        re.compile(r"/work/problems/\d+/$"),
        _report_count,
    ),
    "visit": Case(
        "dayi_party", _visit_open, _visit_fill, re.compile(r"/stars/households/\d+/$"), _visit_count
    ),
    "appraisal": Case(
        "dayi_lianhu",
        _appraisal_open,
        _appraisal_fill,
        re.compile(r"/points/appraisals/\d+/$"),
        _appraisal_count,
        reviewer="dayi_chief",
    ),
}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _count(phone, case, text):
    if case.reviewer:
        phone.context.clear_cookies()
        _log_in(phone, case.reviewer)
    return case.count(phone, text)


@pytest.mark.parametrize("name", list(CASES))
def test_a_form_sent_offline_is_sent_once_the_connection_returns(phone, screenshot, tmp_path, name):
    case, text = CASES[name], f"离线提交测试{name}"
    _log_in(phone, case.user)
    case.open(phone)
    form_url = phone.url

    phone.context.set_offline(True)
    case.fill(phone, text, tmp_path)
    expect(phone.locator(WAITING)).to_be_visible()
    assert phone.url == form_url
    _fits(phone)
    screenshot(phone, f"offline-{name}-waiting")

    phone.context.set_offline(False)
    expect(phone.locator(".message-success")).to_be_visible()  # on the page it went to
    assert case.lands.search(phone.url)
    assert _count(phone, case, text) == 1


def _lose_the_next_answer(page):
    """The form's next answer is dropped after the server sent it: the server got the form.

    Chromium pauses the answer (DevTools' Fetch domain, at the response stage) and fails the
    request. Playwright's own `route` works before the request is sent, and its `route.fetch()`
    would send the form again without the files' content.
    """
    action = page.locator("form[data-offline-draft]").evaluate("form => form.action")
    cdp = page.context.new_cdp_session(page)
    lost = []

    def drop(event):
        lost.append(event.get("responseStatusCode"))
        cdp.send("Fetch.failRequest", {"requestId": event["requestId"], "errorReason": "Failed"})

    cdp.on("Fetch.requestPaused", drop)
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": action, "requestStage": "Response"}]})
    return cdp, lost


@pytest.mark.parametrize("name", list(CASES))
def test_a_lost_answer_does_not_record_the_form_twice(phone, tmp_path, name):
    case, text = CASES[name], f"应答丢失测试{name}"
    _log_in(phone, case.user)
    case.open(phone)
    cdp, lost = _lose_the_next_answer(phone)

    case.fill(phone, text, tmp_path)
    expect(phone.locator(WAITING)).to_be_visible()
    assert lost == [204]  # the server had recorded it and answered
    cdp.send("Fetch.disable")

    phone.locator(WAITING).get_by_role("button").click()  # "send now", not waiting for the timer
    expect(phone.locator(".message-info")).to_be_visible()  # "had already been sent"
    assert case.lands.search(phone.url)
    assert _count(phone, case, text) == 1


def test_a_draft_is_put_back_when_the_form_is_opened_again(phone):
    _log_in(phone, "dayi_chief")
    _grievance_open(phone)
    form = phone.locator("#intake-form")
    form.locator("input[name=subject]").fill("草稿恢复测试")
    key = form.locator("input[name=idempotency_key]").input_value()

    phone.reload()

    status = phone.locator(".offline-status[data-state=restored]")
    expect(status).to_be_visible()
    assert form.locator("input[name=subject]").input_value() == "草稿恢复测试"
    assert form.locator("input[name=idempotency_key]").input_value() == key
    status.get_by_role("button").click()  # discard the draft: an empty form with a new key
    expect(phone.locator(".offline-status")).to_have_count(0)
    assert form.locator("input[name=subject]").input_value() == ""
    assert form.locator("input[name=idempotency_key]").input_value() != key
