"""Writes of work lists, the problem ledger, tickets, draws and 三必问 visits.

Every function is one transaction with its audit row; messages to the work groups are queued
by notify.services.announce in the same transaction (a worker sends them after commit).
"""

import calendar
import datetime
import random
import secrets
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import audit
from core.errors import PermissionDenied, ServiceError
from people.models import Role, RoleAssignment
from places.models import ResponsibilityArea, Unit
from points.evidence import FORMATS, MAX_PHOTOS, clean_photo

from . import access
from .models import (
    Draw,
    Finding,
    Photo,
    Problem,
    ProblemEvent,
    Settings,
    Task,
    TaskReport,
    Ticket,
    Visit,
    WorkList,
)

S = Problem.State
VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)


def settings_for(township: Unit) -> Settings:
    """The township's escalation rules, created with the defaults on first use."""
    settings, _created = Settings.objects.get_or_create(township=township)
    return settings


@transaction.atomic
def update_settings(*, settings: Settings, actor, **fields) -> Settings:
    before = audit.snapshot(settings, fields)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    audit.record(
        actor=actor,
        action="update",
        obj=settings,
        changes=audit.diff(before, audit.snapshot(settings, fields)),
    )
    return settings


def announce(*, unit: Unit, event: str, title: str, markdown: str, actor=None) -> int:
    """Queue a message for the unit's work-group robot (notify owns the delivery)."""
    from notify import services as notify_services  # notify sits beside work; see ARCHITECTURE

    return notify_services.announce(
        unit=unit, event=event, title=title, markdown=markdown, actor=actor
    )


def _save_photos(files, **owner) -> list[Photo]:
    files = list(files or ())
    if len(files) > MAX_PHOTOS:
        raise ServiceError(
            _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    saved = []
    for upload in files:
        image, thumb, content_type = clean_photo(upload)
        stem = uuid.uuid4().hex
        suffix = next(sfx for ct, sfx in FORMATS.values() if ct == content_type)
        photo = Photo(content_type=content_type, size=len(image), **owner)
        photo.image.save(f"{stem}.{suffix}", ContentFile(image), save=False)
        photo.thumbnail.save(f"{stem}.jpg", ContentFile(thumb), save=False)
        photo.save()
        saved.append(photo)
    return saved


# --- Work lists ------------------------------------------------------------------------------


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, the month's last day when it has fewer days (31 → 30)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def create_list(*, unit: Unit, month: datetime.date, title: str, actor) -> WorkList:
    if unit.kind not in (Unit.Kind.TOWNSHIP, *VILLAGE_KINDS):
        raise ServiceError(_("A township or a village issues a work list."), code="not_issuer")
    work_list = WorkList.objects.create(
        township=unit if unit.kind == Unit.Kind.TOWNSHIP else unit.township,
        unit=unit,
        unit_path=unit.path,
        month=_month(month),
        title=title,
        created_by=actor,
    )
    audit.record(actor=actor, action="create", obj=work_list, changes={"title": [None, title]})
    return work_list


def _task_place(work_list: WorkList, grid, area, assignee) -> tuple[Unit | None, str, str]:
    if area is not None:
        grid = area.grid
    if grid is not None:
        if grid.kind != Unit.Kind.GRID or grid.township_id != work_list.township_id:
            raise ServiceError(_("Choose a grid of this township."), code="bad_grid")
        if not grid.path.startswith(work_list.unit_path) and not (
            grid.village_id and grid.village.path.startswith(work_list.unit_path)
        ):
            raise ServiceError(_("The grid is not under the list's unit."), code="bad_grid")
        return grid, grid.path, grid.village.path if grid.village_id else ""
    if assignee is None:
        raise ServiceError(
            _("Give a grid, a responsibility area or a person."), code="task_without_target"
        )
    village_path = work_list.unit_path if work_list.unit.kind in VILLAGE_KINDS else ""
    return None, work_list.unit_path, village_path


@transaction.atomic
def add_task(
    *,
    work_list: WorkList,
    title: str,
    done_when: str,
    due_on: datetime.date,
    actor,
    grid: Unit | None = None,
    area: ResponsibilityArea | None = None,
    assignee=None,
) -> Task:
    if work_list.state == WorkList.State.PUBLISHED:
        raise ServiceError(_("The list is already published."), code="list_published")
    grid, unit_path, village_path = _task_place(work_list, grid, area, assignee)
    task = Task.objects.create(
        work_list=work_list,
        township_id=work_list.township_id,
        title=title,
        done_when=done_when,
        due_on=due_on,
        grid=grid,
        area=area,
        assignee=assignee,
        unit_path=unit_path,
        village_path=village_path,
    )
    audit.record(actor=actor, action="create", obj=task, changes={"title": [None, title]})
    if work_list.state == WorkList.State.ISSUED:
        _announce_tasks(work_list, [task], actor)
    return task


def _announce_tasks(work_list: WorkList, tasks: list[Task], actor) -> None:
    """One message per grid (or the issuing unit for tasks of people) listing its new tasks."""
    by_unit: dict[int, tuple[Unit, list[Task]]] = {}
    for task in tasks:
        unit = task.grid or work_list.unit
        by_unit.setdefault(unit.pk, (unit, []))[1].append(task)
    for unit, unit_tasks in by_unit.values():
        lines = [
            f"- {t.title}（{t.target}，{t.due_on:%m月%d日}前；{_('done when')}：{t.done_when}）"
            for t in unit_tasks
        ]
        title = _("New tasks: %(list)s") % {"list": work_list.title}
        announce(
            unit=unit,
            event="work.task_issued",
            title=title,
            markdown=f"### {title}\n" + "\n".join(lines),
            actor=actor,
        )


@transaction.atomic
def issue_list(*, work_list: WorkList, actor) -> WorkList:
    if work_list.state != WorkList.State.DRAFT:
        raise ServiceError(_("Only a draft list is issued."), code="not_draft")
    tasks = list(work_list.tasks.select_related("grid", "area", "assignee"))
    if not tasks:
        raise ServiceError(_("Add tasks before issuing the list."), code="empty_list")
    work_list.state = WorkList.State.ISSUED
    work_list.issued_at = timezone.now()
    work_list.save(update_fields=["state", "issued_at"])
    audit.record(
        actor=actor, action="update", obj=work_list, changes={"state": ["draft", "issued"]}
    )
    _announce_tasks(work_list, tasks, actor)
    return work_list


@transaction.atomic
def publish_list(*, work_list: WorkList, actor) -> WorkList:
    """月末公示: the list and its results are frozen and shown."""
    if work_list.state != WorkList.State.ISSUED:
        raise ServiceError(_("Only an issued list is published."), code="not_issued")
    work_list.state = WorkList.State.PUBLISHED
    work_list.save(update_fields=["state"])
    audit.record(
        actor=actor, action="update", obj=work_list, changes={"state": ["issued", "published"]}
    )
    return work_list


@transaction.atomic
def copy_list(*, source: WorkList, month: datetime.date, actor) -> WorkList:
    """Next month's list in one click: the same tasks as a draft, due dates moved by months."""
    month = _month(month)
    months = (month.year - source.month.year) * 12 + month.month - source.month.month
    if months <= 0:
        raise ServiceError(_("Copy a list into a later month."), code="copy_backwards")
    work_list = WorkList.objects.create(
        township_id=source.township_id,
        unit=source.unit,
        unit_path=source.unit_path,
        month=month,
        title=source.title.replace(f"{source.month:%Y-%m}", f"{month:%Y-%m}"),
        copied_from=source,
        created_by=actor,
    )
    Task.objects.bulk_create(
        [
            Task(
                work_list=work_list,
                township_id=task.township_id,
                title=task.title,
                done_when=task.done_when,
                due_on=shift_months(task.due_on, months),
                grid_id=task.grid_id,
                area_id=task.area_id,
                assignee_id=task.assignee_id,
                unit_path=task.unit_path,
                village_path=task.village_path,
            )
            for task in source.tasks.order_by("id")
        ]
    )
    audit.record(
        actor=actor, action="create", obj=work_list, changes={"copied_from": [None, source.pk]}
    )
    return work_list


@transaction.atomic
def report_task(*, task: Task, kind: str, actor, note: str = "", photos=()) -> TaskReport:
    """Progress or completion (grid people), or a supervision note (月中督促)."""
    powers = access.powers_for(actor)
    K = TaskReport.Kind
    if kind == K.SUPERVISION:
        if not powers.supervises(*access.task_paths(task)):
            raise PermissionDenied(_("Only the township and its supervisors note supervision."))
    elif kind in (K.PROGRESS, K.DONE):
        if not access.may_report_task(powers, task):
            raise PermissionDenied(_("Only the task's grid or person reports on it."))
        if task.state == Task.State.CONFIRMED:
            raise ServiceError(_("The task is already confirmed."), code="task_confirmed")
    else:
        raise ServiceError(_("Unknown report."), code="bad_kind")
    if task.work_list.state == WorkList.State.DRAFT:
        raise ServiceError(_("The list is not issued yet."), code="not_issued")
    if kind == K.DONE and not (note or photos):
        raise ServiceError(_("Say or show what was done."), code="done_without_proof")
    report = TaskReport.objects.create(task=task, kind=kind, note=note, by=actor)
    _save_photos(photos, report=report)
    if kind == K.DONE:
        task.state = Task.State.REPORTED
        task.save(update_fields=["state"])
    audit.record(actor=actor, action="create", obj=report, changes={"kind": [None, kind]})
    return report


@transaction.atomic
def confirm_task(*, task: Task, confirm: bool, actor, note: str = "") -> TaskReport:
    """The chief confirms a task reported done, or sends it back."""
    if not access.may_confirm_task(access.powers_for(actor), task):
        raise PermissionDenied(_("Only the grid chief or a higher level confirms."))
    if task.state != Task.State.REPORTED:
        raise ServiceError(_("The task has not been reported done."), code="not_reported")
    if not confirm and not note:
        raise ServiceError(_("Say why the task goes back."), code="reason_required")
    before = task.state
    task.state = Task.State.CONFIRMED if confirm else Task.State.OPEN
    task.confirmed_by = actor if confirm else None
    task.confirmed_at = timezone.now() if confirm else None
    task.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    kind = TaskReport.Kind.CONFIRM if confirm else TaskReport.Kind.RETURN
    report = TaskReport.objects.create(task=task, kind=kind, note=note, by=actor)
    audit.record(actor=actor, action="update", obj=task, changes={"state": [before, task.state]})
    return report


# --- The problem ledger ----------------------------------------------------------------------


def chief_of(grid: Unit, day: datetime.date | None = None):
    """The grid chief in office (the earliest appointed if several), or None."""
    day = day or timezone.localdate()
    assignment = (
        RoleAssignment.objects.filter(unit=grid, role=Role.GRID_CHIEF, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("user")
        .order_by("start_date", "id")
        .first()
    )
    return assignment.user if assignment else None


def suggested_responsible(*, area: ResponsibilityArea | None, grid: Unit | None):
    """The area's owner; for a household's 门前三包 strip or no area, the grid's chief."""
    if area is not None and area.owner_id:
        return area.owner
    return chief_of(area.grid if area is not None else grid)


@transaction.atomic
def raise_problem(
    *,
    actor,
    source: str,
    category: str,
    description: str,
    requirement: str,
    deadline: datetime.date,
    grid: Unit | None = None,
    area: ResponsibilityArea | None = None,
    group: Unit | None = None,
    place: str = "",
    latitude=None,
    longitude=None,
    responsible=None,
    photos=(),
    task: Task | None = None,
    raised_on: datetime.date | None = None,
) -> Problem:
    if area is not None:
        grid = area.grid
    if grid is None or grid.kind != Unit.Kind.GRID or grid.village_id is None:
        raise ServiceError(_("Choose the grid (or area) of a village."), code="bad_grid")
    powers = access.powers_for(actor)
    if not access.may_raise_problem(powers, grid.path, grid.village.path) and not (
        source == Problem.Source.VILLAGER and access.lives_in(powers, grid.path)
    ):
        raise PermissionDenied(_("You may not file problems here."))
    if group is not None and (group.kind != Unit.Kind.GROUP or group.village_id != grid.village_id):
        raise ServiceError(_("Choose a villagers' group of the grid's village."), code="bad_group")
    responsible = responsible or suggested_responsible(area=area, grid=grid)
    if responsible is None:
        raise ServiceError(_("Name the person responsible."), code="no_responsible")
    raised_on = raised_on or timezone.localdate()
    if deadline < raised_on:
        raise ServiceError(_("The deadline lies in the past."), code="deadline_past")
    if (latitude is None) != (longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), code="bad_point")
    problem = Problem.objects.create(
        township_id=grid.township_id,
        village_id=grid.village_id,
        group=group,
        grid=grid,
        area=area,
        grid_path=grid.path,
        village_path=grid.village.path,
        place=place or (area.name if area else grid.name),
        latitude=latitude,
        longitude=longitude,
        source=source,
        category=category,
        description=description,
        requirement=requirement,
        responsible=responsible,
        deadline=deadline,
        raised_by=actor,
        raised_on=raised_on,
        task=task,
    )
    event = ProblemEvent.objects.create(problem=problem, to_state=S.OPEN, note="", actor=actor)
    _save_photos(photos, event=event)
    audit.record(
        actor=actor,
        action="create",
        obj=problem,
        changes=audit.diff({}, audit.snapshot(problem, ["responsible", "deadline", "state"])),
    )
    title = _("New problem to rectify")
    announce(
        unit=grid,
        event="work.problem_raised",
        title=title,
        markdown=(
            f"### {title}\n- {pgettext('location', 'place')}：{problem.place}\n"
            f"- {_('problem')}：{description}\n"
            f"- {_('requirement')}：{requirement}\n- {_('responsible')}：{responsible}\n"
            f"- {pgettext('rectification', 'deadline')}：{deadline:%Y-%m-%d}"
        ),
        actor=actor,
    )
    return problem


# Who may move a problem from one state to another: "work" = the responsible person or the
# grid's people; "accept" = the grid chief or above, not the one who submitted; "withdraw" =
# who filed it, or a manager of the place (with a reason).
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, S.RECTIFYING): "work",
    (S.OPEN, S.SUBMITTED): "work",
    (S.RECTIFYING, S.SUBMITTED): "work",
    (S.SUBMITTED, S.CLOSED): "accept",
    (S.SUBMITTED, S.RECTIFYING): "accept",  # sent back
    (S.OPEN, S.WITHDRAWN): "withdraw",
    (S.RECTIFYING, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.WITHDRAWN): "withdraw",
}
_ALLOWED = {
    "work": access.may_work_on_problem,
    "accept": access.may_accept_problem,
    "withdraw": access.may_withdraw_problem,
}


def allowed_transitions(powers: access.Powers, problem: Problem) -> list[str]:
    return [
        to
        for (frm, to), who in TRANSITIONS.items()
        if frm == problem.state and _ALLOWED[who](powers, problem)
    ]


def _last_submitter(problem: Problem) -> int | None:
    return (
        problem.events.filter(to_state=S.SUBMITTED)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


@transaction.atomic
def transition(*, problem: Problem, to: str, actor, note: str = "", photos=()) -> ProblemEvent:
    """Move `problem` to state `to`, writing the history row (who, when, note, photos)."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    who = TRANSITIONS.get((problem.state, to))
    if who is None:
        raise ServiceError(
            _("A problem that is “%(state)s” cannot become “%(to)s”.")
            % {"state": S(problem.state).label, "to": S(to).label if to in S.values else to},
            code="bad_transition",
            status=409,
        )
    if not _ALLOWED[who](access.powers_for(actor), problem):
        raise PermissionDenied()
    photos = list(photos or ())
    if to == S.SUBMITTED and not photos:
        raise ServiceError(_("Add a photo of the rectification."), code="photo_required")
    if to == S.WITHDRAWN and not note.strip():
        raise ServiceError(_("Say why the problem is withdrawn."), code="reason_required")
    if problem.state == S.SUBMITTED and to == S.RECTIFYING and not note.strip():
        raise ServiceError(_("Say why the rectification goes back."), code="reason_required")
    if to == S.CLOSED and _last_submitter(problem) == actor.pk:
        raise PermissionDenied(_("Someone other than who submitted it accepts the rectification."))
    before = problem.state
    today = timezone.localdate()
    problem.state = to
    problem.closed_on = today if to == S.CLOSED else None
    problem.withdrawn_on = today if to == S.WITHDRAWN else None
    problem.save(update_fields=["state", "closed_on", "withdrawn_on"])
    event = ProblemEvent.objects.create(
        problem=problem, from_state=before, to_state=to, note=note, actor=actor
    )
    _save_photos(photos, event=event)
    if to in Problem.ENDED:
        problem.tickets.filter(ended_on__isnull=True).update(ended_on=today)
    audit.record(
        actor=actor, action="update", obj=problem, changes={"state": [before, to]}, reason=note
    )
    return event


# --- Tickets ---------------------------------------------------------------------------------


@transaction.atomic
def follow_up_ticket(
    *, ticket: Ticket, actor, interview_on=None, interview_note: str = "", accountability: str = ""
) -> Ticket:
    """Record the interview held (yellow) or the accountability decided (red)."""
    if not access.may_follow_up_ticket(access.powers_for(actor), ticket):
        raise PermissionDenied(_("Only the township and its supervisors follow up tickets."))
    if accountability and ticket.colour != Ticket.Colour.RED:
        raise ServiceError(_("Accountability is decided on a red ticket."), code="not_red")
    if not (interview_on or interview_note or accountability):
        raise ServiceError(_("Record the interview or the accountability."), code="empty")
    fields = ["interview_on", "interview_note", "accountability", "followed_up_by"]
    before = audit.snapshot(ticket, fields)
    ticket.interview_on = interview_on or ticket.interview_on
    ticket.interview_note = interview_note or ticket.interview_note
    ticket.accountability = accountability or ticket.accountability
    ticket.followed_up_by = actor
    ticket.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="update",
        obj=ticket,
        changes=audit.diff(before, audit.snapshot(ticket, fields)),
    )
    return ticket


# --- Random assessment, findings, 三必问 -------------------------------------------------------


def draw_population(unit: Unit, kind: str) -> list[int]:
    """The ids a draw picks from: the lowest-level grids, or the areas, under `unit`."""
    if kind == Draw.Kind.AREAS:
        areas = ResponsibilityArea.objects.filter(township_id=unit.township_id or unit.pk)
        if unit.kind != Unit.Kind.TOWNSHIP:
            areas = areas.filter(grid__village=unit)
        return sorted(areas.values_list("pk", flat=True))
    grids = Unit.objects.filter(kind=Unit.Kind.GRID, township_id=unit.township_id or unit.pk)
    if unit.kind != Unit.Kind.TOWNSHIP:
        grids = grids.filter(village=unit)
    levels = grids.aggregate(level=Max("grid_level"))["level"]
    return sorted(grids.filter(grid_level=levels).values_list("pk", flat=True))


def sample(population: list[int], seed: str, size: int) -> list[int]:
    """The draw itself, reproducible by anyone: Python's Mersenne Twister seeded with `seed`."""
    return random.Random(seed).sample(sorted(population), min(size, len(population)))


@transaction.atomic
def draw(*, unit: Unit, month: datetime.date, kind: str, size: int, actor, seed: str = "") -> Draw:
    if unit.kind not in (Unit.Kind.TOWNSHIP, *VILLAGE_KINDS):
        raise ServiceError(_("Draw from a township or a village."), code="bad_unit")
    if not access.powers_for(actor).supervises(unit.path):
        raise PermissionDenied(_("Only the township and its supervisors draw."))
    if size < 1:
        raise ServiceError(_("Draw at least one."), code="bad_size")
    population = draw_population(unit, kind)
    if not population:
        raise ServiceError(_("There is nothing to draw from."), code="empty_population")
    seed = seed.strip() or secrets.token_hex(8)
    result = Draw.objects.create(
        township_id=unit.township_id or unit.pk,
        unit=unit,
        unit_path=unit.path,
        month=_month(month),
        kind=kind,
        size=size,
        seed=seed,
        population=population,
        drawn=sample(population, seed, size),
        drawn_by=actor,
    )
    audit.record(actor=actor, action="create", obj=result, changes={"seed": [None, seed]})
    return result


@transaction.atomic
def record_finding(
    *,
    draw: Draw,
    grid: Unit,
    actor,
    passed: bool,
    note: str,
    area: ResponsibilityArea | None = None,
    problem: dict | None = None,
) -> Finding:
    """An inspector's finding at a drawn place; `problem` (raise_problem's fields) opens one."""
    if not access.powers_for(actor).supervises(draw.unit_path):
        raise PermissionDenied(_("Only the township and its supervisors record findings."))
    drawn_grids = (
        set(draw.drawn)
        if draw.kind == Draw.Kind.GRIDS
        else set(
            ResponsibilityArea.objects.filter(pk__in=draw.drawn).values_list("grid", flat=True)
        )
    )
    if grid.pk not in drawn_grids or (area is not None and area.pk not in draw.drawn):
        raise ServiceError(_("That place was not drawn."), code="not_drawn")
    opened = None
    if problem:
        opened = raise_problem(
            actor=actor, grid=grid, area=area, source=Problem.Source.INSPECTION, **problem
        )
    finding = Finding.objects.create(
        draw=draw, grid=grid, area=area, passed=passed, note=note, problem=opened, inspector=actor
    )
    audit.record(actor=actor, action="create", obj=finding, changes={"passed": [None, passed]})
    return finding


@transaction.atomic
def record_visit(
    *, unit: Unit, visited_on: datetime.date, survey: str, rectification: str, guarantee: str, actor
) -> Visit:
    """三必问: 必问摸排情况、必问整改情况、必问包保情况."""
    if not access.powers_for(actor).supervises(
        unit.path, unit.village.path if unit.village_id else ""
    ):
        raise PermissionDenied(_("Only the township and its supervisors record 三必问 visits."))
    if not all(text.strip() for text in (survey, rectification, guarantee)):
        raise ServiceError(_("Answer all three questions."), code="three_questions")
    visit = Visit.objects.create(
        township_id=unit.township_id or unit.pk,
        unit=unit,
        unit_path=unit.path,
        visited_on=visited_on,
        survey=survey,
        rectification=rectification,
        guarantee=guarantee,
        supervisor=actor,
    )
    audit.record(actor=actor, action="create", obj=visit, changes={"unit": [None, unit.pk]})
    return visit
