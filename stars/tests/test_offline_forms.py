"""The 1+10 revisit form sent again after a dropped connection (static/js/offline-forms.js).

The script re-sends the form with its idempotency key until an answer arrives; the server
records one visit and answers where to go (a 204 with X-Offline-Location for the script).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import IdempotencyKey
from stars import services
from stars.models import Visit

OFFLINE = {"HTTP_X_OFFLINE_FORM": "1"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def visit_url(town, pat, alice):
    services.pair(member=pat, households=[town.households[0]], actor=alice)
    return reverse("stars:visit", args=[town.households[0].pk])


def _data(client, url, **extra):
    page = client.get(url)
    return {
        "idempotency_key": page.context["form"]["idempotency_key"].value(),
        "kind": "revisit",
        "visited_on": datetime.date.today().isoformat(),
        "notes": "走访：门前整洁",
        **extra,
    }


def test_the_visit_form_opts_in_to_offline_drafts(login, town, pat, visit_url):
    html = login(pat).get(visit_url).content.decode()
    assert f'data-offline-draft="stars-visit-{pat.pk}-{town.households[0].pk}"' in html
    assert 'name="idempotency_key"' in html


def test_the_visit_form_starts_with_today_as_a_date_input_reads_it(login, pat, visit_url):
    html = login(pat).get(visit_url).content.decode()
    assert f'name="visited_on" value="{timezone.localdate():%Y-%m-%d}"' in html


def test_a_re_sent_visit_is_recorded_once(login, town, pat, visit_url):
    client = login(pat)
    data = _data(client, visit_url)

    first = client.post(visit_url, data, **OFFLINE)
    again = client.post(visit_url, data, **OFFLINE)

    assert first.status_code == again.status_code == 204
    household_page = reverse("stars:household", args=[town.households[0].pk])
    assert first["X-Offline-Location"] == again["X-Offline-Location"] == household_page
    assert Visit.objects.filter(household=town.households[0]).count() == 1
    plain = client.post(visit_url, data)
    assert plain.status_code == 302 and plain["Location"] == household_page
    assert Visit.objects.count() == 1


def test_another_key_is_another_visit(login, pat, visit_url):
    client = login(pat)
    client.post(visit_url, _data(client, visit_url))
    client.post(visit_url, _data(client, visit_url))
    assert Visit.objects.count() == 2


def test_a_visit_with_errors_keeps_its_key_unused(login, pat, visit_url):
    client = login(pat)
    data = _data(client, visit_url)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    refused = client.post(visit_url, {**data, "visited_on": tomorrow}, **OFFLINE)

    assert refused.status_code == 200 and refused.context["form"].errors["visited_on"]
    assert refused.context["form"]["idempotency_key"].value() == data["idempotency_key"]
    assert not IdempotencyKey.objects.filter(key=data["idempotency_key"]).exists()
    assert client.post(visit_url, data, **OFFLINE).status_code == 204
    assert Visit.objects.count() == 1
