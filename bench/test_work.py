"""Three-colour escalation over 1,000,000 problems, 50,000 of them overdue.

Loads 20 townships × 5 villages × 2 grids (200 grids, each with a grid chief) and 10,000
responsible people, then 1,000,000 problems generated in the database (generate_series on
PostgreSQL, a recursive CTE on SQLite; no Python loop over the rows): every 20th problem is
overdue (deadline 1–30 days before the day, open or rectifying), a quarter are closed, the
rest are open with a deadline to come. Then it times `manage.py escalate --date D`:
- the first run, which issues every white, yellow and red ticket due by D (checked against
  the counts computed from the generated rows: 50,000 whites);
- the second run the same day, which must create nothing (idempotence);
and, in the same run, the baselines: a plain `SELECT count(*)` of the overdue set, and the
white ticket INSERT … SELECT alone. Each timing is the median of REPEATS runs (the tickets are
deleted between first runs).
"""

import datetime
import io
import os
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from people.models import Role, RoleAssignment, User
from places.models import Unit
from places.services import create_unit
from work import escalation
from work.models import Ticket

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

TOWNSHIPS, VILLAGES, GRIDS = 20, 5, 2  # 200 grids
PEOPLE = 10_000
PROBLEMS = int(os.environ.get("BENCH_WORK_PROBLEMS", 1_000_000))  # smaller for a smoke run
OVERDUE_EVERY = 20  # 50,000 overdue
DAY = datetime.date(2027, 1, 20)
REPEATS = 3


def _build_tree() -> list[Unit]:
    county = create_unit(kind="county", name="基准县", parent=None, actor=None)
    grids = []
    for t in range(TOWNSHIPS):
        township = create_unit(kind="township", name=f"基准乡{t}", parent=county, actor=None)
        level2 = create_unit(kind="grid", name=f"基准乡{t}片区", parent=township, actor=None)
        for v in range(VILLAGES):
            village = create_unit(
                kind="village", name=f"基准乡{t}村{v}", parent=township, actor=None
            )
            level3 = create_unit(
                kind="grid", name=f"村{v}网格", parent=level2, actor=None, village=village
            )
            for g in range(GRIDS):
                grids.append(create_unit(kind="grid", name=f"{g}网格", parent=level3, actor=None))
    return grids


def _load(grids: list[Unit]) -> None:
    chiefs = User.objects.bulk_create(
        [User(username=f"chief{n}", name=f"网格长{n}") for n in range(len(grids))]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                township_id=grid.township_id,
                user=chief,
                role=Role.GRID_CHIEF,
                unit=grid,
                start_date=datetime.date(2026, 1, 1),
            )
            for grid, chief in zip(grids, chiefs, strict=True)
        ]
    )
    User.objects.bulk_create(
        [User(username=f"p{n}", name=f"责任人{n}") for n in range(PEOPLE)], batch_size=5000
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_grid (k integer PRIMARY KEY, township_id bigint, "
            "village_id bigint, grid_id bigint, grid_path varchar(64), village_path varchar(64))"
        )
        cursor.executemany(
            "INSERT INTO bench_grid VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (k, g.township_id, g.village_id, g.pk, g.path, g.village.path)
                for k, g in enumerate(grids)
            ],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_person (k integer PRIMARY KEY, user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO bench_person SELECT row_number() OVER (ORDER BY id) - 1, id "
            "FROM people_user WHERE username LIKE 'p%%'"
        )
        cursor.execute(
            _problems_sql(len(grids)),
            {"day": DAY, "raised_by": chiefs[0].pk, "now": timezone.now()},
        )
        cursor.execute("DROP TABLE bench_grid")
        cursor.execute("DROP TABLE bench_person")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE work_problem")
            cursor.execute("ANALYZE people_roleassignment")


def _problems_sql(n_grids: int) -> str:
    """1,000,000 problems from a number series, in one INSERT … SELECT (% doubled: params)."""
    return _problems_sql_raw(n_grids).replace(" % ", " %% ")


def _problems_sql_raw(n_grids: int) -> str:
    pg = connection.vendor == "postgresql"

    def minus(days: str) -> str:
        return (
            f"(CAST(%(day)s AS date) - ({days}))"
            if pg
            else f"date(%(day)s, '-' || ({days}) || ' days')"
        )

    def plus(days: str) -> str:
        return (
            f"(CAST(%(day)s AS date) + ({days}))"
            if pg
            else f"date(%(day)s, '+' || ({days}) || ' days')"
        )

    overdue = f"n.i % {OVERDUE_EVERY} = 0"
    closed = "n.i % 4 = 1"
    series = f"generate_series(0, {PROBLEMS - 1}) AS n(i)" if pg else "n"
    cte = (
        ""
        if pg
        else "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
        f"WHERE i < {PROBLEMS - 1}) "
    )
    return f"""
        INSERT INTO work_problem (township_id, village_id, grid_id, grid_path, village_path, place,
            source, category, description, requirement, responsible_id, deadline, state, closed_on,
            raised_by_id, raised_on, created_at)
        {cte}
        SELECT g.township_id, g.village_id, g.grid_id, g.grid_path, g.village_path, '路段',
            'inspection', 'sanitation', '路边垃圾', '清运', p.user_id,
            CASE WHEN {overdue} THEN {minus(f"1 + (n.i / {OVERDUE_EVERY}) % 30")}
                 WHEN {closed} THEN {minus("40")}
                 ELSE {plus("1 + n.i % 20")} END,
            CASE WHEN {overdue} THEN (CASE WHEN n.i % 40 = 0 THEN 'open' ELSE 'rectifying' END)
                 WHEN {closed} THEN 'closed' ELSE 'open' END,
            CASE WHEN {closed} AND NOT {overdue} THEN {minus("35")} ELSE NULL END,
            %(raised_by)s, {minus("45")}, %(now)s
        FROM {series}
        JOIN bench_grid g ON g.k = n.i % {n_grids}
        JOIN bench_person p ON p.k = (n.i / {n_grids}) % {PEOPLE}
    """


def _count_overdue() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM work_problem "
            "WHERE state IN ('open', 'rectifying') AND deadline < %s",
            [connection.ops.adapt_datefield_value(DAY)],
        )
        return cursor.fetchone()[0]


def _whites_only() -> int:
    created = 0
    for township in Unit.objects.filter(kind=Unit.Kind.TOWNSHIP):
        ops = connection.ops
        params = {
            "township": township.pk,
            "today": ops.adapt_datefield_value(DAY),
            "now": ops.adapt_datetimefield_value(timezone.now()),
        }
        with connection.cursor() as cursor:
            cursor.execute(escalation._white_sql(), params)
            created += cursor.rowcount
    return created


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _clear_tickets():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM work_ticket")


def _escalate():
    out = io.StringIO()
    call_command("escalate", "--date", DAY.isoformat(), stdout=out)
    return out.getvalue()


def test_escalate_one_million(report):
    started = time.perf_counter()
    grids = _build_tree()
    _load(grids)
    load_seconds = time.perf_counter() - started
    expected_overdue = PROBLEMS // OVERDUE_EVERY

    counts, firsts, seconds, whites = [], [], [], []
    for _ in range(REPEATS):
        elapsed, n = _timed(_count_overdue)
        counts.append(elapsed)
        assert n == expected_overdue
        _clear_tickets()
        elapsed, n = _timed(_whites_only)
        whites.append(elapsed)
        assert n == expected_overdue
        _clear_tickets()
        elapsed, _out = _timed(_escalate)
        firsts.append(elapsed)
        assert Ticket.objects.filter(colour="white").count() == expected_overdue
        total = Ticket.objects.count()
        elapsed, out = _timed(_escalate)
        seconds.append(elapsed)
        assert Ticket.objects.count() == total, out  # idempotent: nothing new the same day
    tickets = dict(Ticket.objects.values_list("colour").annotate(n=Count("id")))
    first, second = statistics.median(firsts), statistics.median(seconds)
    baseline, white = statistics.median(counts), statistics.median(whites)
    report(
        f"work-escalate-{connection.vendor}",
        {
            "database": connection.vendor,
            "problems": PROBLEMS,
            "overdue": expected_overdue,
            "townships": TOWNSHIPS,
            "grids": len(grids),
            "people": PEOPLE,
            "load_seconds": round(load_seconds, 1),
            "tickets": tickets,
            "escalate_first_run_s": round(first, 3),
            "escalate_second_run_s": round(second, 3),
            "baseline_count_overdue_s": round(baseline, 3),
            "baseline_white_insert_select_s": round(white, 3),
            "first_run_vs_count": round(first / baseline, 1),
            "first_run_vs_white_insert": round(first / white, 1),
            "second_run_vs_count": round(second / baseline, 1),
            "repeats": REPEATS,
        },
    )
