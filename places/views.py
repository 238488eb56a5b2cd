"""Pages of places: the tree browser, search, households, residents and roster files.

Each view: parse the form, fetch through a scope-limited selector (out of scope is a 404),
check the capability (people.access; refused is a 403), call one service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.errors import ServiceError
from core.excel import xlsx_response
from core.scope import CHANGE, MANAGE, VIEW
from core.views import history_rows, is_htmx, show_refusal
from people import access
from people import selectors as people_selectors
from people.forms import AssignRoleForm

from . import selectors, services
from .forms import HouseholdForm, ImportForm, MoveHouseholdForm, ResidentForm, SearchForm
from .models import Unit
from .roster import RosterError, export_roster, import_roster

HOUSEHOLDS_PER_PAGE = 50
HISTORY_LIMIT = 100
LISTS_HOUSEHOLDS = (Unit.Kind.GROUP, Unit.Kind.GRID, Unit.Kind.JOINT)


# --- Units --------------------------------------------------------------------------------------


def _unit_or_404(request, pk):
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(selectors.units(scope), pk=pk)


def render_unit(request, unit, scope, *, assign_form=None, status=200):
    """The unit page; the people views re-render it with a refused assignment form."""
    children = list(selectors.children_with_counts(scope, unit))
    counts = selectors.household_counts_by_child(scope, unit)
    for child in children:
        child.n_households = counts.get(child.path, 0)
    can_manage = scope.covers_unit(unit, MANAGE)
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
    }
    return render(request, "places/unit_detail.html", context, status=status)


def _households_page(request, scope, unit):
    if unit.kind not in LISTS_HOUSEHOLDS:
        return None
    paginator = Paginator(selectors.household_rows(scope, unit), HOUSEHOLDS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


@login_required
@require_GET
def unit_detail(request, pk):
    scope, unit = _unit_or_404(request, pk)
    return render_unit(request, unit, scope)


@login_required
@require_GET
def unit_export(request, pk):
    scope, unit = _unit_or_404(request, pk)
    content = export_roster(selectors.households_under(scope, unit))
    return xlsx_response(content, f"{unit.name}-{_('households')}.xlsx")


@login_required
def unit_import(request, pk):
    scope, unit = _unit_or_404(request, pk)
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


# --- Search -------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request):
    scope = access.scope_for(request.user)
    form = SearchForm(request.GET or None)
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        results = [
            (resident, _shows_full_name(request.user, scope, resident))
            for resident in selectors.search(scope, form.cleaned_data["q"])
        ]
    return render(request, "places/search.html", {"form": form, "results": results})


def _shows_full_name(user, scope, resident) -> bool:
    """Officials see names in full within their scope, and a resident sees their own."""
    return user.resident_id == resident.pk or access.can_change_household(
        scope, resident.household, VIEW
    )


# --- Households ---------------------------------------------------------------------------------


def _household_or_404(request, pk):
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(selectors.households(scope), pk=pk)


def _move_form(scope, household, data=None):
    return MoveHouseholdForm(
        data,
        groups=selectors.units(scope, CHANGE).filter(
            kind=Unit.Kind.GROUP, township_id=household.township_id
        ),
        joints=selectors.units(scope, CHANGE).filter(
            kind=Unit.Kind.JOINT, township_id=household.township_id
        ),
    )


def _render_household(request, scope, household, *, edit_form=None, move_form=None):
    can_change = access.can_change_household(scope, household)
    responsible = list(people_selectors.responsible_for(household))
    context = {
        "household": household,
        "members": household.members.all(),
        "full_names": access.can_change_household(scope, household, VIEW),
        "responsible": responsible,
        "joint_heads": [a for a in responsible if a.unit_id == household.joint_id],
        "history": history_rows(audit.history(household)[:HISTORY_LIMIT]),
        "unit_links": _linkable(scope, household.group, household.joint.parent, household.joint),
        "can_change": can_change,
        "edit_form": edit_form
        or (HouseholdForm(initial=_household_initial(household)) if can_change else None),
        "move_form": move_form or (_move_form(scope, household) if can_change else None),
    }
    return render(request, "places/household_detail.html", context)


def _linkable(scope, *units) -> set[int]:
    """The units among `units` whose pages the user may open (to link them)."""
    return {unit.pk for unit in units if scope.covers(unit.path)}


def _household_initial(household) -> dict:
    return {"address": household.address, "door_area": household.door_area}


def _household_for_change(request, pk):
    scope, household = _household_or_404(request, pk)
    if not access.can_change_household(scope, household):
        raise PermissionDenied
    return scope, household


@login_required
@require_GET
def household_detail(request, pk):
    scope, household = _household_or_404(request, pk)
    return _render_household(request, scope, household)


@login_required
@require_POST
def household_edit(request, pk):
    scope, household = _household_for_change(request, pk)
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            services.update_household(household=household, actor=request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Household %(n)s saved.") % {"n": household.number})
            return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, edit_form=form)


@login_required
@require_POST
def household_move(request, pk):
    scope, household = _household_for_change(request, pk)
    form = _move_form(scope, household, request.POST)
    if form.is_valid():
        try:
            services.move_household(household=household, actor=request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Household %(n)s moved.") % {"n": household.number})
            return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, move_form=form)


# --- Residents ----------------------------------------------------------------------------------


def _resident_or_404(request, pk):
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(
        selectors.residents(scope).select_related(
            "household__group", "household__joint", "household__joint__parent"
        ),
        pk=pk,
    )


def _resident_initial(resident) -> dict:
    return {name: getattr(resident, name) for name in ResidentForm.FIELDS}


def _render_resident(request, scope, resident, *, form=None, revealed=False):
    can_change = access.can_change_household(scope, resident.household)
    context = {
        "resident": resident,
        "full_name": _shows_full_name(request.user, scope, resident),
        "revealed": revealed,
        "can_reveal": access.can_view_identity(request.user, resident),
        "can_change": can_change,
        "form": form or (ResidentForm(initial=_resident_initial(resident)) if can_change else None),
        "history": history_rows(audit.history(resident)[:HISTORY_LIMIT]),
    }
    return render(request, "places/resident_detail.html", context)


@login_required
@require_GET
def resident_detail(request, pk):
    scope, resident = _resident_or_404(request, pk)
    return _render_resident(request, scope, resident)


@login_required
@require_POST
def resident_identity(request, pk):
    """Full ID and phone, for those allowed; every look is logged (view_sensitive)."""
    scope, resident = _resident_or_404(request, pk)
    if not access.can_view_identity(request.user, resident):
        raise PermissionDenied
    services.record_identity_view(resident=resident, actor=request.user)
    if is_htmx(request):
        return render(request, "places/_identity.html", {"resident": resident, "revealed": True})
    return _render_resident(request, scope, resident, revealed=True)


@login_required
@require_POST
def resident_edit(request, pk):
    scope, resident = _resident_or_404(request, pk)
    if not access.can_change_household(scope, resident.household):
        raise PermissionDenied
    form = ResidentForm(request.POST)
    if form.is_valid():
        try:
            services.update_resident(
                resident=resident,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except (ServiceError, ValidationError) as exc:
            resident.refresh_from_db()
            show_refusal(form, exc)
        else:
            messages.success(request, _("Resident %(name)s saved.") % {"name": resident.name})
            return redirect("places:resident", pk=resident.pk)
    return _render_resident(request, scope, resident, form=form)
