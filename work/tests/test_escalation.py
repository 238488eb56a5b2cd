"""Three-colour escalation: exact days across month and year ends, second tickets, idempotence."""

import datetime
import io

import pytest
from django.core.management import call_command

from notify.models import Delivery
from work import escalation, selectors, services
from work.models import Problem, ProblemEvent, Ticket

D = datetime.date


def colours(problem):
    return {t.colour: t.due_on for t in Ticket.objects.filter(problem=problem)}


def run_days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        escalation.escalate(day=day)
        day += datetime.timedelta(days=1)


def test_days_across_month_and_year_end(town, make_problem, mei, charlie):
    # Two different people, so no "second white" shortcut: only the days count.
    late = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    last = make_problem(deadline=D(2026, 12, 31), grid=town.grids[3], responsible=charlie)
    escalation.escalate(day=D(2026, 12, 29))
    assert colours(late) == {}  # the deadline day itself is not overdue
    run_days(D(2026, 12, 30), D(2027, 1, 15))
    assert colours(late) == {
        "white": D(2026, 12, 30),
        "yellow": D(2027, 1, 2),
        "red": D(2027, 1, 9),
    }
    assert colours(last) == {"white": D(2027, 1, 1), "yellow": D(2027, 1, 4), "red": D(2027, 1, 11)}
    # Each ticket was issued on its due day when escalate ran daily.
    assert all(t.issued_on == t.due_on for t in Ticket.objects.all())
    assert Ticket.objects.get(problem=late, colour="white").chief is not None  # bob, grid 0


def test_exact_days_issued_by_daily_runs(town, make_problem, mei):
    problem = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    expected = {
        D(2026, 12, 30): {"white"},
        D(2027, 1, 2): {"white", "yellow"},
        D(2027, 1, 9): {"white", "yellow", "red"},
    }
    seen = {}
    day = D(2026, 12, 30)
    while day <= D(2027, 1, 10):
        escalation.escalate(day=day)
        seen[day] = set(colours(problem))
        day += datetime.timedelta(days=1)
    assert seen[D(2026, 12, 30)] == expected[D(2026, 12, 30)]
    assert seen[D(2027, 1, 1)] == {"white"}
    assert seen[D(2027, 1, 2)] == expected[D(2027, 1, 2)]
    assert seen[D(2027, 1, 8)] == {"white", "yellow"}
    assert seen[D(2027, 1, 9)] == expected[D(2027, 1, 9)]


def test_configured_days(town, make_problem, mei, alice):
    services.update_settings(
        settings=services.settings_for(town.township),
        actor=alice,
        yellow_after_days=5,
        red_after_days=2,
    )
    problem = make_problem(deadline=D(2027, 2, 26), responsible=mei)
    run_days(D(2027, 2, 26), D(2027, 3, 15))
    # 2027 is not a leap year: 27 Feb + 5 days = 4 March; + 2 = 6 March.
    assert colours(problem) == {
        "white": D(2027, 2, 27),
        "yellow": D(2027, 3, 4),
        "red": D(2027, 3, 6),
    }


def test_catching_up_gives_the_same_dates(town, make_problem, mei):
    problem = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    escalation.escalate(day=D(2027, 1, 20))  # nobody ran it for three weeks
    assert colours(problem) == {
        "white": D(2026, 12, 30),
        "yellow": D(2027, 1, 2),
        "red": D(2027, 1, 9),
    }
    assert {t.issued_on for t in Ticket.objects.all()} == {D(2027, 1, 20)}


def test_idempotent_same_day(town, make_problem, mei, robots):
    make_problem(deadline=D(2026, 12, 29), responsible=mei)
    make_problem(deadline=D(2026, 12, 31), grid=town.grids[1], responsible=mei)
    first = escalation.escalate(day=D(2027, 1, 5))
    count, deliveries = (
        Ticket.objects.count(),
        Delivery.objects.filter(event="work.overdue").count(),
    )
    again = escalation.escalate(day=D(2027, 1, 5))
    assert sum(first.created.values()) == count > 0
    assert again.created == {"white": 0, "yellow": 0, "red": 0}
    assert Ticket.objects.count() == count
    # The overdue list went to the work group once (one message per grid with new tickets).
    assert deliveries == 2
    assert Delivery.objects.filter(event="work.overdue").count() == deliveries


def test_command_twice_and_township_option(town, other_town, make_problem, mei):
    make_problem(deadline=D(2026, 12, 29), responsible=mei)
    out = io.StringIO()
    call_command("escalate", "--date", "2027-01-02", "--township", town.township.name, stdout=out)
    call_command("escalate", "--date", "2027-01-02", stdout=out)
    assert Ticket.objects.count() == 2  # white and yellow, once
    assert "white" in out.getvalue()


def test_second_white_makes_yellow(town, make_problem, mei):
    first = make_problem(deadline=D(2027, 1, 10), responsible=mei)
    second = make_problem(deadline=D(2027, 1, 20), responsible=mei)
    outside = make_problem(deadline=D(2027, 3, 1), responsible=mei)
    run_days(D(2027, 1, 11), D(2027, 1, 21))
    assert colours(first) == {
        "white": D(2027, 1, 11),
        "yellow": D(2027, 1, 14),
        "red": D(2027, 1, 21),
    }
    # mei's second white (21 Jan, within 30 days of 11 Jan) escalates at once to yellow, and
    # that is her second yellow (after 14 Jan), so to red the same day.
    second_tickets = {t.colour: (t.due_on, t.reason) for t in second.tickets.all()}
    assert second_tickets == {
        "white": (D(2027, 1, 21), "overdue"),
        "yellow": (D(2027, 1, 21), "second"),
        "red": (D(2027, 1, 21), "second"),
    }
    # A white more than 30 days after the others is a first white again.
    first_ended = Problem.objects.filter(pk__in=[first.pk, second.pk])
    for problem in first_ended:
        services.transition(
            problem=problem, to="withdrawn", actor=problem.raised_by, note="重复登记"
        )
    run_days(D(2027, 3, 2), D(2027, 3, 2))
    assert set(colours(outside)) == {"white"}


def test_same_day_whites_first_by_problem_id(town, make_problem, mei):
    a = make_problem(deadline=D(2027, 1, 10), responsible=mei)
    b = make_problem(deadline=D(2027, 1, 10), responsible=mei)
    escalation.escalate(day=D(2027, 1, 11))
    assert set(colours(a)) == {"white"}
    assert set(colours(b)) == {"white", "yellow"}


def test_closing_ends_tickets_and_stops_escalation(town, make_problem, mei, bob, area):
    from work.tests.conftest import jpeg

    problem = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    escalation.escalate(day=D(2026, 12, 31))
    services.transition(problem=problem, to="submitted", actor=mei, photos=[jpeg()])
    services.transition(problem=problem, to="closed", actor=bob)
    escalation.escalate(day=D(2027, 1, 20))
    tickets = Ticket.objects.filter(problem=problem)
    assert [t.colour for t in tickets] == ["white"]
    assert tickets.get().ended_on is not None


def test_submitted_does_not_escalate(town, make_problem, mei):
    from work.tests.conftest import jpeg

    problem = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    services.transition(problem=problem, to="submitted", actor=mei, photos=[jpeg()])
    escalation.escalate(day=D(2027, 1, 20))
    assert colours(problem) == {}


def test_tickets_for_month(town, make_problem, mei):
    make_problem(deadline=D(2026, 12, 29), responsible=mei)
    escalation.escalate(day=D(2027, 1, 20))
    january = selectors.tickets_for_month(town.township, D(2027, 1, 1))
    assert [(t.colour, t.due_on, t.grid_id, t.responsible_id) for t in january] == [
        ("yellow", D(2027, 1, 2), town.grids[0].pk, mei.pk),
        ("red", D(2027, 1, 9), town.grids[0].pk, mei.pk),
    ]
    assert not selectors.tickets_for_month(town.township, D(2026, 12, 1)).exists()


def test_chief_is_the_grid_chief_in_office(town, make_problem, mei, bob):
    make_problem(deadline=D(2026, 12, 29), responsible=mei)
    escalation.escalate(day=D(2027, 1, 2))
    assert {t.chief_id for t in Ticket.objects.all()} == {bob.pk}


@pytest.mark.parametrize("rerun", [1, 3])
def test_no_duplicates_whatever_the_runs(town, make_problem, mei, rerun):
    for n in range(5):
        make_problem(deadline=D(2026, 12, 25) + datetime.timedelta(days=n), responsible=mei)
    for _ in range(rerun):
        run_days(D(2026, 12, 26), D(2027, 1, 3))
    assert Ticket.objects.count() == Ticket.objects.values("problem", "colour").distinct().count()


def test_townships_are_independent(town, other_town, make_problem, mei, eve):
    """A person's white in another township is not "a second white" here (the window counts
    one township's tickets), so the result does not depend on the order townships run in."""
    from work import services as work_services

    here = make_problem(deadline=D(2027, 1, 10), responsible=mei)
    there = work_services.raise_problem(
        actor=eve,
        source="inspection",
        category="road",
        description="外乡问题",
        requirement="修",
        deadline=D(2027, 1, 9),
        grid=other_town.grids[0],
        responsible=mei,
        raised_on=D(2027, 1, 1),
    )
    escalation.escalate(day=D(2027, 1, 11))
    assert set(colours(here)) == {"white"} and set(colours(there)) == {"white"}


@pytest.mark.django_db(transaction=True)
def test_history_is_insert_only_in_the_database(town, make_problem, mei):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the triggers exist on PostgreSQL; SQLite is guarded by ProblemEvent.save")
    problem = make_problem(deadline=D(2030, 1, 1), responsible=mei)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemEvent.objects.filter(problem=problem).update(note="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemEvent.objects.filter(problem=problem).delete()


def test_today_is_the_shanghai_date(town, make_problem, mei, monkeypatch):
    """At 17:00 UTC on 1 January it is already 2 January in Asia/Shanghai."""
    problem = make_problem(deadline=D(2027, 1, 1), responsible=mei)
    utc = datetime.UTC
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime.datetime(2027, 1, 1, 17, 0, tzinfo=utc)
    )
    call_command("escalate", stdout=io.StringIO())
    assert colours(problem) == {"white": D(2027, 1, 2)}
    assert Ticket.objects.get(problem=problem).issued_on == D(2027, 1, 2)


def test_escalate_command_also_escalates_grievances(town, alice, make_problem, mei):
    """The daily run issues the grievances' tickets too, by the same township rules."""
    from grievances import services as grievance_services
    from grievances.models import Ticket as GrievanceTicket

    services.update_settings(
        settings=services.settings_for(town.township), actor=alice, yellow_after_days=2
    )
    problem = make_problem(deadline=D(2026, 12, 29), responsible=mei)
    grievance = grievance_services.intake(
        actor=alice,
        resident=town.households[0].members.get(),
        channel="grid_round",
        category="道路交通",
        subject="村道塌方",
        request="请尽快修复村道",
        received_on=D(2026, 11, 1),
    )
    grievance_services.assign(
        grievance=grievance, actor=alice, unit=town.grids[0], deadline=D(2026, 12, 29)
    )
    out = io.StringIO()
    call_command("escalate", "--date", "2027-01-01", stdout=out)
    call_command("escalate", "--date", "2027-01-01", stdout=out)
    expected = {"white": D(2026, 12, 30), "yellow": D(2027, 1, 1)}
    assert colours(problem) == expected
    tickets = GrievanceTicket.objects.filter(grievance=grievance)
    assert {t.colour: t.due_on for t in tickets} == expected
    assert "grievance tickets white 1, yellow 1, red 0" in out.getvalue()
