"""Star ratings of a large village: 2,000 households, ~20,000 insert-only rating entries.

Every household holds a rating of 3 to 10 stars (granted in a round), one in ten then lost an
optional star and one in twenty a required one (withdrawals). Reports, against baselines in the
same run:
- the quarterly publication's rows with the star count computed in SQL
  (points.quarter.publication_rows → stars.selectors.with_star_count), against the same
  households query without the star column (the cost the stars add to the publication);
- the star counts read by folding the history in Python (stars.selectors.ratings_for: one
  query over the entries) against the SQL annotation, and that both agree;
- the public notice board of the village (stars.selectors.public_board).
"""

import datetime
import random
import statistics
import time

import pytest
from django.db.models import OuterRef, Subquery

from places.models import Household, Resident
from places.services import create_unit
from points import quarter
from stars import selectors, services
from stars.models import RatingEntry

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

HOUSEHOLDS = 2000
RUNS = 5
ON = datetime.date(2026, 9, 30)
QUARTER = "2026-Q3"


def _timed(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _load():
    county = create_unit(kind="county", name="赫章县", parent=None, actor=None)
    township = create_unit(kind="township", name="达依乡", parent=county, actor=None)
    village = create_unit(kind="village", name="和平社区", parent=township, actor=None)
    group = create_unit(kind="group", name="一组", parent=village, actor=None)
    grid = create_unit(kind="grid", name="网格", parent=township, actor=None, village=village)
    joint = create_unit(kind="joint", name="联户", parent=grid, actor=None)
    homes = Household.objects.bulk_create(
        Household(
            township=township,
            number=f"H{n:05d}",
            group=group,
            joint=joint,
            group_path=group.path,
            joint_path=joint.path,
        )
        for n in range(HOUSEHOLDS)
    )
    Resident.objects.bulk_create(
        Resident(township=township, household=h, name=f"刘{n}先", sex="M", relation="head")
        for n, h in enumerate(homes)
    )
    stars = services.star_set(township)
    required = [s for s in stars if s.required]
    optional = [s for s in stars if not s.required]
    rng = random.Random(8)
    entries, expected = [], {}
    for home in homes:
        held = required + rng.sample(optional, rng.randint(0, len(optional)))
        for star in held:
            entries.append((home, star, "grant"))
        count = len(held)
        draw = rng.random()
        if draw < 0.05:
            entries.append((home, required[0], "withdraw"))
            count = 0
        elif draw < 0.15 and len(held) > 3:
            entries.append((home, held[-1], "withdraw"))
            count -= 1
        expected[home.pk] = count
    RatingEntry.objects.bulk_create(
        RatingEntry(
            township=township,
            household=home,
            star=star,
            action=action,
            effective_on=datetime.date(2026, 6, 1) if action == "grant" else ON,
            authority="bench",
        )
        for home, star, action in entries
    )
    return village, homes, expected, len(entries)


def test_star_counts_of_a_large_village(report):
    village, homes, expected, n_entries = _load()
    in_village = quarter.village_households(village)
    head = Resident.objects.filter(household=OuterRef("pk"), relation="head").values("name")[:1]

    def plain():
        return list(
            in_village.annotate(head_name=Subquery(head)).values_list("pk", "number", "head_name")
        )

    def with_stars():
        return list(
            selectors.with_star_count(in_village, on=ON)
            .annotate(head_name=Subquery(head))
            .values_list("pk", "number", "head_name", "stars")
        )

    def folded():
        return selectors.ratings_for(homes, on=ON)

    sql_counts = {pk: stars for pk, _n, _h, stars in with_stars()}
    fold_counts = {pk: rating.count for pk, rating in folded().items()}
    assert sql_counts == fold_counts == expected
    baseline = _timed(plain)
    annotated = _timed(with_stars)
    python_fold = _timed(folded)
    rows = _timed(lambda: quarter.publication_rows(village, QUARTER))
    board = _timed(lambda: selectors.public_board(village, on=ON))
    report(
        "stars",
        {
            "households": HOUSEHOLDS,
            "rating_entries": n_entries,
            "households_query_ms": round(baseline * 1000, 1),
            "households_query_with_star_count_ms": round(annotated * 1000, 1),
            "star_column_cost_ratio": round(annotated / baseline, 2),
            "ratings_for_python_fold_ms": round(python_fold * 1000, 1),
            "fold_vs_sql_ratio": round(python_fold / annotated, 2),
            "publication_rows_ms": round(rows * 1000, 1),
            "public_board_ms": round(board * 1000, 1),
        },
    )
