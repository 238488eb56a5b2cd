"""Pages of the problem ledger (问题台账): the ledger, reconciliation, export, one problem."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import excel, idempotency
from core.errors import PermissionDenied as ServicePermissionDenied
from places import selectors as place_selectors
from places.models import Unit

from .. import access, selectors, services
from ..forms import LedgerFilter, ProblemForm, TransitionForm
from ..models import Photo, Problem
from . import _common

PAGE = 100
LEDGER_HEADERS = [
    "序号",
    "村",
    "组",
    "地点",
    "问题",
    "整改措施",
    "责任人",
    "时限",
    "状态",
    "销号日期",
]


def _filtered(request, powers):
    """The visible problems under the chosen unit, filtered; (queryset, unit, form, period)."""
    form = LedgerFilter(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {}) or {}
    unit = None
    qs = selectors.problems(powers)
    if data.get("unit"):
        unit = get_object_or_404(place_selectors.units(powers.scope), pk=data["unit"])
        qs = selectors.problems_under(powers, unit)
    if data.get("state"):
        qs = qs.filter(state=data["state"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    today = timezone.localdate()
    if data.get("mine"):
        qs = qs.filter(responsible_id=request.user.pk, state__in=Problem.ACTIVE)
    if data.get("overdue"):
        qs = qs.filter(state__in=Problem.ACTIVE, deadline__lt=today)
    start = data.get("start") or today.replace(day=1)
    end = data.get("end") or today
    return qs, unit, form, (start, end)


@login_required
@require_GET
def ledger(request):
    powers = access.powers_for(request.user)
    qs, unit, form, (start, end) = _filtered(request, powers)
    rows = list(
        qs.select_related("village", "group", "responsible").order_by(
            "village__path", "group__path", "-raised_on", "-id"
        )[:PAGE]
    )
    by = "group" if unit is not None and unit.kind in _common.VILLAGE_KINDS else "village"
    reconciliation = selectors.reconciliation(
        selectors.problems_under(powers, unit) if unit else selectors.problems(powers),
        start,
        end,
        by,
    )
    context = {
        "rows": rows,
        "unit": unit,
        "filter": form,
        "start": start,
        "end": end,
        "by": by,
        "reconciliation": [r for r in reconciliation if r[f"{by}_id"] is not None],
        "units": _common.units_of_kinds(powers, _common.VILLAGE_KINDS),
        "today": timezone.localdate(),
        "may_raise": powers.scope.can("change") or powers.can_supervise,
        "query": request.GET.urlencode(),
    }
    return render(request, "work/ledger.html", context)


@login_required
@require_GET
def ledger_export(request):
    powers = access.powers_for(request.user)
    qs, unit, _form, _period = _filtered(request, powers)
    content = excel.export_rows(
        title=_("Problem ledger"), headers=LEDGER_HEADERS, rows=selectors.ledger_rows(qs)
    )
    name = f"问题台账-{unit.name if unit else '全部'}-{timezone.localdate():%Y%m%d}.xlsx"
    return excel.xlsx_response(content, name)


def _problem_form(powers, data=None, files=None):
    return ProblemForm(
        data,
        files,
        grids=_common.lowest_grids(powers, "view"),
        areas=_common.areas(powers, "view").select_related(None).only("id", "number", "name"),
        groups=_common.units_of_kinds(powers, (Unit.Kind.GROUP,)),
        people=_common.working_people(powers),
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request):
    powers = access.powers_for(request.user)
    if not (powers.scope.can("change") or powers.can_supervise):
        raise PermissionDenied
    form = _problem_form(powers, request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            sent = idempotency.form_once(
                request,
                form,
                lambda: services.raise_problem(actor=request.user, **form.cleaned_data),
                url=lambda problem: reverse("work:problem", args=[problem.pk]),
                message=_("The problem is in the ledger."),
            )
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if sent is not None:
            return sent
    return render(request, "work/problem_form.html", {"form": form})


def _visible_problem(request, pk) -> tuple[access.Powers, Problem]:
    powers = access.powers_for(request.user)
    problem = get_object_or_404(
        selectors.problems(powers).select_related(
            "village", "group", "grid", "area", "responsible", "raised_by"
        ),
        pk=pk,
    )
    return powers, problem


@login_required
@require_GET
def problem_detail(request, pk):
    powers, problem = _visible_problem(request, pk)
    events = problem.events.select_related("actor").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("id"))
    )
    allowed = services.allowed_transitions(powers, problem)
    context = {
        "problem": problem,
        "events": list(events),
        "tickets": list(problem.tickets.select_related("responsible", "chief")),
        "transitions": [(to, Problem.State(to).label) for to in allowed],
        "form": TransitionForm(),
        "overdue": problem.state in Problem.ACTIVE and problem.deadline < timezone.localdate(),
    }
    return render(request, "work/problem_detail.html", context)


@login_required
@require_POST
def problem_transition(request, pk):
    """The next step of a problem, such as the rectification report (photos and a note)."""
    powers, problem = _visible_problem(request, pk)
    form = TransitionForm(request.POST, request.FILES)
    here = reverse("work:problem", args=[problem.pk])

    def done():
        return _("The problem is now “%(state)s”.") % {
            "state": Problem.State(form.cleaned_data["to"]).label
        }

    def write():
        try:
            return services.transition(problem=problem, actor=request.user, **form.cleaned_data)
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc

    sent = idempotency.form_once(request, form, write, url=here, message=done)
    if sent is not None:
        return sent
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return idempotency.form_redirect(request, here, keep_draft=True)


@login_required
@require_GET
def photo(request, pk, thumb=False):
    """A photo, to those who may see the problem or the task it belongs to."""
    item = get_object_or_404(Photo.objects.select_related("event__problem", "report__task"), pk=pk)
    powers = access.powers_for(request.user)
    if item.event_id:
        visible = access.may_view_problem(powers, item.event.problem)
    else:
        visible = access.may_view_task(powers, item.report.task)
    if not visible:
        raise Http404
    stored = item.thumbnail if thumb else item.image
    response = FileResponse(
        stored.open("rb"), content_type="image/jpeg" if thumb else item.content_type
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
