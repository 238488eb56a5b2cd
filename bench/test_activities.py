"""Statistics over a large record of work: the figures are aggregate queries, never stored.

Loads two townships (build_township) with ~240,000 records dated over two years: 60,000
volunteer events, 60,000 propaganda actions, 20,000 broadcasts, 20,000 meetings, 4,000
trainings with 80,000 attendances. Reports, against baselines in the same run:
- the whole report of a township for one year (activities.selectors.figures: one aggregate
  query per record set, 9 queries) against one COUNT(*) of that township's volunteer events
  in the year (the cheapest single aggregate over the same rows);
- the report of one village (its subtree includes its grids, which hang under the township in
  the grid tree) against the township's;
- the month-by-month series (selectors.monthly, 7 GROUP BY queries).
"""

import datetime
import random
import statistics
import time
from decimal import Decimal

import pytest

from activities import selectors
from activities.models import (
    Attendance,
    Broadcast,
    Meeting,
    Propaganda,
    Training,
    VolunteerEvent,
)
from people.access import scope_for
from people.models import User
from people.services import assign_role
from places.tests.factories import build_township

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

RUNS = 5
START, END = datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)
YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def _timed(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _load(rng):
    towns = [build_township(), None]
    towns[1] = build_township(name="柳湖街道", county=towns[0].county)
    user = User.objects.create_user(username="bench", name="bench")
    assign_role(user=user, role="county_admin", unit=towns[0].county, actor=None)
    span = (END - START).days
    residents = [h.members.get().pk for t in towns for h in t.households]

    def units(town):
        return [town.township, *town.villages, *town.grids]

    def common(town):
        return {
            "township": town.township,
            "unit": rng.choice(units(town)),
            "date": START + datetime.timedelta(days=rng.randint(0, span)),
            "recorded_by": user,
        }

    for town in towns:
        VolunteerEvent.objects.bulk_create(
            (
                VolunteerEvent(
                    **common(town), title="v", participants=rng.randint(1, 9), hours=Decimal(3)
                )
                for _ in range(30_000)
            ),
            batch_size=5000,
        )
        Propaganda.objects.bulk_create(
            (
                Propaganda(
                    **common(town),
                    kind=rng.choice(Propaganda.Kind.values),
                    title="p",
                    quantity=rng.randint(1, 50),
                )
                for _ in range(30_000)
            ),
            batch_size=5000,
        )
        Broadcast.objects.bulk_create(
            (
                Broadcast(**common(town), time=datetime.time(7), content="c", minutes=15)
                for _ in range(10_000)
            ),
            batch_size=5000,
        )
        Meeting.objects.bulk_create(
            (
                Meeting(**common(town), kind=rng.choice(Meeting.Kind.values), title="m")
                for _ in range(10_000)
            ),
            batch_size=5000,
        )
        trainings = Training.objects.bulk_create(
            (Training(**common(town), topic="t", trainer="x") for _ in range(2_000)),
            batch_size=2000,
        )
        Attendance.objects.bulk_create(
            (
                Attendance(training=t, resident_id=r)
                for t in trainings
                for r in rng.sample(residents, 20)
            ),
            batch_size=5000,
        )
    return towns, user


def test_statistics_of_a_large_record(report):
    towns, user = _load(random.Random(9))
    scope = scope_for(user)
    township, village = towns[0].township, towns[0].villages[0]

    def baseline():
        return VolunteerEvent.objects.filter(
            township=township, date__gte=YEAR[0], date__lte=YEAR[1]
        ).count()

    def township_report():
        return selectors.figures(scope, township, *YEAR)

    def village_report():
        return selectors.figures(scope, village, *YEAR)

    def monthly():
        return selectors.monthly(scope, township, *YEAR)

    assert township_report()["volunteer_events"] == baseline()
    t_base = _timed(baseline)
    t_town = _timed(township_report)
    t_village = _timed(village_report)
    t_monthly = _timed(monthly)
    from django.db import connection

    report(
        "activities",
        {
            "database": connection.vendor,
            "records": VolunteerEvent.objects.count()
            + Propaganda.objects.count()
            + Broadcast.objects.count()
            + Meeting.objects.count()
            + Training.objects.count(),
            "attendances": Attendance.objects.count(),
            "baseline_count_ms": round(t_base * 1000, 2),
            "township_report_ms": round(t_town * 1000, 2),
            "village_report_ms": round(t_village * 1000, 2),
            "monthly_series_ms": round(t_monthly * 1000, 2),
            "report_vs_one_count": round(t_town / t_base, 1),
            "village_vs_township": round(t_village / t_town, 2),
        },
    )
