"""The month close pages: a township's months, one month (progress, lists, scores, publish),
a unit's score with its lines, threshold cases, commendations/deductions and the items."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.errors import ServiceError
from core.views import apply_form, is_htmx
from places.models import TownshipConfig

from .. import access, close, jobs, lists, publication, selectors, services, setup
from ..forms import AdjustmentForm, CaseActionForm, CloseForm, ItemForm, PublishForm
from ..models import Adjustment, Case, Close, Item, Line, Score, Source
from ._common import managed_township, scope_of, scored_unit_or_404, township_or_404


def _month(value: str) -> datetime.date:
    try:
        return close.month_of(value)
    except ServiceError:
        raise Http404 from None


def _previous_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@login_required
@require_GET
def index(request):
    townships = list(access.townships(scope_of(request)))
    if not townships:
        raise PermissionDenied
    if len(townships) == 1:
        return redirect("assessment:months", townships[0].pk)
    return render(request, "assessment/index.html", {"townships": townships})


@login_required
@require_GET
def months(request, township_id):
    township = township_or_404(request, township_id)
    context = {
        "township": township,
        "closes": selectors.closes(township),
        "may_manage": access.can_manage(scope_of(request), township),
        "form": CloseForm(initial={"month": f"{_previous_month():%Y-%m}"}),
    }
    return render(request, "assessment/months.html", context)


@login_required
@require_POST
def start(request, township_id):
    """Queue the month's close; the worker (or a thread of this process) computes it."""
    township = managed_township(request, township_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["month"][0])
        return redirect("assessment:months", township.pk)
    try:
        item = jobs.queue(township, form.cleaned_data["month"], request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("assessment:months", township.pk)
    messages.success(request, _("The month is being computed; this page shows its progress."))
    return redirect("assessment:month", township.pk, f"{item.month:%Y-%m}")


def _close_or_404(request, township_id, month, *, manage: bool = False) -> Close:
    """The township's month (404 outside the user's view; 403 if `manage` and they only see)."""
    township = (managed_township if manage else township_or_404)(request, township_id)
    return get_object_or_404(
        Close.objects.select_related("township", "published_by"),
        township=township,
        month=_month(month),
    )


@login_required
@require_GET
def month(request, township_id, month):
    item = _close_or_404(request, township_id, month)
    township = item.township
    context = {
        "close": item,
        "township": township,
        "may_manage": access.can_manage(scope_of(request), township),
        "shown": item.state in selectors.SHOWN,
        "publish_form": PublishForm(),
        "month_label": f"{item.month:%Y-%m}",
    }
    if context["shown"]:
        if item.is_published:
            sizes = item.content["sizes"]
        else:
            config = TownshipConfig.objects.get(township=township)
            sizes = {"red": config.red_list_size, "black": config.black_list_size}
        rankings = list(selectors.rankings(item))
        context.update(
            rankings=rankings,
            red=[row for row in rankings if row.on_list == "red"],
            black=[row for row in rankings if row.on_list == "black"],
            rule=lists.rule_text(sizes),
            notes=lists.notes_text(selectors.list_notes(item), sizes, len(rankings)),
            township_score=selectors.score(item, township),
            case_counts=selectors.case_counts(item),
            intact=publication.is_intact(item) if item.is_published else None,
        )
    return render(request, "assessment/month.html", context)


@login_required
@require_GET
def status(request, township_id, month):
    """The progress panel (htmx polls it while the close is queued or running)."""
    item = _close_or_404(request, township_id, month)
    response = render(request, "assessment/_status.html", {"close": item})
    if is_htmx(request) and item.state not in (Close.State.QUEUED, Close.State.RUNNING):
        if request.GET.get("was") in (Close.State.QUEUED, Close.State.RUNNING):
            response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def recompute(request, township_id, month):
    item = _close_or_404(request, township_id, month, manage=True)
    try:
        item = jobs.queue(item.township, item.month, request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("assessment:month", item.township_id, month)


@login_required
@require_POST
def publish(request, township_id, month):
    item = _close_or_404(request, township_id, month, manage=True)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say on whose authority the month is published."))
    else:
        try:
            publication.publish(item, user=request.user, authority=form.cleaned_data["authority"])
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Published. The month is now frozen."))
    return redirect("assessment:month", item.township_id, month)


SOURCE_LINKS = {
    Source.TICKET_WHITE: "ticket",
    Source.TICKET_YELLOW: "ticket",
    Source.TICKET_RED: "ticket",
    Source.FINDING: "problem",
    Source.TASK_DONE: "task",
}


def _describe(lines: list[Line]) -> list[dict]:
    """Each line with what it came from: the problem a ticket or finding is about, etc."""
    from work.models import Problem, Task, Ticket

    ids = {kind: [] for kind in ("ticket", "problem", "task", "adjustment")}
    for line in lines:
        kind = "adjustment" if line.source == Source.ADJUSTMENT else SOURCE_LINKS.get(line.source)
        if kind and line.source_id:
            ids[kind].append(line.source_id)
    tickets = Ticket.objects.in_bulk(ids["ticket"])
    problems = Problem.objects.in_bulk(ids["problem"] + [t.problem_id for t in tickets.values()])
    tasks = Task.objects.in_bulk(ids["task"])
    adjustments = Adjustment.objects.in_bulk(ids["adjustment"])
    rows = []
    for line in lines:
        what, url = "", None
        if line.source in (Source.TICKET_WHITE, Source.TICKET_YELLOW, Source.TICKET_RED):
            ticket = tickets.get(line.source_id)
            problem = problems.get(ticket.problem_id) if ticket else None
            if ticket and problem:
                what = f"{ticket.due_on:%Y-%m-%d} · {problem.description}"
                url = reverse("work:problem", args=[problem.pk])
        elif line.source == Source.FINDING:
            problem = problems.get(line.source_id)
            if problem:
                what = f"{problem.raised_on:%Y-%m-%d} · {problem.description}"
                url = reverse("work:problem", args=[problem.pk])
        elif line.source == Source.TASK_DONE:
            task = tasks.get(line.source_id)
            if task:
                what = task.title
        elif line.source == Source.ADJUSTMENT:
            adjustment = adjustments.get(line.source_id)
            if adjustment:
                what = f"{adjustment.reason} ({adjustment.authority})"
        elif line.source == Source.HOUSEHOLD_POINTS:
            what = _("%(n)d points entries of the month") % {"n": line.count}
        rows.append({"line": line, "what": what, "url": url})
    return rows


@login_required
@require_GET
def unit_score(request, close_id, unit_id):
    """A unit's score in a month: how it was made (lines or the children averaged)."""
    item, unit, row = scored_unit_or_404(request, close_id, unit_id)
    kind = row.kind
    context = {
        "close": item,
        "unit": unit,
        "score": row,
        "lines": _describe(list(selectors.lines(item, unit))) if kind == Score.Kind.GRID else [],
        "children": selectors.children(item, unit),
        "base": setup.ensure(item.township).base_score,
        "month_label": f"{item.month:%Y-%m}",
        "may_see_month": access.can_view_township(scope_of(request), item.township),
    }
    return render(request, "assessment/unit_score.html", context)


@login_required
@require_GET
def cases(request, township_id):
    township = managed_township(request, township_id)
    state = request.GET.get("state") or None
    if state and state not in Case.State.values:
        state = None
    context = {
        "township": township,
        "cases": selectors.cases(township, state)[:200],
        "state": state,
        "states": Case.State.choices,
    }
    return render(request, "assessment/cases.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case(request, pk):
    item = get_object_or_404(
        Case.objects.select_related("close", "township", "unit", "user", "assignment"), pk=pk
    )
    if not access.can_manage(scope_of(request), item.township):
        raise Http404
    form = CaseActionForm(request.POST or None, township=item.township)
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.act_on_case(
                case=item,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                authority=form.cleaned_data["authority"],
                user=request.user,
                new_holder=form.cleaned_data.get("new_holder"),
            ),
        )
        if done is not None:
            messages.success(request, _("Recorded."))
            return redirect("assessment:case", item.pk)
    context = {
        "case": item,
        "actions": item.actions.select_related("by", "new_assignment__user"),
        "form": form,
        "may_act": bool(services.CASE_FLOW[Case.State(item.state)]),
    }
    return render(request, "assessment/case.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adjustments(request, township_id):
    township = managed_township(request, township_id)
    form = AdjustmentForm(
        request.POST or None,
        township=township,
        initial={"month": f"{timezone.localdate():%Y-%m}"},
    )
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.add_adjustment(
                unit=form.cleaned_data["unit"],
                month=form.cleaned_data["month"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                authority=form.cleaned_data["authority"],
                user=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Recorded."))
            return redirect("assessment:adjustments", township.pk)
    recent = (
        Adjustment.objects.filter(township=township)
        .select_related("unit", "created_by")
        .order_by("-month", "-created_at")[:100]
    )
    context = {"township": township, "form": form, "adjustments": recent}
    return render(request, "assessment/adjustments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def items(request, township_id):
    """The township's assessment list: what each source is worth, per grid level."""
    township = township_or_404(request, township_id)
    may_manage = access.can_manage(scope_of(request), township)
    settings = setup.ensure(township)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        item = get_object_or_404(Item, township=township, pk=request.POST.get("item") or 0)
        form = ItemForm(request.POST)
        if form.is_valid():
            before = item.points
            item.points = form.cleaned_data["points"]
            item.save(update_fields=["points", "updated_at"])
            audit.record(
                actor=request.user,
                action="update",
                obj=item,
                changes={"points": [str(before), str(item.points)]},
            )
            messages.success(request, _("Saved. It counts from the next month computed."))
        else:
            messages.error(request, _("Give the points as a number, e.g. -3 or 1.5."))
        return redirect("assessment:items", township.pk)
    context = {
        "township": township,
        "settings": settings,
        "config": TownshipConfig.objects.get_or_create(township=township)[0],
        "items": Item.objects.filter(township=township).order_by("grid_level", "source"),
        "may_manage": may_manage,
    }
    return render(request, "assessment/items.html", context)


urlpatterns = [
    path("", index, name="index"),
    path("townships/<int:township_id>/", months, name="months"),
    path("townships/<int:township_id>/start/", start, name="start"),
    path("townships/<int:township_id>/cases/", cases, name="cases"),
    path("townships/<int:township_id>/adjustments/", adjustments, name="adjustments"),
    path("townships/<int:township_id>/items/", items, name="items"),
    path("townships/<int:township_id>/<str:month>/", month, name="month"),
    path("townships/<int:township_id>/<str:month>/status/", status, name="status"),
    path("townships/<int:township_id>/<str:month>/recompute/", recompute, name="recompute"),
    path("townships/<int:township_id>/<str:month>/publish/", publish, name="publish"),
    path("closes/<int:close_id>/units/<int:unit_id>/", unit_score, name="unit"),
    path("cases/<int:pk>/", case, name="case"),
]
