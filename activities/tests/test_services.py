"""The services' rules: 四议两公开 in order, funding arithmetic, insert-only spending, photos."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from activities import selectors, services
from activities.models import Decision, Photo, Spending, Step
from core.errors import ServiceError
from core.models import AuditEntry
from places.models import Resident

from .conftest import DAY

K, OUT = Step.Kind, Step.Outcome


def _steps(actor, decision, kinds, day=DAY):
    for kind in kinds:
        outcome = OUT.PUBLISHED if kind in Step.PUBLICATIONS else OUT.APPROVED
        services.record_step(
            actor=actor, decision=decision, kind=kind, date=day, outcome=outcome, summary="公示内容"
        )


# --- 四议两公开 -------------------------------------------------------------------------------


def test_the_six_steps_in_order_complete_the_decision(vic, decision):
    for kind in K.values:
        assert services.next_step(decision) == kind
        _steps(vic, decision, [kind])
        decision.refresh_from_db()
    assert decision.state == Decision.State.DONE
    assert services.next_step(decision) is None
    assert (
        AuditEntry.objects.filter(
            action="update", object_id=decision.pk, changes__has_key="step"
        ).count()
        == 6
    )


@pytest.mark.parametrize("recorded", [0, 1, 2, 3, 4, 5])
def test_a_step_cannot_skip_or_repeat(vic, decision, recorded):
    _steps(vic, decision, list(K.values)[:recorded])
    for kind in K.values:
        if kind == recorded + 1:
            continue
        with pytest.raises(ServiceError) as refused:
            _steps(vic, decision, [kind])
        assert refused.value.code == "step_out_of_order"
    assert decision.steps.count() == recorded


def test_a_rejected_step_ends_the_decision(vic, decision):
    _steps(vic, decision, [K.PROPOSAL])
    services.record_step(
        actor=vic, decision=decision, kind=K.DISCUSSION, date=DAY, outcome=OUT.REJECTED
    )
    decision.refresh_from_db()
    assert decision.state == Decision.State.REJECTED
    with pytest.raises(ServiceError) as refused:
        _steps(vic, decision, [K.REVIEW])
    assert refused.value.code == "decision_closed"


def test_a_step_cannot_be_dated_before_the_previous_one(vic, decision):
    _steps(vic, decision, [K.PROPOSAL], day=DAY)
    with pytest.raises(ServiceError) as refused:
        _steps(vic, decision, [K.DISCUSSION], day=DAY - datetime.timedelta(days=1))
    assert refused.value.code == "step_before_previous"


def test_outcomes_fit_the_step(vic, decision):
    with pytest.raises(ServiceError):
        services.record_step(
            actor=vic, decision=decision, kind=K.PROPOSAL, date=DAY, outcome=OUT.PUBLISHED
        )
    _steps(vic, decision, [1, 2, 3, 4])
    with pytest.raises(ServiceError):
        services.record_step(actor=vic, decision=decision, kind=5, date=DAY, outcome=OUT.APPROVED)
    with pytest.raises(ServiceError) as refused:
        services.record_step(actor=vic, decision=decision, kind=5, date=DAY, outcome=OUT.PUBLISHED)
    assert refused.value.code == "summary_required"


def test_only_publications_reach_the_public_board(town, vic, decision):
    _steps(vic, decision, [1, 2, 3, 4, 5])
    published = list(selectors.public_publications(town.villages[0]))
    assert [step.kind for step in published] == [K.PUBLISH_RESOLUTION]
    assert not selectors.public_publications(town.villages[1]).exists()


def test_decisions_belong_to_villages(town, alice):
    with pytest.raises(ServiceError):
        services.start_decision(actor=alice, village=town.grids[0], title="x")


# --- Funding ----------------------------------------------------------------------------------


def test_budget_is_residents_times_rate_times_months(town, alice):
    services.set_funding_rate(actor=alice, township=town.township, rate=Decimal("1.50"))
    budget = services.set_budget(actor=alice, township=town.township, year=2026, months=10)
    residents = Resident.objects.filter(township=town.township).count()
    assert budget.residents == residents and budget.rate == Decimal("1.50")
    assert budget.amount == Decimal(residents) * Decimal("1.50") * 10
    with pytest.raises(ServiceError):
        services.set_budget(actor=alice, township=town.township, year=2026)
    with pytest.raises(ServiceError):
        services.set_budget(actor=alice, township=town.villages[0], year=2027)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        min_size=1,
        max_size=8,
    ),
    reversed_mask=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_spent_and_remaining_are_sums_of_entries(town, alice, amounts, reversed_mask):
    with transaction.atomic():
        budget = services.set_budget(actor=alice, township=town.township, year=2026)
        entries = [
            services.spend(
                actor=alice,
                budget=budget,
                date=DAY,
                category="bins",
                description="桶",
                amount=amount,
            )
            for amount in amounts
        ]
        kept = Decimal("0")
        for entry, reverse in zip(entries, reversed_mask, strict=False):
            if reverse:
                services.reverse_spending(actor=alice, entry=entry, reason="更正", date=DAY)
            else:
                kept += entry.amount
        row = selectors.budget_rows(_scope(alice)).get(pk=budget.pk)
        assert row.spent == kept
        assert row.amount - row.spent == budget.amount - kept
        figures = selectors.budget_figures(_scope(alice), town.township, DAY, DAY)
        assert figures["funding_used"] == kept
        assert figures["funding_remaining"] == budget.amount - kept
        transaction.set_rollback(True)


def _scope(user):
    from people.access import forget_scope, scope_for

    forget_scope(user)
    return scope_for(user)


def test_spending_is_insert_only_and_reversed_once(town, alice, budget):
    entry = services.spend(
        actor=alice,
        budget=budget,
        date=DAY,
        category="bins",
        description="桶",
        amount=Decimal("10"),
    )
    with pytest.raises(ServiceError):
        services.spend(
            actor=alice,
            budget=budget,
            date=DAY,
            category="bins",
            description="桶",
            amount=Decimal("-1"),
        )
    reversal = services.reverse_spending(actor=alice, entry=entry, reason="录错")
    assert reversal.amount == Decimal("-10") and reversal.reverses == entry
    with pytest.raises(ServiceError):
        services.reverse_spending(actor=alice, entry=entry, reason="again")
    with pytest.raises(ServiceError):
        services.reverse_spending(actor=alice, entry=reversal, reason="again")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL")
def test_postgresql_refuses_to_update_or_delete_spending_and_steps(
    town, alice, budget, vic, decision
):
    entry = services.spend(
        actor=alice,
        budget=budget,
        date=DAY,
        category="bins",
        description="桶",
        amount=Decimal("10"),
    )
    _steps(vic, decision, [1])
    for statement in (
        lambda: Spending.objects.filter(pk=entry.pk).update(amount=Decimal("1")),
        lambda: Spending.objects.filter(pk=entry.pk).delete(),
        lambda: Step.objects.filter(decision=decision).update(summary="x"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite: guarded by the application")
def test_sqlite_guards_spending_in_the_application(town, alice, budget):
    entry = services.spend(
        actor=alice,
        budget=budget,
        date=DAY,
        category="bins",
        description="桶",
        amount=Decimal("10"),
    )
    with pytest.raises(ValueError):
        entry.delete()


# --- Records ----------------------------------------------------------------------------------


def test_records_are_audited_with_who_recorded_them(records, alice):
    for record in records.values():
        assert record.recorded_by == alice
        assert AuditEntry.objects.filter(object_id=record.pk, actor=alice).exists()


def test_trainings_refuse_residents_of_another_township(town, other_town, alice):
    stranger = other_town.households[0].members.get()
    with pytest.raises(ServiceError):
        services.record_training(
            actor=alice, unit=town.grids[0], date=DAY, topic="t", trainer="x", residents=[stranger]
        )


def test_future_dates_are_refused(town, alice):
    with pytest.raises(ServiceError):
        services.record_meeting(
            actor=alice,
            unit=town.township,
            date=datetime.date(2999, 1, 1),
            kind="special",
            title="x",
        )


def test_trees_need_a_species(town, alice):
    with pytest.raises(ServiceError):
        services.record_output(
            actor=alice, unit=town.township, date=DAY, kind="trees", quantity=Decimal("5")
        )


def test_units_above_a_township_are_refused(town, alice):
    with pytest.raises(ServiceError):
        services.record_meeting(actor=alice, unit=town.county, date=DAY, kind="special", title="x")


def test_photos_lose_their_exif(town, alice):
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    record = services.record_volunteer_event(
        actor=alice,
        unit=town.grids[0],
        date=DAY,
        title="清扫",
        participants=3,
        hours=Decimal("6"),
        photos=[upload],
    )
    photo = Photo.objects.get(object_id=record.pk)
    stored = photo.image.read()
    assert b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
