"""The month close: averages of averages, sources, thresholds, idempotence and the freeze."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from assessment import close as month_close
from assessment import publication
from assessment.models import Case, Close, Line, Score, Source
from core.errors import ServiceError
from places import services as place_services

from .conftest import OCT, award

NOV = datetime.date(2026, 11, 1)


def score_of(result, unit, kind="grid"):
    return Score.objects.get(close=result, unit=unit, kind=kind).score


@pytest.mark.django_db
def test_an_upper_unit_scores_the_average_of_its_children_not_of_all_leaves(town, adjust, close):
    # Village 0's level-3 grid gets a third leaf, so the tree is unbalanced: 3 leaves vs 2.
    level3 = town.grids[0].parent
    extra = place_services.create_unit(kind="grid", name="第三网格", parent=level3, actor=None)
    adjust(town.grids[0], -30)  # 70
    adjust(extra, -10)  # 90; grids[1] stays 100
    adjust(town.grids[2], -40)  # 60; grids[3] stays 100
    result = close()
    assert score_of(result, level3) == pytest.approx(Decimal("86.6667"), abs=Decimal("0.0001"))
    assert score_of(result, level3.parent) == score_of(result, level3)  # one child
    village1 = town.grids[2].parent
    assert score_of(result, village1) == 80
    township = score_of(result, town.township)
    assert township == pytest.approx(Decimal("83.3333"), abs=Decimal("0.0001"))
    leaves = [70, 90, 100, 60, 100]
    assert township != pytest.approx(Decimal(sum(leaves)) / len(leaves), abs=Decimal("0.01"))
    # Villages score their top grid (the level-2 grid lying in them).
    assert score_of(result, town.villages[0], "village") == score_of(result, level3.parent)
    assert Score.objects.get(close=result, unit=town.township).children == 2


@pytest.mark.django_db
def test_an_upper_unit_adds_its_own_lines_to_its_childrens_average(town, adjust, close):
    level3 = town.grids[0].parent
    adjust(level3, 5)
    result = close()
    assert score_of(result, level3) == 105
    assert Score.objects.get(close=result, unit=level3).own_points == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("deduction", "expected"),
    [("-20.1", "suspension"), ("-20", "talk"), ("-15.1", "talk"), ("-15", None)],
)
def test_threshold_boundaries(town, bob, adjust, close, deduction, expected):
    adjust(town.grids[0], deduction)  # bob's grid: 79.9, 80, 84.9, 85
    result = close()
    cases = list(Case.objects.filter(close=result))
    if expected is None:
        assert cases == []
    else:
        (case,) = cases
        assert (case.user, case.unit, case.kind) == (bob, town.grids[0], expected)
        assert case.score == Decimal(100) + Decimal(deduction)


@pytest.mark.django_db
def test_every_line_is_traceable_to_its_source(town, alice, adjust, close):
    from work import services as work_services
    from work.models import Ticket

    problem = work_services.raise_problem(
        actor=alice,
        responsible=alice,
        source="inspection",
        category="sanitation",
        description="路边堆放垃圾",
        requirement="三日内清运",
        deadline=datetime.date(2026, 10, 10),
        grid=town.grids[1],
        raised_on=datetime.date(2026, 10, 3),
    )
    tickets = [
        Ticket.objects.create(
            township=town.township,
            problem=problem,
            colour=colour,
            reason="overdue",
            due_on=datetime.date(2026, 10, day),
            issued_on=datetime.date(2026, 10, day),
            grid=town.grids[1],
            responsible=alice,
        )
        for colour, day in (("white", 11), ("yellow", 14), ("red", 21))
    ]
    adjustment = adjust(town.grids[1], 2, reason="表扬")
    result = close()
    lines = {
        (line.source, line.source_id): line.points for line in Line.objects.filter(close=result)
    }
    assert lines == {
        (Source.FINDING, problem.pk): -2,
        (Source.TICKET_WHITE, tickets[0].pk): -1,
        (Source.TICKET_YELLOW, tickets[1].pk): -3,
        (Source.TICKET_RED, tickets[2].pk): -10,
        (Source.ADJUSTMENT, adjustment.pk): 2,
    }
    assert score_of(result, town.grids[1]) == 86


@pytest.mark.django_db
def test_household_points_count_per_household_of_the_grid(town, alice, close):
    grid = town.grids[0]
    households = [h for h in town.households if h.joint.parent_id == grid.pk]
    assert len(households) == 3
    award(households[0], 30, period=OCT, actor=alice)
    award(households[1], -6, period=OCT, actor=alice)
    result = close()
    (line,) = Line.objects.filter(close=result, source=Source.HOUSEHOLD_POINTS)
    assert (line.unit_id, line.count) == (grid.pk, 2)
    assert line.points == Decimal("0.8")  # 0.1 × (30 − 6) / 3 households
    assert score_of(result, grid) == Decimal("100.8")


@pytest.mark.django_db
def test_a_level_can_have_its_own_item(town, alice, adjust, close):
    from assessment import setup
    from assessment.models import Item

    setup.ensure(town.township)
    Item.objects.create(
        township=town.township, grid_level=4, source=Source.FINDING, name="L4", points=-5
    )
    from work import services as work_services

    for grid in (town.grids[0], town.grids[0].parent):
        work_services.raise_problem(
            actor=alice,
            responsible=alice,
            source="supervision",
            category="road",
            description="坑洼",
            requirement="填平",
            deadline=datetime.date(2026, 10, 20),
            grid=grid,
            raised_on=datetime.date(2026, 10, 5),
        )
    result = close()
    by_unit = dict(Line.objects.filter(close=result).values_list("unit_id", "points"))
    assert by_unit == {town.grids[0].pk: -5, town.grids[0].parent_id: -2}


@pytest.mark.django_db
def test_reclosing_before_publication_is_idempotent_and_takes_corrections(town, adjust, close):
    adjust(town.grids[0], -10)
    first = close()
    snapshot = sorted(Score.objects.filter(close=first).values_list("unit_id", "kind", "score"))
    again = close()
    assert again.pk == first.pk and again.runs == 2
    assert sorted(Score.objects.filter(close=again).values_list("unit_id", "kind", "score")) == (
        snapshot
    )
    assert Line.objects.filter(close=again).count() == 1
    adjust(town.grids[0], 4, reason="更正")
    corrected = close()
    assert score_of(corrected, town.grids[0]) == 94


@pytest.mark.django_db
def test_published_month_is_frozen_and_corrections_go_into_the_next(town, alice, adjust, close):
    adjust(town.grids[0], -10)
    october = publication.publish(close(), user=alice, authority="乡党委会议")
    assert publication.is_intact(october)
    frozen = october.content
    with pytest.raises(ServiceError) as refused:
        close()
    assert refused.value.code == "published"
    with pytest.raises(ServiceError):
        adjust(town.grids[0], 3)  # into October: refused
    late = adjust(town.grids[0], 3, month=NOV)
    november = close(NOV)
    assert Line.objects.filter(close=november, source_id=late.pk).exists()
    assert not Line.objects.filter(close=november, source=Source.ADJUSTMENT, points=-10).exists()
    october.refresh_from_db()
    assert october.content == frozen and publication.is_intact(october)
    assert score_of(october, town.grids[0]) == 90
    assert score_of(november, town.grids[0]) == 103
    november = publication.publish(november, user=alice, authority="乡党委会议")
    assert november.prev_hash == october.content_hash
    with pytest.raises(ServiceError) as out_of_order:
        close(datetime.date(2026, 9, 1))
    assert out_of_order.value.code == "later_published"


@pytest.mark.django_db
def test_a_late_ticket_of_a_published_month_counts_in_the_next(town, alice, close):
    from work import services as work_services
    from work.models import Ticket

    october = publication.publish(close(), user=alice, authority="乡党委会议")
    problem = work_services.raise_problem(
        actor=alice,
        responsible=alice,
        source="grid_member",
        category="road",
        description="坑洼",
        requirement="填平",
        deadline=datetime.date(2026, 10, 20),
        grid=town.grids[2],
        raised_on=datetime.date(2026, 10, 5),
    )
    Ticket.objects.create(
        township=town.township,
        problem=problem,
        colour="yellow",
        reason="overdue",
        due_on=datetime.date(2026, 10, 24),
        issued_on=datetime.date(2026, 11, 2),
        grid=town.grids[2],
        responsible=alice,
    )
    november = close(NOV)
    assert score_of(november, town.grids[2]) == 97
    assert score_of(october, town.grids[2]) == 100
    assert publication.is_intact(october)


@pytest.mark.django_db
def test_tampering_with_a_publication_is_detected(town, alice, close):
    october = publication.publish(close(), user=alice, authority="乡党委会议")
    october.content["rankings"][0]["score"] = "0.00"
    assert not publication.is_intact(october)


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_change_a_published_month(town, alice, close):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL triggers; SQLite relies on the services")
    october = publication.publish(close(), user=alice, authority="乡党委会议")
    for statement in (
        "UPDATE assessment_score SET score = 0 WHERE close_id = %s",
        "DELETE FROM assessment_ranking WHERE close_id = %s",
        "UPDATE assessment_close SET content_hash = 'x' WHERE id = %s",
        "UPDATE assessment_close SET state = 'computed' WHERE id = %s",
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [october.pk])
    assert Close.objects.get(pk=october.pk).state == Close.State.PUBLISHED


@pytest.mark.django_db
def test_bad_month_is_explained():
    with pytest.raises(ServiceError) as error:
        month_close.month_of("2026/10")
    assert "YYYY-MM" in str(error.value)


@pytest.mark.django_db
def test_tasks_count_by_the_local_day_they_were_confirmed(town, alice, close):
    """Asia/Shanghai is 8 hours ahead: 1 October 01:00 there is 30 September in UTC."""
    from zoneinfo import ZoneInfo

    from work.models import Task, WorkList

    local = ZoneInfo("Asia/Shanghai")
    work_list = WorkList.objects.create(
        township=town.township,
        unit=town.township,
        unit_path=town.township.path,
        month=OCT,
        title="十月工作清单",
        created_by=alice,
    )

    def task(grid, confirmed_at):
        return Task.objects.create(
            work_list=work_list,
            township=town.township,
            title="清理河道",
            done_when="河道无垃圾",
            due_on=datetime.date(2026, 10, 31),
            grid=grid,
            unit_path=grid.path,
            state="confirmed",
            confirmed_by=alice,
            confirmed_at=confirmed_at,
        )

    first_hour = task(town.grids[0], datetime.datetime(2026, 10, 1, 1, 0, tzinfo=local))
    last_minute = task(town.grids[1], datetime.datetime(2026, 10, 31, 23, 59, tzinfo=local))
    task(town.grids[2], datetime.datetime(2026, 11, 1, 1, 0, tzinfo=local))  # November's
    task(town.grids[3], datetime.datetime(2026, 9, 30, 23, 59, tzinfo=local))  # September's
    result = close()
    counted = set(
        Line.objects.filter(close=result, source=Source.TASK_DONE).values_list(
            "source_id", flat=True
        )
    )
    assert counted == {first_hour.pk, last_minute.pk}
