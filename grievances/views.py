"""Pages of grievances and petitions: list and drill-down (with Excel), my grievances, intake,
the grievance page with its steps, the duty rota, attachments."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import excel, idempotency
from core.errors import PermissionDenied as Refused
from core.errors import ServiceError
from core.scope import MANAGE, VIEW
from core.views import apply_form
from people import access as people_access
from people.models import Role, RoleAssignment, User
from places import selectors as place_selectors
from places.models import Household, Unit

from . import access, selectors, services
from .display import FIGURE_LABELS, person_of, rows_for
from .forms import (
    PLACE_KINDS,
    AssignForm,
    ConcludeForm,
    DutyForm,
    IntakeForm,
    NoteForm,
    PeriodForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    VillagerIntakeForm,
    month_bounds,
)
from .models import Attachment, Grievance

C = Grievance.Channel
PAGE_SIZE = 50
HANDLER_ROLES = (
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD,
    Role.TOWNSHIP_LEADER,
    Role.VILLAGE_COMMITTEE,
    Role.GRID_CHIEF,
    Role.GRID_MEMBER,
)


# --- list and drill-down ------------------------------------------------------------------


@login_required
def index(request):
    """Grievances the user may see; with unit/start/end/figure, exactly one figure's records."""
    scope = people_access.scope_for(request.user)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    data = form.cleaned_data
    petition = {"grievance": False, "petition": True}.get(data["kind"])
    unit = None
    if data["unit"]:
        unit = get_object_or_404(Unit, pk=data["unit"])
        if not scope.covers_unit(unit, VIEW):
            raise Http404
    figure = data["figure"]
    if figure:
        if figure not in selectors.FIGURES or unit is None or not (data["start"] and data["end"]):
            return HttpResponseBadRequest(_("A figure needs a unit, a start and an end."))
        qs = selectors.records(
            scope=scope,
            unit=unit,
            start=data["start"],
            end=data["end"],
            figure=figure,
            petition=petition,
        )
    else:
        qs = selectors.listing(scope)
        if unit is not None:
            qs = qs.filter(access.subtree_q(unit))
        if petition is not None:
            qs = qs.filter(is_petition=petition)
        if data["start"]:
            qs = qs.filter(received_on__gte=data["start"])
        if data["end"]:
            qs = qs.filter(received_on__lte=data["end"])
        if data["state"]:
            qs = qs.filter(state=data["state"])
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return _export(scope, qs, today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grievances/index.html",
        {
            "page": page,
            "rows": list(rows_for(scope, page.object_list, today)),
            "unit": unit,
            "figure": figure,
            "figure_label": FIGURE_LABELS().get(figure, ""),
            "filters": data,
            "query": query.urlencode(),
        },
    )


def _export(scope, qs, today):
    headers = [
        _("Number"),
        _("Received on"),
        _("Kind"),
        _("Channel"),
        _("Category"),
        _("Place"),
        _("Person"),
        _("Phone"),
        _("Subject"),
        _("State"),
        _("Responsible unit"),
        _("Responsible person"),
        _("Deadline"),
        _("Concluded on"),
        _("Satisfaction"),
        _("Overdue"),
    ]

    def rows():
        for g in rows_for(scope, qs.iterator(chunk_size=500), today):
            yield [
                g.pk,
                g.received_on,
                _("Petition") if g.is_petition else _("Grievance"),
                g.get_channel_display(),
                g.category,
                g.unit.name,
                g.person["name"],
                g.person["phone"],
                g.subject,
                g.get_state_display(),
                g.assigned_unit.name if g.assigned_unit_id else "",
                str(g.assignee) if g.assignee_id else "",
                g.deadline,
                g.concluded_on,
                g.get_rating_display() if g.rating else "",
                _("Yes") if g.overdue else "",
            ]

    content = excel.export_rows(title=_("Grievances"), headers=headers, rows=rows())
    return excel.xlsx_response(content, f"grievances-{today:%Y%m%d}.xlsx")


@login_required
def mine(request):
    """Open grievances to handle: mine, and my units' (overdue first by deadline)."""
    scope = people_access.scope_for(request.user)
    today = timezone.localdate()
    qs = selectors.to_handle(scope)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grievances/mine.html",
        {"page": page, "rows": list(rows_for(scope, page.object_list, today))},
    )


# --- intake ---------------------------------------------------------------------------------


def _township_of(scope, user):
    """The user's township (the first one they hold a role in)."""
    if not scope.township_ids:
        return None
    return Unit.objects.filter(pk=scope.township_ids[0]).first()


@login_required
def new(request):
    """Record a grievance: a grid round, visit, phone call or reception duty; a villager files
    their own from their household page (`?household=`)."""
    scope = people_access.scope_for(request.user)
    user = request.user
    household = None
    if request.GET.get("household"):  # the form of one household (from its page)
        try:
            pk = int(request.GET["household"])
        except ValueError:
            raise Http404 from None
        household = get_object_or_404(Household, pk=pk)
        if not people_access.can_view_household(scope, household):
            raise Http404
    if household is not None and household.pk in scope.household_ids:
        return _villager_new(request, scope, household)
    township = household.township if household is not None else _township_of(scope, user)
    if township is None or not scope.can("change"):
        raise Http404
    today = timezone.localdate()
    duty = selectors.duty_today(user, today).first()
    channels = [c for c in C.choices if c[0] not in (C.SELF, C.RECEPTION)]
    if duty is not None:
        channels = [(C.RECEPTION, C.RECEPTION.label), *channels]
    households = place_selectors.households(scope, "change").order_by("number")
    units = place_selectors.units(scope, "change").filter(kind__in=PLACE_KINDS)
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        scope=scope,
        categories=selectors.settings_for(township).categories,
        households=households,
        units=units,
        channels=channels,
        household=household,
    )
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            grievance = services.intake(
                actor=user,
                channel=data["channel"],
                category=data["category"],
                subject=data["subject"],
                request=data["request"],
                unit=data.get("unit"),
                resident=form.person(),
                outsider_name=data.get("outsider_name", ""),
                outsider_phone=data.get("outsider_phone", ""),
                is_petition=data["is_petition"],
                received_on=data["received_on"],
                duty=duty if data["channel"] == C.RECEPTION else None,
            )
            if data.get("files"):
                services.attach(grievance=grievance, actor=user, files=data["files"])
            return grievance

        sent = idempotency.form_once(
            request,
            form,
            write,
            url=lambda grievance: reverse("grievances:detail", args=[grievance.pk]),
            message=_("The grievance is registered."),
        )
        if sent is not None:
            return sent
    return render(
        request,
        "grievances/new.html",
        {"form": form, "household": household, "duty": duty, "villager": False},
    )


def _villager_new(request, scope, household):
    user = request.user
    form = VillagerIntakeForm(
        request.POST or None,
        request.FILES or None,
        categories=selectors.settings_for(household.township).categories,
    )
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            resident = user.resident if user.resident_id else None
            if resident is None or resident.household_id != household.pk:
                resident = household.members.filter(relation="head").first()
            grievance = services.intake(
                actor=user,
                channel=C.SELF,
                category=data["category"],
                subject=data["subject"],
                request=data["request"],
                resident=resident,
            )
            if data.get("files"):
                services.attach(grievance=grievance, actor=user, files=data["files"])
            return grievance

        sent = idempotency.form_once(
            request,
            form,
            write,
            url=lambda grievance: reverse("grievances:detail", args=[grievance.pk]),
            message=_("Your grievance is registered."),
        )
        if sent is not None:
            return sent
    return render(
        request,
        "grievances/new.html",
        {"form": form, "household": household, "villager": True},
    )


# --- the grievance page and its steps ------------------------------------------------------


def _handler_people(grievance: Grievance, actor):
    """The actor, the current assignee, and the handlers of the place and its ancestors."""
    place = grievance.unit
    paths = place.ancestor_paths() + [place.path]
    if place.village_id:
        paths.append(place.village.path)
    if grievance.assigned_path:
        paths.append(grievance.assigned_path)
    today = timezone.localdate()
    holders = (
        RoleAssignment.objects.filter(
            unit__path__in=paths, role__in=HANDLER_ROLES, start_date__lte=today
        )
        .exclude(end_date__lt=today)
        .values("user_id")
    )
    ids = Q(pk__in=holders) | Q(pk=actor.pk)
    if grievance.assignee_id:
        ids |= Q(pk=grievance.assignee_id)
    return User.objects.filter(ids).order_by("name")


def _assign_units(grievance: Grievance):
    township = grievance.township
    return Unit.objects.filter(
        Q(pk=township.pk)
        | Q(township=township, kind__in=PLACE_KINDS, grid_level__isnull=True)
        | Q(township=township, kind="grid", grid_level__lte=4)
    ).order_by("path")


def _forms(scope, grievance, user, data=None, which=None):
    """The step forms this user may use on this grievance now (bound for `which`)."""
    S = Grievance.State
    handler = access.can_handle(scope, grievance)
    person = access.is_person(scope, grievance)
    forms: dict = {}

    def bind(name):
        return data if which == name else None

    if handler:
        if grievance.state != S.CONCLUDED:
            forms["assign"] = AssignForm(
                bind("assign"),
                units=_assign_units(grievance),
                people=_handler_people(grievance, user),
                initial={
                    "unit": grievance.assigned_unit_id
                    or (
                        grievance.unit.parent_id
                        if grievance.unit.kind == "joint"
                        else grievance.unit_id
                    ),
                    "assignee": grievance.assignee_id or user.pk,
                    "deadline": grievance.deadline,
                },
                prefix="assign",
            )
            forms["note"] = NoteForm(bind("note"), prefix="note")
        if grievance.state in (S.HANDLING, S.REPLIED):
            forms["reply"] = ReplyForm(
                bind("reply"), initial={"reply": grievance.reply}, prefix="reply"
            )
        if grievance.state == S.REPLIED:
            forms["conclude"] = ConcludeForm(bind("conclude"), prefix="conclude")
    if grievance.state == S.CONCLUDED and not grievance.rating and (handler or person):
        forms["rate"] = RateForm(bind("rate"), own=person and not handler, prefix="rate")
    if grievance.state == S.CONCLUDED and (
        handler or (person and grievance.rating == Grievance.Rating.NOT)
    ):
        forms["reopen"] = ReopenForm(bind("reopen"), prefix="reopen")
    return forms


def _get(scope, pk) -> Grievance:
    return get_object_or_404(selectors.detail(scope), pk=pk)


@login_required
def detail(request, pk):
    scope = people_access.scope_for(request.user)
    grievance = _get(scope, pk)
    return _render_detail(request, scope, grievance, _forms(scope, grievance, request.user))


def _render_detail(request, scope, grievance, forms, status=200):
    today = timezone.localdate()
    events = grievance.events.select_related("actor").order_by("id")
    return render(
        request,
        "grievances/detail.html",
        {
            "g": grievance,
            "person": person_of(scope, grievance),
            "overdue": grievance.is_overdue(today),
            "events": events,
            "tickets": (
                selectors.tickets(grievance) if access.can_see_tickets(scope, grievance) else ()
            ),
            "attachments": grievance.attachments.all(),
            "forms": forms,
            "open_step": OPEN_STEP.get(grievance.state),
            "may_attach": access.can_handle(scope, grievance) or access.is_person(scope, grievance),
        },
        status=status,
    )


OPEN_STEP = {
    "registered": "assign",
    "handling": "reply",
    "replied": "conclude",
    "concluded": "rate",
}
ACTIONS = ("assign", "note", "reply", "conclude", "rate", "reopen", "attach")


@login_required
@require_POST
def act(request, pk, action):
    """One step on the grievance (a form of the grievance page)."""
    if action not in ACTIONS:
        raise Http404
    scope = people_access.scope_for(request.user)
    grievance = _get(scope, pk)
    user = request.user
    if action == "attach":
        files = request.FILES.getlist("files")
        try:
            if not files:
                raise ServiceError(_("Choose a file."), code="no_file")
            services.attach(grievance=grievance, actor=user, files=files)
        except Refused as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("grievances:detail", grievance.pk)
    forms = _forms(scope, grievance, user, request.POST, action)
    form = forms.get(action)
    if form is None:
        raise PermissionDenied(_("This step is not open to you now."))

    def write():
        d = form.cleaned_data
        if action == "assign":
            return services.assign(
                grievance=grievance,
                actor=user,
                unit=d["unit"],
                assignee=d["assignee"],
                deadline=d["deadline"],
                note=d["note"],
            )
        if action == "note":
            return services.add_note(grievance=grievance, actor=user, note=d["note"])
        if action == "reply":
            return services.reply_to(grievance=grievance, actor=user, reply=d["reply"])
        if action == "conclude":
            return services.conclude(grievance=grievance, actor=user, note=d["note"])
        if action == "rate":
            return services.rate(
                grievance=grievance,
                actor=user,
                rating=d["rating"],
                method=d["method"],
                note=d["note"],
            )
        return services.reopen(grievance=grievance, actor=user, reason=d["reason"])

    done = apply_form(form, write)
    if done is None:
        grievance.refresh_from_db()
        return _render_detail(request, scope, grievance, forms, status=400)
    messages.success(request, _("Saved."))
    return redirect("grievances:detail", grievance.pk)


@login_required
def attachment(request, pk):
    scope = people_access.scope_for(request.user)
    item = get_object_or_404(Attachment.objects.select_related("grievance"), pk=pk)
    if not selectors.visible(scope).filter(pk=item.grievance_id).exists():
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


# --- reception duty rota -----------------------------------------------------------------


def _month(request) -> datetime.date:
    text = request.GET.get("month") or ""
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def duty(request):
    """The reception duty rota (轮流坐班接访) of a month, with who received whom."""
    scope = people_access.scope_for(request.user)
    if not scope.can(VIEW):
        raise Http404
    month = _month(request)
    start, end = month_bounds(month)
    township = _township_of(scope, request.user)
    form = None
    if scope.can(MANAGE) and township is not None:
        units = place_selectors.units(scope, MANAGE).filter(
            kind__in=("township", "village", "community")
        )
        today = timezone.localdate()
        leaders = User.objects.filter(
            pk__in=RoleAssignment.objects.filter(
                township=township, role__in=services.LEADER_ROLES, start_date__lte=today
            )
            .exclude(end_date__lt=today)
            .values("user_id")
        ).order_by("name")
        form = DutyForm(
            request.POST or None,
            units=units,
            leaders=leaders,
            initial={"unit": township.pk, "date": today},
        )
        if request.method == "POST":
            done = apply_form(
                form,
                lambda: services.schedule_duty(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    date=form.cleaned_data["date"],
                    leader=form.cleaned_data["leader"],
                    place=form.cleaned_data["place"],
                ),
            )
            if done is not None:
                messages.success(request, _("The duty is on the rota."))
                return redirect(f"{request.path}?month={done.date:%Y-%m}")
    elif request.method == "POST":
        raise PermissionDenied(_("Only the township or village leadership sets the rota."))
    shifts = list(selectors.duty_shifts(scope, start, end))
    receptions = (
        selectors.listing(scope)
        .filter(duty__in=[s.pk for s in shifts])
        .order_by("received_on", "id")
    )
    by_shift: dict[int, list] = {}
    for g in rows_for(scope, receptions, timezone.localdate()):
        by_shift.setdefault(g.duty_id, []).append(g)
    for shift in shifts:
        shift.receptions = by_shift.get(shift.pk, [])
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = end + datetime.timedelta(days=1)
    return render(
        request,
        "grievances/duty.html",
        {
            "shifts": shifts,
            "form": form,
            "month": month,
            "previous": previous,
            "following": following,
        },
    )
