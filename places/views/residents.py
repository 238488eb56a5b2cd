"""Residents: search (and its Excel export), the resident page, the logged look at the full ID
and phone, and editing a resident."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.excel import export_rows, xlsx_response
from core.scope import MANAGE, VIEW
from core.views import apply_form, is_htmx
from people import access

from .. import selectors, services
from ..forms import ResidentForm, SearchForm
from ..models import Resident, Unit
from ._common import history, scoped_or_404

SEARCH_EXPORT_LIMIT = 5000

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


# --- Residents ----------------------------------------------------------------------------------


def _resident_or_404(request, pk):
    return scoped_or_404(
        request,
        lambda scope: selectors.residents(scope).select_related(
            "household__group", "household__joint", "household__joint__parent"
        ),
        pk,
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
        "own": _is_own(scope, resident),
        "can_change": can_change,
        "form": form or (ResidentForm(initial=_resident_initial(resident)) if can_change else None),
        "history": history(resident),
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
    own = _is_own(scope, resident)
    try:
        services.record_identity_view(
            resident=resident, actor=request.user, reason=request.POST.get("reason", ""), own=own
        )
    except ServiceError as refusal:
        context = {"resident": resident, "can_reveal": True, "own": own, "error": refusal.message}
        return render(request, "places/_identity.html", context, status=400)
    if is_htmx(request):
        return render(request, "places/_identity.html", {"resident": resident, "revealed": True})
    return _render_resident(request, scope, resident, revealed=True)


def _is_own(scope, resident) -> bool:
    """A villager looking at their own household needs no reason to see its numbers."""
    return resident.household_id in scope.household_ids


@login_required
@require_POST
def resident_edit(request, pk):
    scope, resident = _resident_or_404(request, pk)
    if not access.can_change_household(scope, resident.household):
        raise PermissionDenied
    form = ResidentForm(request.POST)
    if apply_form(
        form,
        lambda: services.update_resident(
            resident=resident,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.changes(),
        ),
        on_refusal=resident.refresh_from_db,
    ):
        messages.success(request, _("Resident %(name)s saved.") % {"name": resident.name})
        return redirect("places:resident", pk=resident.pk)
    return _render_resident(request, scope, resident, form=form)


IDENTITY_VIEWS_PER_PAGE = 50


@login_required
@require_GET
def identity_views(request):
    """For township administrators: who saw residents' full ID and phone numbers, when, why."""
    scope = access.scope_for(request.user)
    if not selectors.units(scope, MANAGE).filter(kind=Unit.Kind.TOWNSHIP).exists():
        raise PermissionDenied
    page = Paginator(selectors.identity_views(scope), IDENTITY_VIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    residents = Resident.objects.select_related("household").in_bulk(
        [entry.object_id for entry in page]
    )
    rows = [(entry, residents.get(entry.object_id)) for entry in page]
    return render(request, "places/identity_views.html", {"page": page, "rows": rows})
