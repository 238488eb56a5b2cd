"""Template tags behind the record-of-work hooks on other apps' pages."""

from django import template
from django.utils import timezone

from people import access as people_access

from .. import access, selectors

register = template.Library()


@register.inclusion_tag("activities/_home_card.html", takes_context=True)
def activities_home(context):
    """Entry links on the home page, for users who see part of the tree."""
    user = context.get("user")
    scope = people_access.scope_for(user)
    if not scope.can():
        return {"show": False}
    return {"show": True, "can_record": scope.can("change")}


@register.inclusion_tag("activities/_unit_card.html", takes_context=True)
def activities_unit(context, unit):
    """This month's figures for the unit, for users who see it."""
    scope = people_access.scope_for(context.get("user"))
    if unit is None or not scope.covers_unit(unit, "view") or unit.kind not in access.REPORT_KINDS:
        return {"show": False}
    today = timezone.localdate()
    return {
        "show": True,
        "unit": unit,
        "rows": selectors.unit_month(scope, unit, today),
        "month": today,
        "can_record": access.can_record(scope, unit),
    }


@register.inclusion_tag("activities/_public_card.html")
def activities_public(village):
    """The village's published resolutions and results: dates and texts, no personal data."""
    return {"village": village, "steps": list(selectors.public_publications(village)[:20])}
