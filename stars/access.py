"""Who may act in star evaluation, built on people.access (the home of access checks).

- fill a self-evaluation: the household's head (own login) or an official who may change the
  household (the micro-grid chief fills it with the household on a phone);
- confirm: only the household head;
- group evaluation (小组评星): anyone who may propose points for the household (grid chiefs and
  members, 联户长, the village and township), but not the person who filled the form;
- vote, objections, withdrawals, pairings (两委 and township): MANAGE on the village;
- rounds (campaigns): MANAGE on the township;
- revisits: the paired member or an official who may change the household; inspections
  (督查): the township's supervisors or MANAGE on the village.
Seeing a household (people.access.can_view_household) decides 404; the action decides 403.
"""

from core.scope import CHANGE, MANAGE, PROPOSE, Scope
from people import access
from people.models import Role

from .models import Pairing, Visit


def can_view(scope: Scope, household) -> bool:
    return access.can_view_household(scope, household)


def may_fill(scope: Scope, household) -> bool:
    return household.pk in scope.household_ids or access.can_change_household(
        scope, household, CHANGE
    )


def may_evaluate(scope: Scope, claim) -> bool:
    household = claim.household
    return access.can_change_household(scope, household, PROPOSE)


def may_manage_village(scope: Scope, village) -> bool:
    return scope.covers(village.path, MANAGE)


def may_run_campaigns(scope: Scope, township) -> bool:
    return scope.covers(township.path, MANAGE)


def is_supervisor_of(user, township_id) -> bool:
    return any(
        a.role == Role.SUPERVISOR and a.township_id == township_id
        for a in access.active_assignments(user)
    )


def is_paired(user, household) -> bool:
    return Pairing.objects.filter(member=user, household=household, end_date__isnull=True).exists()


def may_visit(user, scope: Scope, household, kind: str) -> bool:
    if kind == Visit.Kind.INSPECTION:
        return is_supervisor_of(user, household.township_id) or may_manage_village(
            scope, household.group.village
        )
    return is_paired(user, household) or access.can_change_household(scope, household, CHANGE)


def can_see(user, scope: Scope, household) -> bool:
    """Seeing a household's stars: as the household page, or as its paired member."""
    return can_view(scope, household) or is_paired(user, household)
