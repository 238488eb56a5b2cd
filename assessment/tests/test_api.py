"""The assessment API: scope per endpoint, queueing with an Idempotency-Key, publishing."""

import pytest

from assessment import jobs
from assessment.models import Close

from .conftest import OCT

BASE = "/api/v1/assessment/closes/"


@pytest.fixture
def computed(town, adjust, close, bob):
    adjust(town.grids[0], -16)
    return close()


@pytest.mark.django_db
def test_list_and_detail_follow_the_scope(town, computed, alice, bob, eve, api):
    listed = api(alice).get(BASE).json()
    assert [row["id"] for row in listed["results"]] == [computed.pk]
    assert api(eve).get(BASE).json()["results"] == []
    assert api(bob).get(BASE).json()["results"] == []
    detail = api(alice).get(f"{BASE}{computed.pk}/").json()
    assert detail["month"] == "2026-10" and detail["cases"] == {"talk": 1, "suspension": 0}
    assert len(detail["rankings"]) == 2 and detail["notes"]["shortened"] is True
    for user in (bob, eve):
        assert api(user).get(f"{BASE}{computed.pk}/").status_code == 404
        assert api(user).get(f"{BASE}{computed.pk}/scores/").status_code == 404
    assert api().get(BASE).status_code in (401, 403)


@pytest.mark.django_db
def test_scores_drill_down(town, computed, alice, api):
    rows = api(alice).get(f"{BASE}{computed.pk}/scores/?parent={town.township.pk}").json()
    assert {row["unit"]["id"] for row in rows["results"]} == {
        g.parent.parent_id for g in town.grids
    }
    villages = api(alice).get(f"{BASE}{computed.pk}/scores/?kind=village").json()
    assert villages["count"] == 2


@pytest.mark.django_db
def test_queueing_is_idempotent_and_for_managers_only(town, alice, bob, eve, api):
    body = {"township": town.township.pk, "month": "2026-10"}
    first = api(alice).post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api(alice).post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert Close.objects.get().state == Close.State.QUEUED
    assert api(bob).post(BASE, body, format="json").status_code in (403, 404)
    assert api(eve).post(BASE, body, format="json").status_code == 404
    bad = api(alice).post(BASE, {"township": town.township.pk, "month": "2026-13"}, format="json")
    assert bad.status_code == 400 and "month" in bad.json()["fields"]
    jobs.run_queued()
    assert Close.objects.get(month=OCT).state == Close.State.COMPUTED


@pytest.mark.django_db
def test_publish_needs_a_manager_and_an_authority(town, computed, alice, bob, api):
    url = f"{BASE}{computed.pk}/publish/"
    assert api(bob).post(url, {"authority": "x"}, format="json").status_code == 404
    assert api(alice).post(url, {}, format="json").status_code == 400
    done = api(alice).post(url, {"authority": "乡党委会议"}, format="json")
    assert done.status_code == 200 and len(done.json()["content_hash"]) == 64
    assert api(alice).get(f"{BASE}{computed.pk}/").json()["intact"] is True
    twice = api(alice).post(url, {"authority": "乡党委会议"}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "not_computed"
