"""Every reported figure equals a count (or sum) over its records: hypothesis generates sets of
records on units inside and outside the reported subtree, dated on and around the period's
boundaries, and each figure is compared with the same count done by hand in Python, and with
the rows of its drill-down."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import selectors
from activities.models import (
    Attendance,
    Broadcast,
    Budget,
    Decision,
    Meeting,
    Output,
    Propaganda,
    Spending,
    Step,
    Training,
    VolunteerEvent,
)
from people.access import forget_scope, scope_for

START, END = datetime.date(2026, 1, 10), datetime.date(2026, 1, 20)
DAYS = st.sampled_from(
    [
        START - datetime.timedelta(days=1),
        START,
        datetime.date(2026, 1, 15),
        END,
        END + datetime.timedelta(days=1),
    ]
)
# Where records go: 0 township, 1-2 villages, 3-6 grids (3-4 of village 0), 7 the other township
PLACES = st.integers(min_value=0, max_value=7)
PERSONS = st.lists(st.integers(min_value=0, max_value=7), unique=True, max_size=5)

RECORD = st.one_of(
    st.tuples(st.just("training"), PLACES, DAYS, st.sampled_from(["central", "other"]), PERSONS),
    st.tuples(st.just("volunteer"), PLACES, DAYS, st.integers(1, 50), st.integers(0, 200)),
    st.tuples(
        st.just("propaganda"),
        PLACES,
        DAYS,
        st.sampled_from(list(Propaganda.Kind.values)),
        st.integers(0, 500),
    ),
    st.tuples(st.just("broadcast"), PLACES, DAYS, st.integers(1, 60), st.none()),
    st.tuples(
        st.just("meeting"), PLACES, DAYS, st.sampled_from(list(Meeting.Kind.values)), st.none()
    ),
    st.tuples(
        st.just("output"),
        PLACES,
        DAYS,
        st.sampled_from(list(Output.Kind.values)),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    ),
    st.tuples(st.just("decision"), st.integers(1, 2), DAYS, st.integers(1, 6), st.booleans()),
    st.tuples(
        st.just("spending"),
        st.just(0),
        DAYS,
        st.sampled_from(["bins", "uniforms", "other"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
    ),
)


class World:
    """The fixed places and people the generated records hang on."""

    def __init__(self, town, other_town, alice, bob):
        self.town = town
        self.places = [
            town.township,
            town.villages[0],
            town.villages[1],
            town.grids[0],
            town.grids[1],
            town.grids[2],
            town.grids[3],
            other_town.township,
        ]
        residents = [h.members.get() for h in town.households[:6]]
        self.persons = [("user", alice), ("user", bob)] + [("resident", r) for r in residents]
        self.actor = alice

    def covers(self, report_unit, place) -> bool:
        """The subtree rule, said plainly: on the unit or under it, or a grid of a village."""
        village = place.village
        return place.path.startswith(report_unit.path) or (
            village is not None and village.path.startswith(report_unit.path)
        )


def _insert(world: World, records) -> list[dict]:
    """Write the generated records; returns them as plain dicts for counting by hand."""
    written = []
    budgets = {}
    for kind, place_index, day, a, b in records:
        place = world.places[place_index]
        township = place if place.kind == "township" else place.township
        common = {"township": township, "unit": place, "date": day, "recorded_by": world.actor}
        row = {"kind": kind, "place": place, "date": day}
        if kind == "training":
            training = Training.objects.create(**common, kind=a, topic="t", trainer="x")
            people = [world.persons[i] for i in b]
            Attendance.objects.bulk_create(
                [Attendance(training=training, **{what: person}) for what, person in people]
            )
            row.update(training_kind=a, people=[(what, person.pk) for what, person in people])
        elif kind == "volunteer":
            VolunteerEvent.objects.create(**common, title="v", participants=a, hours=Decimal(b))
            row.update(participants=a, hours=Decimal(b))
        elif kind == "propaganda":
            Propaganda.objects.create(**common, kind=a, title="p", quantity=b)
            row.update(sub=a, quantity=b)
        elif kind == "broadcast":
            Broadcast.objects.create(**common, time=datetime.time(7), content="c", minutes=a)
            row.update(minutes=a)
        elif kind == "meeting":
            Meeting.objects.create(**common, kind=a, title="m")
            row.update(sub=a)
        elif kind == "output":
            Output.objects.create(
                **common, kind=a, quantity=b, species="香樟" if a == "trees" else ""
            )
            row.update(sub=a, quantity=b)
        elif kind == "decision":
            # a decision with `a` steps all dated `day`; the last rejected when b and a <= 4
            decision = Decision.objects.create(
                township=township, village=place, title="d", created_by=world.actor
            )
            steps = []
            for step in range(1, a + 1):
                rejected = b and step == a and step <= 4
                outcome = "published" if step >= 5 else ("rejected" if rejected else "approved")
                steps.append(
                    Step(
                        decision=decision,
                        kind=step,
                        date=day,
                        outcome=outcome,
                        recorded_by=world.actor,
                    )
                )
            Step.objects.bulk_create(steps)
            row.update(steps=[(s.kind, s.outcome) for s in steps])
        elif kind == "spending":
            if township.pk not in budgets:
                budgets[township.pk] = Budget.objects.create(
                    township=township,
                    year=2026,
                    residents=10,
                    rate=1,
                    amount=120,
                    created_by=world.actor,
                )
            Spending.objects.create(
                budget=budgets[township.pk],
                township=township,
                date=day,
                category=a,
                description="s",
                quantity=7,
                amount=b,
                recorded_by=world.actor,
            )
            row.update(sub=a, amount=b, quantity=7)
        written.append(row)
    return written


def _expected(world: World, rows: list[dict], unit) -> dict:
    inside = [r for r in rows if world.covers(unit, r["place"]) and START <= r["date"] <= END]

    def of(kind, sub=None):
        return [r for r in inside if r["kind"] == kind and (sub is None or r.get("sub") == sub)]

    trainings = of("training")
    central = [r for r in trainings if r["training_kind"] == "central"]
    steps = [step for r in of("decision") for step in r["steps"]]
    # Spending counts for townships under the unit only (a village holds no budget).
    spending = of("spending") if unit.kind in ("township", "county") else []
    prop = {kind: of("propaganda", kind) for kind in Propaganda.Kind.values}
    expected = {
        "trainings": len(trainings),
        "trainings_central": len(central),
        "attendances": sum(len(r["people"]) for r in trainings),
        "attendances_central": sum(len(r["people"]) for r in central),
        "trainees": len({p for r in trainings for p in r["people"]}),
        "volunteer_events": len(of("volunteer")),
        "volunteer_participants": sum(r["participants"] for r in of("volunteer")),
        "volunteer_hours": sum((r["hours"] for r in of("volunteer")), Decimal(0)),
        "street_events": len(prop["street"]),
        "brochures": sum(r["quantity"] for r in prop["brochure"]),
        "household_meetings": len(prop["household_meeting"]),
        "home_visits": len(prop["home_visit"]),
        "people_reached": sum(
            r["quantity"] for k in ("street", "household_meeting", "home_visit") for r in prop[k]
        ),
        "messages": sum(r["quantity"] for r in prop["message"]),
        "broadcasts": len(of("broadcast")),
        "broadcast_minutes": sum(r["minutes"] for r in of("broadcast")),
        "meetings": len(of("meeting")),
        "grid_meetings": len(of("meeting", "grid_weekly")),
        "township_reviews": len(of("meeting", "township_review")),
        "special_meetings": len(of("meeting", "special")),
        "scheduling_meetings": len(of("meeting", "scheduling")),
        "decisions_started": sum(1 for kind, _o in steps if kind == 1),
        "resolutions_published": sum(1 for kind, _o in steps if kind == 5),
        "decisions_completed": sum(1 for kind, _o in steps if kind == 6),
        "decisions_rejected": sum(1 for _k, outcome in steps if outcome == "rejected"),
        "funding_spent": sum((r["amount"] for r in spending), Decimal(0)),
        "funding_bins": sum(r["quantity"] for r in spending if r["sub"] == "bins"),
        "funding_uniforms": sum(r["quantity"] for r in spending if r["sub"] == "uniforms"),
    }
    for kind in Output.Kind.values:
        expected[f"output_{kind}"] = sum((r["quantity"] for r in of("output", kind)), Decimal(0))
    return expected


MEASURES = {"participants": "participants", "hours": "hours", "minutes": "minutes"}


def _drill_total(scope, key, unit):
    figure = selectors.BY_KEY[key]
    rows = selectors.drill_down(scope, key, unit, START, END)
    if figure.measure in ("count", "people"):
        return rows.count()
    return sum((getattr(row, figure.measure) for row in rows), 0)


@pytest.fixture
def world(town, other_town, alice, bob):
    return World(town, other_town, alice, bob)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=st.lists(RECORD, max_size=25))
def test_every_figure_is_a_count_over_its_records(world, alice, records):
    with transaction.atomic():
        rows = _insert(world, records)
        forget_scope(alice)
        scope = scope_for(alice)
        for unit in (world.town.township, world.town.villages[0], world.town.grids[0]):
            figures = selectors.figures(scope, unit, START, END)
            expected = _expected(world, rows, unit)
            assert set(figures) == set(expected) == set(selectors.BY_KEY)
            for key, value in expected.items():
                assert figures[key] == value, (key, unit.name)
                assert _drill_total(scope, key, unit) == value, ("drill-down", key, unit.name)
        transaction.set_rollback(True)


def test_a_grid_chief_sees_the_same_figures_for_his_grid(world, alice, bob):
    rows = _insert(
        world,
        [
            ("meeting", 3, START, "grid_weekly", None),
            ("meeting", 4, START, "grid_weekly", None),
            ("training", 3, END, "central", [0, 2, 3]),
        ],
    )
    grid = world.town.grids[0]
    mine = selectors.figures(scope_for(bob), grid, START, END)
    assert mine == selectors.figures(scope_for(alice), grid, START, END)
    assert (
        mine["meetings"] == 1
        and mine["attendances"] == 3 == _expected(world, rows, grid)["attendances"]
    )


def test_period_boundaries_are_inclusive(world, alice):
    _insert(
        world,
        [
            ("broadcast", 0, day, 5, None)
            for day in (
                START - datetime.timedelta(days=1),
                START,
                END,
                END + datetime.timedelta(days=1),
            )
        ],
    )
    figures = selectors.figures(scope_for(alice), world.town.township, START, END)
    assert figures["broadcasts"] == 2 and figures["broadcast_minutes"] == 10


def test_the_other_township_never_counts(world, alice, eve):
    _insert(world, [("broadcast", 7, START, 5, None), ("broadcast", 0, START, 5, None)])
    assert selectors.figures(scope_for(alice), world.town.township, START, END)["broadcasts"] == 1
    assert selectors.figures(scope_for(eve), world.places[7], START, END)["broadcasts"] == 1
    # eve cannot count 达依乡's records even if asked for its unit
    assert selectors.figures(scope_for(eve), world.town.township, START, END)["broadcasts"] == 0


def test_monthly_series_add_up_to_the_figures(world, alice):
    _insert(
        world,
        [
            ("meeting", 1, datetime.date(2026, 1, 15), "special", None),
            ("meeting", 3, datetime.date(2026, 2, 1), "special", None),
            ("meeting", 3, datetime.date(2026, 3, 31), "grid_weekly", None),
        ],
    )
    scope, unit = scope_for(alice), world.town.township
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    data = selectors.monthly(scope, unit, start, end)
    assert data["months"] == ["2026-01", "2026-02", "2026-03"]
    series = {s["key"]: s["data"] for s in data["series"]}
    assert series["meetings"] == [1, 1, 1]
    assert sum(series["meetings"]) == selectors.figures(scope, unit, start, end)["meetings"]


def test_trees_by_species(world, alice):
    _insert(
        world,
        [("output", 1, START, "trees", Decimal("600")), ("output", 3, END, "trees", Decimal("20"))],
    )
    rows = selectors.trees_by_species(scope_for(alice), world.town.township, START, END)
    assert [(r["species"], r["total"]) for r in rows] == [("香樟", Decimal("620.00"))]
