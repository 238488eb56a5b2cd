"""Village decisions by 四议两公开: the list, starting one, and recording its steps in order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import audit
from core.views import apply_form, history_rows

from .. import access, selectors, services
from ..forms import DecisionForm, StepForm
from ..models import Decision, Step
from ._common import PAGE_SIZE, scope_of, visible_unit


@login_required
@require_GET
def decisions(request):
    scope = scope_of(request)
    if not access.report_units(scope).exists():
        raise PermissionDenied
    rows = selectors.decisions(scope).order_by("-created_at", "-id")
    state = request.GET.get("state")
    if state in Decision.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_start = access.recording_units(scope).filter(kind__in=("village", "community")).exists()
    return render(
        request,
        "activities/decisions.html",
        {
            "page": page,
            "states": Decision.State.choices,
            "state": state,
            "query": f"state={state}" if state in Decision.State.values else "",
            "can_start": can_start,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_decision(request):
    scope = scope_of(request)
    pk = request.POST.get("village") or request.GET.get("village")
    if pk:
        village = visible_unit(scope, pk)
        if not access.can_decide(scope, village):
            raise PermissionDenied
    elif not access.recording_units(scope).filter(kind__in=("village", "community")).exists():
        raise PermissionDenied
    form = DecisionForm(request.POST or None, scope=scope, initial={"village": pk})
    if request.method == "POST":
        created = apply_form(
            form, lambda: services.start_decision(actor=request.user, **form.cleaned_data)
        )
        if created is not None:
            return redirect("activities:decision", pk=created.pk)
    return render(request, "activities/decision_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def decision(request, pk):
    scope = scope_of(request)
    item = get_object_or_404(selectors.decisions(scope), pk=pk)
    may_record = access.can_decide(scope, item.village)
    expected = services.next_step(item)
    form = None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = StepForm(request.POST)
        step = apply_form(
            form,
            lambda: services.record_step(actor=request.user, decision=item, **form.cleaned_data),
        )
        if step is not None:
            messages.success(request, _("Recorded: %(step)s") % {"step": step.get_kind_display()})
            return redirect("activities:decision", pk=item.pk)
    elif may_record and expected is not None:
        outcome = Step.Outcome.PUBLISHED if expected in Step.PUBLICATIONS else Step.Outcome.APPROVED
        form = StepForm(
            initial={"kind": expected, "date": timezone.localdate(), "outcome": outcome}
        )
    steps = {step.kind: step for step in item.steps.select_related("recorded_by")}
    ladder = [(kind, label, steps.get(kind)) for kind, label in Step.Kind.choices]
    return render(
        request,
        "activities/decision.html",
        {
            "item": item,
            "ladder": ladder,
            "form": form
            if may_record and (expected is not None or request.method == "POST")
            else None,
            "expected": expected,
            "history": history_rows(audit.history(item)),
        },
    )
