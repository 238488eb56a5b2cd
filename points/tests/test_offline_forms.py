"""The 联户 appraisal sent from a phone that lost its connection (static/js/offline-forms.js).

The script re-sends the same form, with the same key, until an answer arrives: the server
records one appraisal, and tells the script where to go (a 204 with X-Offline-Location).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import IdempotencyKey
from points.models import AppraisalBatch, Proposal

OFFLINE = {"HTTP_X_OFFLINE_FORM": "1"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(town):
    return reverse("points:appraisal", args=[town.joints[0].pk])


def _data(client, town, items, **rows):
    page = client.get(_url(town))
    household = town.households[0]
    data = {"key": page.context["form"]["key"].value(), "month": f"{timezone.localdate():%Y-%m}"}
    data[f"item_{household.pk}"] = str(items[household.group.village_id]["A2"].pk)
    data.update(rows)
    return data


def test_the_form_opts_in_to_offline_drafts(login, town, items, mei):
    html = login(mei).get(_url(town)).content.decode()
    assert f'data-offline-draft="points-appraisal-{mei.pk}-{town.joints[0].pk}"' in html
    assert "js/offline-forms" in html


def test_a_re_sent_form_is_recorded_once_and_sent_to_the_same_page(login, town, items, mei):
    client = login(mei)
    data = _data(client, town, items)

    first = client.post(_url(town), data, **OFFLINE)
    again = client.post(_url(town), data, **OFFLINE)

    batch = AppraisalBatch.objects.get()
    assert first.status_code == again.status_code == 204
    assert first["X-Offline-Location"] == again["X-Offline-Location"]
    assert first["X-Offline-Location"] == reverse("points:batch", args=[batch.pk])
    assert Proposal.objects.count() == 1
    # Without the script's header, the same answer is a plain redirect.
    plain = client.post(_url(town), data)
    assert plain.status_code == 302 and plain["Location"] == first["X-Offline-Location"]
    assert Proposal.objects.count() == 1


def test_another_key_is_another_appraisal(login, town, items, mei):
    client = login(mei)
    client.post(_url(town), _data(client, town, items))
    client.post(_url(town), _data(client, town, items))
    assert AppraisalBatch.objects.count() == 2


def test_a_form_with_errors_does_not_use_up_its_key(login, town, items, mei):
    client = login(mei)
    data = _data(client, town, items)
    second = town.households[1]

    refused = client.post(_url(town), {**data, f"note_{second.pk}": "没有选项"}, **OFFLINE)

    assert refused.status_code == 200 and not Proposal.objects.exists()
    assert refused.context["form"]["key"].value() == data["key"]  # the same key, to correct
    assert not IdempotencyKey.objects.filter(key=data["key"]).exists()
    sent = client.post(_url(town), data, **OFFLINE)
    assert sent.status_code == 204 and Proposal.objects.count() == 1
