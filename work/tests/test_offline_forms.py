"""The problem report and the rectification report sent again after a dropped connection.

static/js/offline-forms.js re-sends a form with its idempotency key until an answer arrives; the
server records it once and answers where to go (a 204 with X-Offline-Location for the script).
"""

import pytest
from django.urls import reverse

from core.models import IdempotencyKey
from work.models import Problem, ProblemEvent
from work.tests.conftest import jpeg

OFFLINE = {"HTTP_X_OFFLINE_FORM": "1"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _problem_data(client, area, **extra):
    form = client.get(reverse("work:problem_create")).context["form"]
    return {
        "idempotency_key": form["idempotency_key"].value(),
        "source": "grid_member",
        "category": "water",
        "area": area.pk,
        "description": "河沟有垃圾",
        "requirement": "清理",
        "deadline": "2030-01-01",
        **extra,
    }


def test_the_problem_form_has_a_fresh_key_and_opts_in(login, mei):
    client = login(mei)
    one, two = (client.get(reverse("work:problem_create")) for _ in range(2))
    assert one.context["form"]["idempotency_key"].value() != (
        two.context["form"]["idempotency_key"].value()
    )
    html = one.content.decode()
    assert f'data-offline-draft="work-problem-{mei.pk}"' in html
    assert 'name="idempotency_key"' in html and "js/offline-forms" in html


def test_a_re_sent_problem_report_is_recorded_once(login, mei, area):
    client = login(mei)
    data = _problem_data(client, area, photos=[jpeg()])
    data_again = {**data, "photos": [jpeg()]}  # the same photo, sent again

    first = client.post(reverse("work:problem_create"), data, follow=True)
    again = client.post(reverse("work:problem_create"), data_again, follow=True)

    problem = Problem.objects.get(description="河沟有垃圾")
    assert first.redirect_chain == [(reverse("work:problem", args=[problem.pk]), 302)]
    assert again.redirect_chain == first.redirect_chain
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    assert [m.level_tag for m in again.context["messages"]] == ["info"]  # "already sent"
    assert problem.events.get().photos.count() == 1


def test_another_key_is_another_problem(login, mei, area):
    client = login(mei)
    client.post(reverse("work:problem_create"), _problem_data(client, area))
    client.post(reverse("work:problem_create"), _problem_data(client, area))
    assert Problem.objects.filter(description="河沟有垃圾").count() == 2


def test_a_problem_report_with_errors_keeps_its_key_unused(login, mei, area):
    client = login(mei)
    data = _problem_data(client, area)

    refused = client.post(reverse("work:problem_create"), {**data, "description": ""}, **OFFLINE)

    assert refused.status_code == 200 and refused.context["form"].errors["description"]
    assert refused.context["form"]["idempotency_key"].value() == data["idempotency_key"]
    assert not IdempotencyKey.objects.filter(key=data["idempotency_key"]).exists()
    sent = client.post(reverse("work:problem_create"), data, **OFFLINE)
    problem = Problem.objects.get(description="河沟有垃圾")
    assert sent.status_code == 204
    assert sent["X-Offline-Location"] == reverse("work:problem", args=[problem.pk])


def test_the_same_key_with_other_content_is_refused_with_a_fresh_key(login, mei, area):
    client = login(mei)
    data = _problem_data(client, area)
    client.post(reverse("work:problem_create"), data)

    response = client.post(reverse("work:problem_create"), {**data, "description": "另一件事"})

    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert response.context["form"]["idempotency_key"].value() != data["idempotency_key"]
    assert not Problem.objects.filter(description="另一件事").exists()


def _report(client, problem, **extra):
    page = client.get(reverse("work:problem", args=[problem.pk]))
    html = page.content.decode()
    assert "data-offline-draft" in html and 'name="idempotency_key"' in html
    return {
        "idempotency_key": page.context["form"]["idempotency_key"].value(),
        "to": "submitted",
        "note": "已清运",
        **extra,
    }


def test_a_re_sent_rectification_report_is_recorded_once(login, mei, make_problem):
    problem = make_problem(responsible=mei)
    client = login(mei)
    data = _report(client, problem)
    target = reverse("work:problem_transition", args=[problem.pk])

    first = client.post(target, {**data, "photos": [jpeg()]}, **OFFLINE)
    again = client.post(target, {**data, "photos": [jpeg()]}, **OFFLINE)

    assert first.status_code == again.status_code == 204
    assert first["X-Offline-Location"] == again["X-Offline-Location"]
    assert first["X-Offline-Location"] == reverse("work:problem", args=[problem.pk])
    assert not first.has_header("X-Offline-Keep-Draft")
    report = ProblemEvent.objects.get(problem=problem, to_state="submitted")
    assert report.photos.count() == 1


def test_a_refused_rectification_report_keeps_the_draft_and_its_key(login, mei, make_problem):
    problem = make_problem(responsible=mei)
    client = login(mei)
    data = _report(client, problem)
    target = reverse("work:problem_transition", args=[problem.pk])

    refused = client.post(target, data, **OFFLINE)  # no photo

    assert refused.status_code == 204 and refused["X-Offline-Keep-Draft"] == "1"
    assert not IdempotencyKey.objects.filter(key=data["idempotency_key"]).exists()
    assert client.post(target, {**data, "photos": [jpeg()]}).status_code == 302
    assert ProblemEvent.objects.filter(problem=problem, to_state="submitted").count() == 1


def test_a_refused_transition_without_the_script_still_redirects_with_the_reason(
    login, mei, make_problem
):
    problem = make_problem(responsible=mei)
    response = login(mei).post(
        reverse("work:problem_transition", args=[problem.pk]), {"to": "submitted"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("work:problem", args=[problem.pk])
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and ("photo" in messages[0] or "照片" in messages[0])


def test_the_same_key_with_another_photo_is_other_content(login, mei, area):
    client = login(mei)
    data = _problem_data(client, area)
    client.post(reverse("work:problem_create"), {**data, "photos": [jpeg()]})

    response = client.post(reverse("work:problem_create"), {**data, "photos": [jpeg(gps=False)]})

    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Problem.objects.filter(description="河沟有垃圾").count() == 1
