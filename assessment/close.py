"""The month close: every score, average, list and threshold case of a township's month, set-based.

One pass is a handful of INSERT … SELECT statements over the whole township, whatever its size:
lines per source, then scores level by level from the deepest grids up (a unit with children
scores the average of their scores, plus its own lines; a leaf grid scores the base plus its
lines), then villages (the average of their top grids), rankings, lists and cases. Each step
commits on its own, so the page can show progress and SQLite's writers are not held for the
whole run; a close's rows are only shown once it is computed.

Which records count in a month: those dated in it, and those dated in the twelve months before
it (back to the township's first published close) that no published close has counted yet — a
ticket recorded after its month was published counts in the next month closed. Household points
count by their ledger month.
"""

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ServiceError
from places.models import TownshipConfig, Unit

from . import lists, setup
from .models import Case, Close, Line, Ranking, Score

LOOKBACK_MONTHS = 12
STALE_RUN = datetime.timedelta(hours=2)  # a "running" close older than this was interrupted

# (step label, progress when done); labels are translated where shown.
STEPS = [
    (gettext_noop("Clearing the previous computation"), 5),
    (gettext_noop("Tickets"), 20),
    (gettext_noop("Inspection findings"), 30),
    (gettext_noop("Completed tasks"), 40),
    (gettext_noop("Household points"), 60),
    (gettext_noop("Commendations and deductions"), 65),
    (gettext_noop("Grid scores, level by level"), 80),
    (gettext_noop("Village scores"), 85),
    (gettext_noop("Rankings and red/black lists"), 92),
    (gettext_noop("Threshold cases"), 100),
]

Progress = Callable[[str, int], None]


def month_of(value: str | datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ServiceError(
            _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": value},
            code="bad_month",
        ) from None


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), ZoneInfo(django_settings.TIME_ZONE))


def _db_time(moment: datetime.datetime):
    """An aware time as the database stores it (SQLite: UTC text), for raw SQL parameters."""
    return connection.ops.adapt_datetimefield_value(moment)


def request(township: Unit, month: datetime.date, user=None) -> Close:
    """The month's close, created or queued again; refused once published or out of order."""
    month = month_of(month)
    later = Close.objects.filter(township=township, month__gt=month, state=Close.State.PUBLISHED)
    if later.exists():
        raise ServiceError(
            _("A later month is already published: months are closed in order."),
            code="later_published",
        )
    close, _created = Close.objects.get_or_create(
        township=township, month=month, defaults={"state": Close.State.QUEUED}
    )
    if close.is_published:
        raise ServiceError(
            _("%(month)s was published on %(day)s and is frozen; corrections go into %(next)s.")
            % {
                "month": f"{month:%Y-%m}",
                "day": f"{timezone.localtime(close.published_at):%Y-%m-%d}",
                "next": f"{next_month(month):%Y-%m}",
            },
            code="published",
        )
    Close.objects.filter(pk=close.pk).exclude(state=Close.State.RUNNING).update(
        state=Close.State.QUEUED, requested_by=user, requested_at=timezone.now(), error=""
    )
    close.refresh_from_db()
    return close


def _claim(close: Close) -> bool:
    """Mark the close running unless another run has it (compare-and-set, both databases)."""
    now = timezone.now()
    startable = Q(state__in=[Close.State.QUEUED, Close.State.COMPUTED, Close.State.FAILED]) | Q(
        state=Close.State.RUNNING, started_at__lt=now - STALE_RUN
    )
    claimed = (
        Close.objects.filter(startable, pk=close.pk)
        .exclude(state=Close.State.PUBLISHED)
        .update(state=Close.State.RUNNING, started_at=now, progress=0, step="", error="")
    )
    return claimed == 1


def compute(close: Close, progress: Progress | None = None) -> Close:
    """Compute the close's month; idempotent until published (each run replaces the last)."""
    if close.is_published:
        raise ServiceError(_("This month is published and frozen."), code="published")
    if not _claim(close):
        raise ServiceError(_("This month is being computed right now."), code="running")
    try:
        _Run(close, progress).all()
    except Exception as error:
        Close.objects.filter(pk=close.pk).update(
            state=Close.State.FAILED, error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    Close.objects.filter(pk=close.pk).update(
        state=Close.State.COMPUTED,
        progress=100,
        step="",
        computed_at=timezone.now(),
        runs=close.runs + 1,
    )
    close.refresh_from_db()
    return close


def close_month(township: Unit, month, user=None, progress: Progress | None = None) -> Close:
    """Queue and compute at once (the management command and tests)."""
    return compute(request(township, month_of(month), user), progress)


class _Run:
    """One computation of a close; each method is one step (its own transaction)."""

    def __init__(self, close: Close, progress: Progress | None):
        self.close = close
        self.progress = progress
        self.township = close.township
        self.config = TownshipConfig.objects.get_or_create(township=self.township)[0]
        self.settings = setup.ensure(self.township)
        self.month = close.month
        self.end = next_month(self.month)
        first_published = (
            Close.objects.filter(township=self.township, state=Close.State.PUBLISHED)
            .order_by("month")
            .values_list("month", flat=True)
            .first()
        )
        self.since = max(
            min(first_published or self.month, self.month),
            _months_back(self.month, LOOKBACK_MONTHS),
        )

    def all(self) -> None:
        steps = [
            self.clear,
            self.tickets,
            self.findings,
            self.tasks,
            self.household_points,
            self.adjustments,
            self.grid_scores,
            self.village_scores,
            self.rankings,
            self.cases,
        ]
        for (label, percent), step in zip(STEPS, steps, strict=True):
            with transaction.atomic():
                step()
                Close.objects.filter(pk=self.close.pk).update(progress=percent, step=label)
            if self.progress:
                self.progress(label, percent)

    def sql(self, statement: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    # Steps ---------------------------------------------------------------------------------

    def clear(self) -> None:
        for model in (Case, Ranking, Line, Score):
            model.objects.filter(close=self.close)._raw_delete(model.objects.db)

    def _item_join(self, level_expr: str, source_expr: str) -> str:
        """Join the item for a source at a grid level: the level's own, else the default."""
        return f"""
            JOIN assessment_item i ON i.township_id = %s AND i.source = {source_expr}
             AND (i.grid_level = {level_expr}
                  OR (i.grid_level IS NULL AND NOT EXISTS (
                      SELECT 1 FROM assessment_item o WHERE o.township_id = i.township_id
                         AND o.source = i.source AND o.grid_level = {level_expr})))
        """

    def _not_counted(self, source_sql: str, id_expr: str) -> str:
        """Not counted by a published close of this township already."""
        return f"""
            NOT EXISTS (
                SELECT 1 FROM assessment_line pl JOIN assessment_close pc ON pc.id = pl.close_id
                 WHERE pl.source {source_sql} AND pl.source_id = {id_expr}
                   AND pc.township_id = %s AND pc.state = 'published')
        """

    def _record_lines(self, *, table: str, source: str, counted: str, where: str, params: list):
        """One line per record of `table` (alias r) on a grid of the township, priced by the
        item of the grid's level for `source`; `counted`: the line sources that already count
        such a record in a published close."""
        self.sql(
            f"""
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT %s, r.township_id, r.grid_id, i.id, i.source, r.id, 1, i.points
              FROM {table} r
              JOIN places_unit g ON g.id = r.grid_id AND g.township_id = %s
              {self._item_join("COALESCE(g.grid_level, 1)", source)}
             WHERE r.township_id = %s AND {where}
               AND {self._not_counted(counted, "r.id")}
            """,
            [self.close.pk, self.township.pk, self.township.pk, self.township.pk, *params]
            + [self.township.pk],
        )

    def tickets(self) -> None:
        self._record_lines(
            table="work_ticket",
            source="'ticket_' || r.colour",
            counted="IN ('ticket_white', 'ticket_yellow', 'ticket_red')",
            where="r.due_on >= %s AND r.due_on < %s",
            params=[self.since, self.end],
        )

    def findings(self) -> None:
        self._record_lines(
            table="work_problem",
            source="'finding'",
            counted="= 'finding'",
            where="r.source IN ('inspection', 'supervision') "
            "AND r.raised_on >= %s AND r.raised_on < %s",
            params=[self.since, self.end],
        )

    def tasks(self) -> None:
        self._record_lines(
            table="work_task",
            source="'task_done'",
            counted="= 'task_done'",
            where="r.state = 'confirmed' AND r.confirmed_at >= %s AND r.confirmed_at < %s",
            params=[_db_time(_local_midnight(self.since)), _db_time(_local_midnight(self.end))],
        )

    def household_points(self) -> None:
        """One line per grid: the weight × the month's net points per household of the grid.

        The township's households with their grid (the parent of their 联户) are listed once
        and counted per grid; the month's entries of the township's villages are summed per
        grid. PostgreSQL hash-joins the entries to that list; SQLite, which cannot index a
        materialised list, looks each entry's household and 联户 up by key. Either way the
        entries are read through (village, period), so earlier months cost nothing.
        """
        if connection.vendor == "postgresql":
            entries = "points_entry pe JOIN hh ON hh.id = pe.household_id"
            grid = "hh.grid_id"
        else:
            entries = """points_entry pe
                      JOIN places_household ph ON ph.id = pe.household_id
                      JOIN places_unit j ON j.id = ph.joint_id"""
            grid = "j.parent_id"
        self.sql(
            f"""
            WITH hh AS (SELECT ph.id, j.parent_id AS grid_id
                          FROM places_household ph JOIN places_unit j ON j.id = ph.joint_id
                         WHERE ph.township_id = %s)
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT %s, %s, e.grid_id, i.id, i.source, NULL, e.entries,
                   ROUND(1.0 * i.points * e.total / h.households, 4)
              FROM (SELECT {grid} AS grid_id, SUM(pe.amount) AS total, COUNT(*) AS entries
                      FROM {entries}
                     WHERE pe.village_id IN (SELECT v.id FROM places_unit v
                                              WHERE v.township_id = %s
                                                AND v.kind IN ('village', 'community'))
                       AND pe.period = %s AND pe.kind <> 'redemption'
                     GROUP BY {grid}) e
              JOIN (SELECT grid_id, COUNT(*) AS households FROM hh GROUP BY grid_id) h
                ON h.grid_id = e.grid_id
              JOIN places_unit g ON g.id = e.grid_id AND g.township_id = %s
              {self._item_join("COALESCE(g.grid_level, 1)", "'household_points'")}
             WHERE e.total <> 0
            """,
            [self.township.pk, self.close.pk, self.township.pk, self.township.pk, self.month]
            + [self.township.pk, self.township.pk],
        )

    def adjustments(self) -> None:
        self.sql(
            f"""
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT %s, a.township_id, a.unit_id, NULL, 'adjustment', a.id, 1, a.points
              FROM assessment_adjustment a
             WHERE a.township_id = %s AND a.month >= %s AND a.month < %s
               AND {self._not_counted("= 'adjustment'", "a.id")}
            """,
            [self.close.pk, self.township.pk, self.since, self.end, self.township.pk],
        )

    def grid_scores(self) -> None:
        """Deepest level first: base or the children's average, plus the unit's own lines."""
        levels = (
            Unit.objects.filter(township=self.township, kind=Unit.Kind.GRID, is_active=True)
            .values_list("grid_level", flat=True)
            .distinct()
        )
        base = self.settings.base_score
        own = """
            LEFT JOIN (SELECT l.unit_id, SUM(l.points) AS points FROM assessment_line l
                        WHERE l.close_id = %s GROUP BY l.unit_id) o ON o.unit_id = u.id
            LEFT JOIN (SELECT s.parent_id, AVG(s.score) AS average, COUNT(*) AS n
                         FROM assessment_score s
                        WHERE s.close_id = %s AND s.kind = 'grid' AND s.depth > %s
                        GROUP BY s.parent_id) c ON c.parent_id = u.id
        """
        select = """
            INSERT INTO assessment_score
                (close_id, township_id, unit_id, kind, parent_id, depth, score, own_points,
                 children)
            SELECT %s, %s, u.id, 'grid', {parent}, %s,
                   ROUND(COALESCE(c.average, %s) + COALESCE(o.points, 0), 4),
                   ROUND(COALESCE(o.points, 0), 4), COALESCE(c.n, 0)
              FROM places_unit u {own}
             WHERE {where}
        """
        for level in sorted(set(levels), reverse=True):
            self.sql(
                select.format(
                    parent="u.parent_id",
                    own=own,
                    where="u.township_id = %s AND u.kind = 'grid' AND u.is_active "
                    "AND u.grid_level = %s",
                ),
                [self.close.pk, self.township.pk, level, base]
                + [self.close.pk, self.close.pk, level, self.township.pk, level],
            )
        self.sql(
            select.format(parent="NULL", own=own, where="u.id = %s"),
            [self.close.pk, self.township.pk, 1, base, self.close.pk, self.close.pk, 1]
            + [self.township.pk],
        )

    def village_scores(self) -> None:
        """A village scores the average of its top grids (those whose parent lies outside it)."""
        self.sql(
            """
            INSERT INTO assessment_score
                (close_id, township_id, unit_id, kind, parent_id, depth, score, own_points,
                 children)
            SELECT %s, %s, u.village_id, 'village', NULL, 0, ROUND(AVG(s.score), 4), 0, COUNT(*)
              FROM assessment_score s
              JOIN places_unit u ON u.id = s.unit_id
              JOIN places_unit p ON p.id = u.parent_id
             WHERE s.close_id = %s AND s.kind = 'grid' AND u.village_id IS NOT NULL
               AND (p.village_id IS NULL OR p.village_id <> u.village_id)
             GROUP BY u.village_id
            """,
            [self.close.pk, self.township.pk, self.close.pk],
        )

    def rankings(self) -> None:
        self.sql(
            """
            INSERT INTO assessment_ranking (close_id, township_id, unit_id, rank, score, on_list)
            SELECT %s, %s, s.unit_id, RANK() OVER (ORDER BY s.score DESC), s.score, ''
              FROM assessment_score s
             WHERE s.close_id = %s AND s.kind = 'village'
            """,
            [self.close.pk, self.township.pk, self.close.pk],
        )
        ranked = list(Ranking.objects.filter(close=self.close).values_list("unit_id", "score"))
        chosen = lists.assign(ranked, self.config.red_list_size, self.config.black_list_size)
        rows = Ranking.objects.filter(close=self.close)
        rows.filter(unit_id__in=chosen.red).update(on_list=Ranking.List.RED)
        rows.filter(unit_id__in=chosen.black).update(on_list=Ranking.List.BLACK)

    def cases(self) -> None:
        """A case for each grid chief in post during the month whose grid scores below the band."""
        last_day = self.end - datetime.timedelta(days=1)
        self.sql(
            """
            INSERT INTO assessment_case
                (close_id, township_id, unit_id, assignment_id, user_id, kind, score, state)
            SELECT %s, %s, a.unit_id, a.id, a.user_id,
                   CASE WHEN s.score < %s THEN 'suspension' ELSE 'talk' END, s.score, 'open'
              FROM people_roleassignment a
              JOIN assessment_score s ON s.unit_id = a.unit_id AND s.close_id = %s
                                     AND s.kind = 'grid'
             WHERE a.township_id = %s AND a.role = 'grid_chief'
               AND a.start_date <= %s AND (a.end_date IS NULL OR a.end_date >= %s)
               AND s.score < %s
            """,
            [self.close.pk, self.township.pk, self.config.suspension_below, self.close.pk]
            + [self.township.pk, last_day, self.month, self.config.warning_below],
        )
