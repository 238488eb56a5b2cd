"""The people API: role assignments, choosing users, and tokens for phones and scripts."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.models import AuditEntry
from people import services
from people.models import RoleAssignment, User


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def gus(db):
    """A new user holding no role yet."""
    return User.objects.create_user(username="gus", password=PASSWORD, name="gus")


@pytest.fixture
def committee(town):
    """Villagers' committee member (两委) of the first village: manages it."""
    user = User.objects.create_user(username="hana", password=PASSWORD, name="hana")
    services.assign_role(user=user, role="village_committee", unit=town.villages[0], actor=None)
    return fresh(user)


def ids(response):
    return {row["id"] for row in response.data["results"]}


def held(user):
    return RoleAssignment.objects.get(user=user)


def end_yesterday(assignment, *, actor):
    """End a role that began last week on the day before today."""
    today = timezone.localdate()
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        start_date=today - datetime.timedelta(days=7)
    )
    assignment.refresh_from_db()
    services.end_assignment(
        assignment=assignment, actor=actor, end_date=today - datetime.timedelta(days=1)
    )


def assert_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.data["code"] == code
    assert response.data["detail"]


# --- Assignments ---------------------------------------------------------------------------------


def test_assignment_list_per_persona(api, town, alice, bob, charlie, dave, eve):
    township = {held(u).id for u in (alice, bob, charlie, dave)}
    assert ids(api(alice).get("/api/v1/assignments/")) == township
    # bob sees his own role and dave's, who lives in his grid.
    assert ids(api(bob).get("/api/v1/assignments/")) == {held(bob).id, held(dave).id}
    assert ids(api(dave).get("/api/v1/assignments/")) == {held(dave).id}
    assert ids(api(eve).get("/api/v1/assignments/")) == {held(eve).id}


def test_assignment_representation(api, town, alice, bob):
    response = api(alice).get(f"/api/v1/assignments/{held(bob).id}/")
    assert response.status_code == 200
    data = response.data
    assert data["user"] == {"id": bob.id, "username": "bob", "name": "bob"}
    assert data["role"] == "grid_chief"
    assert data["unit"]["id"] == town.grids[0].id
    assert data["household"] is None
    assert data["is_current"] is True


def test_assignment_list_filters(api, town, alice, bob, dave):
    client = api(alice)
    assert ids(client.get("/api/v1/assignments/?role=grid_chief")) == {held(bob).id}
    assert ids(client.get(f"/api/v1/assignments/?user={dave.id}")) == {held(dave).id}
    assert ids(client.get(f"/api/v1/assignments/?unit={town.grids[0].id}")) == {held(bob).id}
    end_yesterday(held(bob), actor=alice)
    assert held(bob).id not in ids(client.get("/api/v1/assignments/?current=true"))
    assert held(bob).id in ids(client.get("/api/v1/assignments/?current=false"))


def test_assignment_list_query_count(
    api, town, alice, bob, charlie, dave, django_assert_num_queries
):
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows with users, units, households
        response = client.get("/api/v1/assignments/")
    assert len(response.data["results"]) == 4


def test_assignment_detail_out_of_scope_is_404(api, town, bob, charlie, eve):
    url = f"/api/v1/assignments/{held(bob).id}/"
    assert api(bob).get(url).status_code == 200
    assert_error(api(charlie).get(url), 404, "not_found")
    assert_error(api(eve).get(url), 404, "not_found")


def test_alice_appoints_a_joint_head(api, town, alice, gus):
    data = {
        "user": gus.id,
        "role": "joint_head",
        "unit": town.joints[0].id,
        "authority": "村民代表会议 2022-03",
    }
    response = api(alice).post("/api/v1/assignments/", data, format="json")
    assert response.status_code == 201, response.data
    assignment = RoleAssignment.objects.get(pk=response.data["id"])
    assert (assignment.user, assignment.granted_by) == (gus, alice)
    entry = AuditEntry.objects.get(action="create", object_id=assignment.id, actor=alice)
    assert entry.reason == "村民代表会议 2022-03"
    # gus now sees his 联户.
    assert api(fresh(gus)).get(f"/api/v1/units/{town.joints[0].id}/").status_code == 200


def test_a_committee_appoints_a_villager_in_its_village_only(api, town, committee, gus):
    data = {"user": gus.id, "role": "villager", "household": town.households[1].id}
    response = api(committee).post("/api/v1/assignments/", data, format="json")
    assert response.status_code == 201, response.data
    assert response.data["household"]["id"] == town.households[1].id
    data["household"] = town.households[9].id
    response = api(committee).post("/api/v1/assignments/", data, format="json")
    assert_error(response, 404, "not_found")


def test_appointing_denied_and_out_of_scope(api, town, bob, dave, eve, gus):
    data = {"user": gus.id, "role": "grid_member", "unit": town.grids[0].id}
    assert_error(
        api(bob).post("/api/v1/assignments/", data, format="json"), 403, "permission_denied"
    )
    assert_error(api(eve).post("/api/v1/assignments/", data, format="json"), 404, "not_found")
    data = {"user": gus.id, "role": "villager", "household": town.households[0].id}
    assert_error(
        api(dave).post("/api/v1/assignments/", data, format="json"), 403, "permission_denied"
    )
    assert not RoleAssignment.objects.filter(user=gus).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "grid_member"}, "unit"),
        ({"role": "villager"}, "household"),
        ({"role": "villager", "household": 0, "unit": "grid"}, "unit"),
        ({"role": "grid_member", "unit": "group"}, "unit"),  # a grid role on a villagers' group
    ],
)
def test_appointing_validation_names_the_field(api, town, alice, gus, data, field):
    units = {"grid": town.grids[0].id, "group": town.groups[0].id}
    data = {**data, "user": gus.id}
    if "unit" in data:
        data["unit"] = units[data["unit"]]
    if "household" in data:
        data["household"] = town.households[data["household"]].id
    response = api(alice).post("/api/v1/assignments/", data, format="json")
    assert_error(response, 400, "invalid")
    assert field in response.data["fields"]


def test_alice_ends_bobs_role(api, town, alice, bob):
    assignment = held(bob)
    url = f"/api/v1/assignments/{assignment.id}/end/"
    response = api(alice).post(url, {"reason": "考核不合格"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["end_date"] == timezone.localdate().isoformat()
    entry = AuditEntry.objects.get(action="end", object_id=assignment.id)
    assert (entry.actor, entry.reason) == (alice, "考核不合格")
    response = api(alice).post(url, {"reason": "again"}, format="json")
    assert_error(response, 400, "already_ended")


def test_ending_a_role_needs_a_reason(api, town, alice, bob):
    response = api(alice).post(f"/api/v1/assignments/{held(bob).id}/end/", {}, format="json")
    assert_error(response, 400, "invalid")
    assert "reason" in response.data["fields"]


def test_ending_denied_and_out_of_scope(api, town, bob, charlie, eve):
    url = f"/api/v1/assignments/{held(bob).id}/end/"
    data = {"reason": "r"}
    assert_error(api(bob).post(url, data, format="json"), 403, "permission_denied")
    assert_error(api(charlie).post(url, data, format="json"), 404, "not_found")
    assert_error(api(eve).post(url, data, format="json"), 404, "not_found")
    assert held(bob).end_date is None


# --- Users ---------------------------------------------------------------------------------------


def usernames(response):
    return [row["username"] for row in response.data["results"]]


def test_users_to_choose_from(api, town, alice, bob, charlie, dave, eve, gus):
    assert usernames(api(alice).get("/api/v1/users/")) == ["alice", "bob", "charlie", "dave"]
    assert usernames(api(alice).get("/api/v1/users/?q=BO")) == ["bob"]
    assert usernames(api(bob).get("/api/v1/users/")) == ["bob", "dave"]
    assert usernames(api(eve).get("/api/v1/users/")) == ["eve"]
    assert usernames(api(gus).get("/api/v1/users/")) == ["gus"]  # himself only


def test_users_leave_out_ended_roles(api, town, alice, bob):
    end_yesterday(held(bob), actor=alice)
    assert "bob" not in usernames(api(alice).get("/api/v1/users/"))


def test_users_query_count(api, town, alice, bob, charlie, dave, django_assert_num_queries):
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows
        response = client.get("/api/v1/users/")
    assert len(response.data["results"]) == 4


# --- Tokens --------------------------------------------------------------------------------------


def test_a_token_authenticates_api_calls(town, bob):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    response = client.get("/api/v1/households/")
    assert response.status_code == 200
    assert response.data["count"] == 3


def test_a_wrong_password_gets_no_token(town, bob):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "bob", "password": "wrong"}, format="json"
    )
    assert_error(response, 400, "invalid")
    assert "token" not in response.data


def test_a_bad_token_is_refused(town, bob):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get("/api/v1/households/")
    assert response.status_code in (401, 403)
    assert response.data["code"] == "authentication_failed"
