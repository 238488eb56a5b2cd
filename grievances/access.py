"""Who may see a grievance, who may see the person behind it, and who may act on it.

Built on people.access / core.scope. The rules (docs: /tmp/xz/grievances-arch.md):

Seeing a grievance (that it exists, what is asked, its handling):
- an ordinary grievance (诉求): anyone with VIEW on its place (the grid, 联户, village or group it
  arose in) or on its responsible unit; its recorder, its responsible person; the villager of
  its household and the person themself;
- a petition (信访): only the handling chain — VIEW on the responsible unit, MANAGE on the place
  while unassigned — its recorder, its responsible person and the petitioner. A petition often
  complains about the local cadres, so the grid and village of its place do not see it.

Seeing the person's identity (name, phone, ID number):
- an ordinary grievance: the person themself (and their household's villager login), the
  recorder, the responsible person, and officials with CHANGE on the responsible unit (on the
  place while unassigned): the handlers and their superiors. VIEW-only roles (party members,
  supervisors, keepers) and the grid of the place after a hand-over see "张*三" and masked phones;
- a petition: the petitioner, the recorder, the responsible person and MANAGE on the responsible
  unit (township secretary/head; the village committee when a village handles it). Everyone else
  sees "匿名" (anonymous).

Acting (assign, note, reply, conclude, record a rating, reopen): the responsible person, or
CHANGE on the responsible unit (MANAGE for petitions); while unassigned, the same on the place.
The person rates (and may reopen after "not satisfied") from their own login.
"""

from django.db.models import Q

from core import tree
from core.scope import CHANGE, MANAGE, VIEW, Scope

from .models import Grievance


def place_q(paths, prefix: str = "") -> Q:
    """Grievances whose place lies under any of `paths`, in either tree."""
    return (
        tree.under_any(f"{prefix}unit_path", paths)
        | tree.under_any(f"{prefix}village_path", paths)
        | tree.under_any(f"{prefix}group_path", paths)
    )


def subtree_q(unit) -> Q:
    """Grievances that arose at or under `unit` (grid tree or administrative tree).

    Under a township, county, grid or 联户 only the place's own path can lie there (village and
    group paths are never under a grid), so one range does; villages and groups also count
    the grievances of their households placed in the grid tree.
    """
    if unit.kind in ("county", "township", "grid", "joint"):
        return tree.under("unit_path", unit.path)
    return place_q([unit.path])


def _mine(scope: Scope) -> Q:
    if scope.user_id is None:
        return Q(pk__in=[])
    return (
        Q(recorded_by_id=scope.user_id)
        | Q(assignee_id=scope.user_id)
        | Q(person_user_id=scope.user_id)
    )


def visible_q(scope: Scope) -> Q:
    """The grievances `scope` may see at all (see the module docstring)."""
    if scope.is_superuser:
        return Q()
    view = scope.paths_for(VIEW)
    assigned = tree.under_any("assigned_path", view)
    ordinary = place_q(view) | assigned
    if scope.household_ids:
        ordinary |= Q(household_id__in=scope.household_ids)
    petition = assigned | (Q(assigned_path="") & place_q(scope.paths_for(MANAGE)))
    return (Q(is_petition=False) & ordinary) | (Q(is_petition=True) & petition) | _mine(scope)


def _covers_place(scope: Scope, grievance: Grievance, cap: str) -> bool:
    return any(
        path and scope.covers(path, cap)
        for path in (grievance.unit_path, grievance.village_path, grievance.group_path)
    )


def _covers_handling(scope: Scope, grievance: Grievance, cap: str) -> bool:
    """`cap` over the responsible unit, or over the place while nobody is responsible."""
    if grievance.assigned_path:
        return scope.covers(grievance.assigned_path, cap)
    return _covers_place(scope, grievance, cap)


def _handler_cap(grievance: Grievance) -> str:
    return MANAGE if grievance.is_petition else CHANGE


def is_person(scope: Scope, grievance: Grievance) -> bool:
    """The person who raised it (their own login), or their household's villager login."""
    if scope.user_id is None:
        return False
    if grievance.person_user_id == scope.user_id:
        return True
    return (
        not grievance.is_petition
        and grievance.household_id is not None
        and grievance.household_id in scope.household_ids
    )


def can_handle(scope: Scope, grievance: Grievance) -> bool:
    if scope.user_id is None:
        return False
    if scope.user_id == grievance.assignee_id:
        return True
    return _covers_handling(scope, grievance, _handler_cap(grievance))


def can_see_identity(scope: Scope, grievance: Grievance) -> bool:
    if scope.user_id is None:
        return False
    if scope.user_id in (grievance.recorded_by_id, grievance.assignee_id):
        return True
    return is_person(scope, grievance) or can_handle(scope, grievance)


def can_rate_own(scope: Scope, grievance: Grievance) -> bool:
    return is_person(scope, grievance)


def can_see_tickets(scope: Scope, grievance: Grievance) -> bool:
    """The supervision tickets are the officials' business: everyone who sees the grievance
    except the person who raised it (unless they also handle it)."""
    return can_handle(scope, grievance) or not is_person(scope, grievance)
