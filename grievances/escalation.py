"""Three-colour supervision (三色督办) of overdue grievances: the daily escalation, set-based.

The same rules as the work ledger's tickets (work/escalation.py), read from the township's
`work.Settings` through `work.selectors.escalation_rules`. On day D, for an open grievance
(registered, handling or replied) with a deadline:

- white  (reason overdue): the deadline is before D; the ticket is due the day after it;
- yellow (reason second): the white ticket W of responsible person P is "a second white" when P
  already has another white grievance ticket in the township, on another grievance, due within
  `repeat_window_days` days up to W's due date (on the same day the lower grievance id counts as
  the first). The yellow is due the same day as W. Grievances without a responsible person
  (only a responsible unit) escalate by the days alone;
- yellow (reason days): otherwise `yellow_after_days` after the white;
- red: the same two rules one colour up (a second yellow, or `red_after_days` after the yellow).

Due dates come from the deadline and the earlier ticket, never from the day the job runs, so a
missed day is caught up with the same dates. Each rule is one INSERT … SELECT; the unique
(grievance, colour) constraint with `ON CONFLICT DO NOTHING` makes a second run the same day
create nothing. A ticket records the responsible unit and person of the grievance when it was
issued. Tickets end when the grievance is concluded (`services.transition` ends them at once;
the last statement here is a safety net). New yellow and red tickets are announced to the
responsible unit's work group, naming the grievance by number and category only: a petitioner's
identity never leaves the handlers' pages.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from places.models import Unit
from work.selectors import escalation_rules

from .models import Grievance, Ticket
from .selectors import settings_for

ACTIVE = "('registered', 'handling', 'replied')"
COLUMNS = (
    "township_id, grievance_id, colour, reason, due_on, issued_on, unit_id, responsible_id, "
    "created_at"
)
# As in work/escalation.py: "is there already a ticket" is a scalar subquery with LIMIT 1 (one
# index look-up per row), not [NOT] EXISTS, whose plan follows stale "empty table" statistics.


def _plus(expr: str, days: int) -> str:
    """SQL for the date `expr` plus `days` (an int), on SQLite and PostgreSQL alike."""
    days = int(days)
    if connection.vendor == "postgresql":
        return f"({expr} + ({days}))"
    return f"date({expr}, '{days:+d} days')"


def _white_sql() -> str:
    return f"""
        INSERT INTO grievances_ticket ({COLUMNS})
        SELECT g.township_id, g.id, 'white', 'overdue', {_plus("g.deadline", 1)}, %(today)s,
               COALESCE(g.assigned_unit_id, g.unit_id), g.assignee_id, %(now)s
        FROM grievances_grievance g
        WHERE g.township_id = %(township)s AND g.state IN {ACTIVE}
          AND g.deadline IS NOT NULL AND g.deadline < %(today)s
          AND (SELECT 1 FROM grievances_ticket t
               WHERE t.grievance_id = g.id AND t.colour = 'white' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


def _second_sql(lower: str, upper: str, window: int) -> str:
    """`upper` tickets for grievances whose `lower` ticket is the person's second in the window."""
    return f"""
        INSERT INTO grievances_ticket ({COLUMNS})
        SELECT w.township_id, w.grievance_id, '{upper}', 'second', w.due_on, %(today)s,
               w.unit_id, w.responsible_id, %(now)s
        FROM grievances_ticket w JOIN grievances_grievance g ON g.id = w.grievance_id
        WHERE w.township_id = %(township)s AND w.colour = '{lower}' AND g.state IN {ACTIVE}
          AND w.responsible_id IS NOT NULL
          AND (SELECT 1 FROM grievances_ticket e
               WHERE e.responsible_id = w.responsible_id AND e.colour = '{lower}'
                 AND e.township_id = w.township_id
                 AND e.grievance_id <> w.grievance_id
                 AND e.due_on >= {_plus("w.due_on", -window)}
                 AND (e.due_on < w.due_on
                      OR (e.due_on = w.due_on AND e.grievance_id < w.grievance_id))
               LIMIT 1) IS NOT NULL
          AND (SELECT 1 FROM grievances_ticket t
               WHERE t.grievance_id = w.grievance_id AND t.colour = '{upper}' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


def _days_sql(lower: str, upper: str, days: int) -> str:
    """`upper` tickets `days` after the `lower` ticket's due date."""
    return f"""
        INSERT INTO grievances_ticket ({COLUMNS})
        SELECT w.township_id, w.grievance_id, '{upper}', 'days', {_plus("w.due_on", days)},
               %(today)s, w.unit_id, w.responsible_id, %(now)s
        FROM grievances_ticket w JOIN grievances_grievance g ON g.id = w.grievance_id
        WHERE w.township_id = %(township)s AND w.colour = '{lower}' AND g.state IN {ACTIVE}
          AND w.due_on <= %(cutoff)s
          AND (SELECT 1 FROM grievances_ticket t
               WHERE t.grievance_id = w.grievance_id AND t.colour = '{upper}' LIMIT 1) IS NULL
        ON CONFLICT DO NOTHING
    """


END_SQL = """
    UPDATE grievances_ticket SET ended_on = %(today)s
    WHERE township_id = %(township)s AND ended_on IS NULL
      AND (SELECT g.state FROM grievances_grievance g
           WHERE g.id = grievances_ticket.grievance_id) = 'concluded'
"""


@dataclass
class Result:
    day: datetime.date
    created: dict[str, int] = field(default_factory=lambda: {"white": 0, "yellow": 0, "red": 0})
    ended: int = 0
    announced: int = 0

    def add(self, other: "Result") -> None:
        for colour, count in other.created.items():
            self.created[colour] += count
        self.ended += other.ended
        self.announced += other.announced


def escalate(*, day: datetime.date | None = None, townships=None, notify: bool = True) -> Result:
    """Apply every township's rules to its overdue grievances for `day` (default: today)."""
    day = day or timezone.localdate()
    result = Result(day)
    if townships is None:
        townships = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("path")
    for township in townships:
        result.add(escalate_township(township=township, day=day, notify=notify))
    return result


@transaction.atomic
def escalate_township(*, township: Unit, day: datetime.date, notify: bool = True) -> Result:
    rules = escalation_rules(township)
    ops = connection.ops
    params = {
        "township": township.pk,
        "today": ops.adapt_datefield_value(day),
        "now": ops.adapt_datetimefield_value(timezone.now()),
    }

    def cutoff(days: int) -> dict:
        return {**params, "cutoff": ops.adapt_datefield_value(day - datetime.timedelta(days))}

    result = Result(day)
    window = rules.repeat_window_days
    with connection.cursor() as cursor:
        cursor.execute(_white_sql(), params)
        result.created["white"] = cursor.rowcount
        cursor.execute(_second_sql("white", "yellow", window), params)
        result.created["yellow"] += cursor.rowcount
        cursor.execute(
            _days_sql("white", "yellow", rules.yellow_after_days), cutoff(rules.yellow_after_days)
        )
        result.created["yellow"] += cursor.rowcount
        cursor.execute(_second_sql("yellow", "red", window), params)
        result.created["red"] += cursor.rowcount
        cursor.execute(
            _days_sql("yellow", "red", rules.red_after_days), cutoff(rules.red_after_days)
        )
        result.created["red"] += cursor.rowcount
        cursor.execute(END_SQL, params)
        result.ended = cursor.rowcount
    if any(result.created.values()):
        audit.record(
            actor=None,
            action="create",
            obj=settings_for(township),
            changes={f"tickets_{colour}": [0, n] for colour, n in result.created.items()},
            reason=_("Daily escalation of grievances, %(day)s") % {"day": day.isoformat()},
        )
        if notify and (result.created["yellow"] or result.created["red"]):
            result.announced = _announce(township, day)
    return result


def _announce(township: Unit, day: datetime.date) -> int:
    """One message per responsible unit with yellow or red tickets issued today, listing the
    grievances by number and category (never the person, never the subject)."""
    from notify import services as notify_services  # notify sits beside grievances

    tickets = (
        Ticket.objects.filter(township=township, issued_on=day, colour__in=["yellow", "red"])
        .select_related("unit", "grievance")
        .order_by("unit_id", "grievance_id", "colour")
        .only("colour", "due_on", "unit", "grievance__id", "grievance__category")
    )
    by_unit: dict[int, list[Ticket]] = {}
    units: dict[int, Unit] = {}
    for ticket in tickets:
        by_unit.setdefault(ticket.unit_id, []).append(ticket)
        units[ticket.unit_id] = ticket.unit
    title = _("Overdue grievances on %(day)s") % {"day": day.isoformat()}
    queued = 0
    for unit_id, rows in by_unit.items():
        lines = [
            f"- #{t.grievance_id} {t.grievance.category}：{Ticket.Colour(t.colour).label}"
            for t in rows
        ]
        markdown = "\n".join(
            [
                f"### {title}",
                f"**{units[unit_id].name}**",
                *lines,
                _("Please handle them and reply to the people concerned."),
            ]
        )
        queued += notify_services.announce(
            unit=units[unit_id], event="grievances.overdue", title=title, markdown=markdown
        )
    return queued


def end_tickets(*, grievance: Grievance, on: datetime.date) -> int:
    """End the grievance's open tickets (it is concluded). Called by `services.transition`."""
    return Ticket.objects.filter(grievance=grievance, ended_on__isnull=True).update(ended_on=on)
