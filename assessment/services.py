"""Changes to assessment data besides the close itself: commendations and deductions, what was
done about threshold cases, and the villages' key-work marks. Each records who, when and on
whose authority; none edits a published month."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from people import services as people_services
from places.models import Unit

from .close import month_of, next_month
from .models import Adjustment, Case, CaseAction, Close, KeyWork, KeyWorkMark


def _require(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, code=code)
    return value


@transaction.atomic
def add_adjustment(
    *, unit: Unit, month, points: Decimal, reason: str, authority: str, user
) -> Adjustment:
    """A commendation (+) or deduction (−) for a grid; refused for a published month."""
    month = month_of(month)
    if unit.kind not in (Unit.Kind.GRID, Unit.Kind.TOWNSHIP):
        raise ServiceError(_("Commendations and deductions are given to grids."), code="not_grid")
    if not points:
        raise ServiceError(_("Give a number of points other than zero."), code="zero_points")
    township = unit if unit.kind == Unit.Kind.TOWNSHIP else unit.township
    published = Close.objects.filter(
        township=township, month=month, state=Close.State.PUBLISHED
    ).exists()
    if published:
        raise ServiceError(
            _("%(month)s is published and frozen; enter the correction in %(next)s.")
            % {"month": f"{month:%Y-%m}", "next": f"{next_month(month):%Y-%m}"},
            code="published",
        )
    adjustment = Adjustment.objects.create(
        township=township,
        unit=unit,
        month=month,
        points=points,
        reason=_require(reason, _("Give the reason."), "reason_required"),
        authority=_require(authority, _("Say on whose authority."), "authority_required"),
        created_by=user,
    )
    audit.record(
        actor=user,
        action="create",
        obj=adjustment,
        changes={"points": [None, str(points)], "month": [None, f"{month:%Y-%m}"]},
        reason=authority,
    )
    return adjustment


# Which action a case in a state may take next, and the state it leaves the case in.
CASE_FLOW = {
    Case.State.OPEN: {
        CaseAction.Kind.TALK_HELD,
        CaseAction.Kind.SUSPENDED,
        CaseAction.Kind.REPLACED,
        CaseAction.Kind.DISMISSED,
    },
    Case.State.TALK_HELD: set(),
    Case.State.SUSPENDED: {CaseAction.Kind.REPLACED},
    Case.State.REPLACED: set(),
    Case.State.DISMISSED: set(),
}


@transaction.atomic
def act_on_case(
    *,
    case: Case,
    kind: str,
    on: datetime.date,
    note: str,
    authority: str,
    user,
    new_holder=None,
) -> CaseAction:
    """Record what was done about a threshold case; a replacement re-assigns the grid chief."""
    case = Case.objects.select_for_update().select_related("close", "assignment").get(pk=case.pk)
    if not case.close.is_published:
        raise ServiceError(
            _("Cases are handled once the month is published."), code="not_published"
        )
    if kind not in CASE_FLOW[Case.State(case.state)]:
        raise ServiceError(
            _("A case that is “%(state)s” cannot be marked “%(action)s”.")
            % {"state": case.get_state_display(), "action": CaseAction.Kind(kind).label},
            code="bad_transition",
        )
    note = _require(note, _("Write what was done."), "note_required")
    authority = _require(authority, _("Say on whose authority."), "authority_required")
    if on > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."), code="future_date")
    new_assignment = None
    if kind == CaseAction.Kind.REPLACED:
        if new_holder is None:
            raise ServiceError(_("Choose who takes over the grid."), code="holder_required")
        if new_holder.pk == case.user_id:
            raise ServiceError(_("Choose someone else to take over."), code="same_holder")
        assignment = case.assignment
        if assignment.end_date is not None and assignment.end_date < on:
            raise ServiceError(
                _("This person no longer holds the post: the assignment ended on %(day)s.")
                % {"day": assignment.end_date},
                code="already_ended",
            )
        new_assignment = people_services.replace_holder(
            assignment=assignment, new_user=new_holder, actor=user, on=on, authority=authority
        )
    action = CaseAction.objects.create(
        case=case,
        township=case.township,
        kind=kind,
        on=on,
        note=note,
        authority=authority,
        new_assignment=new_assignment,
        by=user,
    )
    before = case.state
    case.state = kind
    case.save(update_fields=["state"])
    audit.record(
        actor=user, action=kind, obj=case, changes={"state": [before, kind]}, reason=authority
    )
    return action


@transaction.atomic
def mark_key_work(
    *, village: Unit, item: KeyWork, year: int, points: Decimal, note: str, user
) -> KeyWorkMark:
    """A village's marks on a key-work item for a year; corrections are further marks."""
    if village.kind not in Unit.VILLAGE_KINDS:
        raise ServiceError(
            _("Key work is marked for villages and communities."), code="not_village"
        )
    if item.township_id != village.township_id:
        raise ServiceError(_("This item belongs to another township."), code="other_township")
    total = sum(
        KeyWorkMark.objects.filter(village=village, item=item, year=year).values_list(
            "points", flat=True
        ),
        Decimal(0),
    )
    if abs(total + points) > item.max_points:
        raise ServiceError(
            _("%(item)s counts at most ±%(max)s points a year; this would make %(total)s.")
            % {"item": item.name, "max": item.max_points, "total": total + points},
            code="over_max",
        )
    mark = KeyWorkMark.objects.create(
        township_id=village.township_id,
        village=village,
        item=item,
        year=year,
        points=points,
        note=_require(note, _("Give the reason."), "reason_required"),
        by=user,
    )
    audit.record(
        actor=user, action="create", obj=mark, changes={"points": [None, str(points)]}, reason=note
    )
    return mark


@transaction.atomic
def add_key_work(*, township: Unit, name: str, max_points: Decimal, user) -> KeyWork:
    """A new key-work item of the township's yearly appraisal. Items are not edited once they
    exist, so that past marks keep the meaning they were given under."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the item's name."), code="name_required")
    if max_points <= 0:
        raise ServiceError(_("The most an item counts must be above zero."), code="bad_max")
    if KeyWork.objects.filter(township=township, name=name).exists():
        raise ServiceError(
            _("The township already has an item “%(name)s”.") % {"name": name}, code="duplicate"
        )
    item = KeyWork.objects.create(township=township, name=name, max_points=max_points)
    audit.record(
        actor=user,
        action="create",
        obj=item,
        changes={"name": [None, name], "max_points": [None, str(max_points)]},
    )
    return item
