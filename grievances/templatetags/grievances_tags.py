"""The grievance blocks on the home, household and unit pages (their hooks include these)."""

from django import template
from django.utils import timezone

from core.scope import CHANGE, MANAGE, VIEW
from people import access as people_access

from .. import selectors
from ..display import FIGURE_LABELS, rows_for
from ..forms import month_bounds

register = template.Library()


@register.inclusion_tag("grievances/_home_card.html", takes_context=True)
def grievances_home(context):
    user = context.get("user")
    scope = people_access.scope_for(user)
    if scope.user_id is None or not (scope.can(VIEW) or scope.household_ids):
        return {"show": False}
    today = timezone.localdate()
    handler = scope.can(CHANGE)
    result = {"show": True, "handler": handler, "manager": scope.can(MANAGE)}
    if handler:
        open_ = selectors.to_handle(scope)
        result["to_handle"] = open_.count()
        result["overdue"] = open_.filter(deadline__lt=today).count()
        result["on_duty"] = selectors.duty_today(user, today).first()
    result["households"] = list(scope.household_ids)
    if scope.household_ids:
        result["own"] = (
            selectors.listing(scope).filter(household_id__in=scope.household_ids).count()
        )
    return result


@register.inclusion_tag("grievances/_household_block.html", takes_context=True)
def grievances_household(context, household):
    scope = people_access.scope_for(context.get("user"))
    if not people_access.can_view_household(scope, household):
        return {"show": False}
    rows = list(
        rows_for(scope, selectors.of_household(scope, household)[:20], timezone.localdate())
    )
    own = household.pk in scope.household_ids
    may_record = own or people_access.can_change_household(scope, household, CHANGE)
    return {
        "show": True,
        "rows": rows,
        "household": household,
        "may_record": may_record,
        "own": own,
    }


@register.inclusion_tag("grievances/_unit_block.html", takes_context=True)
def grievances_unit(context, unit):
    scope = people_access.scope_for(context.get("user"))
    if not scope.covers_unit(unit, VIEW):
        return {"show": False}
    start, end = month_bounds(timezone.localdate())
    figures = selectors.figures(scope=scope, unit=unit, start=start, end=end)
    labels = FIGURE_LABELS()
    return {
        "show": True,
        "unit": unit,
        "start": start,
        "end": end,
        "figures": [(name, labels[name], figures[name]) for name in selectors.FIGURES],
    }
