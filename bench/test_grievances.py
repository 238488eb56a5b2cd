"""Grievance figures over a large township: 50,000 grievances in a year, 10 villages x 10 grids.

Reports, against baselines in the same run (medians of RUNS):
- selectors.figures for the township and for one village (one aggregate query with the scope
  filter and one FILTER per figure), against a plain COUNT(*) of the township's grievances (the
  floor of any query over those rows) and against fetching the rows and counting the figures
  in Python (what a report without the SQL aggregate does); the two results must agree;
- the first page (50 rows) of one figure's drill-down (selectors.records).
"""

import datetime
import random
import statistics
import time

import pytest
from django.utils import timezone

from conftest import _persona
from grievances import selectors
from grievances.models import Grievance
from people.access import scope_for
from places.services import create_unit

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

GRIEVANCES = 50_000
VILLAGES, GRIDS = 10, 10
RUNS = 5


def _timed(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _load(today):
    county = create_unit(kind="county", name="赫章县", parent=None, actor=None)
    township = create_unit(kind="township", name="达依乡", parent=county, actor=None)
    places = []
    for v in range(VILLAGES):
        village = create_unit(kind="village", name=f"村{v}", parent=township, actor=None)
        group = create_unit(kind="group", name=f"村{v}一组", parent=village, actor=None)
        area = create_unit(kind="grid", name=f"片{v}", parent=township, actor=None, village=village)
        for g in range(GRIDS):
            grid = create_unit(kind="grid", name=f"村{v}网格{g}", parent=area, actor=None)
            joint = create_unit(kind="joint", name=f"村{v}网格{g}联户", parent=grid, actor=None)
            places.append((village, group, grid, joint))
    secretary = _persona("bench_secretary", "township_secretary", unit=township)
    rng = random.Random(9)
    start = today - datetime.timedelta(days=364)
    rows = []
    for n in range(GRIEVANCES):
        village, group, grid, joint = places[n % len(places)]
        received = start + datetime.timedelta(days=rng.randint(0, 364))
        deadline = received + datetime.timedelta(days=15)
        done = received + datetime.timedelta(days=rng.randint(0, 25))
        concluded = done <= today and rng.random() < 0.88
        rows.append(
            Grievance(
                township=township,
                is_petition=rng.random() < 0.05,
                channel="grid_round",
                category="其他",
                unit=joint,
                unit_path=joint.path,
                village_path=village.path,
                group_path=group.path,
                outsider_name="某人",
                outsider_phone="13800000000",
                subject="s",
                request="r",
                received_on=received,
                recorded_by=secretary,
                state="concluded" if concluded else "handling",
                assigned_unit=grid,
                assigned_path=grid.path,
                deadline=deadline,
                concluded_on=done if concluded else None,
                rating=rng.choice(["satisfied", "basic", "not", ""]) if concluded else "",
            )
        )
    Grievance.objects.bulk_create(rows, batch_size=2000)
    return township, secretary, places[0][0]


def _in_python(scope, unit, start, end, today):
    """The figures by fetching every visible row of the subtree and counting in Python."""
    from grievances.access import subtree_q

    counts = dict.fromkeys(selectors.COUNTS, 0)
    rows = selectors.visible(scope).filter(subtree_q(unit))
    for received, state, deadline, concluded, rating in rows.values_list(
        "received_on", "state", "deadline", "concluded_on", "rating"
    ).iterator(chunk_size=5000):
        counts["received"] += start <= received <= end
        done = state == "concluded" and start <= concluded <= end
        counts["concluded"] += done
        counts["concluded_on_time"] += done and (deadline is None or concluded <= deadline)
        counts["overdue_open"] += (
            state != "concluded" and deadline is not None and deadline < min(end, today)
        )
        rated = done and rating != ""
        counts["rated"] += rated
        counts["satisfied"] += rated and rating == "satisfied"
        counts["basically_satisfied"] += rated and rating == "basic"
        counts["not_satisfied"] += rated and rating == "not"
    good = counts["satisfied"] + counts["basically_satisfied"]
    counts["satisfaction_rate"] = selectors.rate(good, counts["rated"])
    return counts


def test_figures_of_a_large_township(report, django_db_blocker):
    from django.db import connection

    today = timezone.localdate()
    started = time.perf_counter()
    township, secretary, village = _load(today)
    load = time.perf_counter() - started
    scope = scope_for(secretary)
    start, end = today - datetime.timedelta(days=364), today

    sql = selectors.figures(scope=scope, unit=township, start=start, end=end)
    python = _in_python(scope, township, start, end, today)
    assert sql == python and sql["received"] == GRIEVANCES
    assert selectors.figures(scope=scope, unit=village, start=start, end=end) == _in_python(
        scope, village, start, end, today
    )

    count = _timed(lambda: Grievance.objects.filter(township=township).count())
    township_figures = _timed(
        lambda: selectors.figures(scope=scope, unit=township, start=start, end=end)
    )
    village_figures = _timed(
        lambda: selectors.figures(scope=scope, unit=village, start=start, end=end)
    )
    in_python = _timed(lambda: _in_python(scope, township, start, end, today), runs=3)
    drill = _timed(
        lambda: list(
            selectors.records(scope=scope, unit=township, start=start, end=end, figure="concluded")[
                :50
            ]
        )
    )
    report(
        "grievances",
        {
            "database": connection.vendor,
            "grievances": GRIEVANCES,
            "load_s": round(load, 2),
            "count_all_ms": round(count * 1000, 1),
            "figures_township_ms": round(township_figures * 1000, 1),
            "figures_village_ms": round(village_figures * 1000, 1),
            "figures_in_python_ms": round(in_python * 1000, 1),
            "drill_down_page_ms": round(drill * 1000, 1),
            "figures_vs_count": round(township_figures / count, 2),
            "python_vs_figures": round(in_python / township_figures, 2),
        },
    )
