import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ServiceError
from core.models import AuditEntry
from people import services
from people.access import scope_for
from people.models import RoleAssignment, User


@pytest.fixture
def frank(db):
    return User.objects.create_user(username="frank", password="x", name="冯*")


def test_assigning_a_role_records_authority_and_audit(town, alice, frank):
    assignment = services.assign_role(
        user=frank,
        role="grid_member",
        unit=town.grids[1],
        actor=alice,
        authority="村两委会议 2026-10-08",
    )
    assert assignment.township == town.township
    assert assignment.granted_by == alice
    entry = AuditEntry.objects.get(content_type__model="roleassignment", object_id=assignment.pk)
    assert entry.actor == alice and entry.reason == "村两委会议 2026-10-08"
    assert scope_for(frank).covers(town.grids[1].path)


@pytest.mark.parametrize(
    ("role", "attr"),
    [("grid_chief", "villages"), ("village_committee", "grids"), ("joint_head", "grids")],
)
def test_a_role_is_held_only_on_its_kind_of_unit(town, frank, role, attr):
    with pytest.raises(ValidationError) as exc:
        services.assign_role(user=frank, role=role, unit=getattr(town, attr)[0], actor=None)
    assert "unit" in exc.value.message_dict


def test_a_villager_role_names_a_household(town, frank):
    with pytest.raises(ValidationError):
        services.assign_role(user=frank, role="villager", unit=town.grids[0], actor=None)


def test_ending_keeps_the_assignment_as_history(town, bob):
    assignment = bob.assignments.get()
    services.end_assignment(assignment=assignment, actor=None, reason="考核待岗")
    assignment.refresh_from_db()
    assert assignment.end_date == timezone.localdate()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(ServiceError) as exc:
        services.end_assignment(assignment=assignment, actor=None)
    assert exc.value.code == "already_ended"


def test_replacing_a_holder_is_a_personnel_change(town, bob, frank, alice):
    old = bob.assignments.get()
    old.start_date = datetime.date(2026, 1, 1)
    old.save()
    new = services.replace_holder(
        assignment=old,
        new_user=frank,
        actor=alice,
        on=datetime.date(2026, 11, 1),
        authority="乡党委会议〔2026〕12号",
    )
    old.refresh_from_db()
    assert old.end_date == datetime.date(2026, 10, 31)
    assert new.user == frank and new.unit == old.unit and new.start_date.day == 1
    actions = set(
        AuditEntry.objects.filter(content_type__model="roleassignment").values_list(
            "action", flat=True
        )
    )
    assert {"create", "end"} <= actions


def test_a_future_assignment_grants_nothing_yet(town, frank):
    services.assign_role(
        user=frank,
        role="grid_chief",
        unit=town.grids[0],
        actor=None,
        start_date=datetime.date.today() + datetime.timedelta(days=3),
    )
    assert not scope_for(frank).can()
