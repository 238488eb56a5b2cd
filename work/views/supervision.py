"""Pages of supervision: tickets (三色督办), random draws (随机考核), 三必问 visits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import PermissionDenied as ServicePermissionDenied
from core.errors import ServiceError
from core.views import apply_form
from places.models import ResponsibilityArea, Unit

from .. import access, selectors, services
from ..forms import DrawForm, FindingForm, FollowUpForm, VisitForm
from ..models import Draw, Ticket
from . import _common

PAGE = 100


@login_required
@require_GET
def tickets(request):
    powers = access.powers_for(request.user)
    qs = selectors.tickets(powers).select_related("problem", "grid", "responsible", "chief")
    colour = request.GET.get("colour")
    if colour in Ticket.Colour.values:
        qs = qs.filter(colour=colour)
    if request.GET.get("all") != "1":
        qs = qs.filter(ended_on__isnull=True)
    context = {
        "tickets": list(qs.order_by("-due_on", "-id")[:PAGE]),
        "colour": colour,
        "show_all": request.GET.get("all") == "1",
        "colours": Ticket.Colour.choices,
        "may_follow_up": powers.can_supervise,
        "form": FollowUpForm(),
    }
    return render(request, "work/tickets.html", context)


@login_required
@require_POST
def ticket_follow_up(request, pk):
    powers = access.powers_for(request.user)
    ticket = get_object_or_404(selectors.tickets(powers).select_related("problem"), pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_ticket(ticket=ticket, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Follow-up recorded."))
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    return redirect(f"{reverse('work:tickets')}#ticket-{ticket.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def draws(request):
    powers = access.powers_for(request.user)
    if not powers.can_supervise:
        raise PermissionDenied
    form = DrawForm(request.POST or None, units=_common.supervised_units(powers))
    if request.method == "POST":
        try:
            result = apply_form(
                form, lambda: services.draw(actor=request.user, **form.cleaned_data)
            )
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if result is not None:
            return redirect("work:draw", result.pk)
    recent = selectors.draws(powers).select_related("unit", "drawn_by")[:50]
    return render(request, "work/draws.html", {"form": form, "draws": list(recent)})


def _targets(draw: Draw):
    """(value, label) of the drawn places, in draw order: grids as g<id>, areas as a<id>."""
    if draw.kind == Draw.Kind.GRIDS:
        names = dict(Unit.objects.filter(pk__in=draw.drawn).values_list("pk", "name"))
        return [(f"g{pk}", names.get(pk, pk)) for pk in draw.drawn]
    areas = {
        a.pk: a for a in ResponsibilityArea.objects.filter(pk__in=draw.drawn).select_related("grid")
    }
    return [(f"a{pk}", f"{areas[pk]} · {areas[pk].grid.name}") for pk in draw.drawn if pk in areas]


@login_required
@require_http_methods(["GET", "POST"])
def draw_detail(request, pk):
    powers = access.powers_for(request.user)
    draw = get_object_or_404(selectors.draws(powers).select_related("unit", "drawn_by"), pk=pk)
    targets = _targets(draw)
    form = FindingForm(request.POST or None, targets=targets)
    if request.method == "POST":
        if not powers.supervises(draw.unit_path):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            target = data["target"]
            area = None
            if target.startswith("a"):
                area = get_object_or_404(ResponsibilityArea, pk=int(target[1:]))
                grid = area.grid
            else:
                grid = get_object_or_404(Unit, pk=int(target[1:]))
            problem = None
            if not data["passed"]:
                problem = {
                    "category": data["category"] or "other",
                    "description": data["note"],
                    "requirement": data["requirement"],
                    "deadline": data["deadline"],
                }
            finding = apply_form(
                form,
                lambda: services.record_finding(
                    draw=draw,
                    grid=grid,
                    area=area,
                    passed=data["passed"],
                    note=data["note"],
                    problem=problem,
                    actor=request.user,
                ),
            )
            if finding is not None:
                messages.success(request, _("Finding recorded."))
                return redirect("work:draw", draw.pk)
    reproduced = services.sample(draw.population, draw.seed, draw.size)
    population_now = services.draw_population(draw.unit, draw.kind)
    context = {
        "draw": draw,
        "targets": targets,
        "findings": list(draw.findings.select_related("grid", "area", "inspector", "problem")),
        "form": form if powers.supervises(draw.unit_path) else None,
        "reproduced": reproduced == draw.drawn,
        "population_unchanged": population_now == draw.population,
        "method_code": (
            f"import random\npopulation = {sorted(draw.population)}\n"
            f"print(random.Random({draw.seed!r}).sample(population, {len(draw.drawn)}))"
        ),
    }
    return render(request, "work/draw_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visits(request):
    """三必问: the visits recorded, and (for supervisors) the form."""
    powers = access.powers_for(request.user)
    form = None
    if powers.can_supervise:
        units = _common.supervised_units(
            powers, (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY, Unit.Kind.GROUP, Unit.Kind.GRID)
        )
        form = VisitForm(request.POST or None, units=units)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        try:
            visit = apply_form(
                form, lambda: services.record_visit(actor=request.user, **form.cleaned_data)
            )
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if visit is not None:
            messages.success(request, _("The three questions are recorded."))
            return redirect("work:visits")
    recent = selectors.visits(powers).select_related("unit", "supervisor")[:PAGE]
    return render(request, "work/visits.html", {"form": form, "visits": list(recent)})
