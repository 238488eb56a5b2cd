"""The supermarket hooks on the home, household and unit pages (render nothing when the user
has nothing to see there). Each costs at most two queries: the pages they sit on count theirs."""

from django import template
from django.db.models import Prefetch, Q

from core.scope import MANAGE, VIEW
from people import access as people_access
from places.models import Unit

from .. import access, selectors, services
from ..forms import SuspendForm
from ..models import Receipt, ReceiptLine

register = template.Library()
HISTORY = 10


@register.inclusion_tag("shop/_home_card.html", takes_context=True)
def shop_home(context):
    user = context["user"]
    scope = people_access.scope_for(user)
    if not scope.can(VIEW):
        return {}
    visible = list(selectors.supermarkets(scope).order_by("code"))
    if not visible:
        return {}
    keeper_units = access.keeper_unit_ids(user)
    townships = {m.township for m in visible if scope.covers(m.township.path, MANAGE)}
    return {
        "markets": [m for m in visible if m.unit_id in keeper_units],
        "official": True,
        "townships": sorted(townships, key=lambda t: t.path),
    }


@register.inclusion_tag("shop/_household_card.html", takes_context=True)
def shop_household(context, household):
    scope = people_access.scope_for(context["user"])
    lines = Prefetch("lines", queryset=ReceiptLine.objects.select_related("goods"))
    receipts = list(
        Receipt.objects.filter(household=household)
        .select_related("supermarket", "void")
        .prefetch_related(lines)
        .order_by("-created_at", "-id")[:HISTORY]
    )
    suspension = services.active_suspension(household)
    # A group's path is its village's path plus one segment: no query for the village.
    may_suspend = scope.covers(household.group_path[: -len("0001")], MANAGE)
    return {
        "household": household,
        "receipts": receipts,
        "suspension": suspension,
        "may_suspend": may_suspend,
        "suspend_form": SuspendForm(auto_id="suspend-%s")
        if may_suspend and not suspension
        else None,
        "show": bool(receipts or suspension or may_suspend),
    }


@register.inclusion_tag("shop/_unit_card.html", takes_context=True)
def shop_unit(context, unit):
    if unit.kind not in (Unit.Kind.TOWNSHIP, Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        return {}
    scope = people_access.scope_for(context["user"])
    markets = list(
        selectors.supermarkets(scope)
        .filter(Q(unit=unit) | Q(villages=unit) | Q(township=unit))
        .distinct()
        .order_by("code")
    )
    report = unit.kind == Unit.Kind.TOWNSHIP and bool(markets) and scope.covers(unit.path, VIEW)
    return {"unit": unit, "markets": markets, "report": report}
