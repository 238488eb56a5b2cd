"""Every figure equals a count over its records: fixed cases at the period's boundaries, and
hypothesis-generated record sets compared with an independent count in Python."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grievances import selectors, services
from grievances.models import Grievance
from grievances.selectors import FIGURES
from people.access import scope_for

from .conftest import days_ago, raise_grievance

START, END = days_ago(40), days_ago(10)


def _handled(actor, resident, *, received, deadline, concluded=None, rating="", unit=None):
    """A grievance received, assigned, replied (and concluded and rated) on the given days."""
    g = raise_grievance(actor, resident, received_on=received)
    g = services.assign(grievance=g, actor=actor, unit=unit, deadline=deadline, on=received)
    if concluded is not None:
        g = services.reply_to(grievance=g, actor=actor, reply="已修复", on=concluded)
        g = services.conclude(grievance=g, actor=actor, on=concluded)
        if rating:
            g = services.rate(grievance=g, actor=actor, rating=rating, method="in_person")
    return g


@pytest.fixture
def record_set(town, alice):
    """Grievances placed around the boundaries of [START, END] in village 0 and village 1."""
    r0 = town.households[0].members.get()
    r1 = town.households[9].members.get()  # village 1, grid 3 (charlie's)
    unit = town.villages[0]
    return {
        "before": _handled(alice, r0, received=days_ago(41), deadline=days_ago(30), unit=unit),
        "on_start": _handled(
            alice,
            r0,
            received=START,
            deadline=days_ago(30),
            concluded=days_ago(35),
            rating="satisfied",
            unit=unit,
        ),
        "on_end": _handled(
            alice, r0, received=END, deadline=END, concluded=END, rating="basic", unit=unit
        ),
        "late": _handled(
            alice,
            r0,
            received=days_ago(30),
            deadline=days_ago(25),
            concluded=days_ago(20),
            rating="not",
            unit=unit,
        ),
        "after": _handled(
            alice,
            r0,
            received=days_ago(9),
            deadline=days_ago(5),
            concluded=days_ago(9),
            unit=unit,
        ),
        "open_due_on_end": _handled(alice, r0, received=days_ago(20), deadline=END, unit=unit),
        "other_village": _handled(
            alice,
            r1,
            received=days_ago(20),
            deadline=days_ago(15),
            concluded=days_ago(12),
            rating="satisfied",
            unit=town.villages[1],
        ),
    }


def test_figures_of_a_village_at_the_period_boundaries(town, alice, record_set):
    f = selectors.figures(scope=scope_for(alice), unit=town.villages[0], start=START, end=END)
    assert f == {
        "received": 4,  # on_start, on_end, late, open_due_on_end (before/after outside)
        "concluded": 3,  # on_start (35 days ago), on_end, late
        "concluded_on_time": 2,  # late was concluded after its deadline
        "overdue_open": 1,  # before (deadline 30 days ago); open_due_on_end is due on END
        "rated": 3,
        "satisfied": 1,
        "basically_satisfied": 1,
        "not_satisfied": 1,
        "satisfaction_rate": Decimal("66.7"),
    }
    township = selectors.figures(scope=scope_for(alice), unit=town.township, start=START, end=END)
    assert township["received"] == 5 and township["satisfaction_rate"] == Decimal("75.0")


def test_each_figure_lists_exactly_its_records(town, alice, record_set):
    scope = scope_for(alice)
    f = selectors.figures(scope=scope, unit=town.villages[0], start=START, end=END)
    names = {g.pk: name for name, g in record_set.items()}
    listed = {
        figure: sorted(
            names[g.pk]
            for g in selectors.records(
                scope=scope, unit=town.villages[0], start=START, end=END, figure=figure
            )
        )
        for figure in FIGURES
    }
    for figure in FIGURES[:-1]:
        assert len(listed[figure]) == f[figure], figure
    assert listed["overdue_open"] == ["before"]
    assert listed["concluded_on_time"] == ["on_end", "on_start"]
    assert listed["satisfaction_rate"] == listed["rated"]


def test_a_unit_counts_both_trees(town, alice, record_set):
    """The grid of household 0 (grid tree) and its group (administrative tree) see the same."""
    scope = scope_for(alice)
    household = town.households[0]
    by_grid = selectors.figures(scope=scope, unit=household.joint.parent, start=START, end=END)
    by_group = selectors.figures(scope=scope, unit=household.group, start=START, end=END)
    assert by_grid["received"] == by_group["received"] == 4


def test_figures_only_count_what_the_scope_sees(town, alice, charlie, eve, record_set):
    # charlie (grid 3, village 1) sees only the other village's grievance
    f = selectors.figures(scope=scope_for(charlie), unit=town.township, start=START, end=END)
    assert f["received"] == 1 and f["satisfaction_rate"] == Decimal("100.0")
    f = selectors.figures(scope=scope_for(eve), unit=town.township, start=START, end=END)
    assert all(f[k] == 0 for k in FIGURES[:-1]) and f["satisfaction_rate"] is None


def test_reopening_takes_a_grievance_out_of_concluded_and_rated(town, alice, dave, record_set):
    g = record_set["late"]
    services.reopen(grievance=g, actor=alice, reason="群众不满意，重新办理")
    f = selectors.figures(scope=scope_for(alice), unit=town.villages[0], start=START, end=END)
    assert (f["concluded"], f["rated"], f["not_satisfied"]) == (2, 2, 0)
    assert f["satisfaction_rate"] == Decimal("100.0")


def test_petition_filter(town, alice, petition, today):
    scope = scope_for(alice)
    assert (
        selectors.figures(scope=scope, unit=town.township, start=today, end=today, petition=True)[
            "received"
        ]
        == 1
    )
    assert (
        selectors.figures(scope=scope, unit=town.township, start=today, end=today, petition=False)[
            "received"
        ]
        == 0
    )


def test_overdue_selector(town, alice, record_set, today):
    rows = list(selectors.overdue(township=town.township, on=today))
    assert [g.pk for g in rows] == [record_set["before"].pk, record_set["open_due_on_end"].pk]
    assert rows[0].assigned_unit == town.villages[0]
    assert list(selectors.overdue(township=town.township, on=END)) == [record_set["before"]]


def test_figures_is_one_query(town, alice, record_set, django_assert_num_queries):
    scope = scope_for(alice)
    with django_assert_num_queries(1):
        selectors.figures(scope=scope, unit=town.township, start=START, end=END)


# --- hypothesis: any record set ------------------------------------------------------------

TODAY = datetime.date(2026, 6, 30)
DAY = st.integers(min_value=0, max_value=60)  # days before TODAY


@st.composite
def records_strategy(draw):
    received = draw(DAY)
    state = draw(st.sampled_from(["registered", "handling", "replied", "concluded"]))
    deadline = None if state == "registered" else received - draw(st.integers(0, 30))
    concluded = rating = None
    if state == "concluded":
        concluded = draw(st.integers(0, received))
        rating = draw(st.sampled_from(["", "satisfied", "basic", "not"]))
    return {
        "received": received,
        "state": state,
        "deadline": None if deadline is None else max(deadline, 0),
        "concluded": concluded,
        "rating": rating or "",
        "petition": draw(st.booleans()),
        "village": draw(st.integers(0, 1)),
    }


def _expected(rows, start, end, today):
    d = lambda n: TODAY - datetime.timedelta(days=n)  # noqa: E731 - a one-line converter
    out = dict.fromkeys(FIGURES[:-1], 0)
    for r in rows:
        received = d(r["received"])
        deadline = None if r["deadline"] is None else d(r["deadline"])
        concluded = None if r["concluded"] is None else d(r["concluded"])
        out["received"] += start <= received <= end
        done = r["state"] == "concluded" and start <= concluded <= end
        out["concluded"] += done
        out["concluded_on_time"] += done and (deadline is None or concluded <= deadline)
        out["overdue_open"] += (
            r["state"] != "concluded" and deadline is not None and deadline < min(end, today)
        )
        rated = done and r["rating"] != ""
        out["rated"] += rated
        out["satisfied"] += rated and r["rating"] == "satisfied"
        out["basically_satisfied"] += rated and r["rating"] == "basic"
        out["not_satisfied"] += rated and r["rating"] == "not"
    good = out["satisfied"] + out["basically_satisfied"]
    out["satisfaction_rate"] = (
        None
        if not out["rated"]
        else (Decimal(100 * good) / out["rated"]).quantize(Decimal("0.1"), "ROUND_HALF_UP")
    )
    return out


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(records_strategy(), max_size=12),
    start=DAY,
    length=st.integers(0, 40),
)
def test_figures_equal_counts_over_any_record_set(
    town, alice, vera, monkeypatch, rows, start, length
):
    scope, village_scope = scope_for(alice), scope_for(vera)  # roles held from the real today
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
    d = lambda n: TODAY - datetime.timedelta(days=n)  # noqa: E731 - a one-line converter
    start_day = d(start)
    end_day = start_day + datetime.timedelta(days=length)
    with transaction.atomic():
        for r in rows:
            household = town.households[6 * r["village"]]
            Grievance.objects.create(
                township=town.township,
                is_petition=r["petition"],
                channel="grid_round",
                category="其他",
                unit=household.joint,
                unit_path=household.joint.path,
                village_path=town.villages[r["village"]].path,
                group_path=household.group_path,
                household=household,
                outsider_name="某人",
                subject="s",
                request="r",
                received_on=d(r["received"]),
                recorded_by=alice,
                state=r["state"],
                assigned_unit=None if r["deadline"] is None else town.township,
                assigned_path="" if r["deadline"] is None else town.township.path,
                deadline=None if r["deadline"] is None else d(r["deadline"]),
                concluded_on=None if r["concluded"] is None else d(r["concluded"]),
                rating=r["rating"],
            )
        for unit, subset in (
            (town.township, rows),
            (town.villages[0], [r for r in rows if r["village"] == 0]),
        ):
            got = selectors.figures(scope=scope, unit=unit, start=start_day, end=end_day)
            assert got == _expected(subset, start_day, end_day, TODAY)
            for figure in FIGURES[:-1]:
                listed = selectors.records(
                    scope=scope, unit=unit, start=start_day, end=end_day, figure=figure
                )
                assert listed.count() == got[figure]
            petitions = selectors.figures(
                scope=scope, unit=unit, start=start_day, end=end_day, petition=True
            )
            assert petitions == _expected(
                [r for r in subset if r["petition"]], start_day, end_day, TODAY
            )
        # vera (village committee of village 0) goes through the row-by-row scope filter: she
        # sees the village's grievances and its unassigned petitions, not those the township
        # handles.
        mine = [
            r for r in rows if r["village"] == 0 and (not r["petition"] or r["deadline"] is None)
        ]
        for unit in (town.township, town.villages[0]):
            got = selectors.figures(scope=village_scope, unit=unit, start=start_day, end=end_day)
            assert got == _expected(mine, start_day, end_day, TODAY)
        transaction.set_rollback(True)
