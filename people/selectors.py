"""Reads of role assignments, always limited by a Scope (see people.access.scope_for)."""

import datetime

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from core.scope import VIEW, Scope
from places.models import Household, Unit

from .models import Role, RoleAssignment


def _active_q(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def assignments(scope: Scope, cap: str = VIEW) -> QuerySet[RoleAssignment]:
    """Assignments on a unit or household the scope may see, each marked `is_current`."""
    visible = scope.units_q(cap, prefix="unit__") | scope.households_q(cap, prefix="household__")
    return (
        RoleAssignment.objects.filter(visible)
        .select_related("user", "unit", "household", "granted_by")
        .annotate(is_current=ExpressionWrapper(_active_q(timezone.localdate()), BooleanField()))
    )


def assignments_on(scope: Scope, unit: Unit) -> QuerySet[RoleAssignment]:
    """Every role held on `unit`, current and past: open-ended ones first, then newest."""
    return (
        assignments(scope)
        .filter(unit=unit)
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "id")
    )


# Roles that answer for the households of a grid (the township's leaders are level-1 grid chiefs).
GRID_ROLES = (
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD,
    Role.TOWNSHIP_LEADER,
    Role.GRID_CHIEF,
    Role.GRID_MEMBER,
    Role.JOINT_HEAD,
    Role.PARTY_MEMBER,
)


def responsible_for(household: Household) -> QuerySet[RoleAssignment]:
    """Who answers for a household today: roles on its 联户 and every grid above it.

    Nearest first.
    """
    joint = household.joint
    paths = [*joint.ancestor_paths(), joint.path]
    return (
        RoleAssignment.objects.filter(
            _active_q(timezone.localdate()), unit__path__in=paths, role__in=GRID_ROLES
        )
        .select_related("user", "unit")
        .order_by("-unit__path", "role", "id")
    )
