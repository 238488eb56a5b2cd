"""Three-colour tickets of overdue grievances (the work ledger's rules, read from work.Settings):
exact days across month and year ends, configured days, second tickets, idempotence, conclusion,
announcements without the person, the page and the list mark, insert-only on PostgreSQL."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from grievances import escalation, jobs, services
from grievances.models import Ticket
from notify.models import Delivery
from work import selectors as work_selectors
from work import services as work_services

from .conftest import days_ago, raise_grievance

D = datetime.date


def colours(grievance):
    return {t.colour: t.due_on for t in Ticket.objects.filter(grievance=grievance)}


def run_days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        jobs.escalate(day=day)
        day += datetime.timedelta(days=1)


@pytest.fixture
def make_grievance(town, alice):
    def make(*, deadline, unit=None, assignee=None, petition=False, household=0, **kwargs):
        resident = town.households[household].members.get()
        g = raise_grievance(
            alice, resident, received_on=days_ago(30), is_petition=petition, **kwargs
        )
        return services.assign(
            grievance=g,
            actor=alice,
            unit=unit or town.grids[0],
            assignee=assignee,
            deadline=deadline,
        )

    return make


@pytest.fixture
def robot(town):
    """A WeCom robot on village 0's work group: its grids' announcements reach it."""
    from notify import services as notify_services

    return notify_services.create_robot(
        unit=town.villages[0],
        name="第1村工作群",
        vendor="wecom",
        message_format="markdown",
        key="693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa",
        secret="",
        actor=None,
    )


def test_rules_come_from_work_settings(town, alice):
    rules = work_selectors.escalation_rules(town.township)
    assert (rules.yellow_after_days, rules.red_after_days, rules.repeat_window_days) == (3, 7, 30)
    assert not work_services.Settings.objects.filter(township=town.township).exists()
    work_services.update_settings(
        settings=work_services.settings_for(town.township), actor=alice, yellow_after_days=4
    )
    assert work_selectors.escalation_rules(town.township).yellow_after_days == 4


def test_days_across_month_and_year_end(town, make_grievance, bob, charlie):
    # Two different people, so no "second white": only the days count.
    late = make_grievance(deadline=D(2026, 12, 29), assignee=bob)
    last = make_grievance(deadline=D(2026, 12, 31), unit=town.grids[3], assignee=charlie)
    jobs.escalate(day=D(2026, 12, 29))
    assert colours(late) == {}  # the deadline day itself is not overdue
    run_days(D(2026, 12, 30), D(2027, 1, 15))
    assert colours(late) == {
        "white": D(2026, 12, 30),
        "yellow": D(2027, 1, 2),
        "red": D(2027, 1, 9),
    }
    assert colours(last) == {"white": D(2027, 1, 1), "yellow": D(2027, 1, 4), "red": D(2027, 1, 11)}
    # Each ticket was issued on its due day when escalate ran daily, to the responsible ones.
    assert all(t.issued_on == t.due_on for t in Ticket.objects.all())
    white = Ticket.objects.get(grievance=last, colour="white")
    assert (white.unit, white.responsible, white.reason) == (town.grids[3], charlie, "overdue")
    assert {t.reason for t in Ticket.objects.exclude(colour="white")} == {"days"}


def test_catching_up_gives_the_same_dates(town, make_grievance, bob):
    g = make_grievance(deadline=D(2026, 12, 29), assignee=bob)
    jobs.escalate(day=D(2027, 1, 20))
    assert colours(g) == {"white": D(2026, 12, 30), "yellow": D(2027, 1, 2), "red": D(2027, 1, 9)}
    assert {t.issued_on for t in Ticket.objects.all()} == {D(2027, 1, 20)}


def test_configured_days(town, make_grievance, alice):
    work_services.update_settings(
        settings=work_services.settings_for(town.township),
        actor=alice,
        yellow_after_days=5,
        red_after_days=2,
    )
    g = make_grievance(deadline=D(2027, 2, 26))  # a responsible unit, nobody by name
    run_days(D(2027, 2, 26), D(2027, 3, 15))
    # 2027 is not a leap year: 27 Feb + 5 days = 4 March; + 2 = 6 March.
    assert colours(g) == {"white": D(2027, 2, 27), "yellow": D(2027, 3, 4), "red": D(2027, 3, 6)}
    assert Ticket.objects.get(grievance=g, colour="white").responsible is None


def test_second_white_makes_yellow_at_once(town, make_grievance, bob, charlie):
    first = make_grievance(deadline=D(2027, 1, 10), assignee=bob)
    second = make_grievance(deadline=D(2027, 1, 20), assignee=bob, household=1)
    other = make_grievance(deadline=D(2027, 1, 20), assignee=charlie, household=2)
    jobs.escalate(day=D(2027, 1, 21))
    # bob's second white (within 30 days of the first) is yellow at once; that yellow is his
    # second yellow too, so red at once; the first goes by the days (3, then 7).
    assert colours(second) == {
        "white": D(2027, 1, 21),
        "yellow": D(2027, 1, 21),
        "red": D(2027, 1, 21),
    }
    reasons = dict(Ticket.objects.filter(grievance=second).values_list("colour", "reason"))
    assert reasons == {"white": "overdue", "yellow": "second", "red": "second"}
    assert colours(first) == {
        "white": D(2027, 1, 11),
        "yellow": D(2027, 1, 14),
        "red": D(2027, 1, 21),
    }
    assert colours(other) == {"white": D(2027, 1, 21)}  # charlie's first


def test_idempotent_double_run_and_announcement(town, make_grievance, bob, robot):
    make_grievance(deadline=D(2026, 12, 29), assignee=bob)
    make_grievance(deadline=D(2026, 12, 31), unit=town.grids[1], household=1)
    first = jobs.escalate(day=D(2027, 1, 5))
    count = Ticket.objects.count()
    deliveries = Delivery.objects.filter(event="grievances.overdue").count()
    again = jobs.escalate(day=D(2027, 1, 5))
    assert first.created == {"white": 2, "yellow": 2, "red": 0} and count == 4
    assert again.created == {"white": 0, "yellow": 0, "red": 0} and again.announced == 0
    assert Ticket.objects.count() == count
    # One message per responsible unit with new yellow or red tickets, sent once.
    assert deliveries == first.announced == 2
    assert Delivery.objects.filter(event="grievances.overdue").count() == deliveries


def test_announcement_names_number_and_category_only(town, make_grievance, robot, lee):
    petition = make_grievance(deadline=D(2026, 12, 29), petition=True, subject="征地补偿")
    jobs.escalate(day=D(2027, 1, 2))
    (delivery,) = Delivery.objects.filter(event="grievances.overdue")
    text = f"{delivery.title}\n{delivery.body}"
    assert f"#{petition.pk} {petition.category}" in text
    assert petition.person_name not in text
    assert "征地补偿" not in text


def test_white_tickets_are_not_announced(town, make_grievance, robot):
    make_grievance(deadline=D(2026, 12, 29))
    assert jobs.escalate(day=D(2026, 12, 30)).announced == 0
    assert not Delivery.objects.filter(event="grievances.overdue").exists()


def test_concluded_grievances_get_no_ticket_and_their_tickets_end(
    town, make_grievance, alice, today
):
    done = make_grievance(deadline=days_ago(20))
    services.reply_to(grievance=done, actor=alice, reply="已解决", on=days_ago(19))
    services.conclude(grievance=done, actor=alice, on=days_ago(18))
    open_one = make_grievance(deadline=days_ago(10), household=1)
    jobs.escalate(day=today)
    assert colours(done) == {}
    assert set(colours(open_one)) == {"white", "yellow"}
    services.reply_to(grievance=open_one, actor=alice, reply="已解决")
    services.conclude(grievance=open_one, actor=alice)
    assert set(Ticket.objects.filter(grievance=open_one).values_list("ended_on", flat=True)) == {
        today
    }
    later = today + datetime.timedelta(days=30)
    assert jobs.escalate(day=later).created == {"white": 0, "yellow": 0, "red": 0}
    assert set(colours(open_one)) == {"white", "yellow"}  # no red after the conclusion


def test_safety_net_ends_tickets_of_concluded_grievances(town, make_grievance, alice, today):
    g = make_grievance(deadline=days_ago(10))
    jobs.escalate(day=today)
    services.reply_to(grievance=g, actor=alice, reply="已解决")
    # A conclusion written around the service (e.g. a data fix): the job ends the tickets.
    type(g).objects.filter(pk=g.pk).update(state="concluded", concluded_on=today)
    assert Ticket.objects.filter(grievance=g, ended_on__isnull=True).count() == 2
    assert jobs.escalate(day=today).ended == 2
    assert not Ticket.objects.filter(grievance=g, ended_on__isnull=True).exists()


def test_escalate_command_escalates_grievances(town, make_grievance, bob):
    g = make_grievance(deadline=D(2026, 12, 29), assignee=bob)
    out = io.StringIO()
    call_command("escalate", "--date", "2027-01-02", "--township", town.township.name, stdout=out)
    call_command("escalate", "--date", "2027-01-02", stdout=out)
    assert colours(g) == {"white": D(2026, 12, 30), "yellow": D(2027, 1, 2)}
    assert "grievance tickets white 1, yellow 1, red 0" in out.getvalue()
    assert "grievance tickets white 0, yellow 0, red 0" in out.getvalue()


def test_unique_per_grievance_and_colour(make_grievance):
    g = make_grievance(deadline=D(2026, 12, 29))
    jobs.escalate(day=D(2026, 12, 30))
    white = Ticket.objects.get(grievance=g)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            township_id=white.township_id,
            grievance=g,
            colour="white",
            reason="overdue",
            due_on=white.due_on,
            issued_on=white.issued_on,
            unit_id=white.unit_id,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_tickets_cannot_be_deleted_or_rewritten_on_postgresql(make_grievance, today):
    g = make_grievance(deadline=D(2026, 12, 29))
    jobs.escalate(day=D(2026, 12, 30))
    for change in (
        lambda: Ticket.objects.filter(grievance=g).delete(),
        lambda: Ticket.objects.filter(grievance=g).update(colour="red"),
    ):
        with pytest.raises(Exception, match="insert-only"), transaction.atomic():
            change()
    Ticket.objects.filter(grievance=g).update(ended_on=today)  # ending is allowed, once
    with pytest.raises(Exception, match="insert-only"), transaction.atomic():
        Ticket.objects.filter(grievance=g).update(ended_on=None)


# --- the page and the list -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "shown"),
    [
        ("alice", 200, True),
        ("bob", 200, True),
        ("sam", 200, True),  # the supervisor oversees
        ("dave", 200, False),  # the person follows the grievance, not the officials' tickets
        ("charlie", 404, False),
        ("eve", 404, False),
    ],
)
def test_tickets_on_the_grievance_page(request, login, make_grievance, bob, who, status, shown):
    g = make_grievance(deadline=days_ago(10), assignee=bob)
    escalation.escalate(day=days_ago(0))
    response = login(request.getfixturevalue(who)).get(reverse("grievances:detail", args=[g.pk]))
    assert response.status_code == status
    body = response.content.decode()
    assert ('id="tickets"' in body) is shown
    if shown:
        assert body.count('class="ticket"') == 2 and 'data-colour="yellow"' in body


def test_list_marks_the_highest_open_colour(
    login, make_grievance, alice, dave, bob, django_assert_max_num_queries
):
    g = make_grievance(deadline=days_ago(10))
    quiet = make_grievance(deadline=days_ago(0), household=1)
    escalation.escalate(day=days_ago(0))
    client = login(alice)
    client.get(reverse("grievances:list"))  # warm the session
    with django_assert_max_num_queries(12):
        body = client.get(reverse("grievances:list")).content.decode()
    assert body.count('data-ticket="yellow"') == 1 and 'data-ticket="white"' not in body
    assert f"#{g.pk}" in body and f"#{quiet.pk}" in body
    services.reply_to(grievance=g, actor=alice, reply="已解决")
    services.conclude(grievance=g, actor=alice)
    assert "data-ticket=" not in client.get(reverse("grievances:list")).content.decode()
    # The person's own list carries no ticket mark (the officials' list does).
    own = make_grievance(deadline=days_ago(10))
    escalation.escalate(day=days_ago(0))
    assert 'data-ticket="yellow"' in client.get(reverse("grievances:list")).content.decode()
    household = reverse("places:household", args=[own.household_id])
    body = login(dave).get(household).content.decode()
    assert f"#{own.pk}" in body and "data-ticket=" not in body
    assert 'data-ticket="yellow"' in login(bob).get(household).content.decode()


def test_api_shows_the_ticket_colour_to_officials_only(api, make_grievance, alice, dave, eve):
    g = make_grievance(deadline=days_ago(10))
    escalation.escalate(day=days_ago(0))
    detail = reverse("api:grievances-detail", args=[g.pk])
    assert api(alice).get(detail).json()["ticket"] == "yellow"
    (row,) = api(alice).get(reverse("api:grievances-list")).json()["results"]
    assert row["ticket"] == "yellow"
    assert api(dave).get(detail).json()["ticket"] is None  # the person who raised it
    assert api(eve).get(detail).status_code == 404
