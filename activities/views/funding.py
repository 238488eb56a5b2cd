"""Funding: each township's budgets (residents × rate × months), spending entries against them
(insert-only; corrections are reversing entries), budget vs spent vs remaining."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from core.views import apply_form
from places import selectors as place_selectors

from .. import access, selectors, services
from ..forms import BudgetForm, ReverseForm, SpendingForm
from ._common import PAGE_SIZE, scope_of


def _township_or_404(scope, pk):
    return get_object_or_404(place_selectors.township_of(scope), pk=pk)


@login_required
@require_GET
def funding(request):
    scope = scope_of(request)
    townships = list(place_selectors.township_of(scope).order_by("path"))
    if not townships:
        raise PermissionDenied
    rows = list(selectors.budget_rows(scope).order_by("township__path", "-year"))
    for row in rows:
        row.spent = selectors.cents(row.spent)
        row.remaining = row.amount - row.spent
    sections = [
        {
            "township": township,
            "budgets": [row for row in rows if row.township_id == township.pk],
            "rate": selectors.funding_rate(township),
            "may_set": access.can_set_budget(scope, township),
        }
        for township in townships
    ]
    return render(request, "activities/funding.html", {"sections": sections})


@login_required
@require_POST
def new_budget(request, township_id):
    scope = scope_of(request)
    township = _township_or_404(scope, township_id)
    if not access.can_set_budget(scope, township):
        raise PermissionDenied
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            services.set_budget(actor=request.user, township=township, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give a year and the number of months."))
    return redirect("activities:funding")


@login_required
@require_POST
def set_rate(request, township_id):
    scope = scope_of(request)
    township = _township_or_404(scope, township_id)
    if not access.can_set_budget(scope, township):
        raise PermissionDenied
    try:
        rate = Decimal(request.POST.get("rate", "")).quantize(Decimal("0.01"))
        services.set_funding_rate(actor=request.user, township=township, rate=rate)
    except (InvalidOperation, ValueError):
        messages.error(request, _("Give the rate in yuan, e.g. 1.00."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("activities:funding")


@login_required
@require_http_methods(["GET", "POST"])
def budget(request, pk):
    scope = scope_of(request)
    item = get_object_or_404(selectors.budget_rows(scope), pk=pk)
    item.spent = selectors.cents(item.spent)
    may_spend = access.can_spend(scope, item.township)
    form = SpendingForm(request.POST or None)
    if request.method == "POST":
        if not may_spend:
            raise PermissionDenied
        entry = apply_form(
            form, lambda: services.spend(actor=request.user, budget=item, **form.cleaned_data)
        )
        if entry is not None:
            messages.success(request, _("Recorded: %(what)s") % {"what": entry.description})
            return redirect("activities:budget", pk=item.pk)
    entries = (
        selectors.spending(scope)
        .filter(budget=item)
        .select_related("reversed_by")
        .order_by("-date", "-id")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/budget.html",
        {
            "item": item,
            "remaining": item.amount - item.spent,
            "page": page,
            "form": form if may_spend else None,
            "reverse_form": ReverseForm() if may_spend else None,
        },
    )


@login_required
@require_POST
def reverse_spending(request, pk):
    scope = scope_of(request)
    entry = get_object_or_404(selectors.spending(scope), pk=pk)
    if not access.can_spend(scope, entry.township):
        raise PermissionDenied
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.reverse_spending(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The entry was reversed."))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the reason for the correction."))
    return redirect("activities:budget", pk=entry.budget_id)
