"""Pages of people: the home page (what each role answers for) and role assignments."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.errors import NotInScope, ServiceError
from core.scope import MANAGE
from core.views import apply_form, history_rows, safe_next
from places import selectors as place_selectors
from places.views import render_unit

from . import access, security, selectors, services, twofactor
from .forms import AssignRoleForm, EndAssignmentForm
from .models import User


@login_required
@require_GET
def home(request):
    """One card per active assignment: the role, its unit or household, and what lies under it."""
    scope = access.scope_for(request.user)
    assignments = list(access.active_assignments(request.user).order_by("role", "id"))
    counts = place_selectors.subtree_counts(scope, [a.unit for a in assignments if a.unit_id])
    cards = [(assignment, counts.get(assignment.unit_id)) for assignment in assignments]
    context = {
        "cards": cards,
        "can_unlock": scope.can(MANAGE),
        "may_enrol": twofactor.may_enrol(request.user)
        and twofactor.confirmed_device(request.user) is None,
    }
    return render(request, "people/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def locked_logins(request):
    """Accounts with failed logins in the user's part of the tree, and unlocking them."""
    scope = access.scope_for(request.user)
    if not scope.can(MANAGE):
        raise PermissionDenied
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            security.unlock(
                scope=scope,
                username=username,
                actor=request.user,
                reason=request.POST.get("reason", "").strip(),
            )
        except NotInScope as error:
            raise Http404 from error
        messages.success(request, _("%(username)s can log in again.") % {"username": username})
        return redirect("locked_logins")
    rows = list(security.locked_accounts(scope))
    names = dict(
        User.objects.filter(username__in=[row["username"] for row in rows]).values_list(
            "username", "name"
        )
    )
    for row in rows:
        row["name"] = names.get(row["username"], "")
        row["locked"] = row["failures"] >= settings.AXES_FAILURE_LIMIT
    context = {"rows": rows, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "people/locked_logins.html", context)


@login_required
@require_POST
def assign_role(request, unit_id):
    scope = access.scope_for(request.user)
    unit = get_object_or_404(place_selectors.units(scope), pk=unit_id)
    if not scope.covers_unit(unit, MANAGE):
        raise PermissionDenied
    form = AssignRoleForm(request.POST, unit=unit)
    assignment = apply_form(
        form,
        lambda: services.assign_role(
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            unit=unit,
            start_date=form.cleaned_data["start_date"],
            authority=form.cleaned_data["authority"],
            actor=request.user,
        ),
    )
    if assignment:
        messages.success(
            request,
            _("%(user)s is now %(role)s of %(unit)s.")
            % {"user": assignment.user, "role": assignment.get_role_display(), "unit": unit.name},
        )
        return redirect("places:unit", pk=unit.pk)
    return render_unit(request, unit, scope, assign_form=form)


def _assignment_or_404(request, pk):
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(selectors.assignments(scope), pk=pk)


def _can_manage(scope, assignment) -> bool:
    if assignment.unit_id:
        return scope.covers_unit(assignment.unit, MANAGE)
    return access.can_change_household(scope, assignment.household, MANAGE)


@login_required
@require_GET
def assignment_detail(request, pk):
    scope, assignment = _assignment_or_404(request, pk)
    ongoing = assignment.end_date is None or assignment.is_current
    can_end = ongoing and _can_manage(scope, assignment)
    context = {
        "assignment": assignment,
        "end_form": EndAssignmentForm() if can_end else None,
        "history": history_rows(audit.history(assignment)),
    }
    return render(request, "people/assignment_detail.html", context)


@login_required
@require_POST
def end_assignment(request, pk):
    scope, assignment = _assignment_or_404(request, pk)
    if not _can_manage(scope, assignment):
        raise PermissionDenied
    form = EndAssignmentForm(request.POST)
    if apply_form(
        form,
        lambda: services.end_assignment(
            assignment=assignment, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The role ended: %(a)s.") % {"a": assignment})
        return redirect(safe_next(request, reverse("assignment", args=[assignment.pk])))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("assignment", pk=assignment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Add an authenticator app: scan the QR code, confirm with a first code."""
    if not twofactor.may_enrol(request.user):
        raise PermissionDenied
    if twofactor.confirmed_device(request.user) is not None:
        messages.info(request, _("An authenticator app is already set up for this account."))
        return redirect("home")
    device = twofactor.pending_device(request.user)
    error = None
    if request.method == "POST":
        try:
            twofactor.confirm(request=request, device=device, code=request.POST.get("code", ""))
        except ServiceError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("The authenticator app is set up."))
            return redirect(twofactor.next_url(request))
    context = {
        "qr": twofactor.qr_svg(device),
        "secret": base64.b32encode(device.bin_key).decode(),
        "error": error,
        "next": twofactor.next_url(request),
        "required": twofactor.is_required(request.user),
    }
    return render(request, "registration/otp_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The one-time code after the password."""
    if request.user.is_verified() or twofactor.confirmed_device(request.user) is None:
        return redirect(twofactor.next_url(request))
    error = None
    if request.method == "POST":
        try:
            twofactor.verify(request=request, code=request.POST.get("code", ""))
        except ServiceError as refusal:
            error = refusal.message
        else:
            return redirect(twofactor.next_url(request))
    return render(
        request,
        "registration/otp_verify.html",
        {"error": error, "next": twofactor.next_url(request)},
    )
