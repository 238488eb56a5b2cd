"""Writes of grievances: intake, the state transitions, notes, ratings, attachments, duty rota.

Every state change goes through `transition`, which checks the transition table, writes one
insert-only `Event` (the grievance's history) and an audit row in the same transaction.
"""

import datetime
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import NotInScope, PermissionDenied, ServiceError
from people import access as people_access
from people.models import Role, RoleAssignment, User
from places.models import Household, Resident, Unit
from points.evidence import MAX_BYTES, clean_photo

from . import access, escalation
from .models import Attachment, DutyShift, Event, Grievance
from .selectors import settings_for

S = Grievance.State
A = Event.Action

# Allowed state changes: from → {to: the action it is}.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.REGISTERED: {S.HANDLING: A.ASSIGN},
    S.HANDLING: {S.HANDLING: A.ASSIGN, S.REPLIED: A.REPLY},
    S.REPLIED: {S.HANDLING: A.ASSIGN, S.REPLIED: A.REPLY, S.CONCLUDED: A.CONCLUDE},
    S.CONCLUDED: {S.HANDLING: A.REOPEN},
}
PLACE_KINDS = (
    Unit.Kind.TOWNSHIP,
    Unit.Kind.VILLAGE,
    Unit.Kind.COMMUNITY,
    Unit.Kind.GROUP,
    Unit.Kind.GRID,
    Unit.Kind.JOINT,
)
LEADER_ROLES = (
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD,
    Role.TOWNSHIP_LEADER,
    Role.VILLAGE_COMMITTEE,
)
MAX_ATTACHMENTS = 6


def _today() -> datetime.date:
    return timezone.localdate()


def _check_day(on: datetime.date | None, not_before: datetime.date) -> datetime.date:
    on = on or _today()
    if on > _today():
        raise ServiceError(_("The date cannot be in the future."), code="date_in_future")
    if on < not_before:
        raise ServiceError(
            _("The date cannot be before the grievance was received (%(day)s).")
            % {"day": not_before.isoformat()},
            code="date_before_receipt",
        )
    return on


def _paths(unit: Unit, household: Household | None) -> dict[str, str]:
    village_path = ""
    if unit.kind in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        village_path = unit.path
    elif unit.village_id:
        village_path = unit.village.path
    elif household is not None and household.group.parent is not None:
        village_path = household.group.parent.path
    group_path = household.group_path if household is not None else ""
    if unit.kind == Unit.Kind.GROUP:
        group_path = unit.path
    return {"unit_path": unit.path, "village_path": village_path, "group_path": group_path}


@transaction.atomic
def intake(
    *,
    actor,
    channel: str,
    category: str,
    subject: str,
    request: str,
    unit: Unit | None = None,
    resident: Resident | None = None,
    outsider_name: str = "",
    outsider_phone: str = "",
    outsider_id_number: str = "",
    is_petition: bool = False,
    received_on: datetime.date | None = None,
    duty: DutyShift | None = None,
) -> Grievance:
    """Register a grievance (or a petition) raised by a resident or a named outsider."""
    scope = people_access.scope_for(actor)
    household = resident.household if resident is not None else None
    if unit is None:
        if household is None:
            raise ServiceError(_("Say where the matter arose."), code="place_required")
        unit = household.joint
    if unit.kind not in PLACE_KINDS:
        raise ServiceError(_("Choose a place in a township."), code="bad_place")
    township = unit if unit.kind == Unit.Kind.TOWNSHIP else unit.township
    if household is not None and household.township_id != township.pk:
        raise ServiceError(_("The person lives in another township."), code="other_township")
    if resident is None and not outsider_name.strip():
        raise ServiceError(_("Name the person, or choose a resident."), code="person_required")
    if resident is None and not outsider_phone.strip():
        raise ServiceError(_("Give the person's phone number."), code="phone_required")
    settings = settings_for(township)
    if category not in settings.categories:
        raise ServiceError(_("Choose one of the township's categories."), code="bad_category")
    received_on = received_on or _today()
    if received_on > _today():
        raise ServiceError(_("The date cannot be in the future."), code="date_in_future")
    _check_intake_access(scope, actor, channel, unit, household, duty, received_on)
    person_user_id = (
        User.objects.filter(resident=resident).values_list("pk", flat=True).first()
        if resident is not None
        else None
    )
    grievance = Grievance.objects.create(
        township=township,
        is_petition=is_petition,
        channel=channel,
        category=category,
        unit=unit,
        **_paths(unit, household),
        household=household,
        resident=resident,
        person_user_id=person_user_id,
        outsider_name="" if resident is not None else outsider_name.strip(),
        outsider_phone="" if resident is not None else outsider_phone.strip(),
        outsider_id_number="" if resident is not None else outsider_id_number.strip().upper(),
        subject=subject.strip(),
        request=request.strip(),
        received_on=received_on,
        recorded_by=actor,
        duty=duty,
    )
    Event.objects.create(
        township=township,
        grievance=grievance,
        action=A.INTAKE,
        to_state=S.REGISTERED,
        actor=actor,
        data={"channel": channel, "received_on": received_on.isoformat()},
    )
    audit.record(
        actor=actor,
        action="create",
        obj=grievance,
        changes={"state": [None, S.REGISTERED], "channel": [None, channel]},
    )
    return grievance


def _check_intake_access(scope, actor, channel, unit, household, duty, received_on) -> None:
    C = Grievance.Channel
    if channel == C.SELF:
        if household is None or household.pk not in scope.household_ids:
            raise PermissionDenied(_("A villager files a grievance for their own household."))
        return
    if channel == C.RECEPTION:
        if duty is None or duty.leader_id != actor.pk or duty.date != received_on:
            raise PermissionDenied(
                _("A reception is recorded by the leader on duty, on the day of the duty.")
            )
        if not unit.path.startswith(duty.unit_path) and not (
            unit.village_id and unit.village.path.startswith(duty.unit_path)
        ):
            raise PermissionDenied(_("The place lies outside the duty's township or village."))
        return
    if duty is not None:
        raise ServiceError(_("Only a reception is linked to a duty shift."), code="not_reception")
    if not scope.covers_unit(unit, "change"):
        raise NotInScope()
    if household is not None and not people_access.can_view_household(scope, household):
        raise NotInScope()


def _lock(grievance: Grievance) -> Grievance:
    return Grievance.objects.select_for_update().get(pk=grievance.pk)


@transaction.atomic
def transition(
    *,
    grievance: Grievance,
    to: str,
    actor,
    note: str = "",
    on: datetime.date | None = None,
    assigned_unit: Unit | None = None,
    assignee=None,
    deadline: datetime.date | None = None,
    reply: str = "",
) -> Grievance:
    """Move `grievance` to state `to` (see TRANSITIONS), writing its history row and audit row.

    assign (→ handling): `assigned_unit` (the responsible unit), optional `assignee`, `deadline`
    (default: received + the township's days); reply (→ replied): `reply` to the person;
    conclude (→ concluded): `on` the day; reopen (concluded → handling): `note` says why.
    """
    scope = people_access.scope_for(actor)
    current = _lock(grievance)
    action = TRANSITIONS.get(current.state, {}).get(to)
    if action is None:
        raise ServiceError(
            _("A grievance that is %(state)s cannot become %(to)s.")
            % {"state": S(current.state).label, "to": S(to).label},
            code="bad_transition",
            status=409,
        )
    person_reopens = (
        action == A.REOPEN
        and access.is_person(scope, current)
        and current.rating == Grievance.Rating.NOT
    )
    if not access.can_handle(scope, current) and not person_reopens:
        raise PermissionDenied(_("You are not a handler of this grievance."))
    on = _check_day(on, current.received_on)
    before = audit.snapshot(current, _AUDITED)
    data: dict = {}
    if action == A.ASSIGN:
        _assign(current, assigned_unit, assignee, deadline, data)
    elif action == A.REPLY:
        if not reply.strip():
            raise ServiceError(_("Write the reply given to the person."), code="reply_required")
        current.reply = reply.strip()
        current.replied_on = on
        data["reply"] = current.reply
    elif action == A.CONCLUDE:
        current.concluded_on = on
        data["tickets_ended"] = escalation.end_tickets(grievance=current, on=on)
    elif action == A.REOPEN:
        if not note.strip():
            raise ServiceError(_("Say why the grievance is reopened."), code="reason_required")
        data["previous_rating"] = current.rating
        current.concluded_on = None
        current.rating = ""
        current.rating_method = ""
        current.rated_on = None
        current.reopen_count += 1
    data["on"] = on.isoformat()
    from_state = current.state
    current.state = to
    current.save()
    Event.objects.create(
        township_id=current.township_id,
        grievance=current,
        action=action,
        from_state=from_state,
        to_state=to,
        actor=actor,
        note=note.strip(),
        data=data,
    )
    audit.record(
        actor=actor,
        action="update",
        obj=current,
        changes=audit.diff(before, audit.snapshot(current, _AUDITED)),
        reason=note,
    )
    return current


_AUDITED = (
    "state",
    "assigned_unit",
    "assignee",
    "deadline",
    "reply",
    "replied_on",
    "concluded_on",
    "rating",
    "rating_method",
    "rated_on",
    "reopen_count",
)


def _assign(current: Grievance, unit, assignee, deadline, data: dict) -> None:
    if unit is None:
        raise ServiceError(_("Choose the responsible unit."), code="unit_required")
    township_id = unit.pk if unit.kind == Unit.Kind.TOWNSHIP else unit.township_id
    if township_id != current.township_id:
        raise ServiceError(_("The responsible unit must be in the same township."), code="bad_unit")
    if assignee is not None:
        holds = RoleAssignment.objects.filter(
            user=assignee, township_id=current.township_id, start_date__lte=_today()
        ).exclude(role=Role.VILLAGER)
        if not holds.exclude(end_date__lt=_today()).exists():
            raise ServiceError(
                _("The responsible person holds no role in this township."), code="bad_assignee"
            )
    if deadline is None:
        settings = settings_for(current.township)
        days = settings.petition_days if current.is_petition else settings.grievance_days
        deadline = current.received_on + datetime.timedelta(days=days)
    if deadline < current.received_on:
        raise ServiceError(
            _("The deadline cannot be before the grievance was received."), code="bad_deadline"
        )
    current.assigned_unit = unit
    current.assigned_path = unit.path
    current.assignee = assignee
    current.deadline = deadline
    data.update(
        {
            "assigned_unit": unit.pk,
            "assignee": assignee.pk if assignee is not None else None,
            "deadline": deadline.isoformat(),
        }
    )


def assign(*, grievance, actor, unit, assignee=None, deadline=None, note="", on=None):
    return transition(
        grievance=grievance,
        to=S.HANDLING,
        actor=actor,
        assigned_unit=unit,
        assignee=assignee,
        deadline=deadline,
        note=note,
        on=on,
    )


def reply_to(*, grievance, actor, reply, on=None):
    return transition(grievance=grievance, to=S.REPLIED, actor=actor, reply=reply, on=on)


def conclude(*, grievance, actor, note="", on=None):
    return transition(grievance=grievance, to=S.CONCLUDED, actor=actor, note=note, on=on)


def reopen(*, grievance, actor, reason):
    return transition(grievance=grievance, to=S.HANDLING, actor=actor, note=reason)


@transaction.atomic
def add_note(*, grievance: Grievance, actor, note: str) -> Event:
    """A handling note (办理情况); the state does not change."""
    scope = people_access.scope_for(actor)
    current = _lock(grievance)
    if not access.can_handle(scope, current):
        raise PermissionDenied(_("You are not a handler of this grievance."))
    if not note.strip():
        raise ServiceError(_("Write the note."), code="note_required")
    event = Event.objects.create(
        township_id=current.township_id,
        grievance=current,
        action=A.NOTE,
        from_state=current.state,
        to_state=current.state,
        actor=actor,
        note=note.strip(),
    )
    audit.record(
        actor=actor, action="update", obj=current, changes={"note": [None, event.pk]}, reason=note
    )
    return event


@transaction.atomic
def rate(
    *,
    grievance: Grievance,
    actor,
    rating: str,
    method: str,
    note: str = "",
    on: datetime.date | None = None,
) -> Grievance:
    """The person's satisfaction with the conclusion: from their own login, or recorded by a
    handler saying how it was obtained (in person, by phone, a signed form)."""
    M = Grievance.RatingMethod
    scope = people_access.scope_for(actor)
    current = _lock(grievance)
    if current.state != S.CONCLUDED:
        raise ServiceError(
            _("Only a concluded grievance is rated."), code="not_concluded", status=409
        )
    if current.rating:
        raise ServiceError(
            _("This conclusion is already rated; reopen it to handle it again."),
            code="already_rated",
            status=409,
        )
    if rating not in Grievance.Rating.values or method not in M.values:
        raise ServiceError(_("Choose a rating and how it was obtained."), code="bad_rating")
    if method == M.OWN_LOGIN:
        if not access.is_person(scope, current):
            raise PermissionDenied(_("Only the person rates from their own login."))
    elif not access.can_handle(scope, current):
        raise PermissionDenied(_("You are not a handler of this grievance."))
    on = _check_day(on, current.concluded_on)
    before = audit.snapshot(current, _AUDITED)
    current.rating = rating
    current.rating_method = method
    current.rated_on = on
    current.save()
    Event.objects.create(
        township_id=current.township_id,
        grievance=current,
        action=A.RATE,
        from_state=current.state,
        to_state=current.state,
        actor=actor,
        note=note.strip(),
        data={"rating": rating, "method": method, "on": on.isoformat()},
    )
    audit.record(
        actor=actor,
        action="update",
        obj=current,
        changes=audit.diff(before, audit.snapshot(current, _AUDITED)),
        reason=note,
    )
    return current


def _check_file(upload) -> tuple[bytes, str, str]:
    """(content, content type, suffix): photos re-encoded without EXIF, PDFs as they are."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size > MAX_BYTES:
            raise ServiceError(
                _("File %(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": MAX_BYTES >> 20},
                code="file_too_large",
            )
        return upload.read(), "application/pdf", "pdf"
    image, _thumb, content_type = clean_photo(upload)
    return image, content_type, content_type.split("/")[1].replace("jpeg", "jpg")


@transaction.atomic
def attach(*, grievance: Grievance, actor, files) -> list[Attachment]:
    """Photos (their EXIF, GPS included, removed) and PDF files for a grievance."""
    scope = people_access.scope_for(actor)
    current = _lock(grievance)
    if not (
        access.can_handle(scope, current)
        or access.is_person(scope, current)
        or current.recorded_by_id == actor.pk
    ):
        raise PermissionDenied(_("You may not add files to this grievance."))
    if current.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ServiceError(
            _("At most %(n)d files per grievance.") % {"n": MAX_ATTACHMENTS},
            code="too_many_files",
        )
    saved = []
    for upload in files:
        content, content_type, suffix = _check_file(upload)
        attachment = Attachment(
            township_id=current.township_id,
            grievance=current,
            name=(getattr(upload, "name", "") or "file")[:100],
            content_type=content_type,
            size=len(content),
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{suffix}", ContentFile(content), save=False)
        attachment.save()
        saved.append(attachment)
    audit.record(
        actor=actor,
        action="update",
        obj=current,
        changes={"attachments": [None, [a.pk for a in saved]]},
    )
    return saved


@transaction.atomic
def schedule_duty(*, actor, unit: Unit, date: datetime.date, leader, place: str = "") -> DutyShift:
    """Put a leader on reception duty (坐班接访) at a township or village on a date."""
    scope = people_access.scope_for(actor)
    if unit.kind not in (Unit.Kind.TOWNSHIP, Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        raise ServiceError(_("Reception duty is held at a township or a village."), code="bad_unit")
    if not scope.covers(unit.path, "view"):
        raise NotInScope()
    if not scope.covers(unit.path, "manage"):
        raise PermissionDenied(_("Only the township or village leadership sets the rota."))
    township = unit if unit.kind == Unit.Kind.TOWNSHIP else unit.township
    leads = (
        RoleAssignment.objects.filter(
            user=leader, township=township, role__in=LEADER_ROLES, start_date__lte=date
        )
        .exclude(end_date__lt=date)
        .exists()
    )
    if not leads:
        raise ServiceError(
            _("%(name)s is not a township or village leader on that date.") % {"name": leader},
            code="not_a_leader",
        )
    if DutyShift.objects.filter(unit=unit, date=date, leader=leader).exists():
        raise ServiceError(_("This leader is already on duty there that day."), code="duplicate")
    shift = DutyShift.objects.create(
        township=township,
        unit=unit,
        unit_path=unit.path,
        date=date,
        leader=leader,
        place=place.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=shift,
        changes={"date": [None, date.isoformat()], "leader": [None, leader.pk]},
    )
    return shift
