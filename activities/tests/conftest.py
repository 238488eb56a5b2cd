"""Fixtures of the record-of-work tests (the personas alice..eve live in the root conftest.py).

pam: supervisor (督查组) of 达依乡: sees the whole township, may record nothing (the 403 persona).
vic: village committee of village 0: records work and decisions of that village.
"""

import datetime
from decimal import Decimal

import pytest

from activities import services
from conftest import _persona

DAY = datetime.date(2026, 3, 15)


@pytest.fixture
def pam(town):
    return _persona("pam", "supervisor", unit=town.township)


@pytest.fixture
def vic(town):
    return _persona("vic", "village_committee", unit=town.villages[0])


@pytest.fixture
def records(town, alice):
    """One record of each kind on grid 0 (village 0), dated DAY."""
    unit = town.grids[0]
    return {
        "training": services.record_training(
            actor=alice,
            unit=unit,
            date=DAY,
            topic="环境卫生整治政策",
            trainer="王老师",
            users=[alice],
            residents=[town.households[0].members.get()],
        ),
        "volunteer": services.record_volunteer_event(
            actor=alice, unit=unit, date=DAY, title="清扫河道", participants=12, hours=Decimal("36")
        ),
        "propaganda": services.record_propaganda(
            actor=alice, unit=unit, date=DAY, kind="brochure", title="一封信", quantity=200
        ),
        "broadcast": services.record_broadcast(
            actor=alice,
            unit=unit,
            date=DAY,
            time=datetime.time(7, 30),
            content="垃圾分类",
            minutes=15,
        ),
        "meeting": services.record_meeting(
            actor=alice, unit=unit, date=DAY, kind="grid_weekly", title="网格周例会", attendees=8
        ),
        "output": services.record_output(
            actor=alice, unit=unit, date=DAY, kind="trees", quantity=Decimal("30"), species="香樟"
        ),
    }


@pytest.fixture
def decision(town, vic):
    return services.start_decision(actor=vic, village=town.villages[0], title="修建村道")


@pytest.fixture
def budget(town, alice):
    return services.set_budget(actor=alice, township=town.township, year=2026)
