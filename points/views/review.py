"""The review queue: pending proposals and appeals of the reviewer's scope."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.scope import REVIEW
from core.views import safe_next
from people import access

from .. import selectors, services
from ..forms import DecideAppealForm, ReviewForm
from ..models import Appeal, Proposal

QUEUE_LIMIT = 100


@login_required
@require_GET
def review_queue(request):
    scope = access.scope_for(request.user)
    if not scope.can(REVIEW):
        raise PermissionDenied
    pending = (
        selectors.proposals(scope, REVIEW)
        .filter(state=Proposal.State.PENDING)
        .select_related("village", "batch")
        .prefetch_related("evidence")
        .order_by("village__path", "proposed_at", "id")
    )
    appeals = (
        selectors.appeals(scope, REVIEW)
        .filter(state=Appeal.State.PENDING)
        .select_related("entry__item", "entry__village", "filed_by")
        .order_by("filed_at", "id")
    )
    shown = list(pending[:QUEUE_LIMIT])
    context = {
        "groups": [
            (village, list(rows))
            for village, rows in itertools.groupby(shown, key=lambda p: p.village)
        ],
        "shown": len(shown),
        "total": pending.count() if len(shown) == QUEUE_LIMIT else len(shown),
        "appeals": list(appeals[:QUEUE_LIMIT]),
    }
    return render(request, "points/review.html", context)


@login_required
@require_POST
def review_proposal(request, pk):
    scope = access.scope_for(request.user)
    proposal = get_object_or_404(selectors.proposals(scope), pk=pk)
    # The proposal carries copies of its household's paths, as scope filters read them.
    if not access.can_change_household(scope, proposal, REVIEW):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    what = {
        "household": proposal.household.number,
        "item": proposal.item.code,
        "amount": f"{proposal.amount:+d}",
    }
    return _decide(
        request,
        form,
        lambda: services.review(
            proposal=proposal,
            approve=form.approve,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ),
        what=what,
        refused=_("Household %(household)s, %(item)s: %(error)s"),
        done=lambda: (
            _("Approved: household %(household)s, %(item)s %(amount)s.")
            if form.approve
            else _("Rejected: household %(household)s, %(item)s %(amount)s.")
        ),
    )


@login_required
@require_POST
def decide_appeal(request, pk):
    scope = access.scope_for(request.user)
    appeal = get_object_or_404(selectors.appeals(scope).select_related("entry__village"), pk=pk)
    if not access.can_change_household(scope, appeal.household, REVIEW):
        raise PermissionDenied
    form = DecideAppealForm(request.POST)
    what = {"household": appeal.household.number, "seq": appeal.entry.seq}
    return _decide(
        request,
        form,
        lambda: services.decide_appeal(
            appeal=appeal,
            uphold=form.uphold,
            actor=request.user,
            decision=form.cleaned_data["text"],
        ),
        what=what,
        refused=_("Appeal of household %(household)s: %(error)s"),
        done=lambda: (
            _("Appeal upheld: entry #%(seq)d of household %(household)s is reversed.")
            if form.uphold
            else _("Appeal of household %(household)s dismissed.")
        ),
    )


def _decide(request, form, write, *, what: dict, refused: str, done):
    """Run one review decision; say how it went as a message and go back to the queue.

    `done` is called only after the form is valid (the decision it names comes from the form).
    """
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(e for errors in form.errors.values() for e in errors))
        write()
    except ServiceError as exc:
        messages.error(request, refused % {**what, "error": exc.message})
    else:
        messages.success(request, done() % what)
    return redirect(safe_next(request, reverse("points:review")))
