"""A grievance recorded on a phone and sent again after a dropped connection.

static/js/offline-forms.js re-sends the form with its idempotency key until an answer arrives;
the server registers one grievance and answers where to go (a 204 with X-Offline-Location).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import IdempotencyKey
from grievances.models import Attachment, Grievance

OFFLINE = {"HTTP_X_OFFLINE_FORM": "1"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _new_url(household):
    return reverse("grievances:new") + f"?household={household.pk}"


def _data(client, household, **extra):
    page = client.get(_new_url(household))
    return {
        "idempotency_key": page.context["form"]["idempotency_key"].value(),
        "channel": "grid_round",
        "household": household.pk,
        "category": "环境卫生",
        "subject": "垃圾未清运",
        "request": "路口垃圾三天没人清运",
        "received_on": "2026-01-05",
        **extra,
    }


def test_the_intake_form_opts_in_to_offline_drafts(login, town, bob):
    household = town.households[0]
    html = login(bob).get(_new_url(household)).content.decode()
    assert f'data-offline-draft="grievance-{bob.pk}-{household.pk}"' in html
    assert 'name="idempotency_key"' in html


def test_a_re_sent_grievance_is_registered_once(login, town, bob):
    client = login(bob)
    household = town.households[0]
    data = _data(client, household)

    first = client.post(_new_url(household), data, **OFFLINE)
    again = client.post(_new_url(household), data, **OFFLINE)

    grievance = Grievance.objects.get(subject="垃圾未清运")
    assert first.status_code == again.status_code == 204
    detail = reverse("grievances:detail", args=[grievance.pk])
    assert first["X-Offline-Location"] == again["X-Offline-Location"] == detail
    plain = client.post(_new_url(household), data)
    assert plain.status_code == 302 and plain["Location"] == detail
    assert Grievance.objects.count() == 1


def test_another_key_is_another_grievance(login, town, bob):
    client = login(bob)
    household = town.households[0]
    client.post(_new_url(household), _data(client, household))
    client.post(_new_url(household), _data(client, household))
    assert Grievance.objects.filter(subject="垃圾未清运").count() == 2


def test_a_grievance_with_errors_keeps_its_key_unused(login, town, bob):
    client = login(bob)
    household = town.households[0]
    data = _data(client, household)

    refused = client.post(_new_url(household), {**data, "subject": ""}, **OFFLINE)

    assert refused.status_code == 200 and refused.context["form"].errors["subject"]
    assert refused.context["form"]["idempotency_key"].value() == data["idempotency_key"]
    assert not IdempotencyKey.objects.filter(key=data["idempotency_key"]).exists()
    assert client.post(_new_url(household), data, **OFFLINE).status_code == 204
    assert Grievance.objects.count() == 1


def test_a_refused_attachment_undoes_the_intake_and_keeps_the_key(login, town, bob):
    client = login(bob)
    household = town.households[0]
    data = _data(client, household)
    bad = SimpleUploadedFile("x.exe", b"MZ not a photo", content_type="application/octet-stream")

    refused = client.post(_new_url(household), {**data, "files": [bad]})

    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    assert not Grievance.objects.exists()
    assert not IdempotencyKey.objects.filter(key=data["idempotency_key"]).exists()
    pdf = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    assert client.post(_new_url(household), {**data, "files": [pdf]}).status_code == 302
    assert Grievance.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_villager_re_sending_their_grievance_files_it_once(login, town, dave):
    client = login(dave)
    household = town.households[0]
    page = client.get(_new_url(household))
    data = {
        "idempotency_key": page.context["form"]["idempotency_key"].value(),
        "category": "水电供应",
        "subject": "停水",
        "request": "家里停水两天",
    }
    first = client.post(_new_url(household), data, **OFFLINE)
    again = client.post(_new_url(household), data, **OFFLINE)
    assert first.status_code == again.status_code == 204
    assert first["X-Offline-Location"] == again["X-Offline-Location"]
    assert Grievance.objects.filter(subject="停水").count() == 1
