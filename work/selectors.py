"""Reads of work lists, problems and tickets, limited to what the user may see."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core import tree
from places.models import Unit

from .access import Powers
from .models import Draw, Problem, Settings, Task, Ticket, Visit, WorkList

S = Problem.State


def problems(powers: Powers) -> QuerySet[Problem]:
    """Problems under the user's view paths (by grid or village), those they must rectify, and
    those they filed (a villager follows their own reports)."""
    return Problem.objects.filter(
        powers.units_q("grid_path", "village_path")
        | Q(responsible_id=powers.user_id)
        | Q(raised_by_id=powers.user_id)
    )


def problems_under(powers: Powers, unit: Unit) -> QuerySet[Problem]:
    """The visible problems at or under `unit` (a township, village, group or grid)."""
    qs = problems(powers)
    if unit.kind == Unit.Kind.TOWNSHIP:
        return qs.filter(township=unit)
    if unit.kind == Unit.Kind.GROUP:
        return qs.filter(group=unit)
    if unit.kind == Unit.Kind.GRID:
        return qs.filter(tree.under("grid_path", unit.path))
    return qs.filter(tree.under("village_path", unit.path))


def lists(powers: Powers) -> QuerySet[WorkList]:
    """Lists issued by a unit the user sees, or above it (a township's list reaches every grid)."""
    if powers.scope.is_superuser:
        return WorkList.objects.all()
    q = powers.units_q("unit_path")
    townships = powers.scope.township_ids
    if townships:
        q |= Q(township_id__in=townships, unit__kind=Unit.Kind.TOWNSHIP)
        q |= Q(township_id__in=townships, tasks__assignee_id=powers.user_id)
        q |= Q(
            pk__in=Task.objects.filter(powers.units_q("unit_path", "village_path")).values(
                "work_list"
            )
        )
    return WorkList.objects.filter(q).distinct()


def tasks(powers: Powers) -> QuerySet[Task]:
    return Task.objects.filter(
        powers.units_q("unit_path", "village_path") | Q(assignee_id=powers.user_id)
    )


def tickets(powers: Powers) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        powers.units_q("problem__grid_path", "problem__village_path")
        | Q(responsible_id=powers.user_id)
    )


def draws(powers: Powers) -> QuerySet[Draw]:
    return Draw.objects.filter(powers.units_q("unit_path"))


def visits(powers: Powers) -> QuerySet[Visit]:
    return Visit.objects.filter(powers.units_q("unit_path"))


def tickets_for_month(township: Unit, month: datetime.date) -> QuerySet[Ticket]:
    """Yellow and red tickets due in `month` in `township`: what the assessment deducts.

    For the assessment issue: one row per ticket with `colour`, `due_on`, the `grid` (the
    problem's grid, to deduct from) and the `responsible` person and the grid's `chief` as
    named on the ticket; a ticket counts in the month the rules called for it (`due_on`),
    whether or not it has ended since. Not limited by a scope: the caller is a job.
    """
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return (
        Ticket.objects.filter(
            township=township,
            colour__in=[Ticket.Colour.YELLOW, Ticket.Colour.RED],
            due_on__gte=start,
            due_on__lt=end,
        )
        .select_related("grid", "responsible", "chief", "problem")
        .order_by("due_on", "id")
    )


def reconciliation(qs: QuerySet[Problem], start: datetime.date, end: datetime.date, by: str):
    """对账销号 per village or group (`by`: "village" or "group") over [start, end].

    Per row: open at the start, opened, closed (销号), withdrawn in the period, overdue and
    still open at the end. One grouped query.
    """
    not_ended_by = lambda d: (  # noqa: E731 - a local helper reads better than a def here
        (Q(closed_on__isnull=True) | Q(closed_on__gt=d))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=d))
    )
    open_at_start = Q(raised_on__lt=start) & not_ended_by(start - datetime.timedelta(days=1))
    open_at_end = Q(raised_on__lte=end) & not_ended_by(end)
    return (
        qs.values(f"{by}_id", f"{by}__name", f"{by}__path")
        .annotate(
            open_at_start=Count("id", filter=open_at_start),
            opened=Count("id", filter=Q(raised_on__gte=start, raised_on__lte=end)),
            closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
            withdrawn=Count("id", filter=Q(withdrawn_on__gte=start, withdrawn_on__lte=end)),
            open_at_end=Count("id", filter=open_at_end),
            overdue=Count("id", filter=open_at_end & Q(deadline__lt=end)),
        )
        .order_by(f"{by}__path")
    )


def ledger_rows(qs: QuerySet[Problem]) -> list[list]:
    """The ledger in its usual columns (序号, 村, 组, 地点, 问题, 整改措施, 责任人, 时限, …)."""
    rows = qs.select_related("village", "group", "responsible").order_by(
        "village__path", "group__path", "raised_on", "id"
    )
    return [
        [
            index,
            p.village.name,
            p.group.name if p.group_id else "",
            p.place,
            p.description,
            p.requirement,
            str(p.responsible),
            p.deadline,
            p.get_state_display(),
            p.closed_on,
        ]
        for index, p in enumerate(rows, start=1)
    ]


def home_summary(powers: Powers) -> dict:
    """For the home page: my open tasks, my problems to rectify, what waits for my acceptance."""
    today = timezone.localdate()
    mine = Problem.objects.filter(responsible_id=powers.user_id, state__in=Problem.ACTIVE)
    summary = mine.aggregate(n=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
    if powers.can_accept:
        paths = () if powers.scope.is_superuser else powers.accept_paths
        q = (
            Q()
            if powers.scope.is_superuser
            else (tree.under_any("grid_path", paths) | tree.under_any("village_path", paths))
        )
        summary["to_accept"] = Problem.objects.filter(q, state=S.SUBMITTED).count()
        summary["tasks_to_confirm"] = tasks(powers).filter(state=Task.State.REPORTED).count()
    else:
        summary["to_accept"] = summary["tasks_to_confirm"] = 0
    summary["tasks"] = (
        tasks(powers).filter(state=Task.State.OPEN, work_list__state=WorkList.State.ISSUED).count()
    )
    return summary


def unit_counts(powers: Powers, unit: Unit) -> dict:
    today = timezone.localdate()
    return problems_under(powers, unit).aggregate(
        open=Count("id", filter=~Q(state__in=Problem.ENDED)),
        overdue=Count("id", filter=Q(state__in=Problem.ACTIVE, deadline__lt=today)),
        submitted=Count("id", filter=Q(state=S.SUBMITTED)),
    )


@dataclass(frozen=True)
class EscalationRules:
    """A township's three-colour rules (work.Settings), for other apps' escalations."""

    yellow_after_days: int
    red_after_days: int
    repeat_window_days: int


def escalation_rules(township: Unit) -> EscalationRules:
    """The township's escalation rules, or the defaults when it has none saved (writes nothing).

    The grievances app issues its tickets by these same rules (grievances/escalation.py).
    """
    fields = ("yellow_after_days", "red_after_days", "repeat_window_days")
    row = Settings.objects.filter(township=township).values(*fields).first()
    if row is None:
        row = {name: Settings._meta.get_field(name).get_default() for name in fields}
    return EscalationRules(**row)
