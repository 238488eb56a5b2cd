"""Pages of the month's work lists, tasks and their reports."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import PermissionDenied as ServicePermissionDenied
from core.errors import ServiceError
from core.views import apply_form

from .. import access, selectors, services
from ..forms import ConfirmForm, CopyForm, ListForm, ReportForm, TaskForm
from ..models import Photo, Task, TaskReport, WorkList
from . import _common


def _month_param(request) -> datetime.date:
    try:
        return datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def index(request):
    """The month's lists the user sees, with their progress."""
    powers = access.powers_for(request.user)
    month = _month_param(request)
    work_lists = (
        selectors.lists(powers)
        .filter(month=month)
        .select_related("unit")
        .annotate(
            n_tasks=Count("tasks", distinct=True),
            n_confirmed=Count("tasks", filter=Q(tasks__state=Task.State.CONFIRMED), distinct=True),
        )
        .order_by("unit__path", "id")
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "month": month,
        "previous": previous,
        "following": following,
        "lists": list(work_lists),
        "may_issue": powers.scope.is_superuser or bool(powers.scope.paths_for("manage")),
        "summary": selectors.home_summary(powers),
        "powers": powers,
    }
    return render(request, "work/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def list_create(request):
    powers = access.powers_for(request.user)
    units = _common.units_of_kinds(powers, _common.ISSUER_KINDS, "manage")
    if not units.exists():
        raise PermissionDenied
    form = ListForm(request.POST or None, units=units)
    if request.method == "POST":
        work_list = apply_form(
            form,
            lambda: services.create_list(
                unit=form.cleaned_data["unit"],
                month=form.cleaned_data["month"],
                title=form.cleaned_data["title"],
                actor=request.user,
            ),
        )
        if work_list is not None:
            return redirect("work:list", work_list.pk)
    return render(request, "work/list_form.html", {"form": form})


def _visible_list(request, pk) -> tuple[access.Powers, WorkList]:
    powers = access.powers_for(request.user)
    return powers, get_object_or_404(selectors.lists(powers).select_related("unit"), pk=pk)


@login_required
@require_GET
def list_detail(request, pk):
    powers, work_list = _visible_list(request, pk)
    may_manage = access.may_issue_list(powers, work_list.unit)
    tasks = (
        work_list.tasks.select_related("grid", "area", "assignee")
        .annotate(n_reports=Count("reports"))
        .order_by("due_on", "id")
    )
    if not may_manage:
        tasks = tasks.filter(id__in=selectors.tasks(powers).values("id"))
    context = {
        "work_list": work_list,
        "tasks": list(tasks),
        "may_manage": may_manage,
        "today": timezone.localdate(),
    }
    if may_manage and work_list.state != WorkList.State.PUBLISHED:
        context["task_form"] = _task_form(powers, work_list)
    context["next_month"] = (work_list.month + datetime.timedelta(days=32)).replace(day=1)
    return render(request, "work/list_detail.html", context)


def _task_form(powers, work_list, data=None):
    grids = _common.lowest_grids(powers, "view").filter(
        Q(path__startswith=work_list.unit_path) | Q(village__path__startswith=work_list.unit_path)
    )
    areas = _common.areas(powers, "view").filter(
        Q(grid_path__startswith=work_list.unit_path)
        | Q(grid__village__path__startswith=work_list.unit_path)
    )
    return TaskForm(data, grids=grids, areas=areas, people=_common.working_people(powers))


@login_required
@require_POST
def task_add(request, pk):
    powers, work_list = _visible_list(request, pk)
    if not access.may_issue_list(powers, work_list.unit):
        raise PermissionDenied
    form = _task_form(powers, work_list, request.POST)
    task = apply_form(
        form,
        lambda: services.add_task(work_list=work_list, actor=request.user, **form.cleaned_data),
    )
    if task is None:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    else:
        messages.success(request, _("Task added."))
    return redirect("work:list", work_list.pk)


@login_required
@require_POST
def list_action(request, pk, action):
    powers, work_list = _visible_list(request, pk)
    if not access.may_issue_list(powers, work_list.unit):
        raise PermissionDenied
    try:
        if action == "issue":
            services.issue_list(work_list=work_list, actor=request.user)
            messages.success(request, _("The list is issued; the grids' work groups are told."))
        elif action == "publish":
            services.publish_list(work_list=work_list, actor=request.user)
            messages.success(request, _("The list and its results are published."))
        else:
            form = CopyForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the month to copy into."))
                return redirect("work:list", work_list.pk)
            copy = services.copy_list(
                source=work_list, month=form.cleaned_data["month"], actor=request.user
            )
            messages.success(request, _("Copied; check the tasks and issue the list."))
            return redirect("work:list", copy.pk)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("work:list", work_list.pk)


def _visible_task(request, pk) -> tuple[access.Powers, Task]:
    powers = access.powers_for(request.user)
    task = get_object_or_404(
        selectors.tasks(powers).select_related("work_list", "grid", "area", "assignee"), pk=pk
    )
    return powers, task


@login_required
@require_GET
def task_detail(request, pk):
    powers, task = _visible_task(request, pk)
    reports = task.reports.select_related("by").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("id"))
    )
    kinds = []
    if access.may_report_task(powers, task) and task.state != Task.State.CONFIRMED:
        kinds += [TaskReport.Kind.PROGRESS, TaskReport.Kind.DONE]
    if powers.supervises(*access.task_paths(task)):
        kinds.append(TaskReport.Kind.SUPERVISION)
    form = ReportForm(initial={"kind": kinds[0] if kinds else None})
    form.fields["kind"].choices = [(k, TaskReport.Kind(k).label) for k in kinds]
    context = {
        "task": task,
        "reports": list(reports),
        "report_form": form if kinds else None,
        "may_confirm": task.state == Task.State.REPORTED and access.may_confirm_task(powers, task),
        "confirm_form": ConfirmForm(),
        "problems": list(task.problems.all()),
    }
    return render(request, "work/task_detail.html", context)


def _raise_403(exc):
    raise PermissionDenied(str(exc.message)) from exc


@login_required
@require_POST
def task_report(request, pk):
    powers, task = _visible_task(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_task(
                task=task,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
                actor=request.user,
            )
            messages.success(request, _("Report saved."))
        except ServicePermissionDenied as exc:
            _raise_403(exc)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    else:
        messages.error(
            request, _("Check the report: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("work:task", task.pk)


@login_required
@require_POST
def task_confirm(request, pk):
    powers, task = _visible_task(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or send back."))
        return redirect("work:task", task.pk)
    try:
        services.confirm_task(
            task=task,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        messages.success(request, _("Decision saved."))
    except ServicePermissionDenied as exc:
        _raise_403(exc)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("work:task", task.pk)
