"""Who may do what with work lists, problems and tickets, built on people.access.

Seeing follows the Scope (VIEW over the grid or the village), plus one's own problems and
tasks as the responsible person. Acting needs more than the Scope's caps say, because grid
members and chiefs both hold CHANGE: accepting (验收, 销号) and confirming is for chiefs and
above; supervising (督促, 随机考核, 三必问, ticket follow-up) for the township and its
supervision team.
"""

from dataclasses import dataclass

from django.db.models import Q

from core import tree
from core.scope import CHANGE, MANAGE, VIEW, Scope
from people import access
from people.models import Role
from places.models import Household

ACCEPT_ROLES = (
    Role.COUNTY_ADMIN,
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD,
    Role.TOWNSHIP_LEADER,
    Role.VILLAGE_COMMITTEE,
    Role.GRID_CHIEF,
)
SUPERVISE_ROLES = (
    Role.COUNTY_ADMIN,
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD,
    Role.TOWNSHIP_LEADER,
    Role.SUPERVISOR,
)


@dataclass(frozen=True)
class Powers:
    """A user's Scope plus the paths where they accept and where they supervise."""

    scope: Scope
    accept_paths: tuple[str, ...]
    supervise_paths: tuple[str, ...]

    @property
    def user_id(self):
        return self.scope.user_id

    def _covers(self, paths, *unit_paths) -> bool:
        if self.scope.is_superuser:
            return True
        return any(p and p.startswith(s) for p in unit_paths for s in paths)

    def sees(self, *unit_paths) -> bool:
        return self._covers(self.scope.paths_for(VIEW), *unit_paths)

    def changes(self, *unit_paths) -> bool:
        return self._covers(self.scope.paths_for(CHANGE), *unit_paths)

    def manages(self, *unit_paths) -> bool:
        return self._covers(self.scope.paths_for(MANAGE), *unit_paths)

    def accepts(self, *unit_paths) -> bool:
        return self._covers(self.accept_paths, *unit_paths)

    def supervises(self, *unit_paths) -> bool:
        return self._covers(self.supervise_paths, *unit_paths)

    @property
    def can_supervise(self) -> bool:
        return self.scope.is_superuser or bool(self.supervise_paths)

    @property
    def can_accept(self) -> bool:
        return self.scope.is_superuser or bool(self.accept_paths)

    def units_q(self, *fields: str, cap: str = VIEW) -> Q:
        """Rows whose path `fields` lie under a scope path for `cap`."""
        if self.scope.is_superuser:
            return Q()
        paths = self.scope.paths_for(cap)
        query = Q(pk__in=[])
        for field in fields:
            query |= tree.under_any(field, paths)
        return query


def powers_for(user) -> Powers:
    """The user's Powers, computed once per request (cached on the user object)."""
    cached = getattr(user, "_xiangzhi_work_powers", None)
    if cached is not None:
        return cached
    scope = access.scope_for(user)
    accept, supervise = set(), set()
    if scope.user_id is not None and not scope.is_superuser:
        for assignment in access.active_assignments(user):
            if assignment.unit_id is None:
                continue
            if assignment.role in ACCEPT_ROLES:
                accept.add(assignment.unit.path)
            if assignment.role in SUPERVISE_ROLES:
                supervise.add(assignment.unit.path)
    powers = Powers(scope, tuple(sorted(accept)), tuple(sorted(supervise)))
    if scope.user_id is not None:
        user._xiangzhi_work_powers = powers
    return powers


def problem_paths(problem) -> tuple[str, str]:
    return problem.grid_path, problem.village_path


def may_view_problem(powers: Powers, problem) -> bool:
    return problem.responsible_id == powers.user_id or powers.sees(*problem_paths(problem))


def may_work_on_problem(powers: Powers, problem) -> bool:
    """Start and submit the rectification: the responsible person or the grid's people."""
    return problem.responsible_id == powers.user_id or powers.changes(*problem_paths(problem))


def may_accept_problem(powers: Powers, problem) -> bool:
    return powers.accepts(*problem_paths(problem))


def may_withdraw_problem(powers: Powers, problem) -> bool:
    return problem.raised_by_id == powers.user_id or powers.manages(*problem_paths(problem))


def may_raise_problem(powers: Powers, grid_path: str, village_path: str) -> bool:
    return powers.changes(grid_path, village_path) or powers.supervises(grid_path, village_path)


def lives_in(powers: Powers, grid_path: str) -> bool:
    """A villager reports problems of the grid their household lies in (source "villager")."""
    if not powers.scope.household_ids:
        return False
    return Household.objects.filter(
        tree.under("joint_path", grid_path), pk__in=powers.scope.household_ids
    ).exists()


def may_follow_up_ticket(powers: Powers, ticket) -> bool:
    return powers.supervises(ticket.problem.grid_path, ticket.problem.village_path)


def task_paths(task) -> tuple[str, str]:
    return task.unit_path, task.village_path


def may_view_task(powers: Powers, task) -> bool:
    return task.assignee_id == powers.user_id or powers.sees(*task_paths(task))


def may_report_task(powers: Powers, task) -> bool:
    return task.assignee_id == powers.user_id or powers.changes(*task_paths(task))


def may_confirm_task(powers: Powers, task) -> bool:
    return powers.accepts(*task_paths(task))


def may_issue_list(powers: Powers, unit) -> bool:
    """A township or a village issues its own month's list: MANAGE over it."""
    return powers.manages(unit.path)
