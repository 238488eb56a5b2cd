"""Entry points: the points page of a user and the points card of the home page."""

import itertools

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.scope import PROPOSE, REVIEW
from people import access
from places import selectors as place_selectors
from places.models import Unit

from .. import selectors
from ..models import Appeal, Proposal
from ._common import VILLAGE_KINDS


def _points_overview(scope, *, joint_limit=None) -> dict:
    """What the user does with points: reviews waiting, 联户 to appraise, villages, households."""
    review = scope.can(REVIEW)
    joints = place_selectors.units(scope, PROPOSE).filter(kind=Unit.Kind.JOINT).order_by("path")
    return {
        "can_review": review,
        "pending_proposals": (
            selectors.proposals(scope, REVIEW).filter(state=Proposal.State.PENDING).count()
            if review
            else 0
        ),
        "pending_appeals": (
            selectors.appeals(scope, REVIEW).filter(state=Appeal.State.PENDING).count()
            if review
            else 0
        ),
        "joints": list(joints[:joint_limit] if joint_limit else joints),
        "own_households": list(
            place_selectors.households(scope).filter(pk__in=scope.household_ids)
        ),
    }


@login_required
@require_GET
def index(request):
    scope = access.scope_for(request.user)
    context = _points_overview(scope)
    context["joint_groups"] = [
        (village, list(joints))
        for village, joints in itertools.groupby(context["joints"], key=lambda j: j.village)
    ]
    context["villages"] = place_selectors.units(scope).filter(kind__in=VILLAGE_KINDS)
    return render(request, "points/index.html", context)


@login_required
@require_GET
def home_card(request):
    """The points card of the home page, loaded by htmx: counts and the most direct links."""
    scope = access.scope_for(request.user)
    context = _points_overview(scope, joint_limit=2)
    context["official"] = scope.can()
    if not (context["official"] or context["own_households"]):
        return HttpResponse("")  # nothing about points for this user: the placeholder goes
    return render(request, "points/_home_card.html", context)
