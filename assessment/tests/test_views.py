"""The month close pages: who may see and do what, the background job, publish, cases."""

import datetime

import pytest
from django.urls import reverse

from assessment import jobs, publication
from assessment.models import Adjustment, Case, CaseAction, Close, Item
from people.models import RoleAssignment

from .conftest import OCT

M = "2026-10"


def _url(name, *args):
    return reverse(f"assessment:{name}", args=args)


@pytest.fixture
def computed(town, adjust, close, bob):
    adjust(town.grids[0], -21)  # bob's grid: 79 → a suspension case
    return close()


@pytest.fixture
def published(computed, alice):
    return publication.publish(computed, user=alice, authority="乡党委会议 2026-11-03")


@pytest.mark.django_db
def test_months_page_per_persona(town, alice, bob, charlie, dave, eve, login, client):
    page = _url("months", town.township.pk)
    assert login(alice).get(page).status_code == 200
    for outsider in (bob, charlie, dave, eve):
        client.force_login(outsider)
        assert client.get(page).status_code == 404
    client.logout()
    assert client.get(page).status_code == 302  # to the login page


@pytest.mark.django_db
def test_index_redirects_to_the_only_township_and_refuses_villagers(town, alice, dave, client):
    client.force_login(alice)
    assert client.get(_url("index"))["Location"] == _url("months", town.township.pk)
    client.force_login(dave)
    assert client.get(_url("index")).status_code == 403


@pytest.mark.django_db
def test_starting_a_close_queues_it_and_the_worker_computes_it(town, alice, bob, login):
    client = login(alice)
    response = client.post(_url("start", town.township.pk), {"month": M})
    assert response.status_code == 302
    item = Close.objects.get(township=town.township, month=OCT)
    assert item.state == Close.State.QUEUED
    status = client.get(_url("status", town.township.pk, M), HTTP_HX_REQUEST="true")
    assert b"hx-trigger" in status.content and "HX-Refresh" not in status
    RoleAssignment.objects.update(start_date=datetime.date(2026, 1, 1))
    assert [c.pk for c in jobs.run_queued()] == [item.pk]
    item.refresh_from_db()
    assert (item.state, item.progress) == (Close.State.COMPUTED, 100)
    done = client.get(_url("status", town.township.pk, M) + "?was=running", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    page = client.get(_url("month", town.township.pk, M))
    assert page.status_code == 200
    assert town.villages[0].name in page.content.decode()


@pytest.mark.django_db
def test_a_bad_month_is_explained(town, alice, login):
    client = login(alice)
    response = client.post(_url("start", town.township.pk), {"month": "10/2026"}, follow=True)
    assert "YYYY-MM" in response.content.decode()
    assert not Close.objects.exists()


@pytest.mark.django_db
def test_only_managers_start_recompute_and_publish(town, computed, bob, charlie, eve, client):
    for user in (bob, charlie, eve):
        client.force_login(user)
        for name in ("start",):
            assert client.post(_url(name, town.township.pk), {"month": M}).status_code in (403, 404)
        for name in ("recompute", "publish"):
            response = client.post(_url(name, town.township.pk, M), {"authority": "x"})
            assert response.status_code in (403, 404)
    computed.refresh_from_db()
    assert computed.state == Close.State.COMPUTED and computed.runs == 1


@pytest.mark.django_db
def test_publish_needs_an_authority_and_freezes(town, computed, alice, login):
    client = login(alice)
    refused = client.post(_url("publish", town.township.pk, M), {"authority": ""}, follow=True)
    assert Close.objects.get(pk=computed.pk).state == Close.State.COMPUTED
    assert refused.status_code == 200
    client.post(_url("publish", town.township.pk, M), {"authority": "乡党委会议"})
    item = Close.objects.get(pk=computed.pk)
    assert item.state == Close.State.PUBLISHED and publication.is_intact(item)
    again = client.post(_url("recompute", town.township.pk, M), follow=True)
    assert "2026-11" in again.content.decode()  # corrections go into the next month
    assert Close.objects.get(pk=computed.pk).runs == 1


@pytest.mark.django_db
def test_unit_score_shows_its_lines_to_the_chief_and_not_to_others(
    town, computed, alice, bob, charlie, eve, login, client
):
    page = _url("unit", computed.pk, town.grids[0].pk)
    response = login(bob).get(page)
    assert response.status_code == 200
    body = response.content.decode()
    assert "79.00" in body and "督查扣分" in body
    for user in (charlie, eve):
        client.force_login(user)
        assert client.get(page).status_code == 404
    client.force_login(alice)
    assert client.get(_url("unit", computed.pk, town.township.pk)).status_code == 200
    assert client.get(_url("unit", computed.pk, town.villages[1].pk)).status_code == 200


@pytest.mark.django_db
def test_cases_are_handled_after_publication_and_a_replacement_reassigns(
    town, computed, alice, bob, charlie, login, client
):
    case = Case.objects.get(close=computed)
    client.force_login(alice)
    form = {
        "kind": "replaced",
        "on": "2026-11-10",
        "note": "党委会研究决定",
        "authority": "乡党委会议",
        "new_holder": charlie.pk,
    }
    client.post(_url("case", case.pk), form)
    assert not CaseAction.objects.exists()  # not published yet
    publication.publish(computed, user=alice, authority="乡党委会议")
    assert client.get(_url("cases", town.township.pk)).status_code == 200
    response = client.post(_url("case", case.pk), form)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.REPLACED
    action = CaseAction.objects.get(case=case)
    assert action.new_assignment.user == charlie and action.new_assignment.unit == town.grids[0]
    assert RoleAssignment.objects.get(pk=case.assignment_id).end_date == datetime.date(2026, 11, 9)
    again = client.post(_url("case", case.pk), dict(form, kind="talk_held"))
    assert again.status_code == 200 and CaseAction.objects.count() == 1
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(_url("case", case.pk)).status_code == 404
        assert client.get(_url("cases", town.township.pk)).status_code in (403, 404)


@pytest.mark.django_db
def test_adjustments_page_records_with_authority(town, alice, bob, login, client):
    client = login(alice)
    page = _url("adjustments", town.township.pk)
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {
            "unit": town.grids[1].pk,
            "month": M,
            "points": "2",
            "reason": "表扬",
            "authority": "乡党委",
        },
    )
    assert response.status_code == 302
    assert Adjustment.objects.get().created_by == alice
    missing = client.post(page, {"unit": town.grids[1].pk, "month": M, "points": "0"})
    assert missing.status_code == 200 and Adjustment.objects.count() == 1
    client.force_login(bob)
    assert client.get(page).status_code in (403, 404)


@pytest.mark.django_db
def test_items_page_changes_points_with_a_record(town, alice, bob, login, client):
    client = login(alice)
    page = _url("items", town.township.pk)
    assert client.get(page).status_code == 200
    item = Item.objects.get(township=town.township, source="ticket_red")
    client.post(page, {"item": item.pk, "points": "-12"})
    item.refresh_from_db()
    assert item.points == -12
    client.force_login(bob)
    assert client.get(page).status_code in (403, 404)


@pytest.mark.django_db
def test_month_page_query_count_is_bounded(
    town, published, alice, login, django_assert_max_num_queries
):
    client = login(alice)
    with django_assert_max_num_queries(25):
        assert client.get(_url("month", town.township.pk, M)).status_code == 200


@pytest.mark.django_db
def test_home_shows_the_chiefs_grid_score(town, computed, bob, login):
    body = login(bob).get(reverse("home")).content.decode()
    assert "assessment-home" in body and "79.00" in body
