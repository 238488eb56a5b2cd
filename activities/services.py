"""Writes of the record of work. Each service writes its audit row in the same transaction.

Access is the caller's check (views and API ask people.access for the Scope); services enforce
the domain rules: the place lies in a township, the 四议两公开 order, insert-only spending.
"""

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from core.models import AuditEntry
from places.models import Resident, Unit
from points.evidence import FORMATS, MAX_PHOTOS, clean_photo

from .models import (
    Attendance,
    Broadcast,
    Budget,
    Decision,
    Meeting,
    Output,
    Photo,
    Propaganda,
    Settings,
    Spending,
    Step,
    Training,
    VolunteerEvent,
    VolunteerTeam,
)

VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)
CENT = Decimal("0.01")


def township_of(unit: Unit) -> Unit:
    """The township `unit` belongs to (itself for a township); refuses units above one."""
    if unit.kind == Unit.Kind.TOWNSHIP:
        return unit
    if unit.township_id is None:
        raise ServiceError(
            _("Record the work against a township or a unit within one."), code="no_township"
        )
    return unit.township


def settings_for(township: Unit) -> Settings:
    """The township's settings, created with the defaults on first use."""
    found, _created = Settings.objects.get_or_create(township=township)
    return found


def _check_date(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."), code="future_date")


def attach_photos(*, record, files) -> list[Photo]:
    """Store photos of a record, re-encoded without metadata (points.evidence)."""
    files = list(files or ())
    if len(files) > MAX_PHOTOS:
        raise ServiceError(
            _("At most %(n)d photos per record.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    content_type = ContentType.objects.get_for_model(record)
    saved = []
    for upload in files:
        image, thumb, mime = clean_photo(upload)
        stem = uuid.uuid4().hex
        suffix = next(sfx for ct, sfx in FORMATS.values() if ct == mime)
        photo = Photo(content_type=content_type, object_id=record.pk)
        photo.image.save(f"{stem}.{suffix}", ContentFile(image), save=False)
        photo.thumbnail.save(f"{stem}.jpg", ContentFile(thumb), save=False)
        photo.save()
        saved.append(photo)
    return saved


def _create(model, *, actor, unit: Unit, date, photos=(), **fields):
    _check_date(date)
    record = model.objects.create(
        township=township_of(unit), unit=unit, date=date, recorded_by=actor, **fields
    )
    attach_photos(record=record, files=photos)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=record,
        changes={
            name: [None, value.isoformat() if isinstance(value, datetime.time) else value]
            for name, value in audit.snapshot(
                record, ["unit", "date", *[k for k in fields if k != "team"]]
            ).items()
        },
    )
    return record


@transaction.atomic
def record_training(
    *,
    actor,
    unit: Unit,
    date: datetime.date,
    topic: str,
    trainer: str,
    kind: str = Training.Kind.CENTRAL,
    hours: Decimal = Decimal("2"),
    note: str = "",
    users=(),
    residents=(),
    photos=(),
) -> Training:
    """A training session and its attendees (users and residents of the same township)."""
    training = _create(
        Training,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        kind=kind,
        topic=topic,
        trainer=trainer,
        hours=hours,
        note=note,
    )
    residents = list(dict.fromkeys(residents))
    foreign = [r for r in residents if r.township_id != training.township_id]
    if foreign:
        raise ServiceError(
            _("%(name)s does not live in this township.") % {"name": foreign[0].masked_name},
            code="resident_elsewhere",
        )
    Attendance.objects.bulk_create(
        [Attendance(training=training, user=user) for user in dict.fromkeys(users)]
        + [Attendance(training=training, resident=resident) for resident in residents]
    )
    return training


@transaction.atomic
def create_team(*, actor, unit: Unit, name: str, leader: str = "", members: int = 0):
    team = VolunteerTeam(
        township=township_of(unit),
        unit=unit,
        name=name,
        leader=leader,
        members=members,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise ServiceError(
            _("%(unit)s already has a team named %(name)s.") % {"unit": unit.name, "name": name},
            code="team_exists",
        ) from None
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=team,
        changes={"name": [None, name], "unit": [None, unit.pk]},
    )
    return team


@transaction.atomic
def record_volunteer_event(
    *,
    actor,
    unit: Unit,
    date,
    title: str,
    participants: int,
    hours: Decimal,
    team: VolunteerTeam | None = None,
    note: str = "",
    photos=(),
) -> VolunteerEvent:
    if team is not None and team.township_id != township_of(unit).pk:
        raise ServiceError(_("The team belongs to another township."), code="team_elsewhere")
    return _create(
        VolunteerEvent,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        team=team,
        title=title,
        participants=participants,
        hours=hours,
        note=note,
    )


@transaction.atomic
def record_propaganda(
    *, actor, unit: Unit, date, kind: str, title: str, quantity: int = 1, note="", photos=()
) -> Propaganda:
    return _create(
        Propaganda,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        kind=kind,
        title=title,
        quantity=quantity,
        note=note,
    )


@transaction.atomic
def record_broadcast(
    *, actor, unit: Unit, date, time, content: str, minutes: int, note="", photos=()
) -> Broadcast:
    return _create(
        Broadcast,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        time=time,
        content=content,
        minutes=minutes,
        note=note,
    )


@transaction.atomic
def record_meeting(
    *,
    actor,
    unit: Unit,
    date,
    kind: str,
    title: str,
    attendees: int = 0,
    minutes: str = "",
    decisions: str = "",
    note="",
    photos=(),
) -> Meeting:
    return _create(
        Meeting,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        kind=kind,
        title=title,
        attendees=attendees,
        minutes=minutes,
        decisions=decisions,
        note=note,
    )


@transaction.atomic
def record_output(
    *, actor, unit: Unit, date, kind: str, quantity: Decimal, species: str = "", note="", photos=()
) -> Output:
    species = species.strip()
    if kind == Output.Kind.TREES and not species:
        raise ServiceError(_("Name the species of the trees planted."), code="species_required")
    if kind != Output.Kind.TREES:
        species = ""
    return _create(
        Output,
        actor=actor,
        unit=unit,
        date=date,
        photos=photos,
        kind=kind,
        quantity=quantity,
        species=species,
        note=note,
    )


# --- 四议两公开 -------------------------------------------------------------------------------


@transaction.atomic
def start_decision(*, actor, village: Unit, title: str, description: str = "") -> Decision:
    if village.kind not in VILLAGE_KINDS:
        raise ServiceError(
            _("Village decisions are taken by a village or community."), code="not_a_village"
        )
    decision = Decision.objects.create(
        township=village.township,
        village=village,
        title=title,
        description=description,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=decision,
        changes={"title": [None, title], "village": [None, village.pk]},
    )
    return decision


def next_step(decision: Decision) -> int | None:
    """The step to record next, or None when the decision is completed or rejected."""
    if decision.state != Decision.State.OPEN:
        return None
    last = decision.steps.order_by("-kind").values_list("kind", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def record_step(
    *, actor, decision: Decision, kind: int, date, outcome: str, summary: str = ""
) -> Step:
    """Record the next step; steps go in order, a rejection ends the decision."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    expected = next_step(decision)
    if expected is None:
        raise ServiceError(
            _("This decision is closed: %(state)s.") % {"state": decision.get_state_display()},
            code="decision_closed",
        )
    if kind != expected:
        raise ServiceError(
            _("The next step is: %(step)s.") % {"step": Step.Kind(expected).label},
            code="step_out_of_order",
        )
    _check_date(date)
    previous = decision.steps.order_by("-kind").first()
    if previous is not None and date < previous.date:
        raise ServiceError(
            _("A step cannot be dated before the previous one (%(date)s).")
            % {"date": previous.date.isoformat()},
            code="step_before_previous",
        )
    publication = kind in Step.PUBLICATIONS
    if publication and outcome != Step.Outcome.PUBLISHED:
        raise ServiceError(_("A publication's outcome is 'published'."), code="bad_outcome")
    if not publication and outcome not in (Step.Outcome.APPROVED, Step.Outcome.REJECTED):
        raise ServiceError(_("A deliberation is approved or rejected."), code="bad_outcome")
    if publication and not summary.strip():
        raise ServiceError(
            _("Give the text that is posted on the public board."), code="summary_required"
        )
    step = Step.objects.create(
        decision=decision,
        kind=kind,
        date=date,
        outcome=outcome,
        summary=summary.strip(),
        recorded_by=actor,
    )
    before = decision.state
    if outcome == Step.Outcome.REJECTED:
        decision.state = Decision.State.REJECTED
    elif kind == Step.Kind.PUBLISH_RESULT:
        decision.state = Decision.State.DONE
    if decision.state != before:
        Decision.objects.filter(pk=decision.pk).update(state=decision.state)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=decision,
        changes={
            "step": [None, kind],
            "outcome": [None, outcome],
            "date": [None, date.isoformat()],
            "state": [before, decision.state],
        },
    )
    return step


# --- Funding ----------------------------------------------------------------------------------


def budget_amount(*, residents: int, rate: Decimal, months: int) -> Decimal:
    return (Decimal(residents) * rate * months).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def set_budget(*, actor, township: Unit, year: int, months: int = 12) -> Budget:
    """The year's budget: residents counted now × the township's rate × months."""
    if township.kind != Unit.Kind.TOWNSHIP:
        raise ServiceError(_("Budgets are set for a township."), code="not_a_township")
    if Budget.objects.filter(township=township, year=year).exists():
        raise ServiceError(
            _("%(township)s already has a budget for %(year)d.")
            % {"township": township.name, "year": year},
            code="budget_exists",
        )
    rate = settings_for(township).funding_rate
    residents = Resident.objects.filter(township=township).count()
    budget = Budget.objects.create(
        township=township,
        year=year,
        residents=residents,
        rate=rate,
        months=months,
        amount=budget_amount(residents=residents, rate=rate, months=months),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=budget,
        changes={
            k: [None, v]
            for k, v in audit.snapshot(
                budget, ["year", "residents", "rate", "months", "amount"]
            ).items()
        },
    )
    return budget


@transaction.atomic
def spend(
    *,
    actor,
    budget: Budget,
    date,
    category: str,
    description: str,
    amount: Decimal,
    quantity: int | None = None,
) -> Spending:
    """A spending entry (a positive amount) against the budget."""
    if amount <= 0:
        raise ServiceError(_("A spending amount is positive."), code="amount_not_positive")
    _check_date(date)
    entry = Spending.objects.create(
        budget=budget,
        township_id=budget.township_id,
        date=date,
        category=category,
        description=description,
        quantity=quantity,
        amount=amount,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=entry,
        changes={"amount": [None, str(amount)], "description": [None, description]},
    )
    return entry


@transaction.atomic
def reverse_spending(*, actor, entry: Spending, reason: str, date=None) -> Spending:
    """A correction: a new entry of the opposite amount, linked to the one it corrects."""
    entry = Spending.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ServiceError(_("A reversal cannot be reversed."), code="reversal_of_reversal")
    if Spending.objects.filter(reverses=entry).exists():
        raise ServiceError(_("This entry is already reversed."), code="already_reversed")
    if not reason.strip():
        raise ServiceError(_("Give the reason for the correction."), code="reason_required")
    reversal = Spending.objects.create(
        budget_id=entry.budget_id,
        township_id=entry.township_id,
        date=date or timezone.localdate(),
        category=entry.category,
        description=(
            _("Correction of: %(what)s — %(reason)s")
            % {"what": entry.description, "reason": reason.strip()}
        )[:200],
        quantity=entry.quantity,
        amount=-entry.amount,
        reverses=entry,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=reversal,
        changes={"amount": [None, str(reversal.amount)], "reverses": [None, entry.pk]},
        reason=reason,
    )
    return reversal


@transaction.atomic
def set_funding_rate(*, actor, township: Unit, rate: Decimal) -> Settings:
    """Change the township's yuan per resident per month (budgets already set keep theirs)."""
    if rate < 0:
        raise ServiceError(_("The rate cannot be negative."), code="negative_rate")
    found = settings_for(township)
    before = found.funding_rate
    found.funding_rate = rate
    found.save(update_fields=["funding_rate", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=found,
        changes={"funding_rate": [str(before), str(rate)]},
    )
    return found
