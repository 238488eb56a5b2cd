"""The only home of access checks: who may see or change which part of the tree."""

from django.utils import timezone

from core.errors import NotInScope
from core.scope import CHANGE, MANAGE, NOTHING, PROPOSE, REVIEW, VIEW, Scope

from .models import Role, RoleAssignment

ROLE_CAPS = {
    Role.COUNTY_ADMIN: (VIEW, CHANGE, MANAGE),
    Role.TOWNSHIP_SECRETARY: (VIEW, CHANGE, MANAGE, PROPOSE),
    Role.TOWNSHIP_HEAD: (VIEW, CHANGE, MANAGE, PROPOSE),
    Role.TOWNSHIP_LEADER: (VIEW, CHANGE, PROPOSE),
    Role.VILLAGE_COMMITTEE: (VIEW, CHANGE, MANAGE, PROPOSE),
    Role.GRID_CHIEF: (VIEW, CHANGE, PROPOSE),
    Role.GRID_MEMBER: (VIEW, CHANGE, PROPOSE),
    Role.JOINT_HEAD: (VIEW, PROPOSE),
    Role.PARTY_MEMBER: (VIEW,),
    Role.SUPERVISOR: (VIEW,),
    Role.KEEPER: (VIEW,),
    Role.VILLAGER: (),
}


def active_assignments(user, day=None):
    """The user's assignments in force on `day` (today by default)."""
    day = day or timezone.localdate()
    return (
        RoleAssignment.objects.filter(user=user, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("unit", "household", "township__config")
    )


def scope_for(user) -> Scope:
    """The Scope of `user`, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_xiangzhi_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(user_id=user.pk, is_superuser=True)
    else:
        paths: dict[str, set[str]] = {cap: set() for cap in (VIEW, CHANGE, MANAGE, PROPOSE, REVIEW)}
        household_ids: set[int] = set()
        townships: set[int] = set()
        for assignment in active_assignments(user):
            if assignment.township_id:
                townships.add(assignment.township_id)
            if assignment.role == Role.VILLAGER:
                household_ids.add(assignment.household_id)
                continue
            for cap in ROLE_CAPS[Role(assignment.role)]:
                paths[cap].add(assignment.unit.path)
            if assignment.role in _points_reviewers(assignment):
                paths[REVIEW].add(assignment.unit.path)
        scope = Scope(
            user_id=user.pk,
            paths={cap: tuple(sorted(values)) for cap, values in paths.items()},
            household_ids=tuple(sorted(household_ids)),
            township_ids=tuple(sorted(townships)),
        )
    user._xiangzhi_scope = scope
    return scope


def _points_reviewers(assignment) -> tuple[str, ...]:
    """Which roles review proposed points in the assignment's township (its configuration)."""
    township = assignment.township
    config = getattr(township, "config", None) if township is not None else None
    return tuple(config.points_reviewers or ()) if config is not None else ()


def forget_scope(user) -> None:
    """Drop the cached scope after the user's assignments change."""
    if hasattr(user, "_xiangzhi_scope"):
        del user._xiangzhi_scope


def require(scope: Scope, path: str, cap: str = VIEW) -> None:
    """Raise NotInScope (a 404) unless the unit at `path` lies in the scope for `cap`."""
    if not scope.covers(path, cap):
        raise NotInScope()


def can_change_household(scope: Scope, household, cap: str = CHANGE) -> bool:
    return scope.covers_household(household.group_path, household.joint_path, cap)


def can_view_household(scope: Scope, household) -> bool:
    return household.pk in scope.household_ids or can_change_household(scope, household, VIEW)


def can_view_identity(user, resident) -> bool:
    """Full ID and phone: the resident themself, or an official who may change the household."""
    if getattr(user, "resident_id", None) == resident.pk:
        return True
    return can_change_household(scope_for(user), resident.household)
