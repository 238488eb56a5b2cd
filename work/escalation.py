"""Three-colour supervision (三色督办): the daily escalation, set-based.

For each township, with its `Settings` (defaults 3 and 7 days, a 30-day window), on day D:

- white  (reason overdue): an open or rectifying problem whose deadline is before D gets a
  white ticket due the day after its deadline;
- yellow (reason second): a white ticket W of person P is "a second white" when P already has
  another white ticket in the same township, on another problem, due within the
  `repeat_window_days` days up to W's due date (inclusive; on the same day the lower problem id
  counts as the first). W's problem gets a yellow ticket due the same day as W;
- yellow (reason days): otherwise a yellow ticket is due `yellow_after_days` after the white;
- red: the same two rules one colour up (a second yellow, or `red_after_days` after the yellow).

Townships are independent (the window counts a person's tickets of one township), and within
one all whites are written before the yellows and the yellows before the reds, so the result
does not depend on the order of the statements or the townships. Due dates are computed from
the deadline and the earlier ticket's due date, not from the day escalate happens to run, so a
missed day is caught up with the same dates and D's results do not depend on the run history.
Each rule is one INSERT … SELECT; `ON CONFLICT DO NOTHING` with the unique (problem, colour)
constraint makes a second run the same day (or a concurrent one) create nothing. Only problems
still open or rectifying escalate (a submitted rectification waits for its acceptance, not for
the responsible person). Tickets end when the problem is closed or withdrawn (transition()
ends them at once; the last statement here is a safety net).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from people.models import RoleAssignment
from places.models import Unit

from . import services
from .models import Problem, Ticket

ACTIVE = "('open', 'rectifying')"
ENDED = "('closed', 'withdrawn')"


# The "is there already a ticket" checks are scalar subqueries with LIMIT 1, not [NOT] EXISTS:
# PostgreSQL turns EXISTS into a join planned from the table's statistics, and right after a
# first run filled an empty work_ticket those say "empty", which gave a nested loop over every
# ticket per problem (quadratic). A scalar subquery is always one index look-up per row, on the
# unique (problem, colour) index or on (responsible, colour, due_on).


def _plus(expr: str, days: int) -> str:
    """SQL for the date `expr` plus `days` (an int), on SQLite and PostgreSQL alike."""
    days = int(days)
    if connection.vendor == "postgresql":
        return f"({expr} + ({days}))"
    return f"date({expr}, '{days:+d} days')"


def _chiefs_sql() -> str:
    """The grid chief in office on %(today)s (the earliest appointed) of each grid of the
    township: a derived table joined once, not a subquery per problem."""
    table = RoleAssignment._meta.db_table
    return f"""
        (SELECT unit_id, user_id FROM (
            SELECT ra.unit_id, ra.user_id, ROW_NUMBER() OVER (
                       PARTITION BY ra.unit_id ORDER BY ra.start_date, ra.id) AS n
            FROM {table} ra
            WHERE ra.township_id = %(township)s AND ra.role = 'grid_chief'
              AND ra.start_date <= %(today)s
              AND (ra.end_date IS NULL OR ra.end_date >= %(today)s)) ranked
         WHERE n = 1)"""


COLUMNS = (
    "township_id, problem_id, colour, reason, due_on, issued_on, grid_id, responsible_id, "
    "chief_id, interview_note, accountability, created_at"
)


def _white_sql() -> str:
    return f"""
        INSERT INTO work_ticket ({COLUMNS})
        SELECT p.township_id, p.id, 'white', 'overdue', {_plus("p.deadline", 1)}, %(today)s,
               p.grid_id, p.responsible_id, c.user_id, '', '', %(now)s
        FROM work_problem p LEFT JOIN {_chiefs_sql()} c ON c.unit_id = p.grid_id
        WHERE p.township_id = %(township)s AND p.state IN {ACTIVE} AND p.deadline < %(today)s
          AND (SELECT 1 FROM work_ticket t
               WHERE t.problem_id = p.id AND t.colour = 'white' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


def _second_sql(lower: str, upper: str, window: int) -> str:
    """`upper` tickets for problems whose `lower` ticket is the person's second in the window."""
    return f"""
        INSERT INTO work_ticket ({COLUMNS})
        SELECT w.township_id, w.problem_id, '{upper}', 'second', w.due_on, %(today)s,
               w.grid_id, w.responsible_id, w.chief_id, '', '', %(now)s
        FROM work_ticket w JOIN work_problem p ON p.id = w.problem_id
        WHERE w.township_id = %(township)s AND w.colour = '{lower}' AND p.state IN {ACTIVE}
          AND (SELECT 1 FROM work_ticket e
               WHERE e.responsible_id = w.responsible_id AND e.colour = '{lower}'
                 AND e.township_id = w.township_id
                 AND e.problem_id <> w.problem_id
                 AND e.due_on >= {_plus("w.due_on", -window)}
                 AND (e.due_on < w.due_on
                      OR (e.due_on = w.due_on AND e.problem_id < w.problem_id))
               LIMIT 1) IS NOT NULL
          AND (SELECT 1 FROM work_ticket t
               WHERE t.problem_id = w.problem_id AND t.colour = '{upper}' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


def _days_sql(lower: str, upper: str, days: int) -> str:
    """`upper` tickets `days` after the `lower` ticket's due date."""
    return f"""
        INSERT INTO work_ticket ({COLUMNS})
        SELECT w.township_id, w.problem_id, '{upper}', 'days', {_plus("w.due_on", days)},
               %(today)s, w.grid_id, w.responsible_id, w.chief_id, '', '', %(now)s
        FROM work_ticket w JOIN work_problem p ON p.id = w.problem_id
        WHERE w.township_id = %(township)s AND w.colour = '{lower}' AND p.state IN {ACTIVE}
          AND w.due_on <= %(cutoff)s
          AND (SELECT 1 FROM work_ticket t
               WHERE t.problem_id = w.problem_id AND t.colour = '{upper}' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


END_SQL = f"""
    UPDATE work_ticket SET ended_on = %(today)s
    WHERE township_id = %(township)s AND ended_on IS NULL
      AND (SELECT p.state FROM work_problem p WHERE p.id = work_ticket.problem_id) IN {ENDED}
"""


@dataclass
class Result:
    day: datetime.date
    created: dict[str, int] = field(default_factory=lambda: {"white": 0, "yellow": 0, "red": 0})
    ended: int = 0
    announced: int = 0


def escalate(*, day: datetime.date | None = None, townships=None, notify: bool = True) -> Result:
    """Apply every township's escalation rules for `day` (today in Asia/Shanghai by default)."""
    day = day or timezone.localdate()
    result = Result(day)
    if townships is None:
        townships = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("path")
    for township in townships:
        created, ended, announced = escalate_township(township=township, day=day, notify=notify)
        for colour, count in created.items():
            result.created[colour] += count
        result.ended += ended
        result.announced += announced
    return result


@transaction.atomic
def escalate_township(
    *, township: Unit, day: datetime.date, notify: bool = True
) -> tuple[dict, int, int]:
    settings = services.settings_for(township)
    window = settings.repeat_window_days
    ops = connection.ops
    params = {
        "township": township.pk,
        "today": ops.adapt_datefield_value(day),
        "now": ops.adapt_datetimefield_value(timezone.now()),
    }
    created = {}
    with connection.cursor() as cursor:
        cursor.execute(_white_sql(), params)
        created["white"] = cursor.rowcount
        yellow = red = 0
        cursor.execute(_second_sql("white", "yellow", window), params)
        yellow += cursor.rowcount
        cutoff = day - datetime.timedelta(days=settings.yellow_after_days)
        cursor.execute(
            _days_sql("white", "yellow", settings.yellow_after_days),
            {**params, "cutoff": ops.adapt_datefield_value(cutoff)},
        )
        yellow += cursor.rowcount
        cursor.execute(_second_sql("yellow", "red", window), params)
        red += cursor.rowcount
        cutoff = day - datetime.timedelta(days=settings.red_after_days)
        cursor.execute(
            _days_sql("yellow", "red", settings.red_after_days),
            {**params, "cutoff": ops.adapt_datefield_value(cutoff)},
        )
        red += cursor.rowcount
        created["yellow"], created["red"] = yellow, red
        cursor.execute(END_SQL, params)
        ended = cursor.rowcount
    announced = 0
    if any(created.values()):
        audit.record(
            actor=None,
            action="create",
            obj=settings,
            changes={f"tickets_{colour}": [0, n] for colour, n in created.items()},
            reason=_("Daily escalation of %(day)s") % {"day": day.isoformat()},
        )
        if notify:
            announced = _announce_overdue(township, day)
    return created, ended, announced


def _announce_overdue(township: Unit, day: datetime.date) -> int:
    """The day's overdue list for each grid with tickets issued today: one message per grid."""
    rows = (
        Ticket.objects.filter(township=township, issued_on=day)
        .values("grid_id")
        .annotate(
            white=Count("id", filter=Q(colour="white")),
            yellow=Count("id", filter=Q(colour="yellow")),
            red=Count("id", filter=Q(colour="red")),
        )
        .order_by("grid_id")
    )
    counts = {row["grid_id"]: row for row in rows}
    if not counts:
        return 0
    overdue = dict(
        Problem.objects.filter(
            township=township, state__in=Problem.ACTIVE, deadline__lt=day, grid_id__in=counts
        )
        .values("grid_id")
        .annotate(n=Count("id"))
        .values_list("grid_id", "n")
    )
    title = _("Overdue problems on %(day)s") % {"day": day.isoformat()}
    queued = 0
    for grid in Unit.objects.filter(pk__in=counts).select_related("village"):
        row = counts[grid.pk]
        markdown = (
            f"### {title}\n**{grid.name}**\n"
            f"- {_('overdue problems')}：{overdue.get(grid.pk, 0)}\n"
            f"- {_('white tickets today')}：{row['white']}\n"
            f"- {_('yellow tickets today')}：{row['yellow']}\n"
            f"- {_('red tickets today')}：{row['red']}\n"
            f"{_('Please rectify them and submit photos for acceptance.')}"
        )
        queued += services.announce(unit=grid, event="work.overdue", title=title, markdown=markdown)
    return queued
