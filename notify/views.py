"""Pages of notify: add a robot to a unit, disable it, send it a test message, its deliveries.

The unit page shows the robots panel (templatetags/notify_tags.py); these views do the writes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.views import apply_form
from people import access
from places import selectors as places_selectors

from . import selectors, services
from .access import can_manage_robots
from .forms import RobotForm

DELIVERIES_PER_PAGE = 50


def _unit_for_manager(request, pk):
    """The unit `pk`: 404 outside the user's sight, 403 unless they manage it."""
    scope = access.scope_for(request.user)
    unit = get_object_or_404(places_selectors.units(scope), pk=pk)
    if not can_manage_robots(scope, unit):
        raise PermissionDenied
    return scope, unit


def _robot_for_manager(request, pk):
    scope = access.scope_for(request.user)
    robot = get_object_or_404(selectors.visible_robots(scope), pk=pk)
    if not can_manage_robots(scope, robot.unit):
        raise PermissionDenied
    return robot


def _unit_page(unit) -> str:
    return reverse("places:unit", args=[unit.pk]) + "#notify"


@login_required
def robot_new(request, pk):
    _scope, unit = _unit_for_manager(request, pk)
    form = RobotForm(request.POST or None, initial={"name": unit.work_group})
    if request.method == "POST":
        robot = apply_form(
            form,
            lambda: services.create_robot(unit=unit, actor=request.user, **form.cleaned_data),
        )
        if robot is not None:
            messages.success(
                request,
                _("Robot of %(name)s saved (key %(hint)s).")
                % {"name": robot.name, "hint": robot.key_hint},
            )
            return redirect(_unit_page(unit))
    status = 400 if form.is_bound else 200
    return render(request, "notify/robot_form.html", {"unit": unit, "form": form}, status=status)


@login_required
@require_POST
def robot_disable(request, pk):
    robot = _robot_for_manager(request, pk)
    services.disable_robot(robot=robot, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("Robot %(name)s disabled.") % {"name": robot.name})
    return redirect(_unit_page(robot.unit))


@login_required
@require_POST
def robot_test(request, pk):
    robot = _robot_for_manager(request, pk)
    try:
        services.queue_test(robot=robot, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("A test message to %(name)s is queued.") % {"name": robot.name})
    return redirect(_unit_page(robot.unit))


@login_required
@require_GET
def unit_deliveries(request, pk):
    scope, unit = _unit_for_manager(request, pk)
    paginator = Paginator(selectors.deliveries_on(scope, unit), DELIVERIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notify/deliveries.html", {"unit": unit, "page": page})
