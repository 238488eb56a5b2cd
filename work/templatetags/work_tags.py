"""Template tags for the work hooks on the home and unit pages."""

from django import template

from .. import access, selectors

register = template.Library()


@register.inclusion_tag("work/_home_card.html", takes_context=True)
def work_home_card(context):
    """My tasks, my problems to rectify, what waits for my acceptance: nothing for villagers."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    powers = access.powers_for(user)
    if not (powers.scope.is_superuser or powers.scope.paths_for("view")):
        return {"show": False}
    return {"show": True, "summary": selectors.home_summary(powers), "powers": powers}


@register.inclusion_tag("work/_unit_card.html", takes_context=True)
def work_unit_card(context, unit):
    """The unit's open and overdue problems, for those who see the unit."""
    user = context.get("user")
    if user is None or not user.is_authenticated or unit is None:
        return {"show": False}
    powers = access.powers_for(user)
    paths = (unit.path, unit.village.path if unit.village_id else "")
    if unit.kind not in ("township", "village", "community", "group", "grid") or not powers.sees(
        *paths
    ):
        return {"show": False}
    return {"show": True, "unit": unit, "counts": selectors.unit_counts(powers, unit)}
