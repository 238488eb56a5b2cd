"""The API: every endpoint allowed / denied (403) / out of scope (404); idempotent intake;
the figures endpoint equals the selector and the list's figure filter."""

import pytest
from django.urls import reverse

from grievances import selectors, services
from grievances.models import Grievance
from people.access import scope_for


def u(name, *args):
    return reverse(f"api:grievances-{name}", args=args)


def _intake_body(town, household=0):
    return {
        "channel": "grid_round",
        "category": "道路交通",
        "subject": "桥梁破损",
        "request": "村口小桥栏杆断了",
        "resident": town.households[household].members.get().pk,
    }


def test_list_scope(api, town, alice, charlie, eve, grievance):
    assert [g["id"] for g in api(alice).get(u("list")).json()["results"]] == [grievance.pk]
    assert api(charlie).get(u("list")).json()["results"] == []
    assert api(eve).get(u("list")).json()["results"] == []
    assert api().get(u("list")).status_code in (401, 403)


def test_list_query_count(api, town, bob, django_assert_max_num_queries):
    from .conftest import raise_grievance

    for _ in range(10):
        raise_grievance(bob, town.households[0].members.get())
    client = api(bob)
    with django_assert_max_num_queries(8):
        assert len(client.get(u("list")).json()["results"]) == 10


def test_intake_allowed_denied_out_of_scope(api, town, bob, charlie, sam, dave):
    response = api(bob).post(u("list"), _intake_body(town), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["person"]["full"] is True
    # charlie: the resident is outside his scope → 404 (the id reveals nothing)
    assert api(charlie).post(u("list"), _intake_body(town), format="json").status_code == 404
    # sam sees the resident but may not record on a grid round (VIEW only) → 404 from the place
    assert api(sam).post(u("list"), _intake_body(town), format="json").status_code == 404
    # dave may file for himself only with channel "self"
    assert api(dave).post(u("list"), _intake_body(town), format="json").status_code == 404
    body = {**_intake_body(town), "channel": "self"}
    assert api(dave).post(u("list"), body, format="json").status_code == 201
    body = {**_intake_body(town, 1), "channel": "self"}  # a neighbour: not his to see
    assert api(dave).post(u("list"), body, format="json").status_code == 404


def test_intake_is_idempotent(api, town, bob):
    client = api(bob)
    first = client.post(u("list"), _intake_body(town), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(u("list"), _intake_body(town), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Grievance.objects.count() == 1
    other = {**_intake_body(town), "subject": "别的事"}
    reused = client.post(u("list"), other, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_detail_scope(api, grievance, alice, charlie, eve, dave):
    assert api(alice).get(u("detail", grievance.pk)).status_code == 200
    assert api(dave).get(u("detail", grievance.pk)).status_code == 200
    assert api(charlie).get(u("detail", grievance.pk)).status_code == 404
    assert api(eve).get(u("detail", grievance.pk)).status_code == 404


def test_transitions_over_the_api(api, town, bob, dave, sam, charlie, grievance):
    assign = {"to": "handling", "assigned_unit": town.grids[0].pk, "assignee": bob.pk}
    assert api(sam).post(u("transition", grievance.pk), assign, format="json").status_code == 403
    assert (
        api(charlie).post(u("transition", grievance.pk), assign, format="json").status_code == 404
    )
    client = api(bob)
    assert client.post(u("transition", grievance.pk), assign, format="json").status_code == 200
    wrong = client.post(u("transition", grievance.pk), {"to": "concluded"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "bad_transition"
    reply = {"to": "replied", "reply": "已修复"}
    assert client.post(u("transition", grievance.pk), reply, format="json").status_code == 200
    done = client.post(u("transition", grievance.pk), {"to": "concluded"}, format="json")
    assert done.json()["state"] == "concluded"
    rating = {"rating": "not", "rating_method": "own_login"}
    assert api(bob).post(u("rating", grievance.pk), rating, format="json").status_code == 403
    assert api(charlie).post(u("rating", grievance.pk), rating, format="json").status_code == 404
    assert api(dave).post(u("rating", grievance.pk), rating, format="json").status_code == 200
    reopen = {"to": "handling", "note": "还是不行"}
    response = api(dave).post(u("transition", grievance.pk), reopen, format="json")
    assert response.status_code == 200 and response.json()["reopen_count"] == 1


def test_events_and_notes(api, bob, sam, charlie, grievance):
    assert (
        api(bob).post(u("events", grievance.pk), {"note": "走访"}, format="json").status_code == 201
    )
    assert api(sam).post(u("events", grievance.pk), {"note": "x"}, format="json").status_code == 403
    assert (
        api(charlie).post(u("events", grievance.pk), {"note": "x"}, format="json").status_code
        == 404
    )
    events = api(sam).get(u("events", grievance.pk)).json()
    assert [e["action"] for e in events] == ["intake", "note"]
    assert api(charlie).get(u("events", grievance.pk)).status_code == 404


def test_figures_endpoint(api, town, alice, charlie, grievance, today):
    params = {"unit": town.villages[0].pk, "start": today, "end": today}
    body = api(alice).get(u("figures"), params).json()
    expected = selectors.figures(
        scope=scope_for(alice), unit=town.villages[0], start=today, end=today
    )
    assert body == {**expected, "satisfaction_rate": None}
    listed = api(alice).get(u("list"), {**params, "figure": "received"}).json()
    assert listed["count"] == body["received"] == 1
    assert api(charlie).get(u("figures"), params).status_code == 404
    assert api(alice).get(u("figures"), {"unit": town.township.pk}).status_code == 400
    assert api(alice).get(u("list"), {"figure": "received"}).status_code == 400


def test_duty_endpoint(api, town, alice, lee, bob, eve, today, petition):
    shifts = api(alice).get(u("duty")).json()["results"]
    assert shifts[0]["received"] == 1 and shifts[0]["leader"]["id"] == lee.pk
    body = {"unit": town.villages[0].pk, "date": today.isoformat(), "leader": lee.pk}
    assert api(alice).post(u("duty"), body, format="json").status_code == 201
    assert api(bob).post(u("duty"), body, format="json").status_code == 404  # unit not in scope
    body_town = {**body, "unit": town.township.pk}
    assert api(eve).post(u("duty"), body_town, format="json").status_code == 404
    assert api(eve).get(u("duty")).json()["results"] == []


@pytest.mark.parametrize("who", ["sam"])
def test_duty_post_denied_for_view_only(request, api, town, lee, today, who):
    user = request.getfixturevalue(who)
    body = {"unit": town.township.pk, "date": today.isoformat(), "leader": lee.pk}
    assert api(user).post(u("duty"), body, format="json").status_code == 403


def test_schema_lists_the_endpoints(api, alice):
    response = api(alice).get(reverse("schema"))
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/grievances/",
        "/api/v1/grievances/{id}/transition/",
        "/api/v1/grievances/figures/",
        "/api/v1/grievances/duty/",
    ):
        assert path in text


def test_services_used_by_api_write_history(api, town, bob, grievance):
    services.add_note(grievance=grievance, actor=bob, note="x")
    assert grievance.events.count() == 2
