"""The unit page (tree browser) with its households, roles, areas and township rules; the
roster import and exports of a unit; saving a township's rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.excel import xlsx_response
from core.scope import MANAGE
from core.views import apply_form, show_refusal
from people import access
from people import selectors as people_selectors
from people.forms import AssignRoleForm

from .. import selectors, services
from ..forms import ConfigForm, ImportForm
from ..models import Unit
from ..roster import RosterError, export_roster, import_roster
from ._common import area_form_for, unit_or_404, unit_sheet

HOUSEHOLDS_PER_PAGE = 50
AREAS_PER_PAGE = 50
LISTS_HOUSEHOLDS = (Unit.Kind.GROUP, Unit.Kind.GRID, Unit.Kind.JOINT)
LISTS_AREAS = (Unit.Kind.TOWNSHIP, Unit.Kind.GRID, Unit.Kind.JOINT)
HOLDS_AREAS = (Unit.Kind.GRID, Unit.Kind.JOINT)


def render_unit(
    request, unit, scope, *, assign_form=None, area_form=None, config_form=None, status=200
):
    """The unit page; the people views re-render it with a refused assignment form."""
    children = list(selectors.children_with_counts(scope, unit))
    counts = selectors.household_counts_by_child(scope, unit)
    for child in children:
        child.n_households = counts.get(child.path, 0)
    can_manage = scope.covers_unit(unit, MANAGE)
    config = selectors.township_config(unit) if unit.kind == Unit.Kind.TOWNSHIP else None
    if can_manage and unit.kind in HOLDS_AREAS and area_form is None:
        area_form = area_form_for(scope, unit)
    if can_manage and config is not None and config_form is None:
        config_form = ConfigForm(initial=ConfigForm.initial_for(config))
    context = {
        "unit": unit,
        "ancestors": selectors.visible_ancestors(scope, unit),
        "totals": selectors.subtree_counts(scope, [unit])[unit.pk],
        "admin_children": [c for c in children if not c.is_grid_tree],
        "grid_children": [c for c in children if c.is_grid_tree],
        "village_grids": selectors.village_grids(scope, unit),
        "households": _households_page(request, scope, unit),
        "assignments": people_selectors.assignments_on(scope, unit),
        "can_manage": can_manage,
        "assign_form": assign_form or (AssignRoleForm(unit=unit) if can_manage else None),
        "areas": _areas_page(request, scope, unit),
        "lists_areas": unit.kind in LISTS_AREAS,
        "area_form": area_form,
        "config": config,
        "config_facts": _config_facts(config) if config is not None else [],
        "config_form": config_form,
    }
    return render(request, "places/unit_detail.html", context, status=status)


def _households_page(request, scope, unit):
    if unit.kind not in LISTS_HOUSEHOLDS:
        return None
    paginator = Paginator(selectors.household_rows(scope, unit), HOUSEHOLDS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _config_facts(config) -> list[tuple[str, object]]:
    """(label, value) for each of the township's rules but the star set."""
    facts = []
    for name in ConfigForm.SCALARS:
        value = getattr(config, name)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        facts.append((capfirst(config._meta.get_field(name).verbose_name), value))
    return facts


def _page_number(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def _areas_page(request, scope, unit) -> dict | None:
    """One page of the areas under `unit`, in one query: a row past the page tells "next"."""
    if unit.kind not in LISTS_AREAS:
        return None
    number = _page_number(request.GET.get("areas_page"))
    start = (number - 1) * AREAS_PER_PAGE
    rows = list(selectors.areas_under(scope, unit)[start : start + AREAS_PER_PAGE + 1])
    for area in rows:
        household = area.owner_household
        area.owner_household_link = household is not None and access.can_view_household(
            scope, household
        )
    return {
        "rows": rows[:AREAS_PER_PAGE],
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if len(rows) > AREAS_PER_PAGE else None,
    }


@login_required
@require_GET
def unit_detail(request, pk):
    scope, unit = unit_or_404(request, pk)
    return render_unit(request, unit, scope)


@login_required
@require_GET
def unit_export(request, pk):
    scope, unit = unit_or_404(request, pk)
    content = export_roster(selectors.households_under(scope, unit))
    return xlsx_response(content, f"{unit.name}-{_('households')}.xlsx")


@login_required
def unit_import(request, pk):
    scope, unit = unit_or_404(request, pk)
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    if unit.township_id is None:  # a county: a roster belongs to one township
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result, row_errors = None, []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_roster(
                file=form.cleaned_data["file"],
                township=unit.township,
                actor=request.user,
                scope=scope,
            )
        except RosterError as exc:
            row_errors = exc.errors
        except (ServiceError, ValidationError) as exc:
            show_refusal(form, exc)
    context = {"unit": unit, "form": form, "result": result, "row_errors": row_errors}
    return render(request, "places/unit_import.html", context)


@login_required
@require_GET
def unit_roles_export(request, pk):
    """The roles held on a unit, current and past, as the unit page lists them."""
    scope, unit = unit_or_404(request, pk)
    yes, no = _("yes"), _("no")
    rows = (
        [
            str(a.user),
            a.get_role_display(),
            a.start_date,
            a.end_date,
            yes if a.is_current else no,
            a.authority,
            str(a.granted_by) if a.granted_by_id else "",
        ]
        for a in people_selectors.assignments_on(scope, unit)
    )
    headers = [
        _("Name"),
        _("Role"),
        _("From"),
        _("Until"),
        _("In force"),
        _("On whose authority"),
        _("Granted by"),
    ]
    return unit_sheet(unit, _("Roles"), headers, rows)


@login_required
@require_POST
def township_config(request, pk):
    scope, unit = unit_or_404(request, pk)
    if unit.kind != Unit.Kind.TOWNSHIP:
        raise Http404
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    form = ConfigForm(request.POST)
    config = selectors.township_config(unit)
    saved = apply_form(
        form,
        lambda: services.update_config(
            config=config, actor=request.user, **form.fields_for_service()
        ),
        # The page shows the rules in force, not the refused ones (a refusal never saves).
        on_refusal=config.refresh_from_db if config.pk else None,
    )
    if saved:
        messages.success(request, _("The rules of %(unit)s were saved.") % {"unit": unit})
        return redirect(reverse("places:unit", args=[unit.pk]) + "#config")
    return render_unit(request, unit, scope, config_form=form)
