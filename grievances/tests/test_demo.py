"""The demo grievances (grievances/demo.py via `manage.py seed_demo`) give seed 004's figures,
computed from the records by the same selectors the report uses, and load fast."""

import io
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from grievances import demo, selectors
from grievances.models import DutyShift, Grievance, Ticket
from people.access import scope_for
from people.models import User
from places.models import Unit

TIMING: dict[str, float] = {}


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    real = demo.seed

    def timed(*args, **kwargs):
        started = time.perf_counter()
        result = real(*args, **kwargs)
        TIMING["seed"] = time.perf_counter() - started
        return result

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, mock.patch.object(demo, "seed", timed):
        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded", "db")
class TestDemo:
    @pytest.fixture
    def secretary(self):
        return User.objects.get(username="dayi_secretary")

    def _township(self):
        return Unit.objects.get(kind="township", name="达依乡")

    def test_the_township_this_year(self, secretary):
        today = timezone.localdate()
        scope = scope_for(secretary)
        start = today.replace(month=1, day=1)
        unit = self._township()
        grievances = selectors.figures(
            scope=scope, unit=unit, start=start, end=today, petition=False
        )
        assert grievances["received"] == 52 and grievances["concluded"] == 46
        assert grievances["overdue_open"] == 3
        petitions = selectors.figures(scope=scope, unit=unit, start=start, end=today, petition=True)
        assert (petitions["received"], petitions["concluded"]) == (10, 10)
        assert petitions["satisfaction_rate"] == 100

    def test_a_village_in_a_month(self, secretary):
        start, end = demo.village_month(timezone.localdate())
        village = Unit.objects.get(name=demo.VILLAGE, township__name="达依乡")
        f = selectors.figures(scope=scope_for(secretary), unit=village, start=start, end=end)
        assert (f["received"], f["concluded"], f["rated"]) == (10, 10, 10)
        assert f["satisfaction_rate"] == 100

    def test_rota_and_receptions(self):
        today = timezone.localdate()
        assert DutyShift.objects.filter(date__month=today.month, date__year=today.year).exists()
        petitions = Grievance.objects.filter(is_petition=True)
        assert petitions.count() == 10 and not petitions.filter(duty__isnull=True).exists()
        assert all(p.recorded_by_id == p.duty.leader_id for p in petitions.select_related("duty"))

    def test_every_grievance_has_its_history(self):
        for g in Grievance.objects.all():
            actions = [e.action for e in g.events.order_by("id")]
            assert actions[:2] == ["intake", "assign"]
            assert ("conclude" in actions) == (g.state == "concluded")
            assert g.deadline >= g.received_on
            assert g.received_on <= timezone.localdate()
            assert g.concluded_on is None or g.concluded_on <= timezone.localdate()

    def test_chief_has_his_grid_in_sight(self):
        chief = User.objects.get(username="dayi_chief")
        assert selectors.visible(scope_for(chief)).exists()

    def test_overdue_grievances_carry_tickets(self):
        township = self._township()
        overdue = set(selectors.overdue(township=township, on=timezone.localdate()))
        assert overdue
        assert {t.grievance for t in Ticket.objects.filter(colour="white")} == overdue

    def test_fast(self):
        assert TIMING["seed"] < 2.0, TIMING
