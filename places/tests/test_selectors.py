"""Scope-limited reads, and the claim that a subtree is one indexed range query."""

import pytest
from django.db import connection

from core import tree
from people.access import scope_for
from places import selectors
from places.models import Household


def test_grid_chief_sees_only_his_grid(town, bob):
    scope = scope_for(bob)
    seen = set(selectors.households(scope).values_list("pk", flat=True))
    expected = {h.pk for h in town.households if h.joint_id == town.joints[0].pk}
    assert seen == expected and expected


def test_village_committee_sees_its_village_by_groups_and_grids(town):
    from conftest import _persona

    carol = _persona("carol", "village_committee", unit=town.villages[1])
    scope = scope_for(carol)
    seen = set(selectors.households(scope).values_list("pk", flat=True))
    assert seen == {h.pk for h in town.households if h.group.village_id == town.villages[1].pk}
    grid_ids = set(selectors.units(scope).filter(kind="grid").values_list("pk", flat=True))
    assert {town.grids[2].pk, town.grids[3].pk} <= grid_ids
    assert town.grids[0].pk not in grid_ids


def test_villager_sees_only_his_household(town, dave):
    scope = scope_for(dave)
    assert list(selectors.households(scope)) == [town.households[0]]
    assert not selectors.units(scope).exists()


def test_outsider_sees_nothing_of_another_township(town, eve):
    scope = scope_for(eve)
    assert not selectors.households(scope).filter(township=town.township).exists()
    assert selectors.households(scope).exists()


def test_ended_assignments_grant_nothing(town, bob):
    import datetime

    from people import services
    from people.access import forget_scope

    assignment = bob.assignments.get()
    yesterday = assignment.start_date - datetime.timedelta(days=1)
    assignment.start_date = yesterday
    assignment.save()
    services.end_assignment(assignment=assignment, actor=None, end_date=yesterday)
    forget_scope(bob)
    assert not selectors.households(scope_for(bob)).exists()


def test_search_by_name_and_id_tail(town, alice):
    resident = town.households[5].members.get()
    scope = scope_for(alice)
    assert resident in selectors.search(scope, resident.id_number[-6:])
    assert resident in selectors.search(scope, resident.name)
    assert resident not in selectors.search(scope_for_user(town, "bob"), resident.id_number[-6:])


def scope_for_user(town, username):
    from conftest import _persona

    return scope_for(_persona(username, "grid_chief", unit=town.grids[3]))


@pytest.mark.parametrize("field", ["group_path", "joint_path"])
def test_subtree_filter_is_an_indexed_range(town, field):
    queryset = Household.objects.filter(tree.under(field, town.villages[0].path))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and field in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX" in plan and field in plan


def test_under_matches_exactly_the_subtree():
    assert tree.next_prefix("00010002") == "00010003"
    assert tree.next_prefix("00019999") == "00020000"
    assert tree.collapse(["0001", "00010002", "0002"]) == ["0001", "0002"]
