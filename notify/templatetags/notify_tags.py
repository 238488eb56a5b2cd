"""The robots panel of the unit page (notify/_unit.html): shown only to those who manage it."""

from django import template

from people import access

from .. import selectors, services
from ..access import can_manage_robots
from ..models import Robot

register = template.Library()

RECENT = 10


@register.inclusion_tag("notify/_panel.html", takes_context=True)
def notify_unit_panel(context, unit):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    scope = access.scope_for(user)
    if unit is None or not can_manage_robots(scope, unit):
        return {"show": False}
    robots = selectors.robots_on(scope, unit)
    holds_robots = unit.kind in Robot.UNIT_KINDS
    return {
        "show": True,
        "unit": unit,
        "holds_robots": holds_robots,
        "robots": robots,
        # Where this unit's messages go when it has no robot of its own.
        "speakers": services.robots_for(unit) if not any(r.is_active for r in robots) else [],
        "deliveries": list(selectors.deliveries_on(scope, unit)[:RECENT]),
        "csrf_token": context.get("csrf_token"),
    }
