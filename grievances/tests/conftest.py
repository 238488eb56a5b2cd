"""Fixtures of the grievance tests (the personas alice, bob, charlie, dave, eve live in the root
conftest.py). Extra personas: vera (village committee of village 0), sam (supervisor of the
township: VIEW only), lee (township leader, on reception duty)."""

import datetime

import pytest
from django.utils import timezone

from conftest import _persona
from grievances import services


@pytest.fixture
def vera(town):
    return _persona("vera", "village_committee", unit=town.villages[0])


@pytest.fixture
def sam(town):
    return _persona("sam", "supervisor", unit=town.township)


@pytest.fixture
def lee(town):
    return _persona("lee", "township_leader", unit=town.township)


@pytest.fixture
def today():
    return timezone.localdate()


def raise_grievance(actor, resident, **kwargs):
    """A grievance about `resident` recorded on a grid round by `actor` (through the service)."""
    values = {
        "channel": "grid_round",
        "category": "道路交通",
        "subject": "村道塌方",
        "request": "请尽快修复村道",
    }
    values.update(kwargs)
    return services.intake(actor=actor, resident=resident, **values)


@pytest.fixture
def grievance(town, bob, dave):
    """An ordinary grievance of household 0 (dave's), recorded by bob in grid 0."""
    return raise_grievance(bob, town.households[0].members.get())


@pytest.fixture
def petition(town, lee, dave, today):
    """A petition by household 0's head (dave's login), received by lee on duty at the township."""
    shift = services.schedule_duty(actor=lee_boss(town), unit=town.township, date=today, leader=lee)
    return raise_grievance(
        lee,
        town.households[0].members.get(),
        channel="reception",
        is_petition=True,
        duty=shift,
        subject="征地补偿",
    )


def lee_boss(town):
    """The township secretary who sets the rota (alice's role, a separate login)."""
    from people.models import User

    existing = User.objects.filter(username="rota_setter").first()
    return existing or _persona("rota_setter", "township_secretary", unit=town.township)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
