"""The people pages over HTTP: the home page and role assignments (assign, end, detail)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import _persona
from core.models import AuditEntry
from people import services
from people.models import Role, RoleAssignment, User


def assign_url(unit):
    return reverse("assign_role", args=[unit.pk])


def assignment_of(user):
    return RoleAssignment.objects.get(user=user)


@pytest.fixture
def gina(db):
    """A user with no role yet, to be appointed."""
    return User.objects.create_user(username="gina", password="x", name="吉娜")


def assign_data(**changes):
    data = {
        "username": "gina",
        "role": Role.GRID_MEMBER,
        "start_date": timezone.localdate().isoformat(),
        "authority": "村两委会议 2024-03",
    }
    data.update(changes)
    return data


# --- Anonymous ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, town, bob):
    assignment = assignment_of(bob)
    for url in [reverse("home"), reverse("assignment", args=[assignment.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("end_assignment", args=[assignment.pk]), {"reason": "x"})
    assert response.status_code == 302
    assert client.post(assign_url(town.grids[0]), assign_data()).status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_date is None


# --- Home ---------------------------------------------------------------------------------------


def test_home_shows_the_township_with_counts(login, town, alice):
    response = login(alice).get(reverse("home"))

    assert response.status_code == 200
    [(assignment, counts)] = response.context["cards"]
    assert assignment.unit == town.township
    assert counts["households"] == len(town.households)
    assert counts["residents"] == len(town.households)
    by_kind = {kind: n for kind, _label, n in counts["units"]}
    assert by_kind["village"] == 2 and by_kind["group"] == 4 and by_kind["joint"] == 4
    assert reverse("places:unit", args=[town.township.pk]) in response.content.decode()


def test_home_shows_a_grid_chief_his_grid(login, town, bob):
    response = login(bob).get(reverse("home"))

    [(assignment, counts)] = response.context["cards"]
    assert assignment.unit == town.grids[0]
    assert counts["households"] == 3
    assert [(kind, n) for kind, _label, n in counts["units"]] == [("joint", 1)]


def test_home_links_a_villager_to_his_household(login, town, dave):
    response = login(dave).get(reverse("home"))

    [(assignment, counts)] = response.context["cards"]
    assert counts is None
    assert reverse("places:household", args=[town.households[0].pk]) in response.content.decode()


def test_home_queries_do_not_grow_with_assignments(login, town, bob, django_assert_max_num_queries):
    client = login(bob)
    # The home page carries the domain apps' cards (a few constant queries each).
    with django_assert_max_num_queries(22):
        client.get(reverse("home"))
    for unit in (town.grids[1], town.grids[2], town.joints[3]):
        role = Role.JOINT_HEAD if unit.kind == "joint" else Role.GRID_MEMBER
        services.assign_role(user=bob, role=role, unit=unit, actor=None)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("home"))
    assert len(response.context["cards"]) == 4


def test_home_for_a_user_without_roles(login, gina):
    response = login(gina).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["cards"] == []


# --- Assigning a role ---------------------------------------------------------------------------


def test_township_secretary_assigns_a_role(login, town, alice, gina):
    response = login(alice).post(assign_url(town.grids[0]), assign_data())

    assert response.status_code == 302
    assignment = assignment_of(gina)
    assert (assignment.role, assignment.unit, assignment.granted_by) == (
        Role.GRID_MEMBER,
        town.grids[0],
        alice,
    )
    assert AuditEntry.objects.filter(action="create", object_id=assignment.pk).exists()


def test_unit_page_lists_roles_current_and_past(login, town, alice, bob):
    services.end_assignment(
        assignment=assignment_of(bob), actor=alice, end_date=timezone.localdate()
    )
    carl = _persona("carl", Role.GRID_CHIEF, unit=town.grids[0])
    RoleAssignment.objects.filter(user=bob).update(
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )

    response = login(alice).get(reverse("places:unit", args=[town.grids[0].pk]))

    rows = {(a.user.username, a.is_current) for a in response.context["assignments"]}
    assert rows == {("bob", False), ("carl", True)}
    assert reverse("end_assignment", args=[assignment_of(carl).pk]) in response.content.decode()
    assert response.context["assign_form"] is not None


def test_grid_chief_sees_roles_but_cannot_assign(login, town, bob, gina):
    client = login(bob)
    page = client.get(reverse("places:unit", args=[town.grids[0].pk]))
    assert page.context["assign_form"] is None
    assert reverse("end_assignment", args=[assignment_of(bob).pk]) not in page.content.decode()

    response = client.post(assign_url(town.grids[0]), assign_data())
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=gina).exists()


@pytest.mark.parametrize("persona", ["eve", "charlie"])
def test_assigning_out_of_scope_is_404(request, login, town, gina, persona):
    client = login(request.getfixturevalue(persona))
    assert client.post(assign_url(town.grids[0]), assign_data()).status_code == 404
    assert not RoleAssignment.objects.filter(user=gina).exists()


def test_unknown_login_shows_on_the_form(login, town, alice):
    response = login(alice).post(assign_url(town.grids[0]), assign_data(username="nobody"))

    assert response.status_code == 200
    assert "nobody" in response.context["assign_form"].errors["username"][0]


def test_role_must_fit_the_unit(login, town, alice, gina):
    response = login(alice).post(
        assign_url(town.grids[0]), assign_data(role=Role.TOWNSHIP_SECRETARY)
    )

    assert response.status_code == 200
    assert response.context["assign_form"].errors["role"]
    assert not RoleAssignment.objects.filter(user=gina).exists()


# --- Ending a role and the detail page ----------------------------------------------------------


def test_township_secretary_ends_a_role_with_reason(login, town, alice, bob):
    assignment = assignment_of(bob)
    today = timezone.localdate().isoformat()
    response = login(alice).post(
        reverse("end_assignment", args=[assignment.pk]),
        {"end_date": today, "reason": "考核未达标", "next": "/places/units/1/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/places/units/1/"
    assignment.refresh_from_db()
    assert assignment.end_date == timezone.localdate()
    entry = AuditEntry.objects.get(action="end", object_id=assignment.pk)
    assert entry.reason == "考核未达标"


def test_ending_refuses_an_outside_next_url(login, town, alice, bob):
    assignment = assignment_of(bob)
    response = login(alice).post(
        reverse("end_assignment", args=[assignment.pk]),
        {
            "end_date": timezone.localdate().isoformat(),
            "reason": "x",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("assignment", args=[assignment.pk])


def test_ending_before_the_start_is_refused_with_a_message(login, town, alice, bob):
    assignment = assignment_of(bob)
    yesterday = (assignment.start_date - datetime.timedelta(days=1)).isoformat()
    client = login(alice)
    response = client.post(
        reverse("end_assignment", args=[assignment.pk]), {"end_date": yesterday, "reason": "x"}
    )

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assignment.refresh_from_db()
    assert assignment.end_date is None


def test_grid_chief_cannot_end_his_own_role(login, town, bob):
    assignment = assignment_of(bob)
    response = login(bob).post(
        reverse("end_assignment", args=[assignment.pk]),
        {"end_date": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.end_date is None


@pytest.mark.parametrize("persona", ["charlie", "eve", "dave"])
def test_assignment_out_of_scope_is_404(request, login, town, bob, persona):
    client = login(request.getfixturevalue(persona))
    assignment = assignment_of(bob)
    assert client.get(reverse("assignment", args=[assignment.pk])).status_code == 404
    response = client.post(reverse("end_assignment", args=[assignment.pk]), {"reason": "x"})
    assert response.status_code == 404


def test_assignment_detail_shows_history(login, town, alice, bob):
    assignment = assignment_of(bob)
    response = login(alice).get(reverse("assignment", args=[assignment.pk]))

    assert response.status_code == 200
    assert [e.action for e, _rows in response.context["history"]] == ["create"]
    assert response.context["end_form"] is not None


def test_grid_chief_and_villager_see_their_own_assignment(login, town, bob, dave):
    response = login(bob).get(reverse("assignment", args=[assignment_of(bob).pk]))
    assert response.status_code == 200 and response.context["end_form"] is None
    response = login(dave).get(reverse("assignment", args=[assignment_of(dave).pk]))
    assert response.status_code == 200


def test_logout_is_a_post(login, town, bob):
    client = login(bob)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
