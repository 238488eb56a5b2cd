"""Reads of notify, limited by the user's Scope.

Robots and deliveries are the business of those who manage a unit (township and village
officials): a grid chief sees the unit but not its robots.
"""

from django.db.models import QuerySet

from core.scope import MANAGE, VIEW, Scope
from places.models import Unit

from .models import Delivery, Robot


def robots(scope: Scope, cap: str = MANAGE) -> QuerySet[Robot]:
    """Robots on units in `scope` for `cap` (VIEW tells 403 from 404 before MANAGE is checked)."""
    return Robot.objects.filter(scope.units_q(cap, "unit__")).select_related("unit")


def visible_robots(scope: Scope) -> QuerySet[Robot]:
    return robots(scope, VIEW)


def robots_on(scope: Scope, unit: Unit) -> list[Robot]:
    """The robots of `unit` (disabled ones too), if the user manages it; else none."""
    if not scope.covers_unit(unit, MANAGE):
        return []
    return list(Robot.objects.filter(unit=unit).order_by("-is_active", "pk"))


def deliveries(scope: Scope) -> QuerySet[Delivery]:
    return Delivery.objects.filter(scope.units_q(MANAGE, "robot__unit__")).select_related("robot")


def deliveries_on(scope: Scope, unit: Unit) -> QuerySet[Delivery]:
    """Deliveries to the robots of `unit`, newest first (none unless the user manages it)."""
    if not scope.covers_unit(unit, MANAGE):
        return Delivery.objects.none()
    return Delivery.objects.filter(robot__unit=unit).select_related("robot")
