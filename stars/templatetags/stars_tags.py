"""The stars blocks shown inside other apps' pages (home, household, unit, public village)."""

from django import template
from django.utils import timezone

from core.scope import VIEW
from people import access as people_access
from places.models import Unit

from .. import access, selectors
from ..models import Claim, Visit

register = template.Library()


@register.inclusion_tag("stars/_household_card.html", takes_context=True)
def stars_household(context, household):
    """Current stars, pending claims and notices of a household (its own villager sees them)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    scope = people_access.scope_for(user)
    if not access.can_see(user, scope, household):
        return {"show": False}
    return {
        "show": True,
        "household": household,
        "rating": selectors.rating_of(household),
        "pending": list(
            Claim.objects.filter(household=household, state__in=Claim.OPEN_STATES)
            .select_related("campaign")
            .order_by("-pk")[:3]
        ),
        "notices": list(selectors.notices(household)[:3]),
        "may_fill": access.may_fill(scope, household),
        "may_visit": access.may_visit(user, scope, household, Visit.Kind.REVISIT),
    }


@register.inclusion_tag("stars/_unit_card.html", takes_context=True)
def stars_unit(context, unit):
    """A village's progress in the open rounds; a township's rounds."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    scope = people_access.scope_for(user)
    if not scope.covers_unit(unit, VIEW):
        return {"show": False}
    if unit.kind in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        progress = [
            row
            for cv in selectors.campaign_village_rows(unit).select_related("campaign")
            for row in selectors.village_progress(cv.campaign)
            if row["village"].pk == unit.pk
        ]
        return {"show": True, "unit": unit, "village": True, "progress": progress}
    if unit.kind == Unit.Kind.TOWNSHIP:
        return {
            "show": True,
            "unit": unit,
            "village": False,
            "campaigns": list(selectors.open_campaigns([unit.pk])[:5]),
        }
    return {"show": False}


@register.inclusion_tag("stars/_home_card.html", takes_context=True)
def stars_home(context):
    """My paired households due for a revisit; claims waiting for my group or committee."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    scope = people_access.scope_for(user)
    pairings = selectors.my_pairings(user)
    due = [p for p in pairings if p.status != "done"]
    for_group = selectors.waiting_for_group(scope, user).count() if scope.can(VIEW) else 0
    for_vote = selectors.waiting_for_vote(scope).count() if scope.paths_for("manage") else 0
    own = list(
        Claim.objects.filter(
            household_id__in=scope.household_ids, state=Claim.State.AWAITING_HEAD
        ).select_related("household")
    )
    show = bool(pairings or for_group or for_vote or own or scope.can(VIEW))
    return {
        "show": show,
        "pairings": pairings,
        "due": due,
        "overdue": sum(1 for p in due if p.status == "overdue"),
        "for_group": for_group,
        "for_vote": for_vote,
        "own": own,
        "today": timezone.localdate(),
    }


@register.inclusion_tag("stars/_public_board.html")
def stars_public_village(village):
    """The public notice board: postings in their objection period and rated households."""
    return {"village": village, "board": selectors.public_board(village)}
