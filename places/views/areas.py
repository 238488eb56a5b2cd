"""Responsibility areas (责任区域): the area page, adding one to a grid or 联户, giving it a new
owner, and the Excel export of the areas under a unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from core.scope import MANAGE
from core.views import apply_form
from people import access

from .. import selectors, services
from ..forms import ReassignAreaForm
from ._common import (
    area_form_for,
    history,
    owner_households,
    scoped_or_404,
    unit_or_404,
    unit_sheet,
)
from .units import HOLDS_AREAS, render_unit


@login_required
@require_GET
def unit_areas_export(request, pk):
    """The areas under a unit as Excel, as the unit page lists them."""
    scope, unit = unit_or_404(request, pk)
    rows = (
        [
            area.number,
            area.name,
            area.get_kind_display(),
            area.grid.name,
            str(area.owner) if area.owner_id else "",
            area.owner_household.number if area.owner_household_id else "",
            area.description,
        ]
        for area in selectors.areas_under(scope, unit).iterator(chunk_size=2000)
    )
    headers = [
        _("Number"),
        pgettext("area", "Name"),
        _("Kind"),
        _("Grid"),
        _("Owner"),
        _("Owner household"),
        _("Description"),
    ]
    return unit_sheet(unit, _("Responsibility areas"), headers, rows)


@login_required
@require_POST
def area_add(request, pk):
    scope, unit = unit_or_404(request, pk)
    if unit.kind not in HOLDS_AREAS:
        raise Http404
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    form = area_form_for(scope, unit, request.POST)
    area = apply_form(
        form,
        lambda: services.create_area(grid=unit, actor=request.user, **form.fields_for_service()),
    )
    if area:
        messages.success(request, _("Area %(area)s added.") % {"area": area})
        return redirect(reverse("places:unit", args=[unit.pk]) + "#areas")
    return render_unit(request, unit, scope, area_form=form)


def _area_or_404(request, pk):
    return scoped_or_404(request, selectors.area_detail, pk)


def _reassign_form(scope, area, data=None):
    return ReassignAreaForm(data, households=owner_households(scope, area.township_id))


def _render_area(request, scope, area, *, reassign_form=None):
    can_manage = scope.covers_unit(area.grid, MANAGE)
    if can_manage and reassign_form is None:
        reassign_form = _reassign_form(scope, area)
    household = area.owner_household
    context = {
        "area": area,
        "grid_link": scope.covers_unit(area.grid),
        "household_link": household is not None and access.can_view_household(scope, household),
        "reassign_form": reassign_form,
        "history": history(area),
    }
    return render(request, "places/area_detail.html", context)


@login_required
@require_GET
def area_detail(request, pk):
    scope, area = _area_or_404(request, pk)
    return _render_area(request, scope, area)


@login_required
@require_POST
def area_reassign(request, pk):
    scope, area = _area_or_404(request, pk)
    if not scope.covers_unit(area.grid, MANAGE):
        raise PermissionDenied
    form = _reassign_form(scope, area, request.POST)
    if apply_form(
        form,
        lambda: services.reassign_area(
            area=area, actor=request.user, reason=form.cleaned_data["reason"], **form.owners()
        ),
        on_refusal=area.refresh_from_db,
    ):
        messages.success(request, _("Area %(area)s has a new owner.") % {"area": area})
        return redirect("places:area", pk=area.pk)
    return _render_area(request, scope, area, reassign_form=form)
