import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.errors import ServiceError
from core.models import AuditEntry
from places import services
from places.models import Household, Resident, ResponsibilityArea, Unit
from places.tests.factories import make_id_number


def test_units_get_paths_township_village_and_levels(town):
    grid = town.grids[0]
    assert grid.grid_level == 4
    assert grid.township == town.township
    assert grid.village == town.villages[0]
    assert grid.path.startswith(town.township.path)
    assert town.joints[0].parent == grid
    assert town.groups[0].village == town.villages[0]
    assert town.township.config.grid_levels == 4


def test_a_grid_deeper_than_the_township_allows_is_refused(town):
    with pytest.raises(ServiceError) as exc:
        services.create_unit(kind="grid", name="五级", parent=town.grids[0], actor=None)
    assert exc.value.code == "too_deep"


@pytest.mark.parametrize(
    ("kind", "parent_attr"), [("group", "township"), ("joint", "township"), ("village", "county")]
)
def test_units_only_hang_where_the_tree_allows(town, kind, parent_attr):
    with pytest.raises(ServiceError) as exc:
        services.create_unit(kind=kind, name="x", parent=getattr(town, parent_attr), actor=None)
    assert exc.value.code == "bad_parent"


def test_moving_a_grid_moves_its_subtree_households_and_areas(town, alice):
    grid = town.grids[0]
    area = services.create_area(
        grid=grid, number=1, name="主街", kind="road", actor=alice, owner=alice
    )
    target = town.grids[2].parent  # a level-3 grid of the other village
    moved = services.move_unit(unit=grid, new_parent=target, actor=alice, reason="调整")
    assert moved.path.startswith(target.path) and moved.grid_level == 4
    joint = Unit.objects.get(pk=town.joints[0].pk)
    assert joint.path.startswith(moved.path)
    for household in Household.objects.filter(joint=joint):
        assert household.joint_path == joint.path
    area.refresh_from_db()
    assert area.grid_path == moved.path
    entry = AuditEntry.objects.filter(action="move", object_id=grid.pk).get()
    assert entry.actor == alice and entry.reason == "调整"
    assert "path" in entry.changes and "parent" in entry.changes


def test_a_unit_cannot_move_under_itself(town):
    with pytest.raises(ServiceError) as exc:
        services.move_unit(unit=town.grids[0].parent, new_parent=town.grids[0], actor=None)
    assert exc.value.code == "cycle"


def test_moving_a_household_keeps_its_history(town, alice):
    household = town.households[0]
    services.move_household(
        household=household, group=town.groups[1], joint=town.joints[1], actor=alice, reason="分户"
    )
    household.refresh_from_db()
    assert household.group_path == town.groups[1].path
    assert household.joint_path == town.joints[1].path
    entry = AuditEntry.objects.get(action="move", object_id=household.pk)
    assert entry.changes["joint"] == [town.joints[0].pk, town.joints[1].pk]


def test_household_numbers_are_unique_per_township(town):
    with pytest.raises(ServiceError):
        services.create_household(
            number=town.households[0].number,
            group=town.groups[0],
            joint=town.joints[0],
            actor=None,
        )


def test_resident_id_number_is_validated_and_normalised(town):
    household = town.households[0]
    with pytest.raises(ValidationError) as exc:
        services.create_resident(
            household=household, actor=None, name="张三", sex="M", id_number="420101199003071235"
        )
    assert "id_number" in exc.value.message_dict
    resident = services.create_resident(
        household=household, actor=None, name="张三", sex="F", id_number="11010519491231002x"
    )
    assert resident.id_number == "11010519491231002X"


def test_a_household_has_one_head(town):
    with pytest.raises(ValidationError):
        services.create_resident(
            household=town.households[0], actor=None, name="王五", sex="M", relation="head"
        )


def test_the_audit_log_never_holds_a_full_id_or_phone(town, alice):
    resident = Resident.objects.filter(household=town.households[0]).get()
    services.update_resident(resident=resident, actor=alice, phone="13912345678")
    entries = AuditEntry.objects.filter(content_type__model="resident", object_id=resident.pk)
    text = str(list(entries.values_list("changes", flat=True)))
    assert resident.id_number not in text and "13912345678" not in text
    assert "139****5678" in text


def test_audit_entries_are_insert_only(town):
    entry = AuditEntry.objects.first()
    entry.reason = "changed"
    with pytest.raises(ValueError):
        entry.save()


def test_an_area_must_have_an_owner(town):
    with pytest.raises(ServiceError) as exc:
        services.create_area(grid=town.grids[0], number=9, name="河道", kind="river", actor=None)
    assert exc.value.code == "no_owner"
    assert not ResponsibilityArea.objects.filter(number=9).exists()


def test_the_database_refuses_an_area_without_owner_too(town):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityArea.objects.create(
            township=town.township,
            grid=town.grids[0],
            grid_path=town.grids[0].path,
            number=10,
            name="河道",
            kind="river",
        )


def test_new_id_numbers_from_the_factory_are_valid():
    from core.idcard import validate_id_number

    assert validate_id_number(make_id_number())


@translation.override("en")
def test_constraint_messages_are_readable(town):
    household = town.households[0]
    with pytest.raises(ValidationError) as exc:
        services.create_resident(
            household=household, actor=None, name="王五", sex="M", relation="head"
        )
    assert "already has a head" in str(exc.value)
    taken = household.members.get().id_number
    with pytest.raises(ValidationError) as exc:
        services.create_resident(
            household=household, actor=None, name="王六", sex="M", id_number=taken
        )
    assert "ID number" in str(exc.value)
