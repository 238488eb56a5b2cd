"""people.access: which capability each role gives, on which part of the tree."""

import pytest

from core.scope import CHANGE, MANAGE, VIEW
from people.access import can_change_household, can_view_household, can_view_identity, scope_for


def test_township_secretary_manages_the_whole_township(town, alice):
    scope = scope_for(alice)
    for cap in (VIEW, CHANGE, MANAGE):
        assert scope.covers(town.grids[3].path, cap)
        assert scope.covers(town.groups[0].path, cap)


def test_grid_chief_changes_his_grid_but_manages_nothing(town, bob):
    scope = scope_for(bob)
    assert scope.covers(town.joints[0].path, CHANGE)
    assert not scope.covers(town.joints[2].path, VIEW)
    assert not scope.can(MANAGE)


def test_villager_views_own_household_only(town, dave):
    scope = scope_for(dave)
    assert can_view_household(scope, town.households[0])
    assert not can_view_household(scope, town.households[1])
    assert not can_change_household(scope, town.households[0])


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_officials_in_scope_may_see_identity(town, persona, request):
    user = request.getfixturevalue(persona)
    assert can_view_identity(user, town.households[0].members.get())


def test_identity_is_hidden_from_others(town, charlie, eve, dave):
    resident = town.households[0].members.get()
    assert not can_view_identity(charlie, resident)
    assert not can_view_identity(eve, resident)
    assert can_view_identity(dave, resident)  # his own record
    assert not can_view_identity(dave, town.households[1].members.get())


def test_inactive_user_has_no_scope(town, alice):
    alice.is_active = False
    alice.save()
    alice.refresh_from_db()
    assert not scope_for(alice).can()
