"""Pages of places: the tree browser, search, households, residents, responsibility areas,
the township's rules, roster files and Excel exports of the lists.

Each view: parse the form, fetch through a scope-limited selector (out of scope is a 404),
check the capability (people.access; refused is a 403), call one service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.errors import ServiceError
from core.excel import export_rows, xlsx_response
from core.scope import CHANGE, MANAGE, VIEW
from core.views import history_rows, is_htmx, show_refusal
from people import access
from people import selectors as people_selectors
from people.forms import AssignRoleForm

from . import selectors, services
from .forms import (
    AreaForm,
    ConfigForm,
    HouseholdForm,
    ImportForm,
    MemberForm,
    MoveHouseholdForm,
    ReassignAreaForm,
    ResidentForm,
    SearchForm,
)
from .models import Unit
from .roster import RosterError, export_roster, import_roster

HOUSEHOLDS_PER_PAGE = 50
AREAS_PER_PAGE = 50
HISTORY_LIMIT = 100
SEARCH_EXPORT_LIMIT = 5000
LISTS_HOUSEHOLDS = (Unit.Kind.GROUP, Unit.Kind.GRID, Unit.Kind.JOINT)
LISTS_AREAS = (Unit.Kind.TOWNSHIP, Unit.Kind.GRID, Unit.Kind.JOINT)
HOLDS_AREAS = (Unit.Kind.GRID, Unit.Kind.JOINT)


# --- Units --------------------------------------------------------------------------------------


def _unit_or_404(request, pk):
    scope = access.scope_for(request.user)
    # The township's configuration comes in the same query (a township page shows it).
    return scope, get_object_or_404(selectors.units(scope).select_related("config"), pk=pk)


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
        area_form = _area_form(scope, unit)
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
    return [
        (capfirst(config._meta.get_field(name).verbose_name), getattr(config, name))
        for name in ConfigForm.SCALARS
    ]


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


def _search_results(request, limit: int = 50) -> tuple[SearchForm, list[tuple]]:
    """The search form and its results as (resident, whether the name shows in full)."""
    scope = access.scope_for(request.user)
    form = SearchForm(request.GET or None)
    if not (form.is_valid() and form.cleaned_data["q"]):
        return form, []
    found = selectors.search(scope, form.cleaned_data["q"], limit=limit)
    return form, [(r, _shows_full_name(request.user, scope, r)) for r in found]


@login_required
@require_GET
def search(request):
    form, results = _search_results(request)
    return render(request, "places/search.html", {"form": form, "results": results})


@login_required
@require_GET
def search_export(request):
    """The search results as Excel: names as the page shows them, ID and phone masked."""
    form, results = _search_results(request, limit=SEARCH_EXPORT_LIMIT)
    headers = [_("Name"), _("Sex"), _("ID number"), _("Phone"), _("Household"), _("Group")]
    rows = (
        [
            resident.name if full_name else resident.masked_name,
            resident.get_sex_display(),
            resident.masked_id_number,
            resident.masked_phone,
            resident.household.number,
            resident.household.group.name,
        ]
        for resident, full_name in results
    )
    content = export_rows(title=_("Search results"), headers=headers, rows=rows)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return xlsx_response(content, "-".join(filter(None, [_("Search results"), query])))


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


def _render_household(
    request, scope, household, *, edit_form=None, move_form=None, member_form=None
):
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
        "member_form": member_form or (MemberForm(household=household) if can_change else None),
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


@login_required
@require_POST
def household_add_member(request, pk):
    scope, household = _household_for_change(request, pk)
    form = MemberForm(request.POST, household=household)
    if form.is_valid():
        try:
            resident = services.create_resident(
                household=household,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **form.fields_for_service(),
            )
        except (ServiceError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was added to household %(n)s.")
                % {"name": resident.name, "n": household.number},
            )
            return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, member_form=form)


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


# --- Responsibility areas -----------------------------------------------------------------------


def _owner_households(scope, township_id):
    return selectors.households(scope).filter(township_id=township_id)


def _area_form(scope, unit, data=None):
    return AreaForm(data, households=_owner_households(scope, unit.township_id))


@login_required
@require_GET
def unit_areas_export(request, pk):
    """The areas under a unit as Excel, as the unit page lists them."""
    scope, unit = _unit_or_404(request, pk)
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
        _("Name"),
        _("Kind"),
        _("Grid"),
        _("Owner"),
        _("Owner household"),
        _("Description"),
    ]
    title = _("Responsibility areas")
    content = export_rows(title=title, headers=headers, rows=rows)
    return xlsx_response(content, f"{unit.name}-{title}")


@login_required
@require_POST
def area_add(request, pk):
    scope, unit = _unit_or_404(request, pk)
    if unit.kind not in HOLDS_AREAS:
        raise Http404
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    form = _area_form(scope, unit, request.POST)
    if form.is_valid():
        try:
            area = services.create_area(grid=unit, actor=request.user, **form.fields_for_service())
        except (ServiceError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Area %(area)s added.") % {"area": area})
            return redirect(reverse("places:unit", args=[unit.pk]) + "#areas")
    return render_unit(request, unit, scope, area_form=form)


def _area_or_404(request, pk):
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(selectors.area_detail(scope), pk=pk)


def _render_area(request, scope, area, *, reassign_form=None):
    can_manage = scope.covers_unit(area.grid, MANAGE)
    if can_manage and reassign_form is None:
        reassign_form = ReassignAreaForm(households=_owner_households(scope, area.township_id))
    household = area.owner_household
    context = {
        "area": area,
        "grid_link": scope.covers_unit(area.grid),
        "household_link": household is not None and access.can_view_household(scope, household),
        "reassign_form": reassign_form,
        "history": history_rows(audit.history(area)[:HISTORY_LIMIT]),
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
    form = ReassignAreaForm(request.POST, households=_owner_households(scope, area.township_id))
    if form.is_valid():
        try:
            services.reassign_area(
                area=area, actor=request.user, reason=form.cleaned_data["reason"], **form.owners()
            )
        except (ServiceError, ValidationError) as exc:
            area.refresh_from_db()
            show_refusal(form, exc)
        else:
            messages.success(request, _("Area %(area)s has a new owner.") % {"area": area})
            return redirect("places:area", pk=area.pk)
    return _render_area(request, scope, area, reassign_form=form)


@login_required
@require_GET
def unit_roles_export(request, pk):
    """The roles held on a unit, current and past, as the unit page lists them."""
    scope, unit = _unit_or_404(request, pk)
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
    title = _("Roles")
    content = export_rows(title=title, headers=headers, rows=rows)
    return xlsx_response(content, f"{unit.name}-{title}")


# --- Township configuration ---------------------------------------------------------------------


@login_required
@require_POST
def township_config(request, pk):
    scope, unit = _unit_or_404(request, pk)
    if unit.kind != Unit.Kind.TOWNSHIP:
        raise Http404
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    form = ConfigForm(request.POST)
    if form.is_valid():
        config = selectors.township_config(unit)
        try:
            services.update_config(config=config, actor=request.user, **form.fields_for_service())
        except (ServiceError, ValidationError) as exc:
            if config.pk:
                config.refresh_from_db()  # the page shows the rules in force, not the refused ones
            show_refusal(form, exc)
        else:
            messages.success(request, _("The rules of %(unit)s were saved.") % {"unit": unit})
            return redirect(reverse("places:unit", args=[unit.pk]) + "#config")
    return render_unit(request, unit, scope, config_form=form)
