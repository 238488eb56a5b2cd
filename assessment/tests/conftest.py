"""Fixtures of the assessment tests (personas alice, bob, …: root conftest.py).

`town` (places.tests.factories.build_township): 2 villages; each has a level-2 grid (in the
village), a level-3 grid below it and two level-4 grids (town.grids[0..3]) with one 联户 each.
bob is grid chief of grids[0].
"""

import datetime
from decimal import Decimal

import pytest

OCT = datetime.date(2026, 10, 1)


def award(household, amount, actor, period=OCT):
    """An approved award (a correction when negative) in the household's points ledger."""
    from django.db import transaction

    from points import services as points_services

    with transaction.atomic():
        points_services.append(
            village=household.group.parent,
            household=household,
            kind="award",
            amount=amount,
            period=period,
            proposed_by=actor,
            approved_by=actor,
        )


@pytest.fixture
def adjust(alice):
    """Give a unit a commendation/deduction for a month: `adjust(unit, -20)`."""
    from assessment import services

    def _adjust(unit, points, month=OCT, reason="督查扣分"):
        return services.add_adjustment(
            unit=unit,
            month=month,
            points=Decimal(str(points)),
            reason=reason,
            authority="乡党委会议 2026-10",
            user=alice,
        )

    return _adjust


@pytest.fixture
def close(town):
    """Compute a month of `town` (October 2026 unless told)."""
    from assessment.close import close_month
    from people.models import RoleAssignment

    def _close(month=OCT, township=None):
        # The personas were given their posts today; say they have held them all year.
        RoleAssignment.objects.update(start_date=datetime.date(2026, 1, 1))
        return close_month(township or town.township, month)

    return _close
