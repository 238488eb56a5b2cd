"""Reads of grievances, limited by a Scope; the figures officials report and their records.

The figures of a unit over the period [start, end] (dates, Asia/Shanghai, both ends included),
counted over the grievances that arose at or under the unit (either tree) and that the scope may
see. Each figure is a count of grievance rows; `records(figure=...)` lists exactly those rows:

- received: received_on (the intake date) in the period (受理/收集);
- concluded: state is "concluded" now and concluded_on (its latest conclusion) in the period
  (办结); a grievance reopened and not concluded again is not counted;
- concluded_on_time: concluded (as above) with concluded_on <= deadline (no deadline: on time);
- overdue_open: still open today with a deadline before min(end, today): past its deadline at
  the end of the period (or today, for a running period) and not concluded yet; the period's
  start does not limit it (an overdue backlog is reported whenever it arose);
- rated: concluded (as above) and carrying the person's rating of that conclusion;
- satisfied / basically_satisfied / not_satisfied: rated with that rating;
- satisfaction_rate: (satisfied + basically_satisfied) / rated x 100, a Decimal with one decimal
  (half up), None when nothing is rated; its records are the rated ones.
A reopened grievance loses its rating (kept in its history) and is rated again when concluded.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from core import tree
from core.scope import CHANGE, MANAGE, VIEW, Scope

from .access import place_q, subtree_q, visible_q
from .models import DutyShift, Grievance, Settings, Ticket

FIGURES = (
    "received",
    "concluded",
    "concluded_on_time",
    "overdue_open",
    "rated",
    "satisfied",
    "basically_satisfied",
    "not_satisfied",
    "satisfaction_rate",
)
COUNTS = FIGURES[:-1]

R = Grievance.Rating
S = Grievance.State


def visible(scope: Scope) -> QuerySet[Grievance]:
    """Every grievance `scope` may see."""
    return Grievance.objects.filter(visible_q(scope))


def detail(scope: Scope) -> QuerySet[Grievance]:
    return with_ticket(visible(scope)).select_related(
        "unit",
        "assigned_unit",
        "assignee",
        "recorded_by",
        "resident",
        "household",
        "duty__leader",
        "township",
    )


def with_ticket(qs: QuerySet[Grievance]) -> QuerySet[Grievance]:
    """Annotate `ticket_colour`: the highest colour of the grievance's open supervision tickets
    (red, yellow, white; None without one), in the same query."""
    rank = Case(When(colour="red", then=3), When(colour="yellow", then=2), default=1)
    top = (
        Ticket.objects.filter(grievance=OuterRef("pk"), ended_on__isnull=True)
        .annotate(rank=rank)
        .order_by("-rank")
        .values("colour")[:1]
    )
    return qs.annotate(ticket_colour=Subquery(top))


def listing(scope: Scope) -> QuerySet[Grievance]:
    return with_ticket(
        visible(scope).select_related("unit", "assigned_unit", "assignee", "resident")
    )


def tickets(grievance: Grievance) -> QuerySet[Ticket]:
    """The grievance's supervision tickets (the caller has checked it may see the grievance)."""
    return grievance.tickets.select_related("unit", "responsible").order_by("due_on", "id")


def figure_q(figure: str, start: datetime.date, end: datetime.date, today=None) -> Q:
    """The condition of one figure (see the module docstring)."""
    today = today or timezone.localdate()
    concluded = Q(state=S.CONCLUDED, concluded_on__gte=start, concluded_on__lte=end)
    rated = concluded & ~Q(rating="")
    conditions = {
        "received": Q(received_on__gte=start, received_on__lte=end),
        "concluded": concluded,
        "concluded_on_time": concluded
        & (Q(deadline__isnull=True) | Q(deadline__gte=F("concluded_on"))),
        "overdue_open": ~Q(state=S.CONCLUDED) & Q(deadline__lt=min(end, today)),
        "rated": rated,
        "satisfied": rated & Q(rating=R.SATISFIED),
        "basically_satisfied": rated & Q(rating=R.BASIC),
        "not_satisfied": rated & Q(rating=R.NOT),
        "satisfaction_rate": rated,
    }
    return conditions[figure]


def _sees_whole_township(scope: Scope, unit) -> bool:
    """MANAGE (and so VIEW) on the unit's township: every grievance under it is visible, as
    grievances are only placed and assigned within their township; the scope filter is then
    left out of the query (it is the costly part of a township's report)."""
    if scope.is_superuser:
        return True
    township = unit if unit.kind == "township" else unit.township
    return (
        township is not None
        and scope.covers(township.path, MANAGE)
        and scope.covers(township.path, VIEW)
    )


def _base(scope: Scope, unit, petition: bool | None) -> QuerySet[Grievance]:
    if _sees_whole_township(scope, unit):
        qs = Grievance.objects.filter(subtree_q(unit))
    else:
        qs = visible(scope).filter(subtree_q(unit))
    if petition is not None:
        qs = qs.filter(is_petition=petition)
    return qs


def rate(good: int, rated: int) -> Decimal | None:
    if not rated:
        return None
    return (Decimal(100 * good) / Decimal(rated)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def figures(
    *,
    scope: Scope,
    unit,
    start: datetime.date,
    end: datetime.date,
    petition: bool | None = None,
) -> dict[str, int | Decimal | None]:
    """Grievance figures for `unit`'s subtree over [start, end], limited to what `scope` may see.

    `petition`: None counts grievances and petitions together, True only petitions (信访),
    False only ordinary grievances (诉求). One SQL query.
    """
    today = timezone.localdate()
    result: dict[str, int | Decimal | None] = dict(
        _base(scope, unit, petition).aggregate(
            **{name: Count("pk", filter=figure_q(name, start, end, today)) for name in COUNTS}
        )
    )
    result["satisfaction_rate"] = rate(
        int(result["satisfied"] or 0) + int(result["basically_satisfied"] or 0),
        int(result["rated"] or 0),
    )
    return result


def records(
    *,
    scope: Scope,
    unit,
    start: datetime.date,
    end: datetime.date,
    figure: str,
    petition: bool | None = None,
) -> QuerySet[Grievance]:
    """Exactly the grievances counted by `figure` in `figures(...)` with the same arguments."""
    if figure not in FIGURES:
        raise ValueError(figure)
    return with_ticket(
        _base(scope, unit, petition)
        .filter(figure_q(figure, start, end))
        .select_related("unit", "assigned_unit", "assignee", "resident")
    )


def overdue(*, township, on: datetime.date) -> QuerySet[Grievance]:
    """Open grievances of `township` past their deadline on `on`, with who is responsible.

    Not limited by a scope: for the escalation job (three-colour tickets of the `work` app).
    """
    return (
        Grievance.objects.filter(township=township, deadline__lt=on)
        .exclude(state=S.CONCLUDED)
        .select_related("assigned_unit", "assignee", "unit")
        .order_by("deadline", "id")
    )


def to_handle(scope: Scope) -> QuerySet[Grievance]:
    """Open grievances the user is responsible for, or that their units must handle/assign."""
    if scope.user_id is None:
        return Grievance.objects.none()
    change = scope.paths_for(CHANGE)
    manage = scope.paths_for(MANAGE)
    mine = Q(assignee_id=scope.user_id)
    if not scope.is_superuser:
        units = (
            Q(is_petition=False)
            & (tree.under_any("assigned_path", change) | (Q(assigned_path="") & place_q(change)))
        ) | (
            Q(is_petition=True)
            & (tree.under_any("assigned_path", manage) | (Q(assigned_path="") & place_q(manage)))
        )
        mine |= units
    else:
        mine = Q()
    return listing(scope).filter(mine).exclude(state=S.CONCLUDED).order_by("deadline", "id")


def of_household(scope: Scope, household) -> QuerySet[Grievance]:
    return listing(scope).filter(household=household)


def settings_for(township) -> Settings:
    """The township's grievance settings, created with the defaults on first use."""
    settings, _created = Settings.objects.get_or_create(township=township)
    return settings


def duty_shifts(scope: Scope, start: datetime.date, end: datetime.date) -> QuerySet[DutyShift]:
    """Duty shifts at units the scope may view (and one's own), with their receptions counted."""
    qs = DutyShift.objects.filter(date__gte=start, date__lte=end)
    if not scope.is_superuser:
        qs = qs.filter(
            tree.under_any("unit_path", scope.paths_for(VIEW)) | Q(leader_id=scope.user_id)
        )
    return (
        qs.select_related("unit", "leader")
        .annotate(received=Count("grievances"))
        .order_by("date", "unit_path", "id")
    )


def duty_today(user, on: datetime.date) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(leader=user, date=on).select_related("unit")
