"""The demo record of work (activities/demo.py): the seed articles' figures, seeded fast.

The demo townships and logins are built once for the class and rolled back after it.
"""

import random
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from activities import demo, selectors
from activities.models import Budget, Decision, Step
from people import demo as people_demo
from people.access import scope_for
from people.models import User
from places import demo as places_demo
from places.models import Unit

_timing: dict[str, float] = {}


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        townships = [places_demo.build(layout) for layout in places_demo.LAYOUTS]
        people_demo.create_logins(*townships)
        started = time.monotonic()
        _timing["counts"] = demo.seed(
            [built.township for built in townships], random.Random("xiangzhi-activities.demo")
        )
        _timing["seconds"] = time.monotonic() - started
        yield
        transaction.set_rollback(True)


def _report(username: str, township: str) -> dict:
    user = User.objects.get(username=username)
    unit = Unit.objects.get(kind="township", name=township)
    today = timezone.localdate()
    return selectors.figures(scope_for(user), unit, today.replace(month=1, day=1), today)


@pytest.mark.usefixtures("seeded", "db")
class TestDemoActivities:
    def test_seeding_is_fast(self):
        assert _timing["seconds"] < 2.0, _timing

    def test_dayi_figures_are_the_articles(self):
        figures = _report("dayi_secretary", "达依乡")
        assert figures["trainings_central"] == 18
        assert figures["attendances_central"] == 640
        assert figures["trainings"] == 18 + 27
        assert figures["attendances"] == 640 + 1361
        assert figures["street_events"] == 6
        assert figures["brochures"] == 2000
        assert figures["household_meetings"] == 200
        assert figures["home_visits"] == 1500
        assert figures["people_reached"] == 3000
        assert figures["messages"] == 400
        assert figures["broadcasts"] > 300
        assert figures["output_bins"] == 500
        assert figures["funding_bins"] == 500 and figures["funding_uniforms"] == 330

    def test_liuhu_figures_are_the_articles(self):
        figures = _report("liuhu_secretary", "柳湖街道")
        assert figures["volunteer_events"] == 3000
        assert figures["volunteer_participants"] == 10200
        assert figures["special_meetings"] == 34 and figures["scheduling_meetings"] == 18
        assert figures["output_rubbish_tons"] == Decimal("300")
        assert figures["output_ditches"] == 200 and figures["output_structures"] == 150
        assert figures["output_trees"] == 4600

    def test_decisions_one_done_one_in_progress(self):
        states = sorted(Decision.objects.values_list("state", flat=True))
        assert states == ["done", "open"]
        done = Decision.objects.get(state="done")
        assert list(done.steps.values_list("kind", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert Step.objects.filter(kind__in=Step.PUBLICATIONS).count() == 2

    def test_budget_is_one_yuan_per_resident_per_month(self):
        budget = Budget.objects.get(township__name="达依乡")
        assert budget.amount == budget.residents * 12 and budget.residents > 5_000
        spent = budget.spending.aggregate(total=Sum("amount"))
        assert spent["total"] == Decimal("30000") + Decimal("26400") + Decimal("42000") + Decimal(
            "3000"
        )
