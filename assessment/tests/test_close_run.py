"""Closes of one month computed together: one run, one statement per step for all townships.

A county's month end (`manage.py close_month 2026-10`, or the closes queued from the page) is
one run; each township's result must be exactly what closing it alone gives, with its own
settings (base score, thresholds, list sizes, items).
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment import close as month_close
from assessment import jobs, setup
from assessment.models import Case, Close, Line, Ranking, Score
from conftest import _persona
from people.models import RoleAssignment
from places.models import TownshipConfig

from .conftest import OCT, award

NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def county(town, other_town, alice, bob, adjust):
    """Two townships with different rules and records of their own in October."""
    _persona("other_chief", "grid_chief", unit=other_town.grids[1])
    RoleAssignment.objects.update(start_date=datetime.date(2026, 1, 1))
    settings = setup.ensure(other_town.township)
    settings.base_score = Decimal("90")
    settings.save()
    TownshipConfig.objects.update_or_create(
        township=other_town.township,
        defaults={"red_list_size": 1, "black_list_size": 1, "warning_below": Decimal("88")},
    )
    adjust(town.grids[0], -18)  # 82: a warning talk in 达依乡
    adjust(town.grids[2], 4)
    adjust(other_town.grids[1], -3)  # 87 under 90: below the other township's band
    adjust(other_town.grids[3].parent, 2)  # an upper grid's own line
    award(town.households[0], 30, alice)
    award(other_town.households[-1], -9, alice)
    return [town.township, other_town.township]


def _rows(queryset, *fields) -> list:
    return sorted(queryset.values_list(*fields), key=repr)


def _result(item: Close) -> dict:
    """Everything a close computed, without ids that differ between computations."""
    return {
        "scores": _rows(
            Score.objects.filter(close=item),
            *("unit_id", "kind", "parent_id", "depth", "score", "own_points", "children"),
        ),
        "lines": _rows(
            Line.objects.filter(close=item),
            *("unit_id", "item_id", "source", "source_id", "count", "points"),
        ),
        "rankings": _rows(
            Ranking.objects.filter(close=item), "unit_id", "rank", "score", "on_list"
        ),
        "cases": _rows(
            Case.objects.filter(close=item), "unit_id", "assignment_id", "kind", "score"
        ),
    }


@pytest.mark.django_db
def test_closing_townships_together_gives_what_closing_each_alone_gives(county):
    together = month_close.compute_many([month_close.request(t, OCT) for t in county])
    assert [item.township for item in together] == county
    assert len({item.run for item in together}) == 1  # one run
    first = {item.township_id: _result(item) for item in together}
    for township in county:
        alone = month_close.close_month(township, OCT)
        assert _result(alone) == first[township.pk]
    # Each township's own rules were applied in the run.
    ours, theirs = (first[t.pk] for t in county)
    assert {kind for *_rest, kind, _s in ours["cases"]} == {"talk"}
    assert [kind for *_rest, kind, _s in theirs["cases"]] == ["talk"]  # 87 < 88, its own band
    assert max(score for *_u, score, _o, _c in theirs["scores"]) <= Decimal("92")  # base 90
    assert sum(1 for *_r, on_list in theirs["rankings"] if on_list) == 2  # 1 red, 1 black
    sources = {source for _u, _i, source, *_rest in ours["lines"]}
    assert sources >= {"adjustment", "household_points"}


@pytest.mark.django_db
def test_a_close_another_run_is_computing_is_left_out_and_the_others_are_computed(county):
    ours, theirs = (month_close.request(t, OCT) for t in county)
    Close.objects.filter(pk=theirs.pk).update(state=Close.State.RUNNING, started_at=timezone.now())
    theirs.refresh_from_db()
    done = month_close.compute_many([ours, theirs])
    assert [item.pk for item in done] == [ours.pk]
    assert Close.objects.get(pk=theirs.pk).state == Close.State.RUNNING
    assert not Score.objects.filter(close=theirs).exists()
    with pytest.raises(ValueError):
        month_close.compute_many([ours, month_close.request(county[0], NOV)])


@pytest.mark.django_db
def test_the_command_closes_every_township_in_one_run(county):
    out = StringIO()
    call_command("close_month", "2026-10", stdout=out)
    closes = list(Close.objects.filter(month=OCT).order_by("township__path"))
    assert [c.township for c in closes] == county
    assert {c.state for c in closes} == {Close.State.COMPUTED}
    assert len({c.run for c in closes}) == 1 and closes[0].run is not None
    assert all(c.since == OCT for c in closes)
    text = out.getvalue()
    assert all(t.name in text for t in county)


@pytest.mark.django_db
def test_queued_closes_of_a_month_run_together_and_months_apart(county):
    for township in county:
        month_close.request(township, OCT)
    month_close.request(county[0], NOV)
    done = jobs.run_queued()
    assert sorted((c.township_id, c.month) for c in done) == sorted(
        [(county[0].pk, OCT), (county[1].pk, OCT), (county[0].pk, NOV)]
    )
    october = {c.run for c in done if c.month == OCT}
    november = {c.run for c in done if c.month == NOV}
    assert len(october) == 1 and len(november) == 1 and october != november
