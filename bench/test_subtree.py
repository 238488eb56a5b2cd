"""A county of 200,000 households: listing one grid's households is one indexed range query.

Baseline in the same run: the same filter written so no index can serve it (a substring test on
the path), i.e. a full scan. Reported as the ratio of the two medians.
"""

import statistics
import time

import pytest
from django.db import connection
from django.db.models import Q

from core import tree
from places.models import Household, Unit
from places.services import create_unit

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

TOWNSHIPS, GRIDS_PER_TOWNSHIP, HOUSEHOLDS_PER_GRID = 20, 100, 100  # 200,000 households


def _build_county():
    county = create_unit(kind="county", name="县", parent=None, actor=None)
    leaves = []
    for t in range(TOWNSHIPS):
        township = create_unit(kind="township", name=f"乡{t}", parent=county, actor=None)
        village = create_unit(kind="village", name=f"村{t}", parent=township, actor=None)
        group = create_unit(kind="group", name=f"组{t}", parent=village, actor=None)
        level2 = create_unit(kind="grid", name=f"片{t}", parent=township, actor=None)
        level3 = create_unit(kind="grid", name=f"村网格{t}", parent=level2, actor=None)
        for g in range(GRIDS_PER_TOWNSHIP):
            grid = create_unit(kind="grid", name=f"网格{t}-{g}", parent=level3, actor=None)
            joint = create_unit(kind="joint", name=f"联户{t}-{g}", parent=grid, actor=None)
            leaves.append((township, group, joint))
    rows = []
    for township, group, joint in leaves:
        for h in range(HOUSEHOLDS_PER_GRID):
            rows.append(
                Household(
                    township=township,
                    number=f"{joint.pk}-{h}",
                    group=group,
                    joint=joint,
                    group_path=group.path,
                    joint_path=joint.path,
                )
            )
    Household.objects.bulk_create(rows, batch_size=5000)
    return leaves


def _median_seconds(fn, repeat=15):
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def test_subtree_listing_against_a_full_scan(report):
    leaves = _build_county()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE places_household")
    grid = Unit.objects.get(pk=leaves[len(leaves) // 2][2].parent_id)

    def indexed():
        return list(Household.objects.filter(tree.under("joint_path", grid.path)).values("pk"))

    def scanned():
        return list(
            Household.objects.filter(Q(joint_path__contains=grid.path[4:]))
            .filter(joint_path__startswith=grid.path[:4])
            .values("pk")
        )

    assert len(indexed()) == HOUSEHOLDS_PER_GRID
    assert sorted(r["pk"] for r in indexed()) == sorted(r["pk"] for r in scanned())
    fast, slow = _median_seconds(indexed), _median_seconds(scanned, repeat=5)
    report(
        f"subtree_{connection.vendor}",
        {
            "households": Household.objects.count(),
            "indexed_range_ms": round(fast * 1000, 3),
            "full_scan_ms": round(slow * 1000, 3),
            "speedup": round(slow / fast, 1),
        },
    )
    assert slow / fast > 5  # the range must be served by the index, not a scan
