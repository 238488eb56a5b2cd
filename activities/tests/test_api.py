"""Every endpoint: allowed, denied (403: visible but not allowed), out of scope (404);
Idempotency-Key on creating POSTs."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import services
from activities.models import Broadcast, Decision, Meeting, Spending, Training

from .conftest import DAY

BODIES = {
    "activities-trainings": {
        "date": "2026-03-01",
        "topic": "积分制",
        "trainer": "李书记",
        "kind": "central",
    },
    "activities-volunteer-events": {
        "date": "2026-03-01",
        "title": "清扫",
        "participants": 10,
        "hours": "20",
    },
    "activities-propaganda": {
        "date": "2026-03-01",
        "kind": "message",
        "title": "提醒",
        "quantity": 40,
    },
    "activities-broadcasts": {
        "date": "2026-03-01",
        "time": "07:30",
        "content": "垃圾分类",
        "minutes": 15,
    },
    "activities-meetings": {"date": "2026-03-01", "kind": "grid_weekly", "title": "周例会"},
    "activities-outputs": {
        "date": "2026-03-01",
        "kind": "trees",
        "quantity": "30",
        "species": "香樟",
    },
    "activities-volunteer-teams": {"name": "党员志愿服务队", "members": 12},
}


@pytest.mark.parametrize("name", list(BODIES))
def test_create_on_own_grid_then_list(api, bob, town, name):
    client = api(bob)
    response = client.post(
        reverse(f"api:{name}"), {**BODIES[name], "unit": town.grids[0].pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    listed = client.get(reverse(f"api:{name}")).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == response.json()["id"]


@pytest.mark.parametrize("name", list(BODIES))
def test_create_denied_and_out_of_scope(api, pam, bob, eve, town, name):
    body = {**BODIES[name], "unit": town.grids[0].pk}
    denied = api(pam).post(reverse(f"api:{name}"), body, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert api(eve).post(reverse(f"api:{name}"), body, format="json").status_code == 404
    # bob does not see the other village's grid
    other = {**BODIES[name], "unit": town.grids[3].pk}
    assert api(bob).post(reverse(f"api:{name}"), other, format="json").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "activities-trainings",
        "activities-volunteer-events",
        "activities-propaganda",
        "activities-broadcasts",
        "activities-meetings",
        "activities-outputs",
    ],
)
def test_lists_are_scoped_and_filtered(
    api, alice, charlie, eve, records, town, name, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert api(alice).get(reverse(f"api:{name}")).json()["count"] == 1
    assert api(charlie).get(reverse(f"api:{name}")).json()["count"] == 0
    assert api(eve).get(reverse(f"api:{name}")).json()["count"] == 0
    url = reverse(f"api:{name}")
    assert api(alice).get(url, {"unit": town.villages[1].pk}).json()["count"] == 0
    assert (
        api(alice)
        .get(url, {"unit": town.villages[0].pk, "start": "2026-03-15", "end": "2026-03-15"})
        .json()["count"]
        == 1
    )
    assert api(alice).get(url, {"start": "2026-03-16"}).json()["count"] == 0
    assert api(eve).get(url, {"unit": town.villages[0].pk}).status_code == 404
    assert api(alice).get(url, {"start": "March"}).status_code == 400


def test_training_attendees_by_person(api, bob, alice, town):
    resident = town.households[0].members.get()
    response = api(bob).post(
        reverse("api:activities-trainings"),
        {
            **BODIES["activities-trainings"],
            "unit": town.grids[0].pk,
            "users": [bob.pk],
            "residents": [resident.pk],
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["attendances"] == 2
    # a resident bob cannot see is not found
    stranger = town.households[-1].members.get()
    response = api(bob).post(
        reverse("api:activities-trainings"),
        {**BODIES["activities-trainings"], "unit": town.grids[0].pk, "residents": [stranger.pk]},
        format="json",
    )
    assert response.status_code == 404


def test_idempotency_key_creates_once(api, bob, town):
    client = api(bob)
    body = {**BODIES["activities-broadcasts"], "unit": town.grids[0].pk}
    url = reverse("api:activities-broadcasts")
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Broadcast.objects.count() == 1
    other = client.post(url, {**body, "minutes": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422


def test_api_refuses_bad_records(api, bob, town):
    response = api(bob).post(
        reverse("api:activities-outputs"),
        {"unit": town.grids[0].pk, "date": "2026-03-01", "kind": "trees", "quantity": "3"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "species_required"
    assert not Training.objects.exists() and not Meeting.objects.exists()


# --- Decisions --------------------------------------------------------------------------------


def test_decisions_endpoints(api, vic, pam, eve, bob, town):
    client = api(vic)
    created = client.post(
        reverse("api:activities-decisions"),
        {"village": town.villages[0].pk, "title": "修路"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["next_step"] == 1
    pk = created.json()["id"]
    steps_url = reverse("api:activities-decision-steps", args=[pk])
    ok = client.post(
        steps_url, {"kind": 1, "date": "2026-03-01", "outcome": "approved"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["next_step"] == 2
    skipped = client.post(
        steps_url, {"kind": 3, "date": "2026-03-02", "outcome": "approved"}, format="json"
    )
    assert skipped.status_code == 400 and skipped.json()["code"] == "step_out_of_order"
    assert api(pam).get(reverse("api:activities-decision-detail", args=[pk])).status_code == 200
    assert (
        api(pam)
        .post(steps_url, {"kind": 2, "date": "2026-03-02", "outcome": "approved"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(pam)
        .post(
            reverse("api:activities-decisions"),
            {"village": town.villages[0].pk, "title": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    assert api(eve).get(reverse("api:activities-decision-detail", args=[pk])).status_code == 404
    assert (
        api(eve)
        .post(steps_url, {"kind": 2, "date": "2026-03-02", "outcome": "approved"}, format="json")
        .status_code
        == 404
    )
    assert api(bob).get(reverse("api:activities-decisions")).json()["count"] == 0
    assert (
        api(eve)
        .post(
            reverse("api:activities-decisions"),
            {"village": town.villages[0].pk, "title": "x"},
            format="json",
        )
        .status_code
        == 404
    )
    assert Decision.objects.count() == 1


# --- Funding ----------------------------------------------------------------------------------


def test_budget_endpoints(api, alice, pam, eve, bob, town):
    response = api(alice).post(
        reverse("api:activities-budgets"),
        {"township": town.township.pk, "year": 2026},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert Decimal(body["amount"]) == body["residents"] * 12 and Decimal(
        body["remaining"]
    ) == Decimal(body["amount"])
    pk = body["id"]
    assert api(pam).get(reverse("api:activities-budget-detail", args=[pk])).status_code == 200
    assert (
        api(pam)
        .post(
            reverse("api:activities-budgets"),
            {"township": town.township.pk, "year": 2027},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        api(eve)
        .post(
            reverse("api:activities-budgets"),
            {"township": town.township.pk, "year": 2027},
            format="json",
        )
        .status_code
        == 404
    )
    assert api(eve).get(reverse("api:activities-budget-detail", args=[pk])).status_code == 404
    assert api(bob).get(reverse("api:activities-budgets")).json()["count"] == 0


def test_spending_endpoints(api, alice, pam, eve, budget):
    body = {
        "budget": budget.pk,
        "date": "2026-03-01",
        "category": "uniforms",
        "description": "服装",
        "quantity": 330,
        "amount": "26400",
    }
    created = api(alice).post(reverse("api:activities-spending"), body, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(pam).post(reverse("api:activities-spending"), body, format="json").status_code == 403
    assert api(eve).post(reverse("api:activities-spending"), body, format="json").status_code == 404
    reverse_url = reverse("api:activities-spending-reverse", args=[pk])
    assert api(pam).post(reverse_url, {"reason": "x"}, format="json").status_code == 403
    assert api(eve).post(reverse_url, {"reason": "x"}, format="json").status_code == 404
    reversal = api(alice).post(reverse_url, {"reason": "录错"}, format="json")
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-26400.00"
    assert api(alice).post(reverse_url, {"reason": "again"}, format="json").status_code == 400
    assert (
        api(alice).get(reverse("api:activities-spending"), {"budget": budget.pk}).json()["count"]
        == 2
    )
    assert api(eve).get(reverse("api:activities-spending")).json()["count"] == 0
    detail = api(alice).get(reverse("api:activities-budget-detail", args=[budget.pk])).json()
    assert detail["spent"] == "0.00" and Spending.objects.count() == 2


# --- Statistics -------------------------------------------------------------------------------


def test_statistics_endpoint(api, alice, bob, eve, dave, records, town):
    url = reverse("api:activities-statistics")
    response = api(alice).get(
        url, {"unit": town.township.pk, "start": "2026-01-01", "end": "2026-12-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["figures"]["trainings"] == 1 and body["figures"]["attendances"] == 2
    assert body["figures"]["output_trees"] == "30.00"
    assert body["trees_by_species"] == [{"species": "香樟", "total": "30.00"}]
    assert api(bob).get(url).json()["unit"]["id"] == town.grids[0].pk
    assert api(bob).get(url, {"unit": town.township.pk}).status_code == 404
    assert api(eve).get(url, {"unit": town.township.pk}).status_code == 404
    assert api(dave).get(url).status_code == 403
    assert api(alice).get(url, {"start": "2026-02-01", "end": "2026-01-01"}).status_code == 400


def test_anonymous_is_refused(api):
    assert api().get(reverse("api:activities-trainings")).status_code in (401, 403)
    assert api().get(reverse("api:activities-statistics")).status_code in (401, 403)


def test_reversal_service_used_by_the_api_is_audited(alice, budget):
    entry = services.spend(
        actor=alice, budget=budget, date=DAY, category="bins", description="桶", amount=Decimal("1")
    )
    services.reverse_spending(actor=alice, entry=entry, reason="r", date=datetime.date(2026, 3, 16))
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="create", reason="r", changes__reverses=[None, entry.pk]
    ).exists()
