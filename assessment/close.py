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
import uuid
from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ServiceError
from places.models import TownshipConfig, Unit

from . import lists, setup
from .models import Case, Close, Line, Ranking, Score

LOOKBACK_MONTHS = 12
STALE_RUN = datetime.timedelta(hours=2)  # a "running" close older than this was interrupted
# PostgreSQL's memory for the household-points step's hashes of a run's households (one
# transaction; the default 4 MB spills a county's million households to disk in batches).
WORK_MEM = "128MB"

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


def _since(township_ids: list[int], month: datetime.date) -> dict[int, datetime.date]:
    """From which month each township's close counts records not counted yet (see above)."""
    first_published = dict(
        Close.objects.filter(township_id__in=township_ids, state=Close.State.PUBLISHED)
        .values("township_id")
        .annotate(first=Min("month"))
        .values_list("township_id", "first")
    )
    floor = _months_back(month, LOOKBACK_MONTHS)
    return {t: max(min(first_published.get(t, month), month), floor) for t in township_ids}


def _claim(pks: list[int], run: uuid.UUID, since: datetime.date) -> None:
    """Mark the closes running in `run` unless another run has them (compare-and-set, both
    databases); the claimed ones are those stamped with `run` afterwards."""
    now = timezone.now()
    startable = Q(state__in=[Close.State.QUEUED, Close.State.COMPUTED, Close.State.FAILED]) | Q(
        state=Close.State.RUNNING, started_at__lt=now - STALE_RUN
    )
    Close.objects.filter(startable, pk__in=pks).exclude(state=Close.State.PUBLISHED).update(
        state=Close.State.RUNNING,
        started_at=now,
        progress=0,
        step="",
        error="",
        run=run,
        since=since,
    )


def compute(close: Close, progress: Progress | None = None) -> Close:
    """Compute the close's month; idempotent until published (each run replaces the last)."""
    if close.is_published:
        raise ServiceError(_("This month is published and frozen."), code="published")
    done = compute_many([close], progress)
    if not done:
        raise ServiceError(_("This month is being computed right now."), code="running")
    return done[0]


def compute_many(closes: list[Close], progress: Progress | None = None) -> list[Close]:
    """Compute closes of one month together: each step is one statement for all their townships.

    A county's month end is one pass, not a pass per township. The closes another run has
    claimed, and published ones, are left out; the computed ones are returned.
    """
    if not closes:
        return []
    months = {item.month for item in closes}
    if len(months) != 1:
        raise ValueError("closes of one month at a time")
    month = months.pop()
    run = uuid.uuid4()
    since = _since([item.township_id for item in closes], month)
    by_since = defaultdict(list)
    for item in closes:
        by_since[since[item.township_id]].append(item.pk)
    for day, pks in by_since.items():  # one statement per distinct `since` (nearly always one)
        _claim(pks, run, day)
    claimed = list(Close.objects.filter(run=run).select_related("township"))
    if not claimed:
        return []
    if connection.vendor == "postgresql":
        # Fresh statistics of the small close table, so that the planner knows how many
        # townships the run covers (one: index look-ups; a county: scans and hash joins).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE assessment_close")
    try:
        _Run(run, month, [item.township for item in claimed], progress).all()
    except Exception as error:
        Close.objects.filter(run=run).update(
            state=Close.State.FAILED, error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    Close.objects.filter(run=run).update(
        state=Close.State.COMPUTED,
        progress=100,
        step="",
        computed_at=timezone.now(),
        runs=F("runs") + 1,
    )
    return list(Close.objects.filter(run=run).select_related("township").order_by("township__path"))


def close_month(township: Unit, month, user=None, progress: Progress | None = None) -> Close:
    """Queue and compute at once (the management command and tests)."""
    return compute(request(township, month_of(month), user), progress)


class _Run:
    """One computation of a month's closes (the run); each method is one step (its own
    transaction) covering every close of the run: `c` in the SQL is the run's close of the
    row's township."""

    def __init__(self, run: uuid.UUID, month: datetime.date, townships, progress):
        self.run = Close._meta.get_field("run").get_db_prep_value(run, connection)
        self.progress = progress
        self.month = month
        self.end = next_month(month)
        self.townships = townships
        setup.ensure_all(townships)  # the defaults, the first time a township is closed
        self.configs = {
            config.township_id: config
            for config in TownshipConfig.objects.filter(township__in=townships)
        }
        for township in townships:
            if township.pk not in self.configs:
                self.configs[township.pk] = TownshipConfig.objects.create(township=township)

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
                Close.objects.filter(run=self.run).update(progress=percent, step=label)
            if self.progress:
                self.progress(label, percent)

    def sql(self, statement: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    # Steps ---------------------------------------------------------------------------------

    def clear(self) -> None:
        ids = list(Close.objects.filter(run=self.run).values_list("pk", flat=True))
        for model in (Case, Ranking, Line, Score):
            model.objects.filter(close_id__in=ids)._raw_delete(model.objects.db)

    def _item_join(self, level_expr: str, source_expr: str) -> str:
        """Join the item for a source at a grid level: the level's own, else the default."""
        return f"""
            JOIN assessment_item i ON i.township_id = c.township_id AND i.source = {source_expr}
             AND (i.grid_level = {level_expr}
                  OR (i.grid_level IS NULL AND NOT EXISTS (
                      SELECT 1 FROM assessment_item o WHERE o.township_id = i.township_id
                         AND o.source = i.source AND o.grid_level = {level_expr})))
        """

    def _not_counted(self, source_sql: str, id_expr: str) -> str:
        """Not counted by a published close of the township already."""
        return f"""
            NOT EXISTS (
                SELECT 1 FROM assessment_line pl JOIN assessment_close pc ON pc.id = pl.close_id
                 WHERE pl.source {source_sql} AND pl.source_id = {id_expr}
                   AND pc.township_id = c.township_id AND pc.state = 'published')
        """

    def _record_lines(self, *, table: str, source: str, counted: str, where: str, params: list):
        """One line per record of `table` (alias r) on a grid of its township, priced by the
        item of the grid's level for `source`; `counted`: the line sources that already count
        such a record in a published close."""
        self.sql(
            f"""
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT c.id, r.township_id, r.grid_id, i.id, i.source, r.id, 1, i.points
              FROM assessment_close c
              JOIN {table} r ON r.township_id = c.township_id
              JOIN places_unit g ON g.id = r.grid_id AND g.township_id = c.township_id
              {self._item_join("COALESCE(g.grid_level, 1)", source)}
             WHERE c.run = %s AND {where}
               AND {self._not_counted(counted, "r.id")}
            """,
            [self.run, *params],
        )

    def tickets(self) -> None:
        self._record_lines(
            table="work_ticket",
            source="'ticket_' || r.colour",
            counted="IN ('ticket_white', 'ticket_yellow', 'ticket_red')",
            where="r.due_on >= c.since AND r.due_on < %s",
            params=[self.end],
        )

    def findings(self) -> None:
        self._record_lines(
            table="work_problem",
            source="'finding'",
            counted="= 'finding'",
            where="r.source IN ('inspection', 'supervision') "
            "AND r.raised_on >= c.since AND r.raised_on < %s",
            params=[self.end],
        )

    def tasks(self) -> None:
        """Tasks count by the local day they were confirmed: bounds in local midnights, one
        statement per distinct `since` of the run (nearly always one)."""
        sinces = (
            Close.objects.filter(run=self.run).order_by().values_list("since", flat=True).distinct()
        )
        for since in sorted(sinces):
            self._record_lines(
                table="work_task",
                source="'task_done'",
                counted="= 'task_done'",
                where="c.since = %s AND r.state = 'confirmed' "
                "AND r.confirmed_at >= %s AND r.confirmed_at < %s",
                params=[
                    since,
                    _db_time(_local_midnight(since)),
                    _db_time(_local_midnight(self.end)),
                ],
            )

    def household_points(self) -> None:
        """One line per grid: the weight × the month's net points per household of the grid.

        Per grid (the parent of a household's 联户): the run's households, and the sum and
        count of the month's entries of the run's villages, read through (village, period) so
        that earlier months cost nothing. On PostgreSQL the villages and townships go in as
        arrays (the planner then knows from its statistics whether the run is one township,
        for index look-ups, or a county, for scans and hash joins), and the sums are made by
        CREATE TABLE … AS, which may use parallel workers where INSERT … SELECT may not.
        """
        pg = connection.vendor == "postgresql"
        if pg:
            villages = list(
                Unit.objects.filter(
                    township__in=self.townships, kind__in=[Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY]
                ).values_list("pk", flat=True)
            )
            in_villages = in_townships = "= ANY(CAST(%s AS BIGINT[]))"
            params = [villages, self.month, [t.pk for t in self.townships]]
        else:
            in_villages = """IN (SELECT v.id FROM places_unit v
                                  JOIN assessment_close vc ON vc.township_id = v.township_id
                                 WHERE vc.run = %s AND v.kind IN ('village', 'community'))"""
            in_townships = "IN (SELECT rc.township_id FROM assessment_close rc WHERE rc.run = %s)"
            params = [self.run, self.month, self.run]
        per_grid = f"""
            SELECT e.grid_id, h.households, e.total, e.entries
              FROM (SELECT j.parent_id AS grid_id, SUM(pe.amount) AS total, COUNT(*) AS entries
                      FROM points_entry pe
                      JOIN places_household ph ON ph.id = pe.household_id
                      JOIN places_unit j ON j.id = ph.joint_id
                     WHERE pe.village_id {in_villages}
                       AND pe.period = %s AND pe.kind <> 'redemption'
                     GROUP BY j.parent_id) e
              JOIN (SELECT j.parent_id AS grid_id, COUNT(*) AS households
                      FROM places_household ph JOIN places_unit j ON j.id = ph.joint_id
                     WHERE ph.township_id {in_townships}
                     GROUP BY j.parent_id) h ON h.grid_id = e.grid_id
             WHERE e.total <> 0
        """
        if pg:
            self.sql(f"SET LOCAL work_mem = '{WORK_MEM}'", [])
            # Dropped at commit; dropped here too for a caller's outer transaction (tests).
            self.sql("DROP TABLE IF EXISTS close_grid_points", [])
            self.sql(f"CREATE TEMP TABLE close_grid_points ON COMMIT DROP AS {per_grid}", params)
            source, params = "close_grid_points", []
        else:
            source = f"({per_grid})"
        self.sql(
            f"""
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT c.id, c.township_id, gp.grid_id, i.id, i.source, NULL, gp.entries,
                   ROUND(1.0 * i.points * gp.total / gp.households, 4)
              FROM {source} gp
              JOIN places_unit g ON g.id = gp.grid_id
              JOIN assessment_close c ON c.township_id = g.township_id AND c.run = %s
              {self._item_join("COALESCE(g.grid_level, 1)", "'household_points'")}
            """,
            [*params, self.run],
        )

    def adjustments(self) -> None:
        self.sql(
            f"""
            INSERT INTO assessment_line
                (close_id, township_id, unit_id, item_id, source, source_id, count, points)
            SELECT c.id, a.township_id, a.unit_id, NULL, 'adjustment', a.id, 1, a.points
              FROM assessment_close c
              JOIN assessment_adjustment a ON a.township_id = c.township_id
             WHERE c.run = %s AND a.month >= c.since AND a.month < %s
               AND {self._not_counted("= 'adjustment'", "a.id")}
            """,
            [self.run, self.end],
        )

    def grid_scores(self) -> None:
        """Deepest level first: base or the children's average, plus the unit's own lines.

        A unit's own lines and its children's scores are looked up per unit by index
        ((close, unit) and (close, parent)), whatever the run's size: a plan the planner cannot
        turn into rescans of a whole county's fresh rows, whose statistics lag behind."""
        levels = (
            Unit.objects.filter(township__in=self.townships, kind=Unit.Kind.GRID, is_active=True)
            .order_by()
            .values_list("grid_level", flat=True)
            .distinct()
        )
        select = """
            INSERT INTO assessment_score
                (close_id, township_id, unit_id, kind, parent_id, depth, score, own_points,
                 children)
            SELECT x.close_id, x.township_id, x.unit_id, 'grid', x.parent_id, %s,
                   ROUND(COALESCE(x.average, x.base) + COALESCE(x.own, 0), 4),
                   ROUND(COALESCE(x.own, 0), 4), x.n
              FROM (SELECT c.id AS close_id, c.township_id, u.id AS unit_id,
                           {parent} AS parent_id, st.base_score AS base,
                           (SELECT SUM(l.points) FROM assessment_line l
                             WHERE l.close_id = c.id AND l.unit_id = u.id) AS own,
                           (SELECT AVG(s.score) FROM assessment_score s
                             WHERE s.close_id = c.id AND s.parent_id = u.id
                               AND s.kind = 'grid' AND s.depth > %s) AS average,
                           (SELECT COUNT(*) FROM assessment_score s
                             WHERE s.close_id = c.id AND s.parent_id = u.id
                               AND s.kind = 'grid' AND s.depth > %s) AS n
                      FROM assessment_close c
                      JOIN assessment_settings st ON st.township_id = c.township_id
                      JOIN places_unit u ON {unit}
                     WHERE c.run = %s) x
        """
        for level in sorted(set(levels), reverse=True):
            self.sql(
                select.format(
                    parent="u.parent_id",
                    unit="u.township_id = c.township_id AND u.kind = 'grid' AND u.is_active "
                    "AND u.grid_level = %s",
                ),
                [level, level, level, level, self.run],
            )
        self.sql(
            select.format(parent="CAST(NULL AS BIGINT)", unit="u.id = c.township_id"),
            [1, 1, 1, self.run],
        )

    def village_scores(self) -> None:
        """A village scores the average of its top grids (those whose parent lies outside it)."""
        self.sql(
            """
            INSERT INTO assessment_score
                (close_id, township_id, unit_id, kind, parent_id, depth, score, own_points,
                 children)
            SELECT s.close_id, s.township_id, u.village_id, 'village', NULL, 0,
                   ROUND(AVG(s.score), 4), 0, COUNT(*)
              FROM assessment_close c
              JOIN assessment_score s ON s.close_id = c.id
              JOIN places_unit u ON u.id = s.unit_id
              JOIN places_unit p ON p.id = u.parent_id
             WHERE c.run = %s AND s.kind = 'grid' AND u.village_id IS NOT NULL
               AND (p.village_id IS NULL OR p.village_id <> u.village_id)
             GROUP BY s.close_id, s.township_id, u.village_id
            """,
            [self.run],
        )

    def rankings(self) -> None:
        self.sql(
            """
            INSERT INTO assessment_ranking (close_id, township_id, unit_id, rank, score, on_list)
            SELECT s.close_id, s.township_id, s.unit_id,
                   RANK() OVER (PARTITION BY s.close_id ORDER BY s.score DESC), s.score, ''
              FROM assessment_close c
              JOIN assessment_score s ON s.close_id = c.id
             WHERE c.run = %s AND s.kind = 'village'
            """,
            [self.run],
        )
        rows = Ranking.objects.filter(close__run=self.run)
        ranked = defaultdict(list)
        for township_id, unit_id, score in rows.values_list("township_id", "unit_id", "score"):
            ranked[township_id].append((unit_id, score))
        red, black = [], []
        for township_id, units in ranked.items():
            config = self.configs[township_id]
            chosen = lists.assign(units, config.red_list_size, config.black_list_size)
            red.extend(chosen.red)
            black.extend(chosen.black)
        # Unit ids are unique across the run's closes.
        for units, on_list in ((red, Ranking.List.RED), (black, Ranking.List.BLACK)):
            for first in range(0, len(units), 5000):
                rows.filter(unit_id__in=units[first : first + 5000]).update(on_list=on_list)

    def cases(self) -> None:
        """A case for each grid chief in post during the month whose grid scores below the band."""
        last_day = self.end - datetime.timedelta(days=1)
        self.sql(
            """
            INSERT INTO assessment_case
                (close_id, township_id, unit_id, assignment_id, user_id, kind, score, state)
            SELECT c.id, c.township_id, a.unit_id, a.id, a.user_id,
                   CASE WHEN s.score < tc.suspension_below THEN 'suspension' ELSE 'talk' END,
                   s.score, 'open'
              FROM assessment_close c
              JOIN places_townshipconfig tc ON tc.township_id = c.township_id
              JOIN assessment_score s ON s.close_id = c.id AND s.kind = 'grid'
              JOIN people_roleassignment a ON a.unit_id = s.unit_id
                                          AND a.township_id = c.township_id
             WHERE c.run = %s AND a.role = 'grid_chief'
               AND a.start_date <= %s AND (a.end_date IS NULL OR a.end_date >= %s)
               AND s.score < tc.warning_below
            """,
            [self.run, last_day, self.month],
        )
