"""The household page: members, who answers for it, history; editing, moving, adding members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.scope import CHANGE, VIEW
from core.views import apply_form
from people import access
from people import selectors as people_selectors

from .. import selectors, services
from ..forms import HouseholdForm, MemberForm, MoveHouseholdForm
from ..models import Unit
from ._common import history, scoped_or_404


def _household_or_404(request, pk):
    return scoped_or_404(request, selectors.households, pk)


def _household_for_change(request, pk):
    scope, household = _household_or_404(request, pk)
    if not access.can_change_household(scope, household):
        raise PermissionDenied
    return scope, household


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
        "history": history(household),
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
    if apply_form(
        form,
        lambda: services.update_household(
            household=household, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Household %(n)s saved.") % {"n": household.number})
        return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, edit_form=form)


@login_required
@require_POST
def household_move(request, pk):
    scope, household = _household_for_change(request, pk)
    form = _move_form(scope, household, request.POST)
    if apply_form(
        form,
        lambda: services.move_household(
            household=household, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Household %(n)s moved.") % {"n": household.number})
        return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, move_form=form)


@login_required
@require_POST
def household_add_member(request, pk):
    scope, household = _household_for_change(request, pk)
    form = MemberForm(request.POST, household=household)
    resident = apply_form(
        form,
        lambda: services.create_resident(
            household=household,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.fields_for_service(),
        ),
    )
    if resident:
        messages.success(
            request,
            _("%(name)s was added to household %(n)s.")
            % {"name": resident.name, "n": household.number},
        )
        return redirect("places:household", pk=household.pk)
    return _render_household(request, scope, household, member_form=form)
