"""The month close of a province slice: 1,000,000 households, 30,000 grids, 4,000,000 entries.

The slice (bench/assessment_data.py) grows in steps — by default 100,000, 300,000 and
1,000,000 households, i.e. 10, 30 and 100 townships of 10,000 households and 300 grids each —
and at each step the benchmark times the close of October 2026 for every township, computed in
one run as `manage.py close_month 2026-10` computes them (each step one statement for all the
townships; median of REPEATS runs, each recomputing the closes), with the time of each step.

Baseline, in the same run: the tables the close reads are exported to Parquet (not timed), and
an independent DuckDB SQL implementation of the same rules (sources, items per level, level-
by-level averages, village scores, RANK, cases) computes every township at once (median of
REPEATS). Before any figure is reported the two must agree: the same grid and village scores
within 0.001, the same ranks, the same red and black lists (assessment.lists.assign over
DuckDB's village scores) and the same number of threshold cases.

Sizes: BENCH_ASSESSMENT_HOUSEHOLDS (default 1,000,000), BENCH_ASSESSMENT_STEPS (default
"100000,300000,1000000"; steps above the size are left out), BENCH_ASSESSMENT_REPEATS (3).
BENCH_ASSESSMENT_ENTRY_INDEX=1 adds a covering index on points_entry (village, period, kind,
amount, household) first: the what-if for the points app (figures in a separate file).
On SQLite the test database is a file (BENCH_ASSESSMENT_SQLITE, default in the temporary
directory) when this module is run on its own, like the production database.
"""

import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from assessment.close import compute_many, request
from assessment.models import Case, Close, Line, Ranking, Score
from bench.assessment_data import ENTRY_INDEX, MONTH, Slice, duckdb_close, duckdb_lists, export
from places.models import Unit

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

HOUSEHOLDS = int(os.environ.get("BENCH_ASSESSMENT_HOUSEHOLDS", 1_000_000))
STEPS = sorted(
    {
        n
        for n in map(
            int, os.environ.get("BENCH_ASSESSMENT_STEPS", "100000,300000,1000000").split(",")
        )
        if n < HOUSEHOLDS
    }
    | {HOUSEHOLDS}
)
REPEATS = int(os.environ.get("BENCH_ASSESSMENT_REPEATS", 3))
SQLITE_FILE = os.environ.get(
    "BENCH_ASSESSMENT_SQLITE", str(Path(tempfile.gettempdir()) / "xiangzhi-bench-assessment.db")
)
TOLERANCE = Decimal("0.001")
BIG_TABLES = [
    "assessment_case",
    "assessment_ranking",
    "assessment_line",
    "assessment_score",
    "points_entry",
    "work_ticket",
    "work_problem",
    "work_task",
    "people_roleassignment",
    "places_household",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A file, not memory, for SQLite's test database (when this module sets the DB up)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = SQLITE_FILE


@pytest.fixture
def fast_teardown():
    """Empty the big tables at once on SQLite, where Django's flush deletes row by row.

    With foreign keys off, DELETE without WHERE drops a table's pages in one go; the flush
    that follows the test then finds them empty. PostgreSQL's flush truncates anyway.
    """
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in BIG_TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
        cursor.execute("PRAGMA foreign_keys = ON")


def _close_all() -> dict:
    """Every township's close in one run, as `manage.py close_month 2026-10` computes them;
    seconds per step of the run."""
    steps: dict = defaultdict(float)
    townships = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("path")
    started = time.perf_counter()
    requested = [request(township, MONTH) for township in townships]
    steps["queueing the closes"] = time.perf_counter() - started
    mark = [time.perf_counter()]

    def progress(label: str, _percent: int) -> None:
        now = time.perf_counter()
        steps[label] += now - mark[0]
        mark[0] = now

    assert len(compute_many(requested, progress=progress)) == len(requested)
    return steps


def _check_agreement(duck) -> dict:
    """The database's closes against DuckDB's: scores, ranks, lists, cases."""
    closes = Close.objects.filter(month=MONTH)
    assert closes.exclude(state=Close.State.COMPUTED).count() == 0
    ours = {
        (unit, kind): score
        for unit, kind, score in Score.objects.filter(close__in=closes).values_list(
            "unit_id", "kind", "score"
        )
    }
    assert set(ours) == set(duck.scores), "different units scored"
    worst = max(abs(Decimal(ours[key]) - duck.scores[key]) for key in ours)
    differing = [
        (key, ours[key], duck.scores[key])
        for key in sorted(ours)
        if abs(Decimal(ours[key]) - duck.scores[key]) > TOLERANCE
    ]
    assert not differing, f"{len(differing)} scores differ, by up to {worst}: {differing[:5]}"
    rankings = list(Ranking.objects.filter(close__in=closes).values_list("unit_id", "rank"))
    assert {unit: rank for unit, rank in rankings} == duck.ranks
    ours_lists: dict = defaultdict(lambda: ([], []))
    for township, unit, on_list in Ranking.objects.filter(close__in=closes).values_list(
        "township_id", "unit_id", "on_list"
    ):
        if on_list == Ranking.List.RED:
            ours_lists[township][0].append(unit)
        elif on_list == Ranking.List.BLACK:
            ours_lists[township][1].append(unit)
    expected = duckdb_lists(duck)
    assert {t: (sorted(r), sorted(b)) for t, (r, b) in ours_lists.items()} == {
        t: chosen for t, chosen in expected.items() if chosen != ([], [])
    }
    cases = Case.objects.filter(close__in=closes).count()
    assert cases == duck.cases
    return {
        "scores_compared": len(ours),
        "max_score_difference": float(worst),
        "red_listed": sum(len(r) for r, _b in expected.values()),
        "black_listed": sum(len(b) for _r, b in expected.values()),
        "cases": cases,
        "lines": Line.objects.filter(close__in=closes).count(),
    }


def test_close_month_province(report, fast_teardown):
    figures = {
        "database": connection.vendor,
        "month": f"{MONTH:%Y-%m}",
        "repeats": REPEATS,
        "entry_covering_index": ENTRY_INDEX,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "steps": [],
    }
    world = Slice()
    for households in STEPS:
        load_seconds = world.grow_to(households)
        runs = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            steps = _close_all()
            runs.append((time.perf_counter() - started, steps))
        ours = statistics.median(seconds for seconds, _steps in runs)
        directory = Path(tempfile.mkdtemp(prefix="xz-assessment-parquet-"))
        try:
            export_seconds = export(directory)
            ducks = [duckdb_close(directory) for _ in range(REPEATS)]
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        agreement = _check_agreement(ducks[0])
        duck = statistics.median(d.seconds for d in ducks)
        median_run = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
        with connection.cursor() as cursor:
            counts = {}
            for table in ("places_household", "points_entry", "work_problem", "work_ticket"):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
                counts[table] = cursor.fetchone()[0]
        step = {
            "households": world.households,
            "townships": len(world.townships),
            "grids": Unit.objects.filter(kind=Unit.Kind.GRID).count(),
            "rows": counts,
            "load_seconds": round(load_seconds, 1),
            "close_month_all_s": round(ours, 2),
            "close_month_runs_s": [round(seconds, 2) for seconds, _steps in runs],
            "per_township_s": round(ours / len(world.townships), 3),
            "close_steps_s": {label: round(s, 2) for label, s in median_run[1].items()},
            "export_s": round(export_seconds, 1),
            "duckdb_s": round(duck, 3),
            "duckdb_runs_s": [round(d.seconds, 3) for d in ducks],
            "ratio_to_duckdb": round(ours / duck, 1),
            "agreement": agreement,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        figures["steps"].append(step)
        print(f"\n{households}: {step}")
    first, last = figures["steps"][0], figures["steps"][-1]
    scale = last["households"] / first["households"]
    figures["growth"] = {
        "households_factor": scale,
        "close_month_factor": round(last["close_month_all_s"] / first["close_month_all_s"], 2),
        "duckdb_factor": round(last["duckdb_s"] / first["duckdb_s"], 2),
    }
    suffix = "-entry-index" if ENTRY_INDEX else ""
    report(f"assessment-close-{connection.vendor}{suffix}", figures)
